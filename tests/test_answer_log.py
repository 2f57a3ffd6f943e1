"""The answer log: exact schema from migrations, recording, search, stats, memory."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.answer_log import AnswerLog, Exchange
from bot.errors import AnswerLogError
from bot.log_queries import (
    LogFilter,
    count_exchanges,
    iter_export,
    list_exchanges,
    show_exchange,
    stats,
)
from bot.memory import ConversationMemory
from bot.migrations import MIGRATIONS, migrate
from index.models import Answer, Timings, Turn
from tests.bot_helpers import ARTICLES, DECLINE, citation

EXPECTED_COLUMNS = {
    "_migrations": ["name", "applied_at"],
    "exchanges": [
        "id",
        "created_at",
        "chat_id",
        "chat_type",
        "user_id",
        "user_name",
        "question",
        "standalone_question",
        "answer",
        "declined",
        "mode",
        "model",
        "retrieve_ms",
        "compose_ms",
        "total_ms",
        "error",
        "spool_key",
        "note",
        "claim_checks",
    ],
    "citations": [
        "exchange_id",
        "number",
        "article_id",
        "chunk_id",
        "title",
        "source",
        "published",
        "url",
        "passage",
        "start",
        "end",
        "score",
        "context_before",
        "context_after",
    ],
    "feedback": ["exchange_id", "user_id", "user_name", "value", "created_at"],
    "exchanges_fts": ["question", "standalone_question", "answer"],
    "conversation_turns": [
        "id",
        "chat_id",
        "created_at",
        "question",
        "answer",
        "citations_json",
        "exchange_id",
    ],
}


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({table})")]


def test_fresh_database_migrates_to_exactly_the_expected_schema(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3")
    with log.connection() as db:
        tables = {
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts_%'"
            )
        }
        assert tables == set(EXPECTED_COLUMNS)
        assert {t: columns(db, t) for t in EXPECTED_COLUMNS} == EXPECTED_COLUMNS
        applied = [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]
        assert applied == [
            "m001_exchanges",
            "m002_citations",
            "m003_feedback",
            "m004_exchanges_fts",
            "m005_conversation_turns",
            "m006_exchange_spool_key",
            "m007_review_indexes",
            "m008_exchange_note",
            "m009_fts_standalone_question",
            "m010_exchange_claim_checks",
            "m011_citation_context",
        ]
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert migrate(db) == []  # reopening applies nothing twice
    assert [m.__name__ for m in MIGRATIONS] == applied


def test_migrate_applies_only_new_migrations(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.sqlite3")
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    MIGRATIONS[0](db)
    db.execute("INSERT INTO _migrations VALUES ('m001_exchanges', 'then')")
    db.commit()
    assert migrate(db) == [m.__name__ for m in MIGRATIONS[1:]]


def test_a_follow_up_is_found_by_the_question_it_was_read_as(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)  # a log written before the standalone question was indexed
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for func in MIGRATIONS[:8]:
        func(db)
        db.execute("INSERT INTO _migrations VALUES (?, 'then')", (func.__name__,))
    db.execute(
        "INSERT INTO exchanges (created_at, question, standalone_question, answer)"
        " VALUES ('2025-01-01 10:00:00', 'and in mexico?', 'what did mexico do at the border?',"
        " 'It sent 10,000 troops [1].')"
    )
    db.commit()
    db.close()
    log = AnswerLog(path)
    log.record(Exchange(1, "private", 1, "a", "and then?", answer=Answer(
        question="and then?", standalone_question="what did the border troops do then?", text="x"
    )))  # fmt: skip
    found = lambda text: [r["question"] for r in list_exchanges(log, LogFilter(text=text))]  # noqa: E731
    assert found("border") == ["and then?", "and in mexico?"]
    assert found("mexico") == ["and in mexico?"]
    assert found("troop") == ["and then?", "and in mexico?"]  # any form of a word: "troops"


def seeded_log(path: Path) -> AnswerLog:
    """Five exchanges over three days: answered, declined (twice the same), an error."""
    log = AnswerLog(path)
    bikes = Answer(
        question="bike lanes?",
        standalone_question="bike lanes?",
        text="The council approved bike lanes [1].",
        citations=[citation(ARTICLES[0], 1)],
        mode="extractive",
        timings=Timings(retrieve_ms=10, compose_ms=5, total_ms=100),
    )
    wind = Answer(
        question="wind farm?",
        standalone_question="wind farm?",
        text="It powers 200,000 homes [1] [2].",
        citations=[citation(ARTICLES[1], 1), citation(ARTICLES[0], 2)],
        timings=Timings(retrieve_ms=20, compose_ms=5, total_ms=300),
    )
    declined = Answer(
        question="chess?",
        standalone_question="chess?",
        text=DECLINE,
        declined=True,
        timings=Timings(total_ms=200),
    )
    days = [datetime(2024, 5, d, 12, tzinfo=UTC) for d in (1, 2, 2, 3, 3)]
    entries = [
        Exchange(1, "private", 11, "ann", "bike lanes?", answer=bikes, at=days[0]),
        Exchange(1, "private", 11, "ann", "Chess results?", answer=declined, at=days[1]),
        Exchange(-5, "group", 12, "bob", "wind farm?", answer=wind, at=days[2]),
        Exchange(-5, "group", 13, "cy", "chess results? ", answer=declined, at=days[3]),
        Exchange(
            2,
            "private",
            14,
            "dee",
            "bike lanes again",
            error="RuntimeError: x",
            total_ms=50,
            at=days[4],
        ),
    ]
    ids = [log.record(e) for e in entries]
    log.record_feedback(ids[0], user_id=11, user_name="ann", value="up")
    log.record_feedback(ids[2], user_id=12, user_name="bob", value="up")
    log.record_feedback(ids[2], user_id=12, user_name="bob", value="down")  # changed mind
    log.record_feedback(ids[2], user_id=13, user_name="cy", value="down")
    return log


def test_record_keeps_citations_timings_and_feedback(tmp_path: Path) -> None:
    log = seeded_log(tmp_path / "log.sqlite3")
    wind = show_exchange(log, 3)
    assert (wind["question"], wind["chat_type"], wind["user_name"]) == (
        "wind farm?",
        "group",
        "bob",
    )
    assert (wind["retrieve_ms"], wind["compose_ms"], wind["total_ms"]) == (20, 5, 300)
    assert [(c["number"], c["article_id"], c["url"]) for c in wind["citations"]] == [
        (1, "a-wind", ARTICLES[1].url),
        (2, "a-bikes", ARTICLES[0].url),
    ]
    assert wind["citations"][0]["passage"] == ARTICLES[1].quote
    assert [(f["user_name"], f["value"]) for f in wind["feedback"]] == [
        ("bob", "down"),
        ("cy", "down"),
    ]
    assert log.citation(3, 2) == citation(ARTICLES[0], 2)
    with pytest.raises(AnswerLogError):
        show_exchange(log, 99)


def test_a_citation_keeps_the_sentences_around_its_quote(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "log.sqlite3")
    cited = citation(ARTICLES[1], 1).model_copy(
        update={"before": "The harbour board met.", "after": "Building starts in spring."}
    )
    answer = Answer(question="wind?", standalone_question="wind?", text="x [1].", citations=[cited])
    exchange_id = log.record(Exchange(5, "private", 5, "eve", "wind?", answer=answer))
    assert log.citation(exchange_id, 1) == cited
    assert show_exchange(log, exchange_id)["citations"][0]["passage"] == ARTICLES[1].quote


def test_list_filters_and_full_text_search(tmp_path: Path) -> None:
    log = seeded_log(tmp_path / "log.sqlite3")
    ids = lambda **kw: [r["id"] for r in list_exchanges(log, LogFilter(**kw))]  # noqa: E731
    assert ids() == [5, 4, 3, 2, 1]
    assert ids(limit=2) == [5, 4]
    assert ids(text="bike") == [5, 1]
    assert ids(text="200,000 homes") == [3]  # answer text is searched too, punctuation is safe
    assert ids(text='"chess') == [4, 2]
    assert ids(since=date(2024, 5, 3)) == [5, 4]
    assert ids(declined=True) == [4, 2]
    assert ids(feedback="down") == [3]
    assert ids(feedback="up") == [1]


def test_review_filters_pages_and_counts(tmp_path: Path) -> None:
    log = seeded_log(tmp_path / "log.sqlite3")
    log.record(Exchange(0, "terminal", None, "ed", "bike lanes in the terminal?"))
    ids = lambda **kw: [r["id"] for r in list_exchanges(log, LogFilter(**kw))]  # noqa: E731
    assert ids(until=date(2024, 5, 2)) == [3, 2, 1]
    assert ids(since=date(2024, 5, 2), until=date(2024, 5, 2)) == [3, 2]
    assert ids(feedback="none") == [6, 5, 4, 2]
    assert ids(chat_id=-5) == [4, 3]
    assert ids(medium="terminal") == [6]
    assert ids(medium="telegram") == [5, 4, 3, 2, 1]
    assert ids(limit=2, before_id=5) == [4, 3]
    assert ids(limit=2, after_id=2) == [4, 3]  # the page just above id 2, newest first
    assert count_exchanges(log, LogFilter(text="bike", limit=1, before_id=2)) == 3
    assert count_exchanges(log, LogFilter(declined=True, medium="telegram")) == 2


def test_the_answer_note_is_kept(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "log.sqlite3")
    noted = Answer(question="q", standalone_question="q", text="t", note="the model timed out")
    exchange_id = log.record(Exchange(1, "private", 1, "a", "q", answer=noted))
    assert show_exchange(log, int(exchange_id))["note"] == "the model timed out"


def test_stats_on_a_seeded_log(tmp_path: Path) -> None:
    found = stats(seeded_log(tmp_path / "log.sqlite3"))
    assert found["per_day"] == [("2024-05-03", 2), ("2024-05-02", 2), ("2024-05-01", 1)]
    assert (found["questions"], found["declined"], found["errors"]) == (5, 2, 1)
    assert found["decline_rate"] == 0.5
    assert (found["feedback_up"], found["feedback_down"], found["feedback_ratio"]) == (1, 2, 1 / 3)
    assert (found["latency_p50_ms"], found["latency_p95_ms"]) == (200, 300)
    assert found["unanswered"] == [("chess results?", 2)]


def test_export_has_every_exchange_with_citations(tmp_path: Path) -> None:
    rows = list(iter_export(seeded_log(tmp_path / "log.sqlite3")))
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5]
    assert [len(r["citations"]) for r in rows] == [1, 0, 2, 0, 0]
    assert rows[4]["error"] == "RuntimeError: x"


def test_conversation_memory_is_bounded_and_keeps_citations(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    memory = ConversationMemory(path, max_turns=2)
    for n in range(3):
        memory.remember(
            7,
            Turn(question=f"q{n}", answer=f"a{n} [1]", citations=[citation(ARTICLES[n], 1)]),
            exchange_id=n + 10,
        )
    memory.remember(8, Turn(question="other chat", answer="x"))
    memory.close()
    reopened = ConversationMemory(path, max_turns=2)
    turns = reopened.history(7)
    assert [t.question for t in turns] == ["q1", "q2"]
    assert turns[1].citations == [citation(ARTICLES[2], 1)]
    assert reopened.last_exchange_id(7) == 12
    assert reopened.forget(7) == 2 and reopened.history(7) == []
    assert [t.question for t in reopened.history(8)] == ["other chat"]


def test_log_failures_never_break_an_answer(tmp_path: Path) -> None:
    import asyncio

    from bot.desk import quietly

    log = AnswerLog(tmp_path / "log.sqlite3")
    log.close()
    assert asyncio.run(quietly("logging", log.record, Exchange(1, "private", 1, "a", "q"))) is None


def test_the_checks_of_a_generated_answer_are_logged(tmp_path: Path) -> None:
    from index.models import ClaimCheck

    checks = [
        ClaimCheck(sentence="The council approved 40 km of bike lanes.", given=[2],
                   action="repointed", numbers=[1], support=0.81, reason="source 1 supports it"),
        ClaimCheck(sentence="It was the mayor's idea.", given=[1], action="dropped",
                   support=0.2, reason="no source supports it"),
    ]  # fmt: skip
    answer = Answer(
        question="bike lanes?", standalone_question="bike lanes?",
        text="The council approved 40 km of bike lanes [1].", citations=[citation(ARTICLES[0], 1)],
        mode="openai-like", note="Checked against the sources: re-pointed 1 citation(s).",
        claims=checks,
    )  # fmt: skip
    log = AnswerLog(tmp_path / "answers.sqlite3")
    exchange_id = log.record(Exchange(1, "private", 11, "ann", "bike lanes?", answer=answer))
    found = show_exchange(log, int(exchange_id))
    assert found["note"] == "Checked against the sources: re-pointed 1 citation(s)."
    logged = [ClaimCheck.model_validate(c) for c in json.loads(found["claim_checks"])]
    assert logged == checks
