"""End to end with the real answerer: samples/articles ingested, asked through Telegram."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.answer_log import AnswerLog
from bot.log_queries import LogFilter, list_exchanges, show_exchange
from index.settings import Settings
from tests.bot_helpers import bot_settings, running_bot
from tests.standin import TelegramStandin, parse_html

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "articles"
USER = 701
CUP_TITLE = "Riverton Rovers win the cup final 3-1 after extra time"
CUP_URL = "https://example.com/sports-column/2024/05/25/riverton-rovers-cup-final"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    service = pytest.importorskip("index.service")
    pipeline = pytest.importorskip("ingest.pipeline")
    if not hasattr(service, "open_newsdesk"):
        pytest.skip("index.service.open_newsdesk is not there yet")
    from index.settings import Settings

    data_dir = tmp_path_factory.mktemp("real-index")
    settings = Settings(_env_file=None, newsdesk_data_dir=data_dir)  # type: ignore[call-arg]
    report = pipeline.ingest_sources([str(SAMPLES)], settings=settings)
    assert len(report.new) == len(list(SAMPLES.glob("*.md")))
    return data_dir


@asynccontextmanager
async def real_bot(standin: TelegramStandin, data_dir: Path) -> AsyncIterator[Settings]:
    """The bot running over HTTP with the real answerer on the ingested samples."""
    from index.wiring import open_newsdesk

    settings = bot_settings(standin, data_dir)
    async with running_bot(settings, open_newsdesk(settings)):
        yield settings


async def ask_once(standin: TelegramStandin, data_dir: Path, question: str) -> tuple[Any, Settings]:
    """One question to the real bot: its one reply, and the settings (for the log)."""
    async with real_bot(standin, data_dir) as settings:
        await standin.send_text(USER, USER, question)
        [reply] = await standin.wait_for_sent(USER, timeout=60)
    return reply, settings


@pytest.mark.slow
async def test_real_answerer_cites_the_sample_article(
    standin: TelegramStandin, ingested: Path
) -> None:
    async with real_bot(standin, ingested) as settings:
        await standin.send_text(USER, USER, "Who won the cup final, and what was the score?")
        [reply] = await standin.wait_for_sent(USER, timeout=60)
        source_button = next(b for b in reply.buttons if b["text"] == "📄 [1]")
        query_id = await standin.press(reply, USER, source_button["callback_data"])
        await standin.wait_for_callback_answer(query_id, timeout=30)
        _, passage = await standin.wait_for_sent(USER, 2, timeout=30)
    assert reply.parse_mode == "HTML" and parse_html(reply.raw) == reply.text
    assert "Riverton Rovers" in reply.text and "3-1" in reply.text and "[1]" in reply.text
    assert f"[1] {CUP_TITLE} — Sports Column, 2024-05-25" in reply.text
    assert f'<a href="{CUP_URL}">{CUP_TITLE}</a>' in reply.raw
    log = AnswerLog(settings.log_db_path)
    [row] = list_exchanges(log, LogFilter())
    cited = show_exchange(log, row["id"])["citations"][0]
    assert cited["url"] == CUP_URL and cited["passage"] in passage.text
    assert "Riverton Rovers won the National Cup" in passage.text
    # the quote in bold, then what the article says next: who scored in extra time
    assert "<b>Riverton Rovers won the National Cup" in passage.raw
    assert "Substitute Marco Diaz, who came on in the 85th minute" in passage.text
    assert passage.raw.index("</b>") < passage.raw.index("Substitute Marco Diaz")
    assert row["mode"] == "extractive" and row["retrieve_ms"] > 0


@pytest.mark.slow
async def test_a_typo_is_read_and_the_reader_told_through_telegram(
    standin: TelegramStandin, ingested: Path
) -> None:
    reply, settings = await ask_once(standin, ingested, "who scored for riverton in extar time")
    assert "Marco Diaz" in reply.text and "[1]" in reply.text
    assert "<i>Read “extar” as “extra”.</i>" in reply.raw
    questions = [
        row["question"] for row in list_exchanges(AnswerLog(settings.log_db_path), LogFilter())
    ]
    assert questions[0] == "who scored for riverton in extar time"  # newest first, as typed


@pytest.mark.slow
async def test_an_answer_about_another_match_says_what_it_leaves_out(
    standin: TelegramStandin, ingested: Path
) -> None:
    reply, settings = await ask_once(standin, ingested, "who won the riverton cup semi final")
    assert "Riverton Rovers won the National Cup" in reply.text  # the final, quoted
    assert "<i>Not mentioned in the quoted passages: “semi”.</i>" in reply.raw
    log = AnswerLog(settings.log_db_path)
    row = list_exchanges(log, LogFilter())[0]  # newest first
    assert row["question"] == "who won the riverton cup semi final"
    assert show_exchange(log, row["id"])["note"] == "Not mentioned in the quoted passages: “semi”."


@pytest.mark.slow
async def test_tell_me_more_in_the_chat_goes_on_with_the_story(
    standin: TelegramStandin, ingested: Path
) -> None:
    reader = USER + 1  # a chat of its own: what earlier tests asked is not its history
    async with real_bot(standin, ingested):
        await standin.send_text(reader, reader, "who won the cup final")
        [first] = await standin.wait_for_sent(reader, timeout=60)
        await standin.send_text(reader, reader, "tell me more")
        _, more = await standin.wait_for_sent(reader, 2, timeout=60)
    assert "Riverton Rovers won the National Cup" in first.text
    assert "Ines Holt said" in more.text and "[1]" in more.text and "Tom Keller" not in more.text
    assert "Riverton Rovers won the National Cup" not in more.text
