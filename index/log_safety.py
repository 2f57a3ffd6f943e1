"""Logging that never writes a secret, at any level.

The Bot API puts the bot token in every request path (`/bot<token>/getUpdates`), and
httpx logs each request URL at INFO; API keys can surface in exception messages. A filter
on every handler rewrites each record, message and traceback alike, replacing the
configured secrets and anything shaped like a bot token, before it is formatted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from pydantic import SecretStr

from index.settings import Settings

REDACTED = "[secret]"
# <digits>:<35-ish url-safe chars> as @BotFather issues them, in a URL or anywhere else
_BOT_TOKEN = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,}")
# request chatter that is only useful when debugging
_CHATTY = ("httpx", "httpcore", "telegram.ext.ExtBot", "hpack")


class SecretFilter(logging.Filter):
    """Replaces secrets in a record's message, arguments and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _BOT_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def settings_secrets(settings: Settings) -> list[str]:
    """The value of every `SecretStr` setting (token, API keys, webhook secret)."""
    values = (getattr(settings, name) for name in type(settings).model_fields)
    return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]


def configure_logging(settings: Settings, level: str | None = None) -> None:
    """Log at `level` (default `LOG_LEVEL`) to stderr, every handler behind a `SecretFilter`."""
    level = level or settings.log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    secret_filter = SecretFilter(settings_secrets(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
    if level != "DEBUG":
        for name in _CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
