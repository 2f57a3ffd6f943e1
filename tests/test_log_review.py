"""Reading the answer log for review: gaps grouped by their words, trends per day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from bot.answer_log import AnswerLog, Exchange
from bot.gaps import find_gaps, group_keys, question_key
from bot.log_trends import daily, newest_day
from index.models import Answer, Timings
from tests.test_answer_log import seeded_log


def declined(question: str) -> Answer:
    return Answer(question=question, standalone_question=question, text="no", declined=True)


def test_similar_wordings_share_a_key_or_a_group() -> None:
    assert question_key("Why did Valdoria cut its rates?") == question_key("valdoria rate cut")
    keys = Counter(
        {
            question_key("mayor election results"): 3,
            question_key("What were the results of the mayor's election in Eastmoor?"): 1,
            question_key("bus fares rise"): 2,
            question_key("ferry timetable"): 1,
        }
    )
    leader = group_keys(keys)
    grouped = question_key("What were the results of the mayor's election in Eastmoor?")
    assert leader[grouped] == question_key("mayor election results")  # 3 of 4 words shared
    assert leader[question_key("ferry timetable")] != leader[question_key("bus fares rise")]
    assert question_key("???") == frozenset({"???"})  # no words: its text is its key


def test_gaps_count_askers_and_the_latest_question(tmp_path: Path) -> None:
    log = AnswerLog(tmp_path / "log.sqlite3")
    asked = [
        (1, "What about the lithium mine permit?", 1),
        (2, "lithium mine permit", 2),
        (3, "Lithium mine permit?", 2),
        (4, "ferry timetable in winter", 1),
    ]
    for day, question, user in asked:
        at = datetime(2025, 3, day, 9, tzinfo=UTC)
        log.record(Exchange(1, "private", user, f"u{user}", question, declined(question), at=at))
    log.record(Exchange(1, "private", 1, "u1", "lithium mine permit", error="boom"))  # not a gap
    gaps = find_gaps(log)
    assert [(g.question, g.count, len(g.askers), g.latest) for g in gaps] == [
        ("What about the lithium mine permit?", 3, 2, "2025-03-03 09:00:00"),
        ("ferry timetable in winter", 1, 1, "2025-03-04 09:00:00"),
    ]
    assert gaps[0].latest_id == 3
    assert [g.question for g in find_gaps(log, since=date(2025, 3, 4))] == [
        "ferry timetable in winter"
    ]


def test_trends_per_day_with_latency_percentiles(tmp_path: Path) -> None:
    log = seeded_log(tmp_path / "log.sqlite3")
    extra = Answer(question="q", standalone_question="q", text="t", timings=Timings(total_ms=900))
    log.record(Exchange(1, "private", 1, "a", "q", extra, at=datetime(2024, 5, 3, 13, tzinfo=UTC)))
    days = daily(log)
    assert [(d.day, d.questions, d.declined, d.errors, d.up, d.down) for d in days] == [
        ("2024-05-01", 1, 0, 0, 1, 0),
        ("2024-05-02", 2, 1, 0, 0, 2),
        ("2024-05-03", 3, 1, 1, 0, 0),
    ]
    assert (days[1].p50_ms, days[1].p95_ms) == (200, 300)
    assert (days[2].p50_ms, days[2].p95_ms) == (200, 900)  # the error's 50 ms is not counted
    assert days[1].decline_rate == 0.5 and days[2].decline_rate == 0.5
    assert days[1].feedback_ratio == 0.0 and days[2].feedback_ratio is None
    assert [d.day for d in daily(log, since=date(2024, 5, 2))] == ["2024-05-02", "2024-05-03"]
    assert newest_day(log) == date(2024, 5, 3)
    assert newest_day(AnswerLog(tmp_path / "empty.sqlite3")) is None
