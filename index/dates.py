"""Reading dates: relative phrases in questions, and `--since/--until` values.

A question's phrase is read against `as_of` (the day the question is asked), never against
the machine clock, so an evaluation replays each question on its own day. Vague phrases
("recently", "this week") become a *soft* window the retriever boosts; calendar phrases
("in October", "in 2022", "since March 3") become a *strict* window it filters on.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from index.errors import QuestionError

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}  # fmt: skip
_MONTH = (
    r"(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_UNITS = {"d": 1, "day": 1, "w": 7, "week": 7, "m": 30, "month": 30, "y": 365, "year": 365}
_SPAN = re.compile(r"^\s*(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)\s*(ago)?\s*$", re.I)


@dataclass(frozen=True)
class DateWindow:
    """Publication days a question refers to; `strict` windows filter, soft ones boost."""

    since: date | None
    until: date | None
    strict: bool
    phrase: str
    month: int | None = None  # of a month named without a year ("in October"): 10

    @property
    def names_year(self) -> bool:
        """Does the phrase name a year ("in 2022", "in October 2021")?"""
        return bool(re.search(r"\d{4}", self.phrase))

    def described(self) -> str:
        """The window as a decline names it: "from October", "from October 2021", "from
        2022", "since 3 March 2026"."""
        since, until = self.since or date.min, self.until or date.max
        if self.month is not None:
            return f"from {since:%B}"
        if self.phrase.startswith(("since ", "after ")):
            return f"since {since.day} {since:%B %Y}"
        if (since.year, since.month) == (until.year, until.month):
            return f"from {since:%B %Y}"
        return f"from {since.year}"


def parse_day(value: str, *, today: date) -> date:
    """An ISO date, `today`/`yesterday`, or a span back from today: `7d`, `2 weeks`, `3m`."""
    text = value.strip().lower()
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    span = _SPAN.match(text)
    if span:
        unit = span.group(2).rstrip("s") if len(span.group(2)) > 1 else span.group(2)
        return today - timedelta(days=int(span.group(1)) * _UNITS[unit])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QuestionError(
            f"cannot read {value!r} as a date: use YYYY-MM-DD, 'yesterday', '7d' or '2 weeks'"
        ) from None


def _month_window(month: int, year: int | None, as_of: date) -> tuple[date, date]:
    """A calendar month; without a year, the latest such month that has begun by `as_of`."""
    if year is None:
        year = as_of.year if month <= as_of.month else as_of.year - 1
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _day_in_past(month: int, day: int, as_of: date) -> date:
    try:
        candidate = date(as_of.year, month, day)
        return candidate if candidate <= as_of else date(as_of.year - 1, month, day)
    except ValueError:  # 29 February, or a day the month does not have
        raise QuestionError(f"no such day: {month}/{day}") from None


def _calendar_window(text: str, as_of: date) -> DateWindow | None:
    """`since March 3`, `in October [2021]`, `in 2022`: strict windows."""
    since = re.search(rf"\b(?:since|after) {_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?\b", text)
    if since:
        start = _day_in_past(MONTHS[since.group(1)], int(since.group(2)), as_of)
        return DateWindow(start, as_of, True, since.group(0))
    month = re.search(rf"\b(?:in|during|of) {_MONTH}(?: (\d{{4}}))?\b", text)
    if month and not (month.group(1) == "may" and month.group(2) is None):  # "may" is a verb
        year = int(month.group(2)) if month.group(2) else None
        start, end = _month_window(MONTHS[month.group(1)], year, as_of)
        named = MONTHS[month.group(1)] if year is None else None
        return DateWindow(start, min(end, as_of), True, month.group(0), named)
    year_match = re.search(r"\b(?:in|during|of) ((?:19|20)\d\d)\b", text)
    if year_match:
        year = int(year_match.group(1))
        return DateWindow(
            date(year, 1, 1), min(date(year, 12, 31), as_of), True, year_match.group(0)
        )
    return None


_SOFT = [
    # (pattern, days back from as_of the window starts); a story is often published the
    # day after the event it reports, so every soft window runs up to as_of itself
    (r"\btoday\b|\bthis morning\b|\btonight\b", 1),
    (r"\byesterday\b", 2),
    (r"\bthis week\b|\bthis weekend\b|\bpast (?:few|several) days\b", 7),
    (r"\blast week\b|\bpast week\b|\bprevious week\b", 14),
    (r"\bthis month\b|\bpast month\b|\blast few weeks\b", 31),
    (r"\blast month\b", 62),
    (r"\b(?:recent|recently|latest|newest|currently|so far)\b", 14),
]


def question_window(question: str, *, as_of: date) -> DateWindow | None:
    """The publication window a question's wording points at, read against `as_of`."""
    text = question.lower()
    strict = _calendar_window(text, as_of)
    if strict is not None:
        return strict
    for pattern, back in _SOFT:
        found = re.search(pattern, text)
        if found:
            return DateWindow(as_of - timedelta(days=back), as_of, False, found.group(0))
    return None
