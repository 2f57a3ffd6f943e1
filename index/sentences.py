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
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from index.asks import DAYS, MONTHS, NOT_A_NAME, QuestionKind, answer_nearness, offers
from index.models import Citation, Passage
from index.text import WORD, sentence_spans, terms

_SOURCE_SUFFIX = re.compile(r"\s+[-|–]\s+[^-|–]*$")  # " - CNN", " | CNN Business"
# what is never quoted as an answer: photo credits and captions, list items, link furniture
_CREDIT = re.compile(
    r"Getty Images|AP Photo|/AFP\b|\bAFP/|Reuters/|/Reuters|Shutterstock|\bPhotos?:|\bImage:|"
    r"\bCredit:|Courtesy of|Photo(?:graph)?s? (?:by|courtesy)|\bFILE\b|/Pool\b|\bPool/|"
    r"[A-Za-z]/[A-Z][\w. ]*/[A-Z]|\b[Ii]n (?:this|an?) (?:photo|image|file)\b|\bpictured\b|"
    r"\(Photo\b|via Getty|"
    # "… is seen covered in ice", not "… is seen as a rising star"
    r"\b(?:is|are) (?:seen|shown)\b(?! as (?:a|an|one|being|likely)\b| to\b| that\b)|"
    # a caption's own opening: "This aerial photograph taken from a helicopter shows …"
    r"^(?:This|The|A|An)\b[^,.]{0,30}\b(?:photograph|photo|picture|image)s? "
    r"(?:taken|shows|showing|released|provided)\b|"
    # a gallery caption opens with its photographer's credit: "Jeff Dean/AP New York Jets QB
    # Mike White celebrates …", "Matthew Busch for CNN A prayer vigil is held …"
    r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){1,3}(?:/(?:AP|AFP|Reuters|REUTERS|CNN|Getty Images|"
    r"USA Today|USA TODAY|Bloomberg|EPA|NASA|USGS|Shutterstock|Sipa|ZUMA|The Canadian Press)| "
    r"for CNN| via (?:AP|Reuters|Getty Images))\b|"
    # who stands where in the picture: "From left are Hillary Clinton, Albright, Henry
    # Kissinger …", "Christine McVie (left) and Stevie Nicks perform …" (64 corpus sentences,
    # each describing a picture)
    r"^(?:From (?:left|right)|(?:Left|Right) to (?:right|left)|Clockwise from)\b|"
    r"\((?:from )?(?:left|right|center|centre)(?: to (?:right|left))?\)|\bfrom left,",
)
# a photo's day and place closing the sentence: "Snow blankets a neighborhood, December 25,
# 2022, in Buffalo, New York." Only the closing form: a date followed by a comma is just as
# often prose ("On Feb. 22, 2018, teachers across West Virginia went on strike"), and in the
# RealTime QA articles ~1,400 such sentences had been left out, most of them prose.
_CAPTION_MONTHS = "Jan|Feb|Aug|Sept?|Oct|Nov|Dec"  # abbreviations that are no other word
_CAPTION_DATE = re.compile(
    rf"^(?!.*\bborn\b).*\b(?:{MONTHS}|{_CAPTION_MONTHS})\.? \d{{1,2}}, (?:19|20)\d\d,? "
    r"(?:in|at) [A-Z][\w.'’-]*(?:,? [A-Z][\w.'’-]*)*\.[\"”’]?$",
    re.S,
)
# a photo's place and day closing the sentence: "Protesters gather in Wuhan, Beijing and
# Shanghai on November 26." (753 sentences of the 656,794 of the RealTime QA articles end so;
# every one of a sample of 25 was a caption)
_CAPTION_PLACE = re.compile(
    r"\b(?:in|at|near|outside) [A-Z][\w.'’ -]+, [A-Z][\w.'’ -]+,? "
    rf"on (?:{MONTHS}|(?:{_CAPTION_MONTHS})\.|{DAYS})[^.]{{0,20}}\.[\"”’]?$"
)
_LIST_ITEM = re.compile(r"^\s*(?:[•·▪●■◦*►>-]|\d{1,2}[.)]\s|\[\d+\]|[A-Z]\)\s)")
_FURNITURE = re.compile(
    r"^(?:Read (?:more|also)|Related|Sign up|Subscribe|Click|Watch|Listen|Follow|Share|"
    r"Advertisement|Story continues|Get (?:the|our))\b|\b(?:click here|sign up for)\b",
    re.I,
)
_TERMINAL = re.compile(r"[.!][\"”’)\]]*$")
# matched at a sentence's start (`match(text, start)`; "^" would only match at the text's
# start, and miss a dateline after a byline paragraph)
_DATELINE = re.compile(
    # "(CNN) ", "Jackson, Wyoming (CNN) ", "New York (CNN Business) "
    r"(?:(?:[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}"
    r"(?:, [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2})? )?"
    r"\((?:CNN|AP|Reuters|CNN Business|AFP)[^)]*\)\s*[—–-]*\s*|"
    r"[A-Z][A-Z .,\'-]{2,40}(?:\([A-Za-z .]+\))?\s*[—–-]+\s*)"
)
TOPIC_DISCOUNT = 0.6  # a question word the title already names is the topic, not the ask
TITLE_CONTEXT = 0.75  # a question word only the title has counts this much for the sentence
NEIGHBOUR_CONTEXT = 0.1  # ... and one only the sentence before or after has
RANK_BONUS = (1.0, 0.5, 0.25)  # by the passage's retrieval rank, best first
# weights of a sentence's features (`features`); "semantic" is cosine(question, sentence)
WEIGHTS = {
    "coverage": 1.0,
    "own": 0.5,  # the sentence's own match counts on top of its match with context
    "retrieval": 0.15,
    "rank": 0.12,
    "offers": 0.15,  # the sentence offers the kind of thing asked for (a number, a date)
    "lacks_offer": -0.3,  # ... or lacks what a number, date or name question needs
    "proximity": 0.1,  # the question's words stand together in it ("Mexican President")
    "answer_near": 0.1,  # what is asked for stands next to them ("37 people")
    "headline_name": 0.2,  # it names what the headline names, for a "which" question
    "lead": 0.08,
    "named_subject": 0.08,
    "newest": 0.1,
    "quoted_before": -0.3,
    "semantic": 0.5,
}


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
    features: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


@lru_cache(maxsize=4096)
def sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans worth quoting as an answer, a leading dateline ("(CNN) ") left out.
    Cached like `sentence_spans`: a passage's spans are asked for by each of its candidates
    (`opens_story`) and again when a neighbour is quoted."""
    out = []
    for start, end in sentence_spans(text):
        dateline = _DATELINE.match(text, start, end)
        if dateline and dateline.end() < end:
            start = dateline.end()
        if quotable(text[start:end]):
            out.append((start, end))
    return tuple(out)


def quotable(sentence: str) -> bool:
    """A whole statement: four words or more, ends like a sentence, not a question, not a
    caption, photo credit, heading, list item or link furniture."""
    return (
        len(sentence.split()) >= 4
        and bool(_TERMINAL.search(sentence))
        and not _LIST_ITEM.match(sentence)
        and not _CREDIT.search(sentence)
        and not _CAPTION_DATE.search(sentence)
        and not _CAPTION_PLACE.search(sentence)
        and not _FURNITURE.search(sentence)
        and sum(c.isupper() for c in sentence) < 0.5 * sum(c.isalpha() for c in sentence)
    )


def headline_names(title: str, asked: set[str]) -> set[str]:
    """Names in the title the question lacks: a news headline names the story's subject,
    the usual answer to a quiz's "which company / which show"."""
    found = set()
    for match in WORD.finditer(_SOURCE_SUFFIX.sub("", title)):
        token = match.group()
        if token[0].isupper() or token[0].isdigit():
            found |= terms(token)
    return found - asked - NOT_A_NAME


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
    spans: tuple[tuple[int, int], ...],
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


def features(
    cand: Candidate,
    kind: QuestionKind,
    asked: dict[str, float],
    newest: date | None,
    seen: list[Citation],
    variants: dict[str, str] | None = None,
) -> dict[str, float]:
    """What the score of a sentence is made of (see the module docstring); `variants` maps
    words of the passages to the question's ("mexican" → "mexico")."""
    text = cand.text
    variants = variants or {}
    offered = offers(text, kind, set(asked))
    names = {t for t, w in asked.items() if w >= 2.0}
    opening = terms(" ".join(text.split()[:5]))
    # a "which show" question whose answer the headline names ("Squid Game" renewed); when
    # the question already names the headline's subject, the answer is something else
    headline = (
        kind.wants_name
        and not headline_names(cand.passage.title, set()) & set(asked)
        and cand.terms & headline_names(cand.passage.title, set(asked))
    )
    return {
        "coverage": cand.coverage,
        "own": cand.own,
        "retrieval": min(max(cand.passage.score, 0.0), 1.0),
        "rank": RANK_BONUS[cand.rank] if cand.rank < len(RANK_BONUS) else 0.0,
        "offers": offered,
        # a "how many" sentence without a number answers nothing
        "lacks_offer": float(
            (not offered and kind.wanted in ("number", "date", "name"))
            or (offered < 1.0 and kind.measure is not None)
        ),
        "proximity": proximity(text, set(asked), variants),
        "answer_near": answer_nearness(text, kind, set(asked), variants),
        "headline_name": float(bool(headline)),
        "lead": float(opens_story(cand)),  # a news lead states the fact
        # what the question names is the sentence's subject
        "named_subject": float(bool(names & (opening | {variants.get(t, t) for t in opening}))),
        "newest": float(bool(kind.about_now and newest and cand.passage.published == newest)),
        "quoted_before": float(already_quoted(cand, seen)),  # a follow-up wants the unsaid
    }


def opens_story(cand: Candidate) -> bool:
    """Is `cand` the story's first sentence worth quoting? A byline paragraph ("Andrea
    Mandell") or a dateline may come before it, as in one article of five here."""
    if cand.passage.start != 0:
        return False
    spans = sentences(cand.passage.text)
    return bool(spans) and cand.start == spans[0][0]


def weighted(found: dict[str, float]) -> float:
    """A sentence's score: the weighted sum of its `features`."""
    return sum(WEIGHTS[name] * value for name, value in found.items())


def proximity(text: str, asked: set[str], variants: dict[str, str] | None = None) -> float:
    """k / w for the shortest run of w words holding all k question terms the sentence has
    (k >= 2); 0 when it has fewer. Terms that stand together describe one thing."""
    positions = []
    for i, match in enumerate(WORD.finditer(text)):
        found = {(variants or {}).get(t, t) for t in terms(match.group())} & asked
        if found:
            positions.append((i, min(found)))  # min: the same pick in every process
    wanted = {t for _, t in positions}
    if len(wanted) < 2:
        return 0.0
    best, counts, lo = len(positions) * 100, {}, 0  # type: ignore[var-annotated]
    for pos, term in positions:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == len(wanted):
            best = min(best, pos - positions[lo][0] + 1)
            left = positions[lo][1]
            counts[left] -= 1
            if not counts[left]:
                del counts[left]
            lo += 1
    return len(wanted) / best


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
