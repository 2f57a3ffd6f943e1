"""The real bot against the stand-in, with hostile stored data and an unavailable log."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.answer_log import AnswerLog
from bot.log_queries import LogFilter, list_exchanges
from index.models import Answer, Citation, Timings
from tests.bot_helpers import ScriptedAnswerer, bot_settings, running_bot
from tests.standin import MAX_TEXT, TelegramStandin, utf16_len

USER = 601


@pytest.fixture
async def bot(
    standin: TelegramStandin, answerer: ScriptedAnswerer, tmp_path: Path
) -> AsyncIterator[TelegramStandin]:
    async with running_bot(bot_settings(standin, tmp_path), answerer):
        yield standin


def long_source_answer() -> Answer:
    cite = Citation(
        number=1,
        article_id="a1",
        title="Port\x00 strike \u202eends",
        source="X" * 6000,
        published=date(2025, 3, 1),
        url="https://example.com/port",
        chunk_id="a1:0",
        quote="Dock workers returned on Monday.",
        start=0,
        end=31,
        score=0.7,
    )
    return Answer(
        question="port?",
        standalone_question="port?",
        text="Dock workers returned on Monday [1].",
        citations=[cite],
        note="The language model failed (timed out); this is an extractive answer.",
        timings=Timings(total_ms=5),
    )


async def test_an_answer_citing_a_6000_character_outlet_arrives_whole(
    bot: TelegramStandin, answerer: ScriptedAnswerer
) -> None:
    answerer.enqueue(long_source_answer())
    await bot.send_text(USER, USER, "What happened at the port?")
    [reply] = await bot.wait_for_sent(USER)
    assert utf16_len(reply.text) <= MAX_TEXT
    assert reply.text.startswith(
        "Dock workers returned on Monday [1].\n"
        "The language model failed (timed out); this is an extractive "
        "answer.\n\nSources\n[1] Port strike ends — XXX"
    )
    assert "\x00" not in reply.raw and "\u202e" not in reply.raw
    assert [b["text"] for b in reply.buttons] == ["📄 [1]", "👍", "👎"]
    assert not [s for s in bot.sent_to(USER) if "went wrong" in s.text]


async def test_a_locked_log_keeps_the_exchange_and_its_buttons(
    bot: TelegramStandin, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "answers.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO _migrations VALUES ('held', 'now')")
    await bot.send_text(USER, USER, "How many homes will the wind farm power?")
    [reply] = await bot.wait_for_sent(USER, timeout=20)
    source = next(b for b in reply.buttons if b["text"] == "📄 [1]")
    assert source["callback_data"].startswith("src:k")
    query_id = await bot.press(reply, USER, source["callback_data"])
    await bot.wait_for_callback_answer(query_id, timeout=20)
    _, passage = await bot.wait_for_sent(USER, 2, timeout=20)
    assert "expected to power about 200,000 homes" in passage.text
    other.execute("ROLLBACK")
    other.close()
    await bot.send_text(USER, USER, "What did the council decide about bike lanes?")
    await bot.wait_for_sent(USER, 3, timeout=20)
    log = AnswerLog(tmp_path / "answers.sqlite3")
    assert [r["question"] for r in list_exchanges(log, LogFilter())] == [
        "What did the council decide about bike lanes?",
        "How many homes will the wind farm power?",
    ]
