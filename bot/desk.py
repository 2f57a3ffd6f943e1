"""The bot's side of answering: history in, `Answer` out, everything logged.

Blocking work (the answerer, SQLite) runs in worker threads; questions of one chat are
answered in order so a follow-up sees the turn before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from bot.answer_log import AnswerLog, Exchange, ExchangeRef
from bot.memory import ConversationMemory
from index.errors import QuestionError
from index.models import Answer, Turn
from index.service import Answerer
from index.smalltalk import small_talk_reply

if TYPE_CHECKING:
    from index.llm_answer import Draft

logger = logging.getLogger(__name__)
T = TypeVar("T")
# answering may wait on an LLM or a Chroma server: more threads than the default executor has
ANSWER_THREADS = 16


@dataclass(frozen=True)
class Asker:
    """Who asked, and where."""

    chat_id: int
    chat_type: str
    user_id: int | None
    user_name: str | None


@dataclass
class Outcome:
    """An answer (or a polite refusal) and the log id of the exchange, if it was logged."""

    answer: Answer | None
    exchange_id: ExchangeRef | None = None  # a log id, or a spool key while it waits
    refusal: str | None = None


async def quietly(what: str, func: Callable[..., T], *args: object) -> T | None:
    """Run blocking `func` in a thread; a failure is logged and swallowed (returns None)."""
    try:
        return await asyncio.to_thread(func, *args)
    except Exception:
        logger.exception("%s failed; carrying on without it", what)
        return None


class AnswerDesk:
    """Answers questions for the bot, with per-chat memory and the answer log."""

    def __init__(
        self,
        *,
        answerer: Answerer,
        log: AnswerLog,
        memory: ConversationMemory,
        max_question_chars: int,
        answer_threads: int = ANSWER_THREADS,
    ) -> None:
        self.answerer = answerer
        self.log = log
        self.memory = memory
        self.max_question_chars = max_question_chars
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._pool = ThreadPoolExecutor(answer_threads, thread_name_prefix="newsdesk-answer")

    def close(self) -> None:
        """Let running answers finish, then release the threads and the memory."""
        self._pool.shutdown(wait=True)
        self.memory.close()

    async def ask(self, asker: Asker, question: str, *, on_draft: Draft | None = None) -> Outcome:
        """Answer `question` in the context of the chat's conversation.

        `on_draft` is called (from a worker thread) with a generated answer as it is written.
        """
        question = question.strip()
        if not question:
            return Outcome(None, refusal="Ask me a question about the news.")
        chat = small_talk_reply(question)
        if chat is not None:  # "hi", "thanks!": answered in kind, not searched, not logged
            return Outcome(None, refusal=chat)
        if len(question) > self.max_question_chars:
            return Outcome(
                None,
                refusal=(
                    f"That question is too long ({len(question)} characters); please keep it under "
                    f"{self.max_question_chars}."
                ),
            )
        self._waiting[asker.chat_id] = self._waiting.get(asker.chat_id, 0) + 1
        try:
            async with self._locks.setdefault(asker.chat_id, asyncio.Lock()):
                return await self._answer(asker, question, on_draft)
        finally:
            self._waiting[asker.chat_id] -= 1
            if not self._waiting[asker.chat_id]:
                del self._waiting[asker.chat_id], self._locks[asker.chat_id]

    async def _answer(self, asker: Asker, question: str, on_draft: Draft | None) -> Outcome:
        history = await quietly("reading the conversation", self.memory.history, asker.chat_id)
        started = time.perf_counter()
        exchange = Exchange(
            asker.chat_id, asker.chat_type, asker.user_id, asker.user_name, question
        )
        try:
            answer = await asyncio.get_running_loop().run_in_executor(
                self._pool, self._call_answerer, question, history or [], on_draft
            )
        except QuestionError as exc:
            return Outcome(None, refusal=str(exc))
        except Exception as exc:
            exchange.error = f"{type(exc).__name__}: {exc}"
            exchange.total_ms = (time.perf_counter() - started) * 1000
            await quietly("logging the exchange", self.log.record, exchange)
            raise
        exchange.answer = answer
        if not answer.timings.total_ms:
            exchange.total_ms = (time.perf_counter() - started) * 1000
        exchange_id = await quietly("logging the exchange", self.log.record, exchange)
        turn = Turn(question=question, answer=answer.text, citations=answer.citations)
        await quietly("remembering the turn", self._remember, asker.chat_id, turn, exchange_id)
        return Outcome(answer, exchange_id)

    def _call_answerer(self, question: str, history: list[Turn], on_draft: Draft | None) -> Answer:
        if on_draft is None:  # answerers that never draft need not know about it
            return self.answerer.answer(question, history=history)
        return self.answerer.answer(question, history=history, on_draft=on_draft)

    def _remember(self, chat_id: int, turn: Turn, exchange_id: ExchangeRef | None) -> None:
        logged = exchange_id if isinstance(exchange_id, int) else None
        self.memory.remember(chat_id, turn, exchange_id=logged)
