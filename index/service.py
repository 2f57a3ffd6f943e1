"""The one entry point every front end calls: `Newsdesk.answer(...) -> Answer`.

question → standalone question (follow-ups) → retrieve → compose (extractive, or an LLM whose
sentences are checked against their sources; when the LLM fails, times out or writes nothing
the sources support, the extractive answer with a note) → `Answer`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from index.citations import CitationNumbers
from index.compose import NOTHING_MORE, Composition, ExtractiveComposer
from index.dates import question_window
from index.declines import closest_stories, decline_text
from index.errors import LLMError, LLMUnusableError, QuestionError
from index.followup import asks_for_more, standalone_question
from index.language import english_only, foreign_language
from index.models import Answer, Filters, Passage, Timings, Turn
from index.settings import Settings
from index.spelling import Speller, read_as, reading_note

if TYPE_CHECKING:
    from index.llm_answer import Draft, LLMAnswerer

logger = logging.getLogger(__name__)
MORE_ABOUT_WHAT = "More about what? Ask me a question about the news first."


class Answerer(Protocol):
    """What a front end needs: answer a question, optionally with history and filters."""

    def answer(
        self,
        question: str,
        *,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        as_of: date | None = None,
        on_draft: Draft | None = None,
    ) -> Answer:
        """Answer `question` as of `as_of` (default today); raises `QuestionError` for a bad one.

        `on_draft`, if given, is called (from the answering thread) with a generated answer's
        text so far while the model writes it; an extractive answer is never drafted.
        """
        ...


def check_question(question: str, *, max_chars: int) -> str:
    """The question, whitespace tidied; `QuestionError` if it is empty or too long."""
    text = " ".join((question or "").split())
    if not text:
        raise QuestionError("the question is empty: ask something about the news")
    if len(text) > max_chars:
        raise QuestionError(
            f"the question is too long ({len(text)} characters, at most {max_chars}); "
            "please shorten it"
        )
    return text


class PassageRetriever(Protocol):
    def retrieve(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        as_of: date | None = None,
        top_k: int | None = None,
        keep_below_floor: bool = False,
        windowed: bool = True,
    ) -> list[Passage]: ...


@dataclass
class _Attempt:
    """One try at a question: what was retrieved and composed, and how long it took."""

    standalone: str
    found: list[Passage]
    composition: Composition
    mode: str
    model: str | None
    retrieve_ms: float
    compose_ms: float

    @property
    def declined(self) -> bool:
        return self.composition.declined

    def answer(self, question: str, passages: list[Passage], *, total_ms: float) -> Answer:
        """The `Answer` to `question` this attempt makes, `passages` the relevant ones."""
        composition = self.composition
        return Answer(
            question=question, standalone_question=self.standalone, text=composition.text,
            citations=composition.citations, passages=passages, declined=composition.declined,
            mode=self.mode, model=self.model, note=composition.note, claims=composition.claims,
            timings=Timings(
                retrieve_ms=self.retrieve_ms, compose_ms=self.compose_ms, total_ms=total_ms
            ),
        )  # fmt: skip


class Newsdesk:
    """Answers questions over the stored articles, every claim cited; see the module doc."""

    def __init__(
        self,
        *,
        retriever: PassageRetriever,
        composer: ExtractiveComposer,
        llm_answerer: LLMAnswerer | None,
        settings: Settings,
        speller: Speller | None = None,
    ) -> None:
        self.retriever = retriever
        self.composer = composer
        self.llm_answerer = llm_answerer
        self.settings = settings
        self.speller = speller

    def answer(
        self,
        question: str,
        *,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        as_of: date | None = None,
        on_draft: Draft | None = None,
    ) -> Answer:
        """Answer `question` as of `as_of` (default today); raises `QuestionError` for a bad one.

        `on_draft`: see `Answerer.answer`. A question with words that neither English nor
        the articles know is asked with those read as the stored words they most likely
        mistype (`index.spelling`), and the answer says how it read them; as written when
        that reading is declined.
        """
        started = time.perf_counter()
        text = check_question(question, max_chars=self.settings.max_question_chars)
        language = foreign_language(text)
        if language is not None:  # the articles and the model are English
            return _unsearched(text, english_only(language), started)
        history = history or []
        if asks_for_more(text) and all(asks_for_more(turn.question) for turn in history):
            return _unsearched(text, MORE_ABOUT_WHAT, started)  # nothing said yet to go on with
        # one LLM time budget per question, shared by condensing and composing
        llm = self.llm_answerer
        deadline = llm.deadline() if llm else None
        draft = on_draft if self.settings.llm_stream else None
        ask = partial(
            self._attempt, history=history, filters=filters, as_of=as_of, deadline=deadline,
            draft=draft,
        )  # fmt: skip
        # a word neither English nor the articles know would have the question declined for
        # lacking it: the question is asked as read first, and as written only if that
        # declines (one retrieval and composition, not two, for a mistyped question)
        fixes = self.speller.corrections(text) if self.speller else {}
        tried = ask(read_as(text, fixes))  # (the text itself when nothing is read)
        if fixes and tried.declined:
            tried = ask(text)
        elif fixes:
            note = tried.composition.note
            tried.composition.note = " ".join(filter(None, [reading_note(fixes), note]))
        return tried.answer(text, self._relevant(tried.found), total_ms=_ms(started))

    def _attempt(
        self,
        text: str,
        *,
        history: list[Turn],
        filters: Filters | None,
        as_of: date | None,
        deadline: float | None,
        draft: Draft | None,
    ) -> _Attempt:
        """Standalone question, retrieval and composition for the question `text`."""
        llm = self.llm_answerer
        condense = partial(llm.condense, deadline=deadline) if llm and llm.condenses else None
        standalone = standalone_question(text, history, condense=condense)
        t0 = time.perf_counter()
        found = self.retriever.retrieve(
            standalone, filters=filters, as_of=as_of, keep_below_floor=True
        )
        retrieve_ms = _ms(t0)
        t0 = time.perf_counter()
        focus = text if standalone != text else None
        composition, mode, model = self._compose(
            standalone, focus, found, history, as_of, deadline, draft
        )
        if composition.declined and not self._relevant(found):
            composition = self._outside_window(text, standalone, filters, as_of) or composition
        return _Attempt(standalone, found, composition, mode, model, retrieve_ms, _ms(t0))

    def _compose(
        self,
        question: str,
        focus: str | None,
        passages: list[Passage],
        history: list[Turn],
        as_of: date | None,
        deadline: float | None = None,
        on_draft: Draft | None = None,
    ) -> tuple[Composition, str, str | None]:
        """(composition, mode, model): the LLM's when it works, else the extractive one.

        `passages` are the top ones, relevant or not: the extractive composer names the
        closest stories when it declines; the LLM is given only the relevant ones.
        """
        if self.llm_answerer is not None:
            given = self._relevant(passages)
            if asks_for_more(focus or ""):  # "tell me more": from what was not cited yet
                cited = {c.chunk_id for turn in history for c in turn.citations}
                given = [p for p in given if p.chunk_id not in cited]
                if not given:
                    return Composition(text=NOTHING_MORE, declined=True), "extractive", None
            try:
                composed = self.llm_answerer.compose(
                    question,
                    given,
                    numbers=CitationNumbers(history),
                    today=as_of or date.today(),
                    deadline=deadline,
                    on_draft=on_draft,
                )
                return composed, self.settings.answer_mode, self.llm_answerer.model_name
            except LLMError as exc:
                logger.warning("LLM answer failed, answering extractively: %s", exc)
                fallback = self._extractive(question, focus, passages, history)
                if isinstance(exc, LLMUnusableError):
                    fallback.claims = exc.claims
                    fallback.note = (
                        f"The language model's answer did not hold up: {exc}; "
                        "this is an extractive answer."
                    )
                else:
                    fallback.note = (
                        f"The language model failed ({exc}); this is an extractive answer."
                    )
                return fallback, "extractive", None
        return self._extractive(question, focus, passages, history), "extractive", None

    def _outside_window(
        self, asked: str, standalone: str, filters: Filters | None, as_of: date | None
    ) -> Composition | None:
        """The decline for a question whose date phrase no relevant story falls in ("what
        did the central bank do in october"), naming the closest stories of other days;
        None when the question names no such date or nothing is relevant without it (a
        year's window: the retriever has already searched without it)."""
        window = question_window(standalone, as_of=as_of or date.today())
        if window is None or not window.strict or window.names_year:
            return None
        found = self.retriever.retrieve(
            standalone, filters=filters, as_of=as_of, keep_below_floor=True, windowed=False
        )
        stories = closest_stories(self._relevant(found))
        if not stories:
            return None
        lead = f"I have nothing {window.described()} on this"
        return Composition(text=decline_text(asked, closest=stories, lead=lead), declined=True)

    def _relevant(self, passages: list[Passage]) -> list[Passage]:
        floor = self.composer.relevance_floor
        return [
            p for p in passages if (p.relevance if p.relevance is not None else p.score) >= floor
        ]

    def _extractive(
        self, question: str, focus: str | None, passages: list[Passage], history: list[Turn]
    ) -> Composition:
        seen = [c for turn in history for c in turn.citations]
        return self.composer.compose(
            question, passages, numbers=CitationNumbers(history), focus=focus, seen=seen,
            unsaid_only=asks_for_more(focus or ""),
        )  # fmt: skip


def _unsearched(question: str, reply: str, started: float) -> Answer:
    """A declined answer given without searching: another language, more about nothing."""
    return Answer(
        question=question, standalone_question=question, text=reply, declined=True,
        timings=Timings(total_ms=_ms(started)),
    )  # fmt: skip


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0


def __getattr__(name: str) -> Any:
    # open_newsdesk lives in index.wiring; kept reachable here for bench/answers.py, which
    # runs the same evaluation on older revisions of the code
    if name == "open_newsdesk":
        from index.wiring import open_newsdesk

        return open_newsdesk
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
