"""The answer log day by day: questions, declines, feedback and latency per day.

Counts are computed by SQLite in grouped queries over an index that holds every column
they read; latency percentiles need every latency of a day, so a third query streams
(day, ms) from that index and they are computed here (docs/benchmarks.md has the cost).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from bot.answer_log import AnswerLog
from bot.log_queries import percentile

_COUNTS = (
    "SELECT substr(created_at, 1, 10) AS day, count(*), sum(declined), count(error)"
    " FROM exchanges WHERE created_at >= ? GROUP BY day ORDER BY day"
)
_VOTES = (
    "SELECT substr(e.created_at, 1, 10) AS day, sum(f.value = 'up'), sum(f.value = 'down')"
    " FROM feedback f JOIN exchanges e ON e.id = f.exchange_id WHERE e.created_at >= ?"
    " GROUP BY day"
)
_LATENCIES = (
    "SELECT substr(created_at, 1, 10) AS day, total_ms FROM exchanges"
    " WHERE created_at >= ? AND total_ms IS NOT NULL AND error IS NULL"
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
    latencies: dict[str, list[float]] = defaultdict(list)
    with log.connection() as db:
        counts = db.execute(_COUNTS, (start,)).fetchall()
        votes = {row[0]: (row[1], row[2]) for row in db.execute(_VOTES, (start,))}
        rows = db.cursor()
        rows.row_factory = None  # plain tuples: a third faster than `sqlite3.Row` here
        for day, ms in rows.execute(_LATENCIES, (start,)):
            latencies[day].append(ms)
    return [
        Day(
            day,
            questions=questions,
            declined=declined,
            errors=errors,
            up=votes.get(day, (0, 0))[0],
            down=votes.get(day, (0, 0))[1],
            p50_ms=percentile(latencies[day], 50),
            p95_ms=percentile(latencies[day], 95),
        )
        for day, questions, declined, errors in counts
    ]


def newest_day(log: AnswerLog) -> date | None:
    """The day of the latest exchange, None for an empty log."""
    with log.connection() as db:
        newest = db.execute("SELECT max(created_at) FROM exchanges").fetchone()[0]
    return date.fromisoformat(newest[:10]) if newest else None
