"""Shared by the bot tests and the load bench: a scripted answerer and a bot on the stand-in."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from telegram.ext import Application, BaseRateLimiter

from bot.answer_log import AnswerLog
from bot.app import build_application, webhook_options
from index.errors import QuestionError
from index.models import Answer, Citation, Filters, Timings, Turn
from index.service import Answerer
from index.settings import Settings
from tests.standin import TOKEN, TelegramStandin


@dataclass
class FakeArticle:
    article_id: str
    title: str
    source: str
    published: date
    url: str
    quote: str
    claim: str
    keywords: set[str]


ARTICLES = [
    FakeArticle(
        "a-bikes",
        "City council approves new bike lanes",
        "Metro Daily",
        date(2024, 5, 2),
        "https://news.example.com/2024/05/bike-lanes",
        "The city council voted 7-2 on Tuesday to approve 40 km of protected bike "
        "lanes, to be built by 2026.",
        "The council approved 40 km of protected bike lanes, due by 2026",
        {"bike", "lanes", "council", "cycling"},
    ),
    FakeArticle(
        "a-wind",
        "Harbour wind farm to power 200,000 homes",
        "Coastal Herald",
        date(2024, 6, 11),
        "https://herald.example.org/wind-farm",
        "The offshore wind farm, due to open in 2025, is expected to power about 200,000 homes.",
        "The offshore wind farm should power about 200,000 homes from 2025",
        {"wind", "farm", "energy", "homes"},
    ),
    FakeArticle(
        "a-tricky",
        'Q&A: Is <AI> > "human" editors? Tom & Jerry\'s <b>take</b>',
        "Tech & Society <Weekly>",
        date(2024, 7, 1),
        'https://example.com/q?a=1&b=<2>&c="x"',
        'Editors said <AI> tools & "assistants" help, but <b>judgement</b> stays human.',
        "Editors say <AI> tools help but judgement stays human",
        {"editors", "ai", "tools"},
    ),
]
DECLINE = "I could not find anything about that in the articles I have."


def citation(article: FakeArticle, number: int) -> Citation:
    """A real-looking citation of `article`'s passage."""
    return Citation(
        number=number,
        article_id=article.article_id,
        title=article.title,
        source=article.source,
        published=article.published,
        url=article.url,
        chunk_id=f"{article.article_id}:0",
        quote=article.quote,
        start=0,
        end=len(article.quote),
        score=0.8,
    )


@dataclass
class ScriptedAnswerer:
    """Deterministic `Answerer`: cites the fake articles whose keywords the question uses.

    A follow-up with no keyword of its own is answered from the last turn's citations, which
    keep their numbers. `enqueue` scripts exact answers; `calls` records every call.
    """

    delay_s: float = 0.0
    max_chars: int = 1000
    calls: list[dict[str, Any]] = field(default_factory=list)
    queue: list[Answer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enqueue(self, *answers: Answer) -> None:
        self.queue.extend(answers)

    def answer(
        self,
        question: str,
        *,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        as_of: date | None = None,
        on_draft: Callable[[str], None] | None = None,  # never called: nothing is generated
    ) -> Answer:
        if not question.strip() or len(question) > self.max_chars:
            raise QuestionError("the question is empty or too long")
        with self._lock:
            self.calls.append({"question": question, "history": list(history or [])})
            scripted = self.queue.pop(0) if self.queue else None
        if self.delay_s:
            time.sleep(self.delay_s)
        return scripted or self._compose(question, history or [])

    def _compose(self, question: str, history: list[Turn]) -> Answer:
        words = set(re.findall(r"\w+", question.lower()))
        found = [a for a in ARTICLES if a.keywords & words]
        standalone = question
        if found:
            cites = [citation(a, n) for n, a in enumerate(found, 1)]
        elif history and history[-1].citations:
            cites = history[-1].citations
            standalone = f"{history[-1].question} — {question}"
        else:
            return Answer(
                question=question,
                standalone_question=question,
                text=DECLINE,
                declined=True,
                timings=Timings(retrieve_ms=3, compose_ms=1, total_ms=4),
            )
        claims = {a.article_id: a.claim for a in ARTICLES}
        text = " ".join(f"{claims.get(c.article_id, c.title)} [{c.number}]." for c in cites)
        return Answer(
            question=question,
            standalone_question=standalone,
            text=text,
            citations=cites,
            mode="scripted",
            model="scripted-1",
            timings=Timings(retrieve_ms=12.5, compose_ms=2.5, total_ms=15.0),
        )


def bot_settings(standin: TelegramStandin, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a bot that talks to `standin` and keeps its data in `data_dir`."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": standin.base_url,
        "newsdesk_data_dir": data_dir,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def started_bot(
    settings: Settings, answerer: Answerer, *, rate_limiter: BaseRateLimiter | None = None
) -> AsyncIterator[Application]:
    """The real bot, started (as `run_polling`/`run_webhook` would) but not yet fetching updates."""
    log = AnswerLog(settings.log_db_path)
    app = build_application(settings, answerer=answerer, log=log, rate_limiter=rate_limiter)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    try:
        yield app
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()
        log.close()


@asynccontextmanager
async def running_bot(
    settings: Settings, answerer: Answerer, *, rate_limiter: BaseRateLimiter | None = None
) -> AsyncIterator[Application]:
    """The real bot, long-polling the stand-in, for the duration of the block."""
    async with started_bot(settings, answerer, rate_limiter=rate_limiter) as app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app


@asynccontextmanager
async def running_webhook_bot(settings: Settings, answerer: Answerer) -> AsyncIterator[Application]:
    """The real bot serving its webhook on 127.0.0.1 (options as `run_bot` passes them)."""
    async with started_bot(settings, answerer) as app:
        assert app.updater is not None
        options = webhook_options(settings, listen="127.0.0.1")
        await asyncio.wait_for(app.updater.start_webhook(**options), timeout=10)
        yield app


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def standin_in_thread() -> Iterator[TelegramStandin]:
    """The stand-in on an event loop of its own, for code that runs its own loop (`run_bot`)."""
    loop = asyncio.new_event_loop()
    standin = TelegramStandin()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(standin.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5), "the stand-in did not start"
    try:
        yield standin
    finally:
        asyncio.run_coroutine_threadsafe(standin.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
