"""The answer log under faults: locks, a full disk, a damaged file. Nothing is lost."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer_log import AnswerLog, Exchange
from bot.errors import AnswerLogError
from bot.log_queries import LogFilter, list_exchanges, show_exchange
from cli.main import cli
from index.models import Answer, Timings
from tests.bot_helpers import ARTICLES, citation


def exchange(n: int, *, words: int = 3) -> Exchange:
    answer = Answer(
        question=f"question {n}?",
        standalone_question=f"question {n}?",
        text=f"Answer {n} [1]. " + "More words. " * words,
        citations=[citation(ARTICLES[n % 3], 1)],
        timings=Timings(total_ms=10.0 + n),
    )
    return Exchange(
        chat_id=100 + n,
        chat_type="private",
        user_id=n,
        user_name=f"u{n}",
        question=f"question {n}?",
        answer=answer,
    )


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write transaction on the log, held for the block."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO _migrations VALUES ('held by another process', 'now')")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def questions(log: AnswerLog) -> list[str]:
    return [row["question"] for row in reversed(list_exchanges(log, LogFilter(limit=100)))]


def test_a_lock_held_past_the_wait_spools_and_loses_nothing(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3", lock_wait_s=0.2)
    with write_lock(log.path):
        refs = [log.record(exchange(n)) for n in range(5)]
        assert all(isinstance(ref, str) and ref.startswith("k") for ref in refs)
        assert len(log.spool) == 5
        # a spooled exchange still has its buttons: its passages come from the spool
        shown = log.citation(refs[2], 1)
        assert shown is not None and shown.quote == ARTICLES[2].quote
        log.record_feedback(refs[1], user_id=1, user_name="u1", value="up")
    later = log.record(exchange(5))
    assert isinstance(later, int)
    assert questions(log) == [f"question {n}?" for n in range(6)]
    assert log.spool.is_empty() and not log.spool.path.exists()
    first = log.resolve(refs[1])
    assert first is not None
    found = show_exchange(log, first)
    assert [(v["user_id"], v["value"]) for v in found["feedback"]] == [(1, "up")]
    assert [c["passage"] for c in found["citations"]] == [ARTICLES[1].quote]


def test_a_short_lock_is_waited_out(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3", lock_wait_s=5.0)
    release = threading.Event()

    def hold() -> None:
        with write_lock(log.path):
            release.wait(0.5)

    holder = threading.Thread(target=hold)
    holder.start()
    ref = log.record(exchange(0))
    holder.join()
    assert isinstance(ref, int) and log.spool.is_empty()
    assert questions(log) == ["question 0?"]


def test_a_full_log_keeps_every_exchange_and_writes_them_later(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3", lock_wait_s=0.2)
    with log.connection() as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
    refs = [log.record(exchange(n, words=2000)) for n in range(10)]
    assert sum(isinstance(ref, str) for ref in refs) >= 8  # a few may fit in free pages
    with log.connection() as db:
        db.execute("PRAGMA max_page_count = 1000000")  # space again
    log.record(exchange(10))
    assert questions(log) == [f"question {n}?" for n in range(11)]


def test_a_replay_cut_short_after_its_commit_writes_nothing_twice(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3", lock_wait_s=0.1)
    with write_lock(log.path):
        log.record(exchange(0))
        log.record(exchange(1))
    saved = log.spool.path.read_bytes()
    assert log.replay() == 2
    log.spool.path.write_bytes(saved)  # as if killed before the spool was cleared
    assert log.replay() == 2
    assert questions(log) == ["question 0?", "question 1?"]


def test_a_spool_left_by_a_stopped_bot_is_written_when_the_log_opens(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3", lock_wait_s=0.1)
    with write_lock(log.path):
        log.record(exchange(3))
    log.close()
    assert questions(AnswerLog(tmp_path / "answers.sqlite3")) == ["question 3?"]


def test_a_damaged_log_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite3"
    path.write_bytes(b"this is not a database " * 400)
    with pytest.raises(AnswerLogError, match="is damaged .* move it aside"):
        AnswerLog(path)
    result = CliRunner().invoke(cli, ["logs", "list"], env={"NEWSDESK_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: the answer log") and "sqlite3" in line and ".recover" in line


def test_an_exclusively_locked_log_is_one_line(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3")
    log.record(exchange(0))
    log.close()
    other = sqlite3.connect(tmp_path / "answers.sqlite3", isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    try:
        result = CliRunner().invoke(cli, ["logs", "list"], env={"NEWSDESK_DATA_DIR": str(tmp_path)})
    finally:
        other.close()
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "is locked by another process" in line
