"""The Stats and Gaps pages: how the desk does day by day, and what nothing answers."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import Response

from bot.gaps import find_gaps
from bot.log_trends import Day, daily, newest_day
from web.charts import bar_chart, line_chart
from web.desk import Params, desk_of, page

DEFAULT_DAYS = 90
GAPS_SHOWN = 100


def stats_page(request: Request) -> Response:
    """Charts and a table per day, over the `days` up to the newest exchange."""
    log = desk_of(request).log
    params = Params(request)
    days = max(1, min(params.integer("days") or DEFAULT_DAYS, 3660))
    last = newest_day(log) or date.today()
    series = daily(log, since=last - timedelta(days=days - 1))
    return page(
        request,
        "stats.html",
        days=days,
        last=last,
        series=series,
        totals=_totals(series),
        charts=_charts(series),
        problems=params.problems,
    )


def _totals(series: list[Day]) -> Day:
    """The window as one `Day` (latencies do not add up: they stay None)."""
    return Day(
        "all",
        questions=sum(d.questions for d in series),
        declined=sum(d.declined for d in series),
        errors=sum(d.errors for d in series),
        up=sum(d.up for d in series),
        down=sum(d.down for d in series),
    )


def _charts(series: list[Day]) -> dict[str, object]:
    labels = [d.day for d in series]
    return {
        "questions": bar_chart(labels, [d.questions for d in series], title="Questions per day"),
        "rates": line_chart(
            labels,
            {
                "declined": [d.decline_rate for d in series],
                "votes up": [d.feedback_ratio for d in series],
            },
            title="Decline rate and share of votes up per day",
            unit="%",
        ),
        "latency": line_chart(
            labels,
            {"p50": [d.p50_ms for d in series], "p95": [d.p95_ms for d in series]},
            title="Answer latency per day (p50, p95)",
            unit="ms",
        ),
    }


def gaps_page(request: Request) -> Response:
    """Declined questions grouped by their words, most asked first."""
    params = Params(request)
    since = params.day("since")
    thumbed_down = params.flag("down")
    gaps = find_gaps(desk_of(request).log, since=since, thumbed_down=thumbed_down, limit=GAPS_SHOWN)
    return page(
        request,
        "gaps.html",
        gaps=gaps,
        form=request.query_params,
        problems=params.problems,
    )
