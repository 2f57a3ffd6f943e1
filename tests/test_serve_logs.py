"""`newsdesk serve` as a real process against the stand-in: what it logs, how it fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot_helpers import free_port, standin_in_thread
from tests.standin import TOKEN, TelegramStandin

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def threaded_standin() -> Iterator[TelegramStandin]:
    with standin_in_thread() as standin:
        yield standin


def serve(tmp_path: Path, base_url: str, **env: str) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "NEWSDESK_DATA_DIR": str(tmp_path / "data"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "ANSWER_MODE": "extractive",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "serve"],
        cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():  # type: ignore[operator]
        time.sleep(0.2)


def test_serve_at_debug_never_logs_the_token(
    threaded_standin: TelegramStandin, tmp_path: Path
) -> None:
    bot = serve(tmp_path, threaded_standin.base_url, LOG_LEVEL="DEBUG")
    try:
        wait_for(lambda: len(threaded_standin.calls("getUpdates")) >= 3, 90)
        threaded_standin.fail_next("getUpdates", 502, "Bad Gateway")
        calls = len(threaded_standin.calls("getUpdates"))
        wait_for(lambda: len(threaded_standin.calls("getUpdates")) >= calls + 3, 30)
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert "getUpdates" in output  # the request lines are there, at DEBUG...
    secret = TOKEN.split(":", 1)[1]
    assert TOKEN not in output and secret not in output  # ...without the token
    assert "bot[secret]/getUpdates" in output
    assert "Telegram unreachable while fetching updates (NetworkError: Bad Gateway)" in output
    assert "error while handling an update" not in output


def test_serve_without_a_reachable_bot_api_is_one_line(tmp_path: Path) -> None:
    bot = serve(tmp_path, f"http://127.0.0.1:{free_port()}/bot")
    output, _ = bot.communicate(timeout=120)
    assert bot.returncode == 1, output
    assert "Traceback" not in output
    assert (
        output.strip()
        .splitlines()[-1]
        .startswith("Error: cannot reach the Telegram Bot API at http://127.0.0.1:")
    )
