"""The answer log day by day: questions, declines, feedback and latency per day.

Everything is computed by SQLite over indexes on the day (bot/migrations.py, m007):
counts grouped in index order, and each percentile of a day's latencies one seek to its
rank in that day's latencies in order, so a day costs the same however busy it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from bot.answer_log import AnswerLog

_DAY = "substr(created_at, 1, 10)"  # the expression the day indexes are built on
_COUNTS = (
    f"SELECT {_DAY} AS day, count(*), sum(declined), count(error) FROM exchanges"
    f" WHERE {_DAY} >= ? GROUP BY day ORDER BY day"
)
# CROSS JOIN makes SQLite walk the (few) votes and look up each one's exchange, instead of
# walking every exchange of the window to look for votes: 11 ms instead of 80 at 100,000
_VOTES = (
    "SELECT substr(e.created_at, 1, 10) AS day, sum(f.value = 'up'), sum(f.value = 'down')"
    " FROM feedback f CROSS JOIN exchanges e ON e.id = f.exchange_id"
    " WHERE substr(e.created_at, 1, 10) >= ? GROUP BY day"
)
_TIMED = "total_ms IS NOT NULL AND error IS NULL"  # the latency index's condition
_TIMED_PER_DAY = (
    f"SELECT {_DAY} AS day, count(*) FROM exchanges WHERE {_DAY} >= ? AND {_TIMED} GROUP BY day"
)
_AT_RANK = (
    f"SELECT total_ms FROM exchanges WHERE {_DAY} = ? AND {_TIMED}"
    " ORDER BY total_ms LIMIT 1 OFFSET ?"
)


@dataclass(frozen=True)
class Day:
    """What happened on one day (UTC); feedback counts the votes on that day's answers."""

    day: str
    questions: int
    declined: int
    errors: int
    up: int
    down: int
    p50_ms: float | None = None
    p95_ms: float | None = None

    @property
    def decline_rate(self) -> float | None:
        answered = self.questions - self.errors
        return self.declined / answered if answered else None

    @property
    def feedback_ratio(self) -> float | None:
        """The share of votes that were 👍, None without votes."""
        return self.up / (self.up + self.down) if self.up + self.down else None


def daily(log: AnswerLog, *, since: date | None = None) -> list[Day]:
    """One `Day` per day with at least one exchange since `since`, oldest first."""
    start = since.isoformat() if since else ""
    with log.connection() as db:
        counts = db.execute(_COUNTS, (start,)).fetchall()
        votes = {row[0]: (row[1], row[2]) for row in db.execute(_VOTES, (start,))}
        timed = dict(db.execute(_TIMED_PER_DAY, (start,)).fetchall())
        latency = {day: (_at(db, day, n, 50), _at(db, day, n, 95)) for day, n in timed.items()}
    return [
        Day(
            day,
            questions=questions,
            declined=declined,
            errors=errors,
            up=votes.get(day, (0, 0))[0],
            down=votes.get(day, (0, 0))[1],
            p50_ms=latency.get(day, (None, None))[0],
            p95_ms=latency.get(day, (None, None))[1],
        )
        for day, questions, declined, errors in counts
    ]


def _at(db: sqlite3.Connection, day: str, count: int, pct: int) -> float | None:
    """The `pct` percentile (nearest rank, as `log_queries.percentile`) of a day's latencies."""
    rank = max(1, -(-count * pct // 100))
    row = db.execute(_AT_RANK, (day, rank - 1)).fetchone()
    return None if row is None else float(row[0])


def newest_day(log: AnswerLog) -> date | None:
    """The day of the latest exchange, None for an empty log."""
    with log.connection() as db:
        newest = db.execute("SELECT max(created_at) FROM exchanges").fetchone()[0]
    return date.fromisoformat(newest[:10]) if newest else None
