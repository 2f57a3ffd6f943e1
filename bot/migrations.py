"""The answer log's schema, built by numbered migrations (the pattern of simonw/llm).

Each migration runs once, in order, and its name is recorded in `_migrations`. Shipped
migrations are never edited: change the schema by appending a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(func: Migration) -> Migration:
    """Register `func` as the next migration."""
    MIGRATIONS.append(func)
    return func


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet applied; returns the names applied now."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied = []
    for func in MIGRATIONS:
        if func.__name__ in done:
            continue
        with db:
            func(db)
            db.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (func.__name__, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(func.__name__)
    return applied


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the log database; WAL so readers never block."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; a crash may lose the last entry
    db.execute("PRAGMA foreign_keys=ON")
    migrate(db)
    return db


@migration
def m001_exchanges(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE exchanges (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            chat_id INTEGER,
            chat_type TEXT,
            user_id INTEGER,
            user_name TEXT,
            question TEXT NOT NULL,
            standalone_question TEXT,
            answer TEXT,
            declined INTEGER NOT NULL DEFAULT 0,
            mode TEXT,
            model TEXT,
            retrieve_ms REAL,
            compose_ms REAL,
            total_ms REAL,
            error TEXT
        )""")
    db.execute("CREATE INDEX exchanges_created_at ON exchanges (created_at)")
    db.execute("CREATE INDEX exchanges_chat ON exchanges (chat_id)")


@migration
def m002_citations(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE citations (
            exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            article_id TEXT,
            chunk_id TEXT,
            title TEXT,
            source TEXT,
            published TEXT,
            url TEXT,
            passage TEXT,
            start INTEGER,
            "end" INTEGER,
            score REAL,
            PRIMARY KEY (exchange_id, number)
        )""")


@migration
def m003_feedback(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE feedback (
            exchange_id INTEGER NOT NULL REFERENCES exchanges(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            user_name TEXT,
            value TEXT NOT NULL CHECK (value IN ('up', 'down')),
            created_at TEXT NOT NULL,
            PRIMARY KEY (exchange_id, user_id)
        )""")


@migration
def m004_exchanges_fts(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE VIRTUAL TABLE exchanges_fts USING fts5("
        "question, answer, content='exchanges', content_rowid='id')"
    )
    db.executescript("""
        CREATE TRIGGER exchanges_ai AFTER INSERT ON exchanges BEGIN
            INSERT INTO exchanges_fts (rowid, question, answer)
            VALUES (new.id, new.question, new.answer);
        END;
        CREATE TRIGGER exchanges_ad AFTER DELETE ON exchanges BEGIN
            INSERT INTO exchanges_fts (exchanges_fts, rowid, question, answer)
            VALUES ('delete', old.id, old.question, old.answer);
        END;
        CREATE TRIGGER exchanges_au AFTER UPDATE ON exchanges BEGIN
            INSERT INTO exchanges_fts (exchanges_fts, rowid, question, answer)
            VALUES ('delete', old.id, old.question, old.answer);
            INSERT INTO exchanges_fts (rowid, question, answer)
            VALUES (new.id, new.question, new.answer);
        END;
    """)


@migration
def m005_conversation_turns(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE conversation_turns (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            citations_json TEXT NOT NULL DEFAULT '[]',
            exchange_id INTEGER
        )""")
    db.execute("CREATE INDEX conversation_turns_chat ON conversation_turns (chat_id, id)")


@migration
def m006_exchange_spool_key(db: sqlite3.Connection) -> None:
    # an exchange replayed from the spool is written once, however often the replay runs
    db.execute("ALTER TABLE exchanges ADD COLUMN spool_key TEXT")
    db.execute("CREATE UNIQUE INDEX exchanges_spool_key ON exchanges (spool_key)")


@migration
def m007_review_indexes(db: sqlite3.Connection) -> None:
    # the web desk filters 100,000s of exchanges by these; an index on one column also
    # orders by id within each value, so "newest declined first" reads the index alone
    db.execute("CREATE INDEX exchanges_declined ON exchanges (declined)")
    db.execute("CREATE INDEX exchanges_chat_type ON exchanges (chat_type)")
    db.execute("CREATE INDEX feedback_value ON feedback (value)")
    # stats per day: counts grouped in index order, and a latency percentile of a day is one
    # seek into the day's latencies in order, never a read of 100,000 rows
    db.execute(
        "CREATE INDEX exchanges_day ON exchanges (substr(created_at, 1, 10), declined, error)"
    )
    db.execute(
        "CREATE INDEX exchanges_day_latency ON exchanges (substr(created_at, 1, 10), total_ms)"
        " WHERE total_ms IS NOT NULL AND error IS NULL"
    )


@migration
def m008_exchange_note(db: sqlite3.Connection) -> None:
    # what the answer said about itself ("the language model failed…"), shown on review
    db.execute("ALTER TABLE exchanges ADD COLUMN note TEXT")


@migration
def m009_fts_standalone_question(db: sqlite3.Connection) -> None:
    # a follow-up ("and in Mexico?") is found by its topic too: the question as it was read;
    # and by any form of a word. One transaction (sqlite3 opens none for DDL by itself), so
    # a kill leaves the old index
    if not db.in_transaction:
        db.execute("BEGIN")
    columns = "question, standalone_question, answer"
    new = "new.id, new.question, new.standalone_question, new.answer"
    old = "'delete', old.id, old.question, old.standalone_question, old.answer"
    for statement in (
        "DROP TRIGGER exchanges_ai",
        "DROP TRIGGER exchanges_ad",
        "DROP TRIGGER exchanges_au",
        "DROP TABLE exchanges_fts",
        # Porter stems, so "strike" also finds "strikes" and "striking"
        f"CREATE VIRTUAL TABLE exchanges_fts USING fts5({columns},"
        " content='exchanges', content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER exchanges_ai AFTER INSERT ON exchanges BEGIN"
        f" INSERT INTO exchanges_fts (rowid, {columns}) VALUES ({new}); END",
        f"CREATE TRIGGER exchanges_ad AFTER DELETE ON exchanges BEGIN"
        f" INSERT INTO exchanges_fts (exchanges_fts, rowid, {columns}) VALUES ({old}); END",
        f"CREATE TRIGGER exchanges_au AFTER UPDATE ON exchanges BEGIN"
        f" INSERT INTO exchanges_fts (exchanges_fts, rowid, {columns}) VALUES ({old});"
        f" INSERT INTO exchanges_fts (rowid, {columns}) VALUES ({new}); END",
        "INSERT INTO exchanges_fts (exchanges_fts) VALUES ('rebuild')",
    ):
        db.execute(statement)


@migration
def m010_exchange_claim_checks(db: sqlite3.Connection) -> None:
    # what checking a generated answer's sentences against their sources did (JSON list of
    # index.models.ClaimCheck)
    db.execute("ALTER TABLE exchanges ADD COLUMN claim_checks TEXT")


@migration
def m011_citation_context(db: sqlite3.Connection) -> None:
    # the cited passage's sentences around the quote, shown with it (index.models.Citation)
    db.execute("ALTER TABLE citations ADD COLUMN context_before TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE citations ADD COLUMN context_after TEXT NOT NULL DEFAULT ''")
