"""Periodic work on the bot's JobQueue runs off the event loop: answers go on meanwhile."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from bot.answer_log import AnswerLog
from bot.app import build_application
from bot.jobs import PeriodicTask
from tests.bot_helpers import ScriptedAnswerer, bot_settings
from tests.standin import TelegramStandin


async def test_a_slow_poll_does_not_hold_up_answers(
    standin: TelegramStandin, answerer: ScriptedAnswerer, tmp_path: Path
) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    runs: list[str] = []

    def slow_poll() -> None:  # stands in for a feed poll that fetches and embeds for a while
        runs.append(threading.current_thread().name)
        started.set()
        release.wait(timeout=60)
        finished.set()

    settings = bot_settings(standin, tmp_path)
    log = AnswerLog(settings.log_db_path)
    task = PeriodicTask(name="slow poll", run=slow_poll, every_s=3600, first_s=0.05)
    app = build_application(settings, answerer=answerer, log=log, tasks=[task])
    await app.initialize()
    await app.start()
    try:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        assert await asyncio.to_thread(started.wait, 30)
        await standin.send_text(701, 701, "Tell me about the bike lanes")
        [reply] = await standin.wait_for_sent(701, timeout=30)  # while the poll still runs
        assert "40 km of protected bike lanes" in reply.text
        assert not finished.is_set()  # the reply came while the poll was still running
        assert runs and runs[0] != threading.main_thread().name
    finally:
        release.set()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        log.close()
