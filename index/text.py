"""Text helpers every part of newsdesk shares: sentences, words, stems, stopwords.

One sentence splitter serves chunking, sentence scoring and answer checking, so a sentence
the composer quotes is always one the chunker kept whole: llama-index's Punkt tokenizer (the
one its `SentenceSplitter` uses, from NLTK), never crossing a paragraph break, with common
abbreviations glued back ("Gen. Guillot"). Spans of a passage are cached, since the same
passages come back for related questions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import Stemmer

WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*\d|\d")
_STOP_TEXT = """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing done down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just let me more most my no nor not now of off on once only or other our out over own said
    same say says she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yet currently today latest still anything tell know many much
    happen happened thing things get got make made go going new news report reported don't
    doesn't didn't isn't aren't wasn't won't can't whats what's who's where's how's when's
    why's whos wheres hows there's it's that's ppl"""
STOPWORDS = frozenset(_STOP_TEXT.split())

# Punkt ends a sentence after these; gluing them to the next piece keeps "Gen. Guillot" whole
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Jr|Sr|St|Prof|No|Vol|U\.S|"
    r"U\.K|D\.C|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Inc|Corp|Co|vs|etc)|\b[A-Z])\.$"
)
# ... and a piece that starts in lower case or with a closing bracket or a comma goes on the
# sentence before it: the one before ended on a quoted question or an abbreviation Punkt
# does not know ("“Where?” he said.", "8 a.m. to 5 p.m.", "Antioch, Tenn. who", "(592 pp.),")
_GOES_ON = re.compile(r"[a-z,;)\]]")
_PARAGRAPH = re.compile(r"\n\s*\n")
_STEMMER = Stemmer.Stemmer("english")
_ABBREVIATED = {"gen": "general", "sen": "senator", "gov": "governor", "rep": "representative"}


@lru_cache(maxsize=1)
def _punkt() -> Any:
    # the untrained Punkt tokenizer llama-index's splitter uses, built from NLTK directly
    # (importing llama-index costs seconds; `ask` never needs it otherwise)
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    return PunktSentenceTokenizer()


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for sep in _PARAGRAPH.finditer(text):
        out.append((pos, sep.start()))
        pos = sep.end()
    out.append((pos, len(text)))
    return out


def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentences of `text` as (start, end) character spans, never crossing a paragraph."""
    spans: list[tuple[int, int]] = []
    punkt = _punkt()
    for lo, hi in _paragraphs(text):
        first = len(spans)  # the paragraph's first sentence
        pending: tuple[int, int] | None = None
        for start, end in punkt.span_tokenize(text[lo:hi]):
            span = (pending[0] if pending else lo + start, lo + end)
            if pending is None and len(spans) > first and _GOES_ON.match(text, span[0]):
                span = (spans.pop()[0], span[1])  # '“Why?” he said.', '8 a.m. to 5 p.m.'
            if _ABBREVIATION_END.search(text[span[0] : span[1]]):
                pending = span
                continue
            spans.append(span)
            pending = None
        if pending is not None:
            spans.append(pending)
    return tuple(spans)


@lru_cache(maxsize=4096)
def sentence_spans(passage: str) -> tuple[tuple[int, int], ...]:
    """`split_sentences` of a retrieved passage, cached (passages recur across questions)."""
    return split_sentences(passage)


def normalise(token: str) -> str:
    """Lower case, no possessive, abbreviations spelled out ("Gen." → "general")."""
    word = token.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'-.")
    return _ABBREVIATED.get(word, word)


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The Snowball (Porter 2) stem of a normalised word: "batteries" → "batteri"."""
    return str(_STEMMER.stemWord(normalise(token)))


def terms(text: str) -> set[str]:
    """The content words of `text`, stemmed (numbers keep their digits)."""
    return {term for term in map(_term, WORD.findall(text)) if term is not None}


@lru_cache(maxsize=1 << 17)
def _term(token: str) -> str | None:
    """The term one token of `terms` stands for, or None for a stopword. Cached by token:
    a whole article is read per question (the subject check), and its words recur."""
    token = token.rstrip(".,")
    if token[0].isdigit():
        return token.replace(",", "")
    word = normalise(token)
    return stem(word) if len(word) > 1 and word not in STOPWORDS else None
