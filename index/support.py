"""Does a passage support a sentence? The claim-level judge of generated answers.

A language model's sentence is trusted only as far as the passage it cites says the same
thing. Two signals, both cheap and offline:

- **wording**: every specific word of the sentence (names, places, numbers, rare words, as
  `index.grounding` reads a question's subject) must be in the passage, and three quarters
  of its content words (names and numbers counting double, as the extractive composer
  weighs a question) must be in the passage sentence(s) it best matches — unless they mean
  nearly the same. Outside knowledge ("founded in 1887") fails here: the year is not in
  the passage.
- **meaning**: the cosine, by the store's embedding model, of the sentence to the passage's
  closest sentence (or pair of sentences), so a close paraphrase counts. Without an
  embedding model the wording alone decides, with a stricter bar.

A sentence whose negation or direction differs from its best match ("did not approve"
against "approved", "rose" against "fell") is not supported. This is a judge by rules, not
an NLI model: how often it agrees with a person is measured on hand-labelled pairs
(tests/fixtures/support_pairs*.jsonl; figures in docs/benchmarks.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.grounding import NAME_ZIPF, _variant_present, article_terms, specific_words, zipf
from index.models import Passage, Similarity
from index.sentences import weighted_terms
from index.text import WORD, normalise, sentence_spans, stem, terms

SUPPORTED = 0.6  # the combined score at or above which a passage supports a sentence
WORDING_ONLY = 0.7  # ... the bar for the wording share when no embedding model is given
# and at least this share of the sentence's (weighted) content words must be in the passage
# sentence(s) it best matches: a long generated sentence stitched from words all over the
# passage, or the passage's words plus a made-up clause, scores high on meaning
# (docs/benchmarks.md: SmolLM2's sentences)
WORDING_FLOOR = 0.75
SAME_MEANING = 0.85  # ... unless its closest passage sentence means nearly the same
MEANING_WEIGHT = 0.5  # share of the combined score that is meaning (the rest is wording)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|neither|nor|cannot)\b|n[’']t\b", re.I)
NEGATION_REACH = 3  # words after "not" in which the negated word stands
# words of direction: a sentence that says "rose" where its passage says "fell" contradicts it
_UP_WORDS = """rise rose risen raise raised increase increased up higher gain gained climb climbed
    grow grew grown jump jumped hike hiked"""
_DOWN_WORDS = """fall fell fallen lower lowered decrease decreased down cut cuts drop dropped
    decline declined shrink shrank ease eased slash slashed reduce reduced"""
_UP = frozenset(stem(w) for w in _UP_WORDS.split())  # noqa: SIM905 (a word list, as text)
_DOWN = frozenset(stem(w) for w in _DOWN_WORDS.split())  # noqa: SIM905


@dataclass(frozen=True)
class Support:
    """How well one passage supports one sentence, and the passage's span that does."""

    score: float
    wording: float  # weighted share of the sentence's content words in the passage
    meaning: float | None
    missing: tuple[str, ...]  # the sentence's specific words the passage lacks
    span: tuple[int, int]  # offsets into passage.text of the best-matching sentence(s)
    near: float = 0.0  # ... share of them in those sentence(s) (and the title)

    @property
    def supported(self) -> bool:
        worded = self.near >= WORDING_FLOOR or (self.meaning or 0.0) >= SAME_MEANING
        return not self.missing and self.score >= SUPPORTED and worded


class SupportChecker:
    """Judges (sentence, passage) pairs; see the module docstring."""

    def __init__(self, *, similarity: Similarity | None = None) -> None:
        self.similarity = similarity

    def check(self, sentence: str, passage: Passage) -> Support:
        """How well `passage` supports `sentence`."""
        return self.check_all(sentence, [passage])[0]

    def check_all(self, sentence: str, passages: list[Passage]) -> list[Support]:
        """How well each of `passages` supports `sentence` (one embedding call for all)."""
        windows = [_windows(p.text) for p in passages]
        meanings: list[float] | None = None
        if self.similarity is not None:
            texts = [p.text[s:e] for p, spans in zip(passages, windows) for s, e in spans]
            meanings = self.similarity(sentence, texts) if texts else []
        out, at = [], 0
        for passage, spans in zip(passages, windows):
            cosines = meanings[at : at + len(spans)] if meanings is not None else None
            at += len(spans)
            out.append(self._judge(sentence, passage, spans, cosines))
        return out

    def _judge(
        self,
        sentence: str,
        passage: Passage,
        spans: list[tuple[int, int]],
        cosines: list[float] | None,
    ) -> Support:
        wanted = weighted_terms(sentence)
        found = terms(passage.text) | terms(passage.title) | _date_terms(passage)
        total = sum(wanted.values())
        wording = sum(w for t, w in wanted.items() if t in found) / total if total else 0.0
        missing = _lacking(sentence, passage)
        if not spans:
            return Support(0.0, wording, None, missing, (0, 0))
        if cosines:
            best = max(range(len(spans)), key=lambda i: cosines[i])
            meaning: float | None = max(cosines[best], 0.0)
            score = (1 - MEANING_WEIGHT) * wording + MEANING_WEIGHT * (meaning or 0.0)
        else:
            best = max(
                range(len(spans)), key=lambda i: len(terms(_at(passage, spans[i])) & set(wanted))
            )
            meaning = None
            score = wording * SUPPORTED / WORDING_ONLY
        window = _at(passage, spans[best])
        if _contradicts(sentence, window):
            score = min(score, SUPPORTED - 0.01)
        close = terms(window) | terms(passage.title) | _date_terms(passage)
        near = sum(w for t, w in wanted.items() if t in close) / total if total else 0.0
        return Support(
            round(score, 4), round(wording, 4), meaning, missing, spans[best], round(near, 4)
        )


def _at(passage: Passage, span: tuple[int, int]) -> str:
    return passage.text[span[0] : span[1]]


def _windows(text: str) -> list[tuple[int, int]]:
    """Each sentence of `text`, and each pair of neighbours (a claim may join two)."""
    spans = list(sentence_spans(text)) or ([(0, len(text))] if text.strip() else [])
    pairs = [(a[0], b[1]) for a, b in zip(spans, spans[1:])]
    return spans + pairs


def _date_terms(passage: Passage) -> set[str]:
    """The passage's publication date in words: "As of 12 February 2025, …" cites it."""
    day = passage.published
    return terms(f"{day.day} {day:%B %Y}") if day else set()


def _lacking(sentence: str, passage: Passage) -> tuple[str, ...]:
    """The sentence's names, numbers and very rare words that the passage lacks.

    A name or number may be in the passage in another form ("Mexican" for "Mexico", 13.5
    for 13); the less specific words only count towards the wording share.
    """
    found = set(article_terms(passage.text) | article_terms(passage.title)) | _date_terms(passage)
    lower = passage.text.lower()
    out = []
    for word in specific_words(sentence):
        strict = word[0].isdigit() or word[0].isupper() or zipf(normalise(word)) < NAME_ZIPF
        if strict and not _variant_present(normalise(word), found) and word.lower() not in lower:
            out.append(word)
    return tuple(out)


def _negated_terms(text: str) -> set[str]:
    """The first content word after each "not" / "never" / "n't" of `text`, stemmed."""
    out = set()
    for match in _NEGATION.finditer(text):
        after = [m.group() for m in WORD.finditer(text, match.end())][:NEGATION_REACH]
        for word in after:
            if found := terms(word):
                out |= found
                break
    return out


def _contradicts(sentence: str, window: str) -> bool:
    """Negation or direction that differs between the sentence and its best match."""
    claim, there = terms(sentence), terms(window)
    negated, denied = _negated_terms(sentence), _negated_terms(window)
    if negated - denied or (denied & claim) - negated:
        return True
    for one, other in ((_UP, _DOWN), (_DOWN, _UP)):
        if claim & one and not there & one and there & other:
            return True
    return False
