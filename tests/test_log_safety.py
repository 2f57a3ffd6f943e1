"""Secrets never reach a log line: messages, arguments and tracebacks are redacted."""

from __future__ import annotations

import io
import logging

from pydantic import SecretStr

from index.log_safety import SecretFilter, settings_secrets
from index.settings import Settings

TOKEN = "987654:AAF-not-a-real-token_but_shaped_like_one"
KEY = "sk-proj-secretvalue12345"


def test_message_arguments_and_tracebacks_are_redacted() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(SecretFilter([KEY]))
    logger = logging.getLogger("test.log_safety")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.info("HTTP Request: POST %s", f"https://api.telegram.org/bot{TOKEN}/getUpdates")
        try:
            raise RuntimeError(f"auth failed for key {KEY}")
        except RuntimeError:
            logger.exception("LLM call failed")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert TOKEN not in text and KEY not in text and "AAF-not-a-real" not in text
    assert "https://api.telegram.org/bot[secret]/getUpdates" in text
    assert "RuntimeError: auth failed for key [secret]" in text


def test_every_secret_setting_is_collected() -> None:
    settings = Settings(
        _env_file=None,
        telegram_bot_token=SecretStr(TOKEN),  # type: ignore[call-arg]
        llm_api_key=SecretStr(KEY),
    )
    assert set(settings_secrets(settings)) >= {TOKEN, KEY}
