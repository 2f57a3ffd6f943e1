"""Errors the bot and the answer log report to a user (via the CLI's clean messages)."""

from index.errors import NewsdeskError


class BotTokenError(NewsdeskError):
    """TELEGRAM_BOT_TOKEN is missing, malformed or rejected by Telegram."""


class BotApiUnreachableError(NewsdeskError):
    """The Telegram Bot API could not be reached when the bot started."""


class AnswerLogError(NewsdeskError):
    """The answer log is missing or an entry asked for does not exist."""
