"""`run_bot` (what `newsdesk serve` runs) against the stand-in in a thread of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answer_log import AnswerLog
from bot.app import file_url, run_bot
from bot.errors import BotTokenError
from tests.bot_helpers import ScriptedAnswerer, bot_settings, standin_in_thread
from tests.standin import TelegramStandin


@pytest.fixture
def threaded_standin() -> Iterator[TelegramStandin]:
    with standin_in_thread() as standin:
        yield standin


def test_a_token_telegram_rejects_is_a_clean_error(
    threaded_standin: TelegramStandin, tmp_path: Path
) -> None:
    settings = bot_settings(
        threaded_standin, tmp_path, telegram_bot_token="999999:a-well-formed-but-unknown-token"
    )
    log = AnswerLog(settings.log_db_path)
    with pytest.raises(BotTokenError, match="Telegram rejected TELEGRAM_BOT_TOKEN"):
        run_bot(settings, answerer=ScriptedAnswerer(), log=log)
    [get_me] = threaded_standin.calls("getMe")
    assert get_me.status == 401


def test_file_url_sits_next_to_the_bot_api_base_url() -> None:
    assert file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/file/bot"
    assert file_url("http://local/bot{token}") == "http://local/file/bot{token}"
