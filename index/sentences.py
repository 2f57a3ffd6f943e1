"""Sentence scoring for the extractive composer: which sentences of the passages answer.

A sentence's match is the share of the question it covers, each question word weighted by
how rare it is among the retrieved sentences (IDF): in a long quiz-style question the topic
words ("Apple", "phones") appear everywhere and decide nothing, while the rarer ones
("charging", "standard") point at the sentence that answers. The article's title and the
sentence's neighbours count as context. On top of the match: the passage's retrieval rank,
and whether the sentence carries what the question asks for (a number, a date, a name the
question does not already contain).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from index.citations import STOPWORDS, WORD, sentence_bounds, terms
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
_WANTS_NAME = re.compile(r"\b(?:which|who|whom|whose|what|where)\b", re.I)
_SOURCE_SUFFIX = re.compile(r"\s+[-|–]\s+[^-|–]*$")  # " - CNN", " | CNN Business"
_NOT_A_NAME = frozenset(_MONTHS.lower().split("|") + _DAYS.lower().split("|"))
TOPIC_DISCOUNT = 0.6  # a question word the title already names is the topic, not the ask
TITLE_CONTEXT = 0.75  # a question word only the title has counts this much for the sentence
NEIGHBOUR_CONTEXT = 0.1  # ... and one only the sentence before or after has
RANK_BONUS = (0.12, 0.06, 0.03)  # by the passage's retrieval rank, best first
LEAD_BONUS = 0.08
OWN_WEIGHT = 0.5  # the sentence's own match counts on top of its match with context
HEADLINE_BONUS = 0.2  # ... and one the headline names
ANSWER_BONUS = 0.1  # the sentence names something the question does not (a "which" answer)


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
    """What the question asks for: a number, a date, the current state of things, a name."""

    wants_number: bool
    wants_date: bool
    about_now: bool
    wants_name: bool = False

    @classmethod
    def of(cls, question: str) -> QuestionKind:
        wants_number = bool(_WANTS_NUMBER.search(question))
        wants_date = bool(_WANTS_DATE.search(question))
        return cls(
            wants_number=wants_number,
            wants_date=wants_date,
            about_now=bool(_WANTS_CURRENT.search(question)),
            wants_name=not wants_number and bool(_WANTS_NAME.search(question)),
        )


@dataclass
class Candidate:
    passage: Passage
    rank: int  # of the passage among the relevant ones, 0 = best
    start: int  # offsets into passage.text
    end: int
    terms: set[str]
    own: float  # weighted share of the question's terms in the sentence itself
    coverage: float  # ... counting the article's title and the neighbours as context
    score: float = 0.0

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans worth quoting: four words or more, not a question (which answers none)."""
    return [
        (s, e)
        for s, e in sentence_bounds(text)
        if len(text[s:e].split()) >= 4 and not text[s:e].rstrip('"”’)').endswith("?")
    ]


def headline_names(title: str, asked: set[str]) -> set[str]:
    """Names in the title the question lacks: a news headline names the story's subject,
    the usual answer to a quiz's "which company / which show"."""
    found = set()
    for match in WORD.finditer(_SOURCE_SUFFIX.sub("", title)):
        token = match.group()
        if token[0].isupper() or token[0].isdigit():
            found |= terms(token)
    return found - asked - _NOT_A_NAME


def rarity_weights(
    wanted: dict[str, float], sentence_terms: list[set[str]], titles: list[set[str]]
) -> dict[str, float]:
    """`wanted` scaled by each term's IDF over the retrieved sentences (and titles).

    A term no passage mentions gets the highest IDF, doubled: the articles lack that topic,
    which is what lets an unrelated question fall short of the composer's coverage bar.
    """
    documents = sentence_terms + titles
    df = Counter(t for found in documents for t in found & wanted.keys())
    top = math.log(len(documents) + 1.0)
    return {
        t: w * (math.log((len(documents) + 1.0) / df[t]) + 1.0 if df[t] else 2.0 * (top + 1.0))
        for t, w in wanted.items()
    }


def passage_candidates(
    passage: Passage,
    rank: int,
    spans: list[tuple[int, int]],
    found: list[set[str]],
    wanted: dict[str, float],
) -> list[Candidate]:
    """The passage's sentences (`spans`, their `found` terms) with their match to `wanted`."""
    title_terms = terms(passage.title)
    weights = {t: w * (TOPIC_DISCOUNT if t in title_terms else 1.0) for t, w in wanted.items()}
    total = sum(weights.values()) or 1.0
    out = []
    for i, (start, end) in enumerate(spans):
        near = (found[i - 1] if i > 0 else set()) | (found[i + 1] if i + 1 < len(found) else set())
        own = context = 0.0
        for term, weight in weights.items():
            if term in found[i]:
                own += weight
            elif term in title_terms:
                context += TITLE_CONTEXT * weight
            elif term in near:
                context += NEIGHBOUR_CONTEXT * weight
        out.append(
            Candidate(passage, rank, start, end, found[i], own / total, (own + context) / total)
        )
    return out


def names_something_new(text: str, asked: set[str]) -> bool:
    """Does the sentence name a thing or number the question does not (an answer to "which")?"""
    for i, match in enumerate(WORD.finditer(text)):
        token = match.group()
        if i == 0 or not (token[0].isupper() or token[0].isdigit()):
            continue
        term = token.rstrip(".,").replace(",", "") if token[0].isdigit() else None
        if term is None:
            word = token.lower().strip("'’-.")
            if word in STOPWORDS or word in _NOT_A_NAME or len(word) < 2:
                continue
            term = next(iter(terms(token)), word)
        if term not in asked:
            return True
    return False


def base_score(
    cand: Candidate,
    kind: QuestionKind,
    asked: dict[str, float],
    newest: date | None,
    seen: list[Citation],
) -> float:
    """Match, retrieval rank, and what the question asks for (see the module docstring)."""
    text = cand.text
    score = cand.coverage + OWN_WEIGHT * cand.own + 0.15 * min(max(cand.passage.score, 0.0), 1.0)
    score += RANK_BONUS[cand.rank] if cand.rank < len(RANK_BONUS) else 0.0
    if kind.wants_number and _HAS_NUMBER.search(text):
        score += 0.15
    if kind.wants_date and _HAS_DATE.search(text):
        score += 0.15
    elif kind.wants_date and _HAS_DAY.search(text):
        score += 0.05
    if kind.wants_name and cand.terms & headline_names(cand.passage.title, set(asked)):
        score += HEADLINE_BONUS
    elif kind.wants_name and names_something_new(text, set(asked)):
        score += ANSWER_BONUS
    if cand.passage.start + cand.start == 0:
        score += LEAD_BONUS  # a news lead states the main fact most directly
    names = {t for t, w in asked.items() if w >= 2.0}
    if names & terms(" ".join(text.split()[:5])):
        score += 0.08  # what the question names is the sentence's subject
    if kind.about_now and newest and cand.passage.published == newest:
        score += 0.1
    if already_quoted(cand, seen):
        score -= 0.3  # a follow-up wants what was not said yet
    return score


def already_quoted(cand: Candidate, seen: list[Citation]) -> bool:
    start = cand.passage.start + cand.start
    end = cand.passage.start + cand.end
    return any(
        c.article_id == cand.passage.article_id and c.start < end and start < c.end for c in seen
    )


def redundant(a: Candidate, b: Candidate) -> bool:
    """Near-duplicate sentences (e.g. two outlets reporting the same fact)."""
    smaller = min(len(a.terms), len(b.terms))
    return smaller > 0 and len(a.terms & b.terms) / smaller >= 0.5
