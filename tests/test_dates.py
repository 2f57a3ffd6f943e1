"""Relative dates in questions, and `--since/--until` values, read against an as-of day."""

from __future__ import annotations

from datetime import date

import pytest

from index.dates import parse_day, question_window
from index.errors import QuestionError

AS_OF = date(2024, 3, 8)  # a Friday


@pytest.mark.parametrize(
    ("question", "since", "until", "strict"),
    [
        ("What did the council decide this week?", date(2024, 3, 1), AS_OF, False),
        ("Who resigned last week?", date(2024, 2, 23), AS_OF, False),
        ("What happened yesterday in Paris?", date(2024, 3, 6), AS_OF, False),
        ("Any recent news on the strike?", date(2024, 2, 23), AS_OF, False),
        ("What did the bank do in October?", date(2023, 10, 1), date(2023, 10, 31), True),
        ("What did the bank do in March?", date(2024, 3, 1), AS_OF, True),
        ("Who won the election in 2022?", date(2022, 1, 1), date(2022, 12, 31), True),
        ("What changed since March 3?", date(2024, 3, 3), AS_OF, True),
        ("What changed since Dec 20th?", date(2023, 12, 20), AS_OF, True),
        ("Floods in June 2021?", date(2021, 6, 1), date(2021, 6, 30), True),
    ],
)
def test_question_windows(question: str, since: date, until: date, strict: bool) -> None:
    window = question_window(question, as_of=AS_OF)
    assert window is not None
    assert (window.since, window.until, window.strict) == (since, until, strict)


def test_questions_without_a_date_phrase() -> None:
    assert question_window("Who won the chess championship?", as_of=AS_OF) is None
    # "may" as a verb is not the month
    assert question_window("What may happen to rents?", as_of=AS_OF) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-31", date(2024, 1, 31)),
        ("7d", date(2024, 3, 1)),
        ("2 weeks", date(2024, 2, 23)),
        ("1 week ago", date(2024, 3, 1)),
        ("3m", date(2023, 12, 9)),
        ("1y", date(2023, 3, 9)),
        ("yesterday", date(2024, 3, 7)),
        ("today", AS_OF),
    ],
)
def test_parse_day(value: str, expected: date) -> None:
    assert parse_day(value, today=AS_OF) == expected


def test_parse_day_rejects_nonsense_with_a_helpful_message() -> None:
    with pytest.raises(QuestionError, match="YYYY-MM-DD"):
        parse_day("last blue moon", today=AS_OF)


@pytest.mark.parametrize(
    ("phrase", "described"),
    [
        ("in october", "from October"),
        ("in october 2021", "from October 2021"),
        ("in 2022", "from 2022"),
        ("since march 3", "since 3 March 2026"),
    ],
)
def test_a_window_as_a_decline_names_it(phrase: str, described: str) -> None:
    window = question_window(f"what happened {phrase}", as_of=date(2026, 12, 7))
    assert window is not None and window.described() == described
