"""Inline buttons: show a source's quoted passage, record 👍/👎 feedback."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ContextTypes

from bot.answer_log import ExchangeRef
from bot.desk import quietly
from bot.render import callback_text, passage_message
from bot.sending import send_html
from bot.services import asker_of, services

# an exchange is named by its log id, or by its spool key while the log is unavailable
_EXCHANGE = r"(\d+|k[0-9a-f]{16})"
SOURCE_PATTERN = rf"^src:{_EXCHANGE}:\d+$"
FEEDBACK_PATTERN = rf"^fb:{_EXCHANGE}:(up|down)$"


def exchange_ref(text: str) -> ExchangeRef:
    """An exchange id from button data: a log id, or a spool key."""
    return int(text) if text.isdigit() else text


async def show_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """📄 [n]: reply with the exact passage cited as [n], quoted."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, exchange_id, number = query.data.split(":")
    log = services(context).desk.log
    citation = await asyncio.to_thread(log.citation, exchange_ref(exchange_id), int(number))
    if citation is None:
        await query.answer(callback_text("Sorry, I no longer have that source."), show_alert=True)
        return
    await query.answer()
    reply_to = query.message.message_id if query.message else None
    await send_html(
        context.bot, asker_of(update).chat_id, passage_message(citation), reply_to=reply_to
    )


async def record_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """👍/👎: store who thought what of which answer, and say thanks."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    _, exchange_id, value = query.data.split(":")
    asker = asker_of(update)
    log = services(context).desk.log
    await quietly(
        "recording feedback",
        lambda: log.record_feedback(
            exchange_ref(exchange_id),
            user_id=asker.user_id or 0,
            user_name=asker.user_name,
            value=value,
        ),
    )
    await query.answer(callback_text("Thanks for your feedback!"))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other button (from an older version of the bot): answer it so the spinner stops."""
    if update.callback_query:
        await update.callback_query.answer(callback_text("That button no longer works."))
