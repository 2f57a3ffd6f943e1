"""Extractive answering: the sentences of the retrieved passages that answer the question.

Offline and cheap (no model call; ~1 ms for eight passages): sentences are scored by how
much of the question they cover (the article's title counting as context), the passage's
retrieval score, and whether they carry what the question asks for (a number, a date).
Embedding each sentence was tried and dropped: MiniLM on a dozen sentences costs more
than the whole latency budget.
The best one to three become the answer, each cited `[n]` with its exact character span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from index.citations import (
    WORD,
    CitationNumbers,
    add_marker,
    make_citation,
    sentence_bounds,
    terms,
)
from index.models import Citation, Passage

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion"
)
_HAS_NUMBER = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_HAS_DATE = re.compile(rf"\b(?:{_MONTHS}|(?:19|20)\d\d)\b")
_HAS_DAY = re.compile(rf"\b(?:{_DAYS}|yesterday|tomorrow|today)\b")
_WANTS_NUMBER = re.compile(
    r"\bhow (?:many|much|big|large|long|far|old|high)\b"
    r"|\bwhat (?:number|percent|share|rate|price|cost|temperature)",
    re.I,
)
_WANTS_DATE = re.compile(r"\bwhen\b|\bwhat (?:date|day|year|time)\b", re.I)
_WANTS_CURRENT = re.compile(
    r"\b(?:now|currently|current|at the moment|today|so far|latest|still|how many)\b", re.I
)
TOPIC_DISCOUNT = 0.6
# sentence openers that read fine in lower case after "As of <date>, "
_LOWERABLE_START = re.compile(
    r"^(?:The|A|An|About|Roughly|Around|Some|Nearly|More|Only|There|It|Its|Most|Almost)\b"
)


def weighted_terms(question: str, *, focus: str | None = None) -> dict[str, float]:
    """Question terms with weights: names and numbers count double, `focus` terms too.

    `focus` is the user's own words when `question` is a follow-up made standalone: what
    they just asked matters more than the topic carried over from earlier turns.
    """
    weights: dict[str, float] = {}
    for i, match in enumerate(WORD.finditer(question)):
        token = match.group()
        for term in terms(token):
            is_name = (i > 0 and token[0].isupper()) or token.isupper() or token[0].isdigit()
            weights[term] = max(weights.get(term, 0.0), 2.0 if is_name else 1.0)
    for term in terms(focus or "") & weights.keys():
        weights[term] *= 2.0
    return weights


@dataclass(frozen=True)
class QuestionKind:
    """What the question asks for: a number, a date, the current state of things."""

    wants_number: bool
    wants_date: bool
    about_now: bool

    @classmethod
    def of(cls, question: str) -> QuestionKind:
        return cls(
            wants_number=bool(_WANTS_NUMBER.search(question)),
            wants_date=bool(_WANTS_DATE.search(question)),
            about_now=bool(_WANTS_CURRENT.search(question)),
        )


@dataclass
class Candidate:
    passage: Passage
    start: int  # offsets into passage.text
    end: int
    terms: set[str]
    own: float  # weighted share of the question's terms in the sentence itself
    coverage: float  # ... counting the article's title as context
    score: float = 0.0


@dataclass
class Composition:
    """An answer's text and citations before the service adds question, timings, mode."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    declined: bool = False
    note: str | None = None


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def decline_text(question: str) -> str:
    """The honest answer when no retrieved passage answers the question."""
    asked = " ".join(question.split()).rstrip("?.! ")
    return (
        f"The articles I have don't say. I found nothing that answers “{asked}”, so I won't guess."
    )


class ExtractiveComposer:
    """Composes a short cited answer from passages; see the module docstring."""

    def __init__(
        self,
        *,
        relevance_floor: float,
        max_sentences: int = 2,
        min_coverage: float = 0.5,
    ) -> None:
        self.relevance_floor = relevance_floor
        self.max_sentences = max_sentences
        self.min_coverage = min_coverage

    def compose(
        self,
        question: str,
        passages: list[Passage],
        *,
        numbers: CitationNumbers,
        focus: str | None = None,
        seen: list[Citation] | None = None,
    ) -> Composition:
        """The best sentences as a cited answer, or a decline when none is relevant.

        `focus`: the user's own words of a follow-up; `seen`: citations of earlier turns,
        which a follow-up should not simply repeat.
        """
        kind = QuestionKind.of(question)
        relevant = [p for p in passages if p.score >= self.relevance_floor]
        wanted = _weigh_unknown(weighted_terms(question, focus=focus), relevant)
        needed = terms(focus or "") & wanted.keys()
        candidates = [
            c
            for c in self._score(wanted, kind, relevant, seen or [])
            if c.coverage >= self.min_coverage and _mentions_any(c, needed)
        ]
        chosen = self._select(candidates, kind)
        if not chosen:
            return Composition(text=decline_text(focus or question), declined=True)
        return _render(chosen, kind, numbers)

    def _score(
        self,
        wanted: dict[str, float],
        kind: QuestionKind,
        passages: list[Passage],
        seen: list[Citation],
    ) -> list[Candidate]:
        """Every sentence of every passage, scored, best first."""
        if not wanted:
            return []
        newest = max((p.published for p in passages if p.published), default=None)
        names = {t for t, w in wanted.items() if w >= 2.0}
        out = []
        for passage in passages:
            title_terms = terms(passage.title)
            # what the title already names is the topic; the rest is the specific ask
            weights = {
                t: w * (TOPIC_DISCOUNT if t in title_terms else 1.0) for t, w in wanted.items()
            }
            total = sum(weights.values())
            for start, end in _sentences(passage.text):
                found = terms(passage.text[start:end])
                own = sum(w for t, w in weights.items() if t in found) / total
                ctx = sum(w for t, w in weights.items() if t in title_terms and t not in found)
                cand = Candidate(passage, start, end, found, own, own + 0.75 * ctx / total)
                cand.score = _base_score(cand, kind, names, newest, seen)
                out.append(cand)
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def _select(self, candidates: list[Candidate], kind: QuestionKind) -> list[Candidate]:
        """The best sentence, plus close runners-up that add something."""
        if not candidates:
            return []
        best = candidates[0]
        chosen = [best]
        if len(best.terms) < 6:  # a short lead-in ("Mexico has moved troops of its own.")
            chosen += _next_sentence(best)
        for cand in candidates[1:]:
            if len(chosen) >= self.max_sentences or cand.score < 0.85 * best.score:
                break
            if cand.own < max(0.5, 0.8 * best.own):
                continue
            if any(_redundant(cand, other) for other in chosen):
                continue
            if kind.about_now and cand.passage.article_id != best.passage.article_id:
                continue  # an older report's figure would muddle "how many now"
            chosen.append(cand)
        return chosen


def _next_sentence(cand: Candidate) -> list[Candidate]:
    """The sentence after `cand` in its passage, if any, to complete a short one."""
    for start, end in _sentences(cand.passage.text):
        if start >= cand.end:
            found = terms(cand.passage.text[start:end])
            return [Candidate(cand.passage, start, end, found, cand.own, cand.coverage)]
    return []


def _weigh_unknown(wanted: dict[str, float], passages: list[Passage]) -> dict[str, float]:
    """Terms that no retrieved passage mentions weigh double: the articles lack that topic."""
    known: set[str] = set()
    for passage in passages:
        known |= terms(passage.title) | terms(passage.text)
    return {t: w if t in known else 2.0 * w for t, w in wanted.items()}


def _mentions_any(cand: Candidate, needed: set[str]) -> bool:
    """A follow-up must be answered on its own terms, not only the carried-over topic."""
    return not needed or bool(needed & (cand.terms | terms(cand.passage.title)))


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e in sentence_bounds(text) if len(text[s:e].split()) >= 4]


def _base_score(
    cand: Candidate,
    kind: QuestionKind,
    names: set[str],
    newest: date | None,
    seen: list[Citation],
) -> float:
    text = cand.passage.text[cand.start : cand.end]
    score = cand.coverage + 0.15 * min(max(cand.passage.score, 0.0), 1.0)
    if kind.wants_number and _HAS_NUMBER.search(text):
        score += 0.15
    if kind.wants_date and _HAS_DATE.search(text):
        score += 0.15
    elif kind.wants_date and _HAS_DAY.search(text):
        score += 0.05
    if cand.passage.start + cand.start == 0:
        score += 0.03  # a news lead states the main fact most directly
    if names & terms(" ".join(text.split()[:5])):
        score += 0.08  # what the question names is the sentence's subject
    if kind.about_now and newest and cand.passage.published == newest:
        score += 0.1
    if _already_quoted(cand, seen):
        score -= 0.3  # a follow-up wants what was not said yet
    return score


def _already_quoted(cand: Candidate, seen: list[Citation]) -> bool:
    start = cand.passage.start + cand.start
    end = cand.passage.start + cand.end
    return any(
        c.article_id == cand.passage.article_id and c.start < end and start < c.end for c in seen
    )


def _redundant(a: Candidate, b: Candidate) -> bool:
    """Near-duplicate sentences (e.g. two outlets reporting the same fact)."""
    smaller = min(len(a.terms), len(b.terms))
    return smaller > 0 and len(a.terms & b.terms) / smaller >= 0.5


def _render(chosen: list[Candidate], kind: QuestionKind, numbers: CitationNumbers) -> Composition:
    """Sentences in order of relevance, each with its marker; one citation per passage."""
    spans: dict[str, tuple[int, int]] = {}
    for cand in chosen:
        lo, hi = spans.get(cand.passage.chunk_id, (cand.start, cand.end))
        spans[cand.passage.chunk_id] = (min(lo, cand.start), max(hi, cand.end))
    citations: dict[str, Citation] = {}
    sentences = []
    for i, cand in enumerate(chosen):
        passage = cand.passage
        if passage.chunk_id not in citations:
            lo, hi = spans[passage.chunk_id]
            citations[passage.chunk_id] = make_citation(
                numbers.number_for(passage), passage, lo, hi, score=cand.score
            )
        sentence = " ".join(passage.text[cand.start : cand.end].split())
        sentence = _dated(sentence, passage, chosen[0].passage, first=i == 0, kind=kind)
        sentences.append(add_marker(sentence, citations[passage.chunk_id].number))
    return Composition(text=" ".join(sentences), citations=list(citations.values()))


def _dated(
    sentence: str, passage: Passage, lead: Passage, *, first: bool, kind: QuestionKind
) -> str:
    """Say when, for questions about the current state ("As of 12 February 2025, …")."""
    if not kind.about_now or passage.published is None:
        return sentence
    if not first and passage.published == lead.published:
        return sentence
    prefix = "As of" if first else "On"
    if _LOWERABLE_START.match(sentence):
        sentence = sentence[0].lower() + sentence[1:]
    return f"{prefix} {long_date(passage.published)}, {sentence}"
