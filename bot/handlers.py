"""Handlers for questions and the everyday commands (/start, /help, /ask, /sources, /new)."""

from __future__ import annotations

import asyncio
import html
import math
import re

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.ext import ContextTypes, filters

from bot.render import answer_keyboard, answer_messages, sources_messages
from bot.sending import send_html, typing
from bot.services import asker_of, services
from bot.streaming import EDIT_EVERY_S, GROUP_EDIT_EVERY_S, DraftMessage

HELP = (
    "Ask me anything about the news I have read. Every claim in my answer cites a numbered "
    "source [n]; tap a 📄 button to see the exact passage, and 👍/👎 to tell me how I did.\n\n"
    "Follow-ups keep the topic (“and what did Mexico do?”); say “tell me more” for what I "
    "have not said yet.\n\n"
    "In groups, mention me, reply to one of my messages, or use /ask.\n\n"
    "/ask <i>question</i> — ask a question\n"
    "/sources — the sources of my last answer\n"
    "/new — forget this conversation and start afresh\n"
    "/help — this message"
)
COMMANDS = [
    ("ask", "Ask a question about the news"),
    ("sources", "Sources of the last answer"),
    ("new", "Forget the conversation"),
    ("help", "How to use this bot"),
]


class AddressedToBot(filters.MessageFilter):
    """A group message that mentions the bot or replies to one of its messages."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        entities = message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION])
        return any(
            (entity.user is not None and entity.user.id == bot.id)
            or text.lower() == f"@{bot.username}".lower()
            for entity, text in entities.items()
        )


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Rate-limit, answer with a typing indicator (and a draft while an LLM writes), reply."""
    message, shared, asker = update.effective_message, services(context), asker_of(update)
    if message is None:
        return
    reply_to = message.message_id if asker.chat_type != "private" else None
    wait = shared.limiter.try_acquire(asker.user_id or asker.chat_id)
    if wait:
        await send_html(
            context.bot,
            asker.chat_id,
            (f"You are asking faster than I can keep up; please try again in {math.ceil(wait)} s."),
            reply_to=reply_to,
        )
        return
    pace = EDIT_EVERY_S if asker.chat_type == "private" else GROUP_EDIT_EVERY_S
    draft = DraftMessage(context.bot, asker.chat_id, reply_to=reply_to, every_s=pace)
    try:
        async with typing(context.bot, asker.chat_id):
            outcome = await shared.desk.ask(asker, question, on_draft=draft.update)
    finally:
        await draft.close()
    if outcome.answer is None:
        texts, markup = [html.escape(outcome.refusal or "")], None
    else:
        texts = answer_messages(outcome.answer)
        citations = [] if outcome.answer.declined else outcome.answer.citations
        markup = None
        if outcome.exchange_id is not None:
            markup = answer_keyboard(outcome.exchange_id, citations)
    if not await draft.finish(texts, markup):
        await _send_all(context, asker.chat_id, texts, markup, reply_to)


async def _send_all(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    texts: list[str],
    markup: InlineKeyboardMarkup | None,
    reply_to: int | None,
) -> None:
    """The messages of one answer, the first as a reply, `markup` under the last."""
    for position, text in enumerate(texts):
        await send_html(
            context.bot,
            chat_id,
            text,
            reply_markup=markup if position == len(texts) - 1 else None,
            reply_to=reply_to if position == 0 else None,
        )


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat is a question."""
    if update.effective_message and update.effective_message.text:
        await answer_question(update, context, update.effective_message.text)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group message addressed to the bot: the question is the text minus the mention."""
    message = update.effective_message
    if message and message.text:
        mention = re.compile(re.escape(f"@{context.bot.username}"), re.IGNORECASE)
        await answer_question(update, context, mention.sub(" ", message.text))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question>."""
    question = " ".join(context.args or [])
    if not question.strip():
        await send_html(
            context.bot, asker_of(update).chat_id, "Usage: /ask <i>your question about the news</i>"
        )
        return
    await answer_question(update, context, question)


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet and explain."""
    await send_html(
        context.bot,
        asker_of(update).chat_id,
        "<b>Hello! I answer questions about the news, with sources.</b>\n\n" + HELP,
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to use the bot."""
    await send_html(context.bot, asker_of(update).chat_id, HELP)


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources: the source list of the chat's last answer, with its passage buttons."""
    chat_id, memory = asker_of(update).chat_id, services(context).desk.memory
    turns = await asyncio.to_thread(memory.history, chat_id)
    if not turns or not turns[-1].citations:
        await send_html(context.bot, chat_id, "There is no answer with sources to show yet.")
        return
    exchange_id = await asyncio.to_thread(memory.last_exchange_id, chat_id)
    citations = turns[-1].citations
    markup = answer_keyboard(exchange_id, citations) if exchange_id is not None else None
    texts = sources_messages(citations)
    for position, text in enumerate(texts):
        await send_html(
            context.bot, chat_id, text, reply_markup=markup if position == len(texts) - 1 else None
        )


async def new_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/new: forget this chat's conversation."""
    chat_id = asker_of(update).chat_id
    await asyncio.to_thread(services(context).desk.memory.forget, chat_id)
    await send_html(context.bot, chat_id, "Done: I have forgotten our conversation. Ask away!")
