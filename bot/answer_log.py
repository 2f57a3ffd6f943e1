"""`AnswerLog`: every question the bot answered, with citations, timings and feedback.

Methods are blocking (SQLite); the bot calls them through `asyncio.to_thread`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.migrations import connect
from index.models import Answer, Citation


def now_text(at: datetime | None = None) -> str:
    """UTC time as SQLite's `datetime()` writes it, so `date()` and string comparison work."""
    return (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Exchange:
    """One question and what came of it, as the bot saw it."""

    chat_id: int
    chat_type: str
    user_id: int | None
    user_name: str | None
    question: str
    answer: Answer | None = None
    error: str | None = None
    total_ms: float | None = None
    at: datetime | None = None


class AnswerLog:
    """The SQLite answer log at `path` (migrated on open, WAL mode)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = connect(path)
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The connection, held exclusively (one connection is shared by worker threads)."""
        with self._lock:
            yield self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, exchange: Exchange) -> int:
        """Store `exchange` and its citations; returns its id."""
        answer = exchange.answer
        timings = answer.timings if answer else None
        total = exchange.total_ms if exchange.total_ms is not None else (
            timings.total_ms if timings else None)
        row = (
            now_text(exchange.at), exchange.chat_id, exchange.chat_type, exchange.user_id,
            exchange.user_name, exchange.question,
            answer.standalone_question if answer else None, answer.text if answer else None,
            int(answer.declined) if answer else 0, answer.mode if answer else None,
            answer.model if answer else None, timings.retrieve_ms if timings else None,
            timings.compose_ms if timings else None, total, exchange.error,
        )
        with self.connection() as db, db:
            cursor = db.execute(
                "INSERT INTO exchanges (created_at, chat_id, chat_type, user_id, user_name,"
                " question, standalone_question, answer, declined, mode, model, retrieve_ms,"
                " compose_ms, total_ms, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            exchange_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO citations (exchange_id, number, article_id, chunk_id, title, source,"
                ' published, url, passage, start, "end", score) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
                [_citation_row(exchange_id, c) for c in (answer.citations if answer else [])],
            )
        return exchange_id

    def record_feedback(self, exchange_id: int, *, user_id: int, user_name: str | None,
                        value: str, at: datetime | None = None) -> None:
        """Store (or change) one user's 👍/👎 on an exchange."""
        with self.connection() as db, db:
            db.execute(
                "INSERT INTO feedback (exchange_id, user_id, user_name, value, created_at)"
                " VALUES (?,?,?,?,?) ON CONFLICT (exchange_id, user_id) DO UPDATE SET"
                " value = excluded.value, user_name = excluded.user_name,"
                " created_at = excluded.created_at",
                (exchange_id, user_id, user_name, value, now_text(at)),
            )

    def citation(self, exchange_id: int, number: int) -> Citation | None:
        """Citation [number] of an exchange, as it was shown."""
        with self.connection() as db:
            row = db.execute(
                "SELECT * FROM citations WHERE exchange_id = ? AND number = ?",
                (exchange_id, number),
            ).fetchone()
        return citation_from_row(row) if row else None


def _citation_row(exchange_id: int, c: Citation) -> tuple[object, ...]:
    published = c.published.isoformat() if c.published else None
    return (exchange_id, c.number, c.article_id, c.chunk_id, c.title, c.source, published,
            c.url, c.quote, c.start, c.end, c.score)


def citation_from_row(row: sqlite3.Row) -> Citation:
    """A `Citation` rebuilt from a `citations` row."""
    return Citation(
        number=row["number"], article_id=row["article_id"] or "", title=row["title"] or "",
        source=row["source"] or "", published=row["published"], url=row["url"] or "",
        chunk_id=row["chunk_id"] or "", quote=row["passage"] or "", start=row["start"] or 0,
        end=row["end"] or 0, score=row["score"] or 0.0,
    )
