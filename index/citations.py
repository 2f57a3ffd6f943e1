"""Citations: stable numbering across a conversation, and checking an LLM's [n] markers.

An LLM answer is only trusted as far as its citations go: markers to passages it was not
given are removed, a sentence left without a valid marker is dropped, an answer left with
nothing is a refusal, and each kept claim is checked against its passage (lexical overlap),
marking weak support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.models import Citation, Passage, Turn
from index.text import sentence_spans, terms

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_TERMINAL = re.compile(r"([.!?][\"”’)]*)$")
WEAK_SUPPORT = 0.5  # share of a claim's content words found in the cited passage


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
    """A citation quoting `passage.text[start:end]`, with offsets into the article."""
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
    )


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


@dataclass
class Checked:
    """The outcome of checking an LLM answer against the passages it was given."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped_sentences: list[str] = field(default_factory=list)
    unknown_numbers: list[int] = field(default_factory=list)

    @property
    def declined(self) -> bool:
        return not self.citations

    def note(self) -> str | None:
        parts = []
        if self.unknown_numbers:
            bad = ", ".join(f"[{n}]" for n in self.unknown_numbers)
            parts.append(f"removed citations to sources that were not retrieved: {bad}")
        if self.dropped_sentences:
            count = len(self.dropped_sentences)
            parts.append(f"removed {count} sentence(s) without a valid citation")
        return "; ".join(parts) or None


def check_answer(text: str, sources: dict[int, Passage], *, numbers: CitationNumbers) -> Checked:
    """Validate an LLM answer citing `sources` by prompt number; renumber to `numbers`."""
    checked = Checked(text="")
    cited: dict[int, Citation] = {}  # prompt number → citation
    kept: list[str] = []
    for claim in split_claims(text):
        valid: list[int] = []
        for match in MARKER.finditer(claim):
            for n in (int(x) for x in match.group(1).split(",")):
                if n in sources and n not in valid:
                    valid.append(n)
                elif n not in sources and n not in checked.unknown_numbers:
                    checked.unknown_numbers.append(n)
        bare = MARKER.sub("", claim).strip()
        if not valid or not terms(bare):
            checked.dropped_sentences.append(bare)
            continue
        for n in valid:
            citation = cited.get(n) or _cite(bare, sources[n], numbers)
            if _support(bare, sources[n]) < WEAK_SUPPORT:
                citation.weak_support = True
            cited[n] = citation
        kept.append(_with_markers(bare, [cited[n].number for n in valid]))
    checked.text = " ".join(kept)
    checked.citations = sorted(cited.values(), key=lambda c: c.number)
    return checked


def _with_markers(sentence: str, numbers: list[int]) -> str:
    marked = sentence
    match = _TERMINAL.search(sentence)
    tail = ""
    if match and match.group(1).startswith("."):
        marked, tail = sentence[: match.start()], match.group(1)
    return marked + "".join(f" [{n}]" for n in numbers) + tail


def _support(claim: str, passage: Passage) -> float:
    claim_terms = terms(claim)
    if not claim_terms:
        return 0.0
    return len(claim_terms & terms(passage.text)) / len(claim_terms)


def _cite(claim: str, passage: Passage, numbers: CitationNumbers) -> Citation:
    """Quote the passage sentence that best supports `claim`."""
    claim_terms = terms(claim)
    spans = sentence_spans(passage.text) or ((0, len(passage.text)),)
    start, end = max(spans, key=lambda s: len(claim_terms & terms(passage.text[s[0] : s[1]])))
    return make_citation(numbers.number_for(passage), passage, start, end, score=passage.score)
