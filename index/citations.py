"""Citations: stable numbering across a conversation, markers, and an answer's sentences.

How a generated answer's sentences are checked against the passages they cite is
`index.claims`; this module holds what that and the extractive composer share.
"""

from __future__ import annotations

import re

from index.models import Citation, Passage, Turn
from index.text import sentence_spans

CONTEXT_SENTENCES = 2  # sentences of the cited passage shown on each side of a quote
CONTEXT_CHARS = 600  # ... at most this many characters on each side

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_TERMINAL = re.compile(r"([.!?][\"”’)]*)$")


class CitationNumbers:
    """Hands out citation numbers that stay stable within a conversation.

    A source cited as [2] in an earlier turn (same chunk, or else same article) keeps 2;
    new sources get the next free numbers.
    """

    def __init__(self, history: list[Turn] | None = None) -> None:
        self._by_chunk: dict[str, int] = {}
        self._by_article: dict[str, int] = {}
        self._taken: dict[int, str] = {}  # number → chunk id, within this answer
        self._next = 1
        for turn in history or []:
            for citation in turn.citations:
                self._by_chunk.setdefault(citation.chunk_id, citation.number)
                self._by_article.setdefault(citation.article_id, citation.number)
                self._next = max(self._next, citation.number + 1)

    def number_for(self, passage: Passage) -> int:
        for number in (
            self._by_chunk.get(passage.chunk_id),
            self._by_article.get(passage.article_id),
        ):
            if number is not None and self._taken.get(number, passage.chunk_id) == passage.chunk_id:
                self._taken[number] = passage.chunk_id
                return number
        number = self._next
        self._next += 1
        self._by_chunk[passage.chunk_id] = number
        self._by_article.setdefault(passage.article_id, number)
        self._taken[number] = passage.chunk_id
        return number


def make_citation(number: int, passage: Passage, start: int, end: int, *, score: float) -> Citation:
    """A citation quoting `passage.text[start:end]`, with offsets into the article and the
    passage's sentences around the quote."""
    before, after = quote_context(passage.text, start, end)
    return Citation(
        number=number,
        article_id=passage.article_id,
        title=passage.title,
        source=passage.source,
        published=passage.published,
        url=passage.url,
        chunk_id=passage.chunk_id,
        quote=passage.text[start:end],
        start=passage.start + start,
        end=passage.start + end,
        score=score,
        before=before,
        after=after,
    )


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """Up to `CONTEXT_SENTENCES` whole sentences of `text` before `start` and after `end`
    (each side at most `CONTEXT_CHARS`, whole sentences dropped from the far end first)."""
    spans = sentence_spans(text)
    before = [(s, e) for s, e in spans if e <= start][-CONTEXT_SENTENCES:]
    after = [(s, e) for s, e in spans if s >= end][:CONTEXT_SENTENCES]
    while before and start - before[0][0] > CONTEXT_CHARS:
        before = before[1:]
    while after and after[-1][1] - end > CONTEXT_CHARS:
        after = after[:-1]
    lead = " ".join(text[before[0][0] : start].split()) if before else ""
    rest = " ".join(text[end : after[-1][1]].split()) if after else ""
    return lead, rest


def add_marker(sentence: str, number: int) -> str:
    """`text [n].` — the marker goes before the sentence's final punctuation."""
    match = _TERMINAL.search(sentence)
    if match and match.group(1).startswith("."):
        return f"{sentence[: match.start()]} [{number}]{match.group(1)}"
    return f"{sentence} [{number}]"


def split_claims(text: str) -> list[str]:
    """An answer's sentences; a marker that starts a sentence belongs to the previous one."""
    text = text.strip()
    pieces = [text[s:e].strip() for s, e in sentence_spans(text)]
    claims: list[str] = []
    for piece in pieces:
        lead = re.match(r"^(?:\[\d+(?:\s*,\s*\d+)*\]\s*)+", piece)
        if lead and claims:
            claims[-1] += " " + lead.group().strip()
            piece = piece[lead.end() :].strip()
        if piece:
            claims.append(piece)
    return claims


def marker_list(numbers: list[int], *, none: str) -> str:
    """`[1][2]`, or `none` for no numbers: a claim check's markers as a reviewer reads them."""
    return "".join(f"[{n}]" for n in numbers) or none


def with_markers(sentence: str, numbers: list[int], *, suffix: str = "") -> str:
    """`text [1] [2].` — markers (and `suffix`) go before the sentence's final full stop."""
    marked = sentence
    match = _TERMINAL.search(sentence)
    tail = ""
    if match and match.group(1).startswith("."):
        marked, tail = sentence[: match.start()], match.group(1)
    return marked + "".join(f" [{n}]" for n in numbers) + (f" {suffix}" if suffix else "") + tail
