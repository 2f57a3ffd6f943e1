"""Reading the answer log for admin review: list, search, show, export, stats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from bot.answer_log import AnswerLog
from bot.errors import AnswerLogError
from index.models import ClaimCheck

_SUMMARY = (
    "SELECT e.*, "
    "(SELECT count(*) FROM feedback f WHERE f.exchange_id = e.id AND f.value = 'up') AS up, "
    "(SELECT count(*) FROM feedback f WHERE f.exchange_id = e.id AND f.value = 'down') AS down, "
    "(SELECT count(*) FROM citations c WHERE c.exchange_id = e.id) AS n_citations "
    "FROM exchanges e"
)


@dataclass
class LogFilter:
    """Which exchanges to list; every field narrows the selection."""

    limit: int = 20
    text: str | None = None
    since: date | None = None
    until: date | None = None  # the last day included
    declined: bool = False
    feedback: str | None = None  # "up", "down", or "none" (no feedback at all)
    chat_id: int | None = None
    medium: str | None = None  # "terminal" or "telegram"
    before_id: int | None = None  # a page: only exchanges older than this one
    after_id: int | None = None  # a page: only exchanges newer than this one


def fts_query(text: str) -> str:
    """User text as an FTS5 query: every word must match, none is read as syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


def list_exchanges(log: AnswerLog, where: LogFilter) -> list[dict[str, Any]]:
    """The newest exchanges matching `where`, newest first (from `after_id` up, if given)."""
    clauses, params = _filter_clauses(where)
    # a page after `after_id` is the oldest `limit` rows above it, shown newest first
    order = "ASC" if where.after_id is not None and where.before_id is None else "DESC"
    # the page's ids first, from the indexes alone; only its rows get the per-row counts
    page = f"SELECT e.id FROM exchanges e{_where(clauses)} ORDER BY e.id {order} LIMIT ?"
    sql = f"{_SUMMARY} WHERE e.id IN ({page}) ORDER BY e.id DESC"
    with log.connection() as db:
        return [dict(row) for row in db.execute(sql, [*params, where.limit])]


def count_exchanges(log: AnswerLog, where: LogFilter) -> int:
    """How many exchanges match `where`, ignoring its page (`limit`, `before_id`, `after_id`)."""
    unpaged = replace(where, before_id=None, after_id=None)
    clauses, params = _filter_clauses(unpaged)
    sql = "SELECT count(*) FROM exchanges e" + _where(clauses)
    with log.connection() as db:
        return int(db.execute(sql, params).fetchone()[0])


def _where(clauses: list[str]) -> str:
    return " WHERE " + " AND ".join(clauses) if clauses else ""


def _filter_clauses(where: LogFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []

    def narrow(clause: str, *values: Any) -> None:
        clauses.append(clause)
        params.extend(values)

    if where.text and where.text.split():
        narrow(
            "e.id IN (SELECT rowid FROM exchanges_fts WHERE exchanges_fts MATCH ?)",
            fts_query(where.text),
        )
    if where.since:
        narrow("e.created_at >= ?", where.since.isoformat())
    if where.until:
        narrow("e.created_at < ?", (where.until + timedelta(days=1)).isoformat())
    if where.declined:
        narrow("e.declined = 1")
    if where.feedback in ("up", "down"):
        narrow("e.id IN (SELECT exchange_id FROM feedback WHERE value = ?)", where.feedback)
    elif where.feedback == "none":
        narrow("e.id NOT IN (SELECT exchange_id FROM feedback)")
    if where.chat_id is not None:
        narrow("e.chat_id = ?", where.chat_id)
    if where.medium == "terminal":
        narrow("e.chat_type = 'terminal'")
    elif where.medium == "telegram":
        narrow("e.chat_type IS NOT 'terminal'")
    if where.before_id is not None:
        narrow("e.id < ?", where.before_id)
    if where.after_id is not None:
        narrow("e.id > ?", where.after_id)
    return clauses, params


def show_exchange(log: AnswerLog, exchange_id: int) -> dict[str, Any]:
    """One exchange with its citations (passages) and feedback; `AnswerLogError` if none."""
    with log.connection() as db:
        row = db.execute(_SUMMARY + " WHERE e.id = ?", (exchange_id,)).fetchone()
        if row is None:
            raise AnswerLogError(f"no exchange with id {exchange_id} in the answer log")
        result = dict(row)
        result["citations"] = [
            dict(c)
            for c in db.execute(
                "SELECT * FROM citations WHERE exchange_id = ? ORDER BY number", (exchange_id,)
            )
        ]
        result["feedback"] = [
            dict(f)
            for f in db.execute(
                "SELECT user_id, user_name, value, created_at FROM feedback WHERE exchange_id = ?"
                " ORDER BY created_at",
                (exchange_id,),
            )
        ]
    return result


def claim_checks(found: dict[str, Any]) -> list[ClaimCheck]:
    """The logged checks of an exchange's generated sentences (`show_exchange`'s result): []
    for an extractive answer, and for a damaged field (not worth a failed review)."""
    try:
        return [ClaimCheck.model_validate(c) for c in json.loads(found.get("claim_checks") or "[]")]
    except (ValueError, TypeError):
        return []


def iter_export(log: AnswerLog) -> Iterator[dict[str, Any]]:
    """Every exchange, oldest first, with its citations and feedback."""
    with log.connection() as db:
        ids = [row[0] for row in db.execute("SELECT id FROM exchanges ORDER BY id")]
    for exchange_id in ids:
        yield show_exchange(log, exchange_id)


def percentile(values: list[float], pct: float) -> float | None:
    """The `pct` percentile (nearest-rank) of `values`, None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def stats(log: AnswerLog, *, days: int = 14, top: int = 10) -> dict[str, Any]:
    """Questions per day, decline and feedback rates, latency, frequent unanswered questions."""
    with log.connection() as db:
        per_day = [
            (r[0], r[1])
            for r in db.execute(
                "SELECT date(created_at) AS day, count(*) FROM exchanges GROUP BY day"
                " ORDER BY day DESC LIMIT ?",
                (days,),
            )
        ]
        total, declined, errors = db.execute(
            "SELECT count(*), coalesce(sum(declined), 0), count(error) FROM exchanges"
        ).fetchone()
        up, down = db.execute(
            "SELECT coalesce(sum(value = 'up'), 0), coalesce(sum(value = 'down'), 0) FROM feedback"
        ).fetchone()
        latencies = [
            r[0]
            for r in db.execute(
                "SELECT total_ms FROM exchanges WHERE total_ms IS NOT NULL AND error IS NULL"
            )
        ]
    answered = total - errors
    return {
        "questions": total,
        "per_day": per_day,
        "declined": declined,
        "errors": errors,
        "decline_rate": declined / answered if answered else None,
        "feedback_up": up,
        "feedback_down": down,
        "feedback_ratio": up / (up + down) if up + down else None,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "unanswered": unanswered(log, limit=top),
    }


def unanswered(log: AnswerLog, *, limit: int = 10) -> list[tuple[str, int]]:
    """The most frequent declined questions (case and spacing folded), with their counts."""
    with log.connection() as db:
        rows = db.execute(
            "SELECT lower(trim(question)) AS q, count(*) AS n FROM exchanges WHERE declined = 1"
            " GROUP BY q ORDER BY n DESC, max(id) DESC LIMIT ?",
            (limit,),
        )
        return [(row[0], row[1]) for row in rows]
