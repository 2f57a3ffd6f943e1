"""What the handlers share, kept in `application.bot_data` under one key."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from bot.access import AccessPolicy, RateLimiter
from bot.desk import AnswerDesk, Asker

KEY = "newsdesk"


@dataclass
class BotServices:
    desk: AnswerDesk
    access: AccessPolicy
    limiter: RateLimiter


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    """The services `build_application` stored for the handlers."""
    found: BotServices = context.bot_data[KEY]
    return found


def asker_of(update: Update) -> Asker:
    """Who sent this update, and where."""
    chat, user = update.effective_chat, update.effective_user
    name = (user.username or user.full_name) if user else None
    return Asker(chat.id if chat else 0, chat.type if chat else "", user.id if user else None, name)
