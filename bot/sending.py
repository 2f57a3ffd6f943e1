"""Sending to Telegram robustly: retry network errors, fall back to plain text on a parse error.

Flood control (429 `RetryAfter`) is handled one layer down by PTB's `AIORateLimiter`, which
waits `retry_after` and pauses every other request meanwhile, as Telegram asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.render import fit_message, fit_plain, html_to_plain
from bot.split import MESSAGE_LIMIT

logger = logging.getLogger(__name__)
T = TypeVar("T")
NETWORK_ATTEMPTS = 3
TYPING_EVERY_S = 4.5
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def with_retries(
    call: Callable[[], Awaitable[T]], *, attempts: int = NETWORK_ATTEMPTS, backoff_s: float = 0.5
) -> T:
    """Run `call`, retrying network errors (not bad requests) with exponential backoff."""
    for attempt in range(attempts):
        try:
            return await call()
        except BadRequest:
            raise
        except RetryAfter as exc:  # the rate limiter gave up; wait once more ourselves
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(
                exc.retry_after
                if isinstance(exc.retry_after, int)
                else exc.retry_after.total_seconds()
            )
        except NetworkError as exc:
            if attempt == attempts - 1:
                raise
            logger.warning("network error (%s), retry %d of %d", exc, attempt + 1, attempts - 1)
            await asyncio.sleep(backoff_s * 2**attempt)
    raise AssertionError("unreachable")


def is_parse_error(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower()


async def send_html(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> Message:
    """Send HTML `text`; if Telegram cannot parse it, send the same content as plain text.

    A text over Telegram's limit is never sent as is: it is cut (as plain text) to fit.
    """
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None

    async def send(body: str, parse_mode: str | None) -> Message:
        return await with_retries(
            lambda: bot.send_message(
                chat_id,
                body,
                parse_mode=parse_mode,
                reply_markup=reply_markup,
                reply_parameters=reply,
                link_preview_options=NO_PREVIEW,
            )
        )

    return await _as_html_or_plain(send, text)


async def edit_html(
    bot: Bot,
    message: Message,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the text of our `message` by HTML `text` (plain if it cannot be parsed)."""

    async def edit(body: str, parse_mode: str | None) -> Message:
        try:
            await with_retries(
                lambda: bot.edit_message_text(
                    body,
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                    parse_mode=parse_mode,
                    reply_markup=reply_markup,
                    link_preview_options=NO_PREVIEW,
                )
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return message

    await _as_html_or_plain(edit, text)


async def _as_html_or_plain(
    deliver: Callable[[str, str | None], Awaitable[Message]], text: str
) -> Message:
    """`deliver(text, HTML)`; as plain text if it is over the limit or Telegram cannot parse it."""
    text, fits = fit_message(text)
    if not fits:
        logger.warning("a message over %d characters was cut to fit", MESSAGE_LIMIT)
        return await deliver(text, None)
    try:
        return await deliver(text, ParseMode.HTML)
    except BadRequest as exc:
        if not is_parse_error(exc):
            raise
        logger.warning("Telegram could not parse our HTML (%s); sending plain text", exc.message)
    return await deliver(fit_plain(html_to_plain(text)), None)


async def _keep_typing(bot: Bot, chat_id: int) -> None:
    while True:
        try:
            await bot.send_chat_action(chat_id, ChatAction.TYPING)
        except NetworkError as exc:  # the indicator is a courtesy; never fail an answer on it
            logger.debug("chat action failed: %s", exc)
        await asyncio.sleep(TYPING_EVERY_S)


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" in the chat until the block ends (Telegram clears it after ~5 s)."""
    task = asyncio.create_task(_keep_typing(bot, chat_id))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
