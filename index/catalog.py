"""The article catalog (SQLite): what is stored, in which version, and every chunk's text.

The catalog is the source of truth for what is visible. Chroma may briefly hold vectors of a
version that is not committed here yet (a run killed mid-write); readers only accept chunks
whose `article_hash` matches the committed version, so a half-ingested article is never seen.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from index.errors import ArticleNotFoundError
from index.models import Article, Chunk

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    published TEXT,
    source TEXT NOT NULL,
    authors TEXT NOT NULL,
    text TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
-- vectors of replaced or deleted versions still to remove from Chroma
CREATE TABLE IF NOT EXISTS stale_chunks (chunk_id TEXT PRIMARY KEY);
"""


@dataclass(frozen=True)
class ArticleQuery:
    """Which articles to list: words in the title, an outlet, a publication date range."""

    title: str | None = None
    source: str | None = None
    since: date | None = None
    until: date | None = None  # the last day included

    def clauses(self) -> tuple[list[str], list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        for word in (self.title or "").split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("title LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        if self.source:
            clauses.append("source = ?")
            params.append(self.source)
        if self.since:
            clauses.append("published >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append("published <= ?")
            params.append(self.until.isoformat())
        return clauses, params


class Catalog:
    """SQLite catalog of articles and chunks; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta --------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def generation(self) -> int:
        """Bumped on every change, so derived indexes (BM25) know when they are stale."""
        return int(self.get_meta("generation") or 0)

    # -- articles ------------------------------------------------------------------------
    def version_of(self, article_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT hash FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def versions(self) -> dict[str, str]:
        """article id → committed hash, for every stored article."""
        with self._lock:
            rows = self._db.execute("SELECT id, hash FROM articles").fetchall()
        return {row[0]: row[1] for row in rows}

    def chunk_ids_of(self, article_id: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM chunks WHERE article_id = ? ORDER BY idx", (article_id,)
            ).fetchall()
        return [row[0] for row in rows]

    def commit_article(self, article: Article, chunks: list[Chunk]) -> None:
        """Make this version of the article the visible one, atomically."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction() as db:
            self._retire_chunks(db, article.id, keep={c.id for c in chunks})
            db.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
            db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.id,
                    article.hash,
                    article.title,
                    article.url,
                    article.published.isoformat() if article.published else None,
                    article.source,
                    json.dumps(article.authors),
                    article.text,
                    len(chunks),
                    now,
                ),
            )
            db.executemany(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
                [(c.id, c.article_id, c.index, c.start, c.end, c.text) for c in chunks],
            )
            self._bump(db)

    def delete_article(self, article_id: str) -> None:
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
                raise ArticleNotFoundError(f"no article with id {article_id!r}")
            self._retire_chunks(db, article_id, keep=set())
            db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            self._bump(db)

    @staticmethod
    def _retire_chunks(db: sqlite3.Connection, article_id: str, *, keep: set[str]) -> None:
        rows = db.execute("SELECT id FROM chunks WHERE article_id = ?", (article_id,)).fetchall()
        stale = [(row[0],) for row in rows if row[0] not in keep]
        db.executemany("INSERT OR IGNORE INTO stale_chunks VALUES (?)", stale)

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def all_chunk_ids(self) -> set[str]:
        """Every chunk id the catalog knows: committed, or stale and not yet purged."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM chunks UNION SELECT chunk_id FROM stale_chunks"
            ).fetchall()
        return {row[0] for row in rows}

    def stale_chunk_ids(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT chunk_id FROM stale_chunks")]

    def forget_stale(self, chunk_ids: list[str]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM stale_chunks WHERE chunk_id = ?", [(i,) for i in chunk_ids])

    def get_article(self, article_id: str) -> Article:
        with self._lock:
            row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r}")
        return _article_from_row(row)

    def list_articles(
        self, *, limit: int = 50, offset: int = 0, source: str | None = None
    ) -> list[sqlite3.Row]:
        query = "SELECT id, title, source, published, url, chunk_count, ingested_at FROM articles"
        params: list[object] = []
        if source:
            query += " WHERE source = ?"
            params.append(source)
        query += " ORDER BY published DESC, id LIMIT ? OFFSET ?"
        params += [limit, offset]
        with self._lock:
            return list(self._db.execute(query, params).fetchall())

    def find_articles(
        self, where: ArticleQuery, *, limit: int = 50, offset: int = 0
    ) -> tuple[list[sqlite3.Row], int]:
        """A page of the articles matching `where`, newest first, and how many match."""
        clauses, params = where.clauses()
        condition = " WHERE " + " AND ".join(clauses) if clauses else ""
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM articles{condition}", params)
            rows = self._db.execute(
                "SELECT id, title, source, published, url, chunk_count, ingested_at FROM articles"
                f"{condition} ORDER BY published DESC, id LIMIT ? OFFSET ?",
                [*params, limit, offset],
            )
            return list(rows.fetchall()), int(total.fetchone()[0])

    def sources(self) -> list[tuple[str, int]]:
        """Every outlet with how many articles it has, most first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY n DESC, source"
            )
            return [(row[0], row[1]) for row in rows]

    def chunks_of(self, article_id: str) -> list[sqlite3.Row]:
        """An article's chunks in order, with their offsets into its text."""
        with self._lock:
            return list(
                self._db.execute(
                    "SELECT id, idx, start, end, text FROM chunks WHERE article_id = ?"
                    " ORDER BY idx",
                    (article_id,),
                ).fetchall()
            )

    def count(self) -> tuple[int, int]:
        """(articles, chunks) stored."""
        with self._lock:
            articles = self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(articles), int(chunks)

    def iter_chunks(self) -> Iterator[sqlite3.Row]:
        """Every visible chunk with its article's metadata, in a stable order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.id, c.article_id, c.idx, c.start, c.end, c.text, a.title, a.source,"
                " a.published, a.url FROM chunks c JOIN articles a ON a.id = c.article_id"
                " ORDER BY c.rowid"
            ).fetchall()
        yield from rows

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, sqlite3.Row]:
        """Chunks with their article's metadata, for the given ids that are visible."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT c.id, c.article_id, c.idx, c.start, c.end, c.text, a.title, a.source,"
                f" a.published, a.url FROM chunks c JOIN articles a ON a.id = c.article_id"
                f" WHERE c.id IN ({marks})",
                chunk_ids,
            ).fetchall()
        return {row["id"]: row for row in rows}


def _article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        url=row["url"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        source=row["source"],
        authors=json.loads(row["authors"]),
    )
