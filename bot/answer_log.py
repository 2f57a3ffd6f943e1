"""`AnswerLog`: every question the bot answered, with citations, timings and feedback.

Methods are blocking (SQLite); the bot calls them through `asyncio.to_thread`. No exchange
is lost: a write waits out a lock with a bounded retry, and what still cannot be written
(lock held longer, disk full) goes to the spool beside the log (bot/spool.py) under a
key, to be replayed by the next write that succeeds. A damaged or locked log is one
`AnswerLogError` saying what to do, never a traceback.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.errors import AnswerLogError
from bot.migrations import connect
from bot.spool import Spool
from index.models import Answer, Citation

logger = logging.getLogger(__name__)
T = TypeVar("T")
# how long one write may wait for another process's lock before it is spooled instead
LOCK_WAIT_S = 3.0
ExchangeRef = int | str  # a log id, or the key of an exchange still in the spool


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


def log_problem(path: Path, exc: sqlite3.Error) -> AnswerLogError:
    """One line saying what is wrong with the log at `path` and what to do about it."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return AnswerLogError(
            f"the answer log {path} is locked by another process ({text}); "
            "try again when that process is done"
        )
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return AnswerLogError(
            f"the answer log {path} is damaged ({text}): move it aside "
            f"(newsdesk starts a new one) and recover what you can with "
            f"`sqlite3 {path} .recover`"
        )
    return AnswerLogError(f"cannot use the answer log {path}: {text}")


def _is_transient(exc: sqlite3.Error) -> bool:
    """A lock or a full disk: the write may succeed later, so it is kept for a retry."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(
        word in text for word in ("locked", "busy", "full", "disk i/o", "readonly")
    )


class AnswerLog:
    """The SQLite answer log at `path` (migrated on open, WAL mode), with its spool."""

    def __init__(self, path: Path | str, *, lock_wait_s: float = LOCK_WAIT_S) -> None:
        self.path = Path(path)
        self.lock_wait_s = lock_wait_s
        self.spool = Spool(self.path.with_name(self.path.stem + ".spool.jsonl"))
        try:
            self._db = connect(path)
            # waits are bounded by `_with_retries`, a short busy wait per attempt
            self._db.execute("PRAGMA busy_timeout = 250")
        except sqlite3.Error as exc:
            raise log_problem(self.path, exc) from None
        self._lock = threading.Lock()
        self.replay()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The connection, held exclusively (one connection is shared by worker threads).

        An SQLite error inside the block becomes one `AnswerLogError` (damaged, locked).
        """
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise log_problem(self.path, exc) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, exchange: Exchange) -> ExchangeRef:
        """Store `exchange` and its citations; its id, or its spool key if it had to wait."""
        if exchange.at is None:
            exchange.at = datetime.now(UTC)
        key = "k" + secrets.token_hex(8)
        written = self._write_or_spool(
            lambda db: self._insert_exchange(db, exchange, key), _exchange_entry(exchange, key)
        )
        return key if written is None else written

    def record_feedback(
        self,
        exchange: ExchangeRef,
        *,
        user_id: int,
        user_name: str | None,
        value: str,
        at: datetime | None = None,
    ) -> None:
        """Store (or change) one user's 👍/👎 on an exchange (logged or still spooled)."""
        at = at or datetime.now(UTC)
        entry = {
            "kind": "feedback",
            "key": "f" + secrets.token_hex(8),
            "exchange": exchange,
            "user_id": user_id,
            "user_name": user_name,
            "value": value,
            "at": at.isoformat(),
        }
        if isinstance(exchange, str) and self.resolve(exchange) is None:
            self.spool.append(entry)  # its exchange still waits in the spool: it follows it
            return
        self._write_or_spool(lambda db: _insert_feedback(db, entry), entry)

    def resolve(self, exchange: ExchangeRef) -> int | None:
        """The log id of an exchange given by id or spool key (None while it is spooled)."""
        if isinstance(exchange, int):
            return exchange
        self.replay()
        with self.connection() as db:
            row = db.execute("SELECT id FROM exchanges WHERE spool_key = ?", (exchange,)).fetchone()
        return int(row[0]) if row else None

    def replay(self) -> int:
        """Write what the spool holds into the log; returns how many entries were written."""
        if self.spool.is_empty():
            return 0
        entries = self.spool.pending()
        try:
            self._with_retries(lambda db: self._replay_all(db, entries))
        except sqlite3.Error as exc:
            logger.warning(
                "answer log %s still unavailable (%s); %d entries wait in the spool",
                self.path,
                exc,
                len(entries),
            )
            return 0
        self.spool.clear(entries)
        logger.info("answer log: %d spooled entries written", len(entries))
        return len(entries)

    def _write_or_spool(
        self, write: Callable[[sqlite3.Connection], T], entry: dict[str, Any]
    ) -> T | None:
        """`write` in a transaction, after replaying the spool; spooled (None) if it must wait."""
        self.replay()
        try:
            return self._with_retries(write)
        except sqlite3.Error as exc:
            if not _is_transient(exc):
                raise log_problem(self.path, exc) from None
            logger.warning(
                "answer log %s unavailable (%s); kept in the spool %s",
                self.path,
                exc,
                self.spool.path,
            )
            self.spool.append(entry)
            return None

    def _with_retries(self, write: Callable[[sqlite3.Connection], T]) -> T:
        """`write` in one transaction, retried while the database is locked or busy."""
        deadline = time.monotonic() + self.lock_wait_s
        pause = 0.05
        while True:
            try:
                with self._lock, self._db:
                    return write(self._db)
            except sqlite3.OperationalError as exc:
                locked = "locked" in str(exc) or "busy" in str(exc)
                if not locked or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def _replay_all(self, db: sqlite3.Connection, entries: list[dict[str, Any]]) -> None:
        for entry in entries:  # in order: an exchange before the feedback on it
            if entry["kind"] == "exchange":
                self._insert_exchange(db, _exchange_from_entry(entry), entry["key"])
            else:
                _insert_feedback(db, entry)

    def _insert_exchange(self, db: sqlite3.Connection, exchange: Exchange, key: str) -> int:
        answer = exchange.answer
        timings = answer.timings if answer else None
        total = (
            exchange.total_ms
            if exchange.total_ms is not None
            else (timings.total_ms if timings else None)
        )
        row = (
            now_text(exchange.at),
            exchange.chat_id,
            exchange.chat_type,
            exchange.user_id,
            exchange.user_name,
            exchange.question,
            answer.standalone_question if answer else None,
            answer.text if answer else None,
            int(answer.declined) if answer else 0,
            answer.mode if answer else None,
            answer.model if answer else None,
            timings.retrieve_ms if timings else None,
            timings.compose_ms if timings else None,
            total,
            exchange.error,
            key,
            answer.note if answer else None,
            _claims_json(answer),
        )
        cursor = db.execute(
            "INSERT OR IGNORE INTO exchanges (created_at, chat_id, chat_type, user_id,"
            " user_name, question, standalone_question, answer, declined, mode, model,"
            " retrieve_ms, compose_ms, total_ms, error, spool_key, note, claim_checks)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            row,
        )
        if not cursor.rowcount:  # replayed before: already written under this key
            return int(
                db.execute("SELECT id FROM exchanges WHERE spool_key = ?", (key,)).fetchone()[0]
            )
        exchange_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO citations (exchange_id, number, article_id, chunk_id, title, source,"
            ' published, url, passage, start, "end", score, context_before,'
            " context_after)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [_citation_row(exchange_id, c) for c in (answer.citations if answer else [])],
        )
        return exchange_id

    def citation(self, exchange: ExchangeRef, number: int) -> Citation | None:
        """Citation [number] of an exchange (by id or spool key), as it was shown."""
        exchange_id = self.resolve(exchange)
        if exchange_id is None:
            return _spooled_citation(self.spool.pending(), exchange, number)
        with self.connection() as db:
            row = db.execute(
                "SELECT * FROM citations WHERE exchange_id = ? AND number = ?",
                (exchange_id, number),
            ).fetchone()
        return citation_from_row(row) if row else None


def _claims_json(answer: Answer | None) -> str | None:
    """The checks of a generated answer's sentences as JSON (None for other answers)."""
    if answer is None or not answer.claims:
        return None
    return json.dumps([c.model_dump(mode="json") for c in answer.claims], ensure_ascii=False)


def _exchange_entry(exchange: Exchange, key: str) -> dict[str, Any]:
    return {
        "kind": "exchange",
        "key": key,
        "chat_id": exchange.chat_id,
        "chat_type": exchange.chat_type,
        "user_id": exchange.user_id,
        "user_name": exchange.user_name,
        "question": exchange.question,
        "answer": exchange.answer.model_dump(mode="json") if exchange.answer else None,
        "error": exchange.error,
        "total_ms": exchange.total_ms,
        "at": (exchange.at or datetime.now(UTC)).isoformat(),
    }


def _exchange_from_entry(entry: dict[str, Any]) -> Exchange:
    answer = entry.get("answer")
    return Exchange(
        chat_id=entry["chat_id"],
        chat_type=entry["chat_type"],
        user_id=entry["user_id"],
        user_name=entry["user_name"],
        question=entry["question"],
        answer=Answer.model_validate(answer) if answer else None,
        error=entry["error"],
        total_ms=entry["total_ms"],
        at=datetime.fromisoformat(entry["at"]),
    )


def _insert_feedback(db: sqlite3.Connection, entry: dict[str, Any]) -> None:
    exchange = entry["exchange"]
    if isinstance(exchange, str):  # given by spool key: written by now (replay goes in order)
        row = db.execute("SELECT id FROM exchanges WHERE spool_key = ?", (exchange,)).fetchone()
        if row is None:
            logger.warning("feedback for unknown exchange %s dropped", exchange)
            return
        exchange = row[0]
    db.execute(
        "INSERT INTO feedback (exchange_id, user_id, user_name, value, created_at)"
        " VALUES (?,?,?,?,?) ON CONFLICT (exchange_id, user_id) DO UPDATE SET"
        " value = excluded.value, user_name = excluded.user_name,"
        " created_at = excluded.created_at",
        (
            exchange,
            entry["user_id"],
            entry["user_name"],
            entry["value"],
            now_text(datetime.fromisoformat(entry["at"])),
        ),
    )


def _spooled_citation(
    entries: list[dict[str, Any]], key: ExchangeRef, number: int
) -> Citation | None:
    for entry in entries:
        if entry.get("key") == key and entry.get("answer"):
            for cite in entry["answer"]["citations"]:
                if cite["number"] == number:
                    return Citation.model_validate(cite)
    return None


def _citation_row(exchange_id: int, c: Citation) -> tuple[object, ...]:
    published = c.published.isoformat() if c.published else None
    return (
        exchange_id,
        c.number,
        c.article_id,
        c.chunk_id,
        c.title,
        c.source,
        published,
        c.url,
        c.quote,
        c.start,
        c.end,
        c.score,
        c.before,
        c.after,
    )


def citation_from_row(row: sqlite3.Row) -> Citation:
    """A `Citation` rebuilt from a `citations` row."""
    return Citation(
        number=row["number"],
        article_id=row["article_id"] or "",
        title=row["title"] or "",
        source=row["source"] or "",
        published=row["published"],
        url=row["url"] or "",
        chunk_id=row["chunk_id"] or "",
        quote=row["passage"] or "",
        start=row["start"] or 0,
        end=row["end"] or 0,
        score=row["score"] or 0.0,
        before=row["context_before"] or "",
        after=row["context_after"] or "",
    )
