"""A synthetic answer log for the web desk's benchmark and screenshots.

Exchanges spread over months (more each week), from a few hundred chats (some in the
terminal), asking about a set of topics in varied words; about one in eight is declined
(questions on topics nothing covers, asked again and again in other words), some get 👍 or
👎. Answers cite one to three passages of the given articles. Seeded, so every run
writes the same log.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.answer_log import AnswerLog, Exchange
from index.models import Answer, Citation, Timings

ANSWERED = [
    ("troops", "border"),
    ("rate", "cut"),
    ("rail", "strike"),
    ("heat", "record"),
    ("measles", "outbreak"),
    ("cup", "final"),
    ("probe", "launch"),
    ("robot", "recall"),
    ("harbour", "bank"),
    ("vaccine", "clinics"),
]
GAPS = [
    ("morocco", "earthquake", "aid"),
    ("lithium", "mine", "permit"),
    ("teachers", "pay", "deal"),
    ("ferry", "timetable", "winter"),
    ("stadium", "tickets", "refund"),
    ("drought", "water", "restrictions"),
    ("mayor", "election", "results"),
    ("bridge", "closure", "detour"),
    ("hospital", "waiting", "times"),
    ("bus", "fares", "rise"),
]
FORMS = [
    "What is the latest on the {0} {1}?",
    "what happened with the {0} {1}",
    "Any news about the {1} of the {0}?",
    "Tell me about the {0} {1} {2}",
    "{0} {1}?",
    "Why is there a {0} {1} {2} now?",
    "How many people are affected by the {0} {1}?",
]
DECLINE = "I have nothing on that in my articles, so I won't guess."


@dataclass(frozen=True)
class Source:
    """An article the synthetic answers may cite, with one passage of it."""

    article_id: str
    title: str
    source: str
    url: str
    passage: str
    start: int


def _question(rng: random.Random, words: Sequence[str]) -> str:
    padded = [*words, *([""] * (3 - len(words)))]
    text = rng.choice(FORMS).format(*padded)
    return " ".join(text.split())


def _answer(rng: random.Random, question: str, sources: Sequence[Source]) -> Answer:
    cited = rng.sample(list(sources), k=min(len(sources), rng.choice((1, 1, 2, 3))))
    citations = [
        Citation(
            number=n,
            article_id=s.article_id,
            title=s.title,
            source=s.source,
            published=None,
            url=s.url,
            chunk_id=f"{s.article_id}:0",
            quote=s.passage,
            start=s.start,
            end=s.start + len(s.passage),
            score=round(rng.uniform(0.3, 0.9), 3),
        )
        for n, s in enumerate(cited, start=1)
    ]
    text = " ".join(f"{c.quote.rstrip('.')} [{c.number}]." for c in citations)
    return _timed(rng, Answer(question=question, standalone_question=question, text=text,
                              citations=citations))  # fmt: skip


def _timed(rng: random.Random, answer: Answer) -> Answer:
    total = rng.lognormvariate(5.0, 0.45)  # ~150 ms typical, a long tail
    answer.timings = Timings(retrieve_ms=total * 0.6, compose_ms=total * 0.3, total_ms=total)
    return answer


def exchanges(
    count: int, *, sources: Sequence[Source], end: datetime, days: int = 180, seed: int = 11
) -> Iterator[tuple[Exchange, str | None]]:
    """`count` exchanges, oldest first, each with the feedback it gets ("up", "down", None)."""
    rng = random.Random(seed)
    start = end - timedelta(days=days)
    chats = [rng.randint(10_000, 9_999_999) for _ in range(300)]
    # more questions later on: the i-th of `count` falls at sqrt(i/count) of the span
    moments = sorted(start + (end - start) * rng.random() ** 0.5 for _ in range(count))
    for at in moments:
        declined = rng.random() < 0.12
        words = rng.choice(GAPS) if declined else rng.choice(ANSWERED)
        question = _question(rng, words)
        if declined:
            answer = _timed(rng, Answer(question=question, standalone_question=question,
                                        text=DECLINE, declined=True))  # fmt: skip
        else:
            answer = _answer(rng, question, sources)
        terminal = rng.random() < 0.1
        chat = 0 if terminal else rng.choice(chats)
        user = None if terminal else chat % 100_000
        vote = rng.random()
        feedback = "up" if vote < 0.08 else "down" if vote < 0.11 else None
        yield (
            Exchange(
                chat_id=chat,
                chat_type="terminal" if terminal else rng.choice(("private", "private", "group")),
                user_id=user,
                user_name=None if user is None else f"reader{user}",
                question=question,
                answer=answer,
                at=at.astimezone(UTC),
            ),
            feedback,
        )


def seed_log(log: AnswerLog, count: int, *, sources: Sequence[Source], end: datetime) -> None:
    """Record `count` synthetic exchanges (and their votes) through the log's own writes."""
    for exchange, feedback in exchanges(count, sources=sources, end=end):
        ref = log.record(exchange)
        if feedback and exchange.user_id is not None:
            log.record_feedback(
                ref, user_id=exchange.user_id, user_name=exchange.user_name, value=feedback
            )
