"""The answer log day by day: questions, declines, feedback and latency per day.

Counts are computed by SQLite in one grouped query; latency percentiles need every
latency of a day, so they come from a second query that streams (day, ms) in day order and
are computed here: 0.1 s for 100,000 exchanges (docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from bot.answer_log import AnswerLog
from bot.log_queries import percentile

_COUNTS = (
    "SELECT substr(e.created_at, 1, 10) AS day, count(*), coalesce(sum(e.declined), 0),"
    " count(e.error), coalesce(sum(f.up), 0), coalesce(sum(f.down), 0)"
    " FROM exchanges e LEFT JOIN (SELECT exchange_id, sum(value = 'up') AS up,"
    " sum(value = 'down') AS down FROM feedback GROUP BY exchange_id) f"
    " ON f.exchange_id = e.id WHERE e.created_at >= ? GROUP BY day ORDER BY day"
)
_LATENCIES = (
    "SELECT substr(created_at, 1, 10) AS day, total_ms FROM exchanges"
    " WHERE created_at >= ? AND total_ms IS NOT NULL AND error IS NULL ORDER BY created_at"
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
        latencies = {
            day: [row[1] for row in rows]
            for day, rows in groupby(db.execute(_LATENCIES, (start,)), key=lambda row: row[0])
        }
    return [
        Day(
            day,
            questions=questions,
            declined=declined,
            errors=errors,
            up=up,
            down=down,
            p50_ms=percentile(latencies.get(day, []), 50),
            p95_ms=percentile(latencies.get(day, []), 95),
        )
        for day, questions, declined, errors, up, down in counts
    ]


def newest_day(log: AnswerLog) -> date | None:
    """The day of the latest exchange, None for an empty log."""
    with log.connection() as db:
        newest = db.execute("SELECT max(created_at) FROM exchanges").fetchone()[0]
    return date.fromisoformat(newest[:10]) if newest else None
