"""LLM answering: numbered sources in, a cited answer out, checked before anyone sees it.

The model is any llama-index LLM: OpenAI, an OpenAI-compatible server by base URL (vLLM,
llama.cpp, LM Studio, Ollama's /v1) through `OpenAILike`, Ollama's own API, or a model file
run in-process (`index.local_llm`). Article text goes into the prompt wrapped in <source>
tags as data; whatever the model writes is then checked sentence by sentence against the
sources (`index.claims`), so a source that says "ignore previous instructions" can at most
produce sentences that get dropped for lack of support. While the model writes, the text
so far can be shown (`on_draft`); only the checked answer is final.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.llms import LLM

from index.citations import CitationNumbers
from index.claims import ClaimChecker
from index.compose import Composition
from index.declines import decline_text, long_date
from index.errors import ConfigError, LLMError, LLMUnusableError
from index.models import Passage, Turn
from index.settings import Settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

PROMPTS = Path(__file__).parent / "prompts"
_REFUSAL = re.compile(r"^\W*i (?:do not|don't|don’t) know\W*$", re.I)
_TAG = re.compile(r"<(/?)(sources?|conversation)\b", re.I)
# the answer as written so far, for a front end that shows it while the model writes
Draft = Callable[[str], None]


@cache
def load_prompt(name: str) -> str:
    return (PROMPTS / f"{name}.txt").read_text(encoding="utf-8")


def build_llm(settings: Settings) -> LLM:
    """The LLM `ANSWER_MODE` names, with `LLM_TIMEOUT_S` and no silent retries."""
    mode = settings.answer_mode
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    timeout = settings.llm_timeout_s
    if mode == "openai":
        from llama_index.llms.openai import OpenAI

        if not key and not settings.llm_base_url:
            raise ConfigError("LLM_API_KEY: required for ANSWER_MODE=openai")
        return OpenAI(
            model=settings.llm_model, api_key=key, api_base=settings.llm_base_url,
            timeout=timeout, max_retries=0, temperature=0.0,
        )  # fmt: skip
    if mode == "openai-like":
        from llama_index.llms.openai_like import OpenAILike

        if not settings.llm_base_url:
            raise ConfigError("LLM_BASE_URL: required for ANSWER_MODE=openai-like")
        return OpenAILike(
            model=settings.llm_model, api_base=settings.llm_base_url, api_key=key or "none",
            timeout=timeout, max_retries=0, temperature=0.0, is_chat_model=True,
            context_window=8192,
        )  # fmt: skip
    if mode == "ollama":
        from llama_index.llms.ollama import Ollama

        return Ollama(
            model=settings.llm_model, base_url=settings.llm_base_url or "http://localhost:11434",
            request_timeout=timeout, temperature=0.0,
        )  # fmt: skip
    if mode == "local":
        from index.local_llm import load_local_llm

        return load_local_llm(settings)
    raise ConfigError(f"ANSWER_MODE: {mode!r} does not use an LLM")


def model_name(settings: Settings) -> str:
    """The model's name as answers and the log record it."""
    if settings.answer_mode == "local":
        from index.local_llm import local_model_path

        return local_model_path(settings).name
    return settings.llm_model


def as_data(text: str) -> str:
    """Article or chat text that cannot close (or open) our data tags."""
    return _TAG.sub(lambda m: f"&lt;{m.group(1)}{m.group(2)}", text)


def source_block(number: int, passage: Passage) -> str:
    return load_prompt("source").format(
        number=number,
        title=as_data(passage.title).replace('"', "'"),
        outlet=as_data(passage.source).replace('"', "'"),
        date=passage.published.isoformat() if passage.published else "unknown",
        text=as_data(passage.text.strip()),
    )


def answer_messages(
    question: str, sources: dict[int, Passage], *, today: date
) -> list[ChatMessage]:
    """The rules as the system message; the sources (as data) and question as the user's."""
    prompt = load_prompt("answer").format(
        today=long_date(today),
        sources="\n".join(source_block(n, p) for n, p in sources.items()),
        question=" ".join(question.split()),
    )
    rules, _, data = prompt.partition("<sources>")
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=rules.strip()),
        ChatMessage(role=MessageRole.USER, content="<sources>" + data),
    ]


class LLMAnswerer:
    """Answers from passages with an LLM; raises `LLMError` on failure or timeout."""

    def __init__(
        self,
        *,
        llm: LLM,
        model_name: str,
        timeout_s: float,
        claims: ClaimChecker,
        condenses: bool = True,
    ) -> None:
        self.llm = llm
        self.model_name = model_name
        self.timeout_s = timeout_s
        self.claims = claims
        self.condenses = condenses  # False: follow-ups are made standalone without the model
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")

    def compose(
        self,
        question: str,
        passages: list[Passage],
        *,
        numbers: CitationNumbers,
        today: date,
        deadline: float | None = None,
        on_draft: Draft | None = None,
    ) -> Composition:
        """A checked, cited answer (or a refusal) from `passages`, by `deadline` (monotonic).

        `LLMUnusableError` when no sentence of the model's answer is supported by a source.
        """
        if not passages:
            return Composition(text=decline_text(question), declined=True)
        sources = {i: p for i, p in enumerate(passages, start=1)}
        messages = answer_messages(question, sources, today=today)
        if on_draft is None:
            reply = self.chat(messages, deadline=deadline)
        else:
            reply = self.stream(messages, deadline=deadline, on_draft=on_draft)
        if _REFUSAL.match(reply):
            return Composition(text=decline_text(question), declined=True)
        checked = self.claims.check(reply, sources, numbers=numbers)
        if checked.declined:
            raise LLMUnusableError(
                f"no sentence of its answer is supported by the sources ({len(checked.claims)} "
                "checked)",
                claims=checked.claims,
            )
        return Composition(
            text=checked.text, citations=checked.citations, note=checked.note(),
            claims=checked.claims,
        )  # fmt: skip

    def condense(self, question: str, history: list[Turn], *, deadline: float | None = None) -> str:
        """The last message as a standalone question, given the conversation, by `deadline`."""
        lines = []
        for turn in history:
            lines += [f"User: {as_data(turn.question)}", f"Assistant: {as_data(turn.answer)}"]
        prompt = load_prompt("condense").format(history="\n".join(lines), question=question)
        reply = self.chat([ChatMessage(role=MessageRole.USER, content=prompt)], deadline=deadline)
        return " ".join(reply.split()).strip("\"' ") or question

    def deadline(self) -> float:
        """The monotonic time by which one question's LLM calls must be done (`timeout_s`)."""
        return time.monotonic() + self.timeout_s

    def chat(self, messages: list[ChatMessage], *, deadline: float | None = None) -> str:
        """The model's reply text, within `timeout_s` (and by `deadline`) whatever the client does.

        One question shares one budget: condensing a follow-up and composing its answer
        together never wait longer than `timeout_s`.
        """
        response = self._within(lambda: self.llm.chat(messages), deadline, threading.Event())
        return str(response.message.content or "").strip()

    def stream(
        self, messages: list[ChatMessage], *, deadline: float | None = None, on_draft: Draft
    ) -> str:
        """Like `chat`, calling `on_draft` with the text so far as the model writes it."""
        stop = threading.Event()

        def consume() -> str:
            text = ""
            for chunk in self.llm.stream_chat(messages):
                if stop.is_set():  # timed out: stop reading (a local model stops generating)
                    break
                text += chunk.delta or ""
                _show(on_draft, text)
            return text

        return self._within(consume, deadline, stop).strip()

    def _within(self, call: Callable[[], T], deadline: float | None, stop: threading.Event) -> T:
        """`call()` in a worker thread, given up (and `stop` set) when the budget runs out."""
        left = (
            self.timeout_s if deadline is None else min(self.timeout_s, deadline - time.monotonic())
        )
        if left <= 0:
            raise LLMError(f"the LLM did not answer within {self.timeout_s:g}s") from None
        future = self._pool.submit(call)
        try:
            return future.result(timeout=left)
        except FutureTimeout:
            stop.set()
            future.cancel()
            raise LLMError(f"the LLM did not answer within {self.timeout_s:g}s") from None
        except Exception as exc:  # client libraries raise many types; all mean "no answer"
            logger.warning("LLM call failed: %s", type(exc).__name__)
            raise LLMError(f"the LLM failed: {type(exc).__name__}: {exc}") from exc


def _show(on_draft: Draft, text: str) -> None:
    """Hand the draft on; showing it is a courtesy that never fails the answer."""
    try:
        on_draft(text)
    except Exception:
        logger.debug("showing the draft failed", exc_info=True)
