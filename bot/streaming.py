"""Showing an answer while it is written: one Telegram message, edited about once a second.

Telegram allows a chat about one message a second (a group about 20 a minute), and an edit
counts as one. So the draft — the model's text as written so far, escaped and marked as not
yet checked — is sent once and then edited at most every `every_s`, always with the latest
text (drafts written in between are skipped). A 429 (`RetryAfter`) on a draft is waited
out: no draft goes out until it has passed. The final edit, after the answer's sentences
were checked, replaces the draft with the checked answer, its sources and its buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError

from bot.render import draft_message
from bot.sending import NO_PREVIEW, edit_html, send_html

logger = logging.getLogger(__name__)
EDIT_EVERY_S = 1.0  # private chats: about one message a second
GROUP_EDIT_EVERY_S = 3.0  # groups: about 20 messages a minute


def seconds(retry_after: int | float | timedelta) -> float:
    """`RetryAfter.retry_after` in seconds (PTB gives an int or a timedelta)."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class DraftMessage:
    """The draft of one answer in one chat; `update` from any thread, then `finish`."""

    def __init__(
        self, bot: Bot, chat_id: int, *, reply_to: int | None, every_s: float = EDIT_EVERY_S
    ) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.reply_to = reply_to
        self.every_s = every_s
        self.message: Message | None = None
        self.edits = 0
        self._loop = asyncio.get_running_loop()
        self._latest = ""
        self._shown = ""
        self._not_before = 0.0  # loop time before which no draft is sent (pace, or a 429)
        self._closing = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    def update(self, text: str) -> None:
        """The answer so far (thread-safe: the answering thread calls this)."""
        self._loop.call_soon_threadsafe(self._set, text)

    def _set(self, text: str) -> None:
        self._latest = text
        self._wake.set()

    async def _run(self) -> None:
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            pause = self._not_before - self._loop.time()
            if pause > 0 and not self._closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closed(), pause)
            if self._closing:
                return
            if self._latest.strip() and self._latest != self._shown:
                await self._show(self._latest)

    async def _closed(self) -> None:
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()

    async def _show(self, text: str) -> None:
        html = draft_message(text)
        self._not_before = self._loop.time() + self.every_s
        try:
            if self.message is None:
                reply = (
                    ReplyParameters(self.reply_to, allow_sending_without_reply=True)
                    if self.reply_to
                    else None
                )
                self.message = await self.bot.send_message(
                    self.chat_id, html, parse_mode=ParseMode.HTML, reply_parameters=reply,
                    link_preview_options=NO_PREVIEW,
                )  # fmt: skip
            else:
                await self.bot.edit_message_text(
                    html, chat_id=self.chat_id, message_id=self.message.message_id,
                    parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                )  # fmt: skip
                self.edits += 1
            self._shown = text
        except RetryAfter as exc:  # flood control: skip drafts until Telegram allows again
            wait = seconds(exc.retry_after)
            logger.info("draft edit rate-limited; next draft in %.1f s", wait)
            self._not_before = self._loop.time() + wait
        except TelegramError as exc:  # a draft is a courtesy; the final answer still comes
            logger.debug("draft not shown: %s", exc)

    async def close(self) -> None:
        """Stop drafting (a draft being sent is let finish)."""
        self._closing = True
        self._wake.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def finish(self, texts: list[str], markup: InlineKeyboardMarkup | None) -> bool:
        """Replace the draft with the final `texts` (HTML; `markup` under the last one).

        False when no draft was shown: the caller sends the answer as usual.
        """
        await self.close()
        if self.message is None:
            return False
        pause = self._not_before - self._loop.time()
        if pause > 0:  # the pace (or a 429 still running) holds for the final edit too
            await asyncio.sleep(pause)
        last = len(texts) - 1
        await edit_html(self.bot, self.message, texts[0], reply_markup=markup if not last else None)
        for position, text in enumerate(texts[1:], start=1):
            await send_html(
                self.bot, self.chat_id, text, reply_markup=markup if position == last else None
            )
        return True
