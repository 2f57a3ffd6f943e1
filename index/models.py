"""The data newsdesk passes between ingest, the index and the front ends."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

# cosine similarity of a text (a question, an answer's sentence) to each of some sentences,
# by an embedding model (`index.wiring.sentence_similarity`)
Similarity = Callable[[str, list[str]], list[float]]


def content_hash(*parts: str) -> str:
    """A short stable hash of the given strings (used for article ids and change detection)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


class Article(BaseModel):
    """One cleaned news article, ready to chunk and store."""

    id: str
    title: str = ""
    text: str
    url: str = ""
    published: date | None = None
    source: str = ""
    authors: list[str] = Field(default_factory=list)

    @property
    def hash(self) -> str:
        """Changes whenever anything that is stored or shown changes."""
        return content_hash(
            self.title,
            self.text,
            self.url,
            self.published.isoformat() if self.published else "",
            self.source,
            "|".join(self.authors),
        )


class Chunk(BaseModel):
    """A passage of an article, with its character offsets into `Article.text`."""

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str


class Passage(BaseModel):
    """A retrieved chunk with what a citation needs to show where it came from."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    url: str
    published: date | None
    start: int
    end: int
    text: str
    score: float  # fused retrieval score with the recency prior: ranks passages
    # dense cosine or squashed BM25, whichever is higher, without the prior: gates them
    relevance: float | None = None


class Citation(BaseModel):
    """A numbered source of an answer: the article and the exact passage quoted."""

    number: int
    article_id: str
    title: str
    source: str
    published: date | None
    url: str
    chunk_id: str
    quote: str
    start: int
    end: int
    score: float
    weak_support: bool = False
    # the passage's sentences just before and after the quote (`citations.CONTEXT_SENTENCES`
    # each side, within the cited passage), shown around it: the quote is the answer's
    # evidence, the context is where the reader looks when it leaves a detail out
    before: str = ""
    after: str = ""


class Timings(BaseModel):
    retrieve_ms: float = 0.0
    compose_ms: float = 0.0
    total_ms: float = 0.0


# what the check of a generated sentence did with it: kept as cited, re-pointed to the source
# that supports it, cited after the fact (it had no marker), kept but marked unverified, dropped
ClaimAction = Literal["kept", "repointed", "cited", "marked", "dropped"]


class ClaimCheck(BaseModel):
    """One sentence of a generated answer, checked against the passages it was given."""

    sentence: str  # as the model wrote it, without its markers
    given: list[int] = Field(default_factory=list)  # its markers, in the prompt's numbering
    action: ClaimAction
    numbers: list[int] = Field(default_factory=list)  # the citations it carries in the answer
    supported_as_given: bool = False  # did one of the model's own markers point at support?
    support: float = 0.0  # support score of the passage it cites (or of the best one found)
    reason: str = ""


class Answer(BaseModel):
    """What every front end shows: the text with [n] markers and the citations behind them."""

    question: str
    standalone_question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    declined: bool = False
    mode: str = "extractive"
    model: str | None = None
    note: str | None = None
    timings: Timings = Field(default_factory=Timings)
    claims: list[ClaimCheck] = Field(default_factory=list)  # LLM answers: what the check did


class Turn(BaseModel):
    """One earlier exchange of a conversation, as history for a follow-up."""

    question: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)


class Filters(BaseModel):
    """Restrict retrieval by publication date and outlet."""

    since: date | None = None
    until: date | None = None
    sources: list[str] = Field(default_factory=list)
