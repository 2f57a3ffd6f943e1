"""Hybrid retrieval: dense (Chroma) + BM25, fused into one calibrated relevance score.

llama-index's `QueryFusionRetriever` refuses to build without an LLM (it wants one for query
rewriting even with `num_queries=1`), and its fusion modes give rank-based or per-query
min-max scores that mean nothing across questions. So fusion is done here, on absolute
scales: the dense cosine as is, and BM25 squashed by `bm25 / (bm25 + BM25_HALF)`, weighted,
then scaled up by a recency prior measured from `as_of` (multiplied, not added, so a fresh
but unrelated story is not lifted over the floor). The weights were tuned on the RealTime QA
dev questions (`bench/retrieval.py`); the result is a number in [0, 1] whose meaning does
not depend on the question, which is what lets one `relevance_floor` decide "nothing
relevant" for every question.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from index.catalog import ArticleQuery, Catalog
from index.dates import DateWindow, question_window
from index.dedupe import duplicate_groups
from index.embeddings import EmbedModel, embed_texts
from index.keyword import KeywordIndex
from index.models import Filters, Passage
from index.settings import Settings
from index.store import ArticleStore, date_number

Mode = Literal["dense", "bm25", "hybrid"]

CANDIDATES = 100  # per retriever, before fusion (the tuning used 100)
# Chroma's metadata filter (published <= as_of) turns a ~7 ms HNSW search into ~200 ms on
# 28k chunks, so the dense search runs unfiltered, fetching this many times more, and the
# filters are applied on the catalog rows; only when too few survive is Chroma asked to filter
DENSE_OVERFETCH = 3
# ... and a question naming a year or a month ("who won the world series in 2023") asks for
# a narrow slice: the 3,000 nearest overall (24 ms on 86k chunks) usually hold its 100
# nearest, where Chroma's filter takes ~250 ms (`bench/answer_speed.py`, docs/benchmarks.md)
WIDE_OVERFETCH = 30
OVERFETCHES = (DENSE_OVERFETCH, WIDE_OVERFETCH)
DENSE_WEIGHT = 0.4
BM25_HALF = 20.0  # BM25 score that maps to 0.5 in a collection of BM25_REF_CHUNKS chunks
# BM25 scores grow with IDF, i.e. with log(collection size); scaling the half point the same
# way keeps the fused score (and the floor) meaningful from ten articles to ten thousand
BM25_REF_CHUNKS = 20_000
RECENCY_WEIGHT = 0.5  # a story published on as_of scores up to 1.5 times an old one
RECENCY_HALF_LIFE_DAYS = 7.0
# a month's window that finds nothing is searched again without it, this many times deeper,
# for the stories of that month in earlier years (`Retriever.search`)
WIDER_K = 5
WINDOW_BONUS = 0.05  # inside a soft window the question's wording points at ("this week")
MAX_PER_ARTICLE = 2
# an article with a second matching passage is likelier about the topic than a lone hit
SECOND_PASSAGE_WEIGHT = 0.2


@dataclass
class RetrievalTimings:
    embed_ms: float = 0.0
    dense_ms: float = 0.0
    keyword_ms: float = 0.0
    fuse_ms: float = 0.0
    total_ms: float = 0.0


@dataclass
class Retrieval:
    """Passages best first, with what the caller needs to judge and explain them."""

    passages: list[Passage]
    timings: RetrievalTimings
    below_floor: bool
    floor: float
    window: DateWindow | None = None
    # kept chunk id → passages of the same story elsewhere (also further down `passages`)
    duplicates: dict[str, list[Passage]] = field(default_factory=dict)


@dataclass
class _Candidate:
    chunk_id: str
    dense: float | None = None
    bm25: float | None = None
    score: float = 0.0
    relevance: float = 0.0


class Retriever:
    """Finds the passages that answer a question; see the module docstring for the scoring."""

    def __init__(
        self,
        *,
        store: ArticleStore,
        keyword: KeywordIndex,
        embed_model: EmbedModel,
        catalog: Catalog,
        settings: Settings,
    ) -> None:
        self.store = store
        self.keyword = keyword
        self.embed_model = embed_model
        self.catalog = catalog
        self.settings = settings

    def retrieve(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        as_of: date | None = None,
        top_k: int | None = None,
        keep_below_floor: bool = False,
        windowed: bool = True,
    ) -> list[Passage]:
        """The passages at or above the relevance floor, best first; [] when none is.

        `keep_below_floor`: all the top passages, for a caller that names the closest
        stories when nothing is relevant (it must apply `relevance_floor` itself).
        `windowed=False`: the question's date phrase does not narrow the search.
        """
        found = self.search(question, filters=filters, as_of=as_of, top_k=top_k, windowed=windowed)
        if keep_below_floor:
            return found.passages[: top_k or self.settings.retrieve_top_k]
        return [p for p in found.passages if (p.relevance or 0.0) >= found.floor]

    def search(
        self,
        question: str,
        *,
        filters: Filters | None = None,
        as_of: date | None = None,
        top_k: int | None = None,
        mode: Mode = "hybrid",
        windowed: bool = True,
    ) -> Retrieval:
        """Everything `retrieve` knows: all top passages, timings, the floor verdict.

        A year or month the question names ("in 2022", "in October") narrows the search to
        stories published then. When nothing relevant was, the question is read without
        the window: a year may be the event's, not the story's ("the record rate set back
        in 1981"), and a story is then used only if it names the year itself (the
        composer's subject check holds numbers to that). A month alone is not checked, so
        without its window only stories of that month in an earlier year ("the rail strike
        in January", asked in December of the next year) and stories of unknown day are
        searched: an undated one may be from that month, and an undated store has no days
        to narrow by at all.
        """
        started = time.perf_counter()
        as_of = as_of or date.today()
        window = question_window(question, as_of=as_of) if windowed else None
        found = self._search(question, filters, as_of, top_k, mode, window)
        if window is not None and window.strict and found.below_floor:
            if window.names_year:
                found = self._search(question, filters, as_of, top_k, mode, None)
            else:
                wanted = top_k or self.settings.retrieve_top_k
                wider = self._search(question, filters, as_of, wanted * WIDER_K, mode, None)
                kept = _of_month(wider, window.month, wanted)
                if not kept.below_floor:
                    found = kept
        found.timings.total_ms = _ms(started)
        return found

    def _search(
        self,
        question: str,
        filters: Filters | None,
        as_of: date,
        top_k: int | None,
        mode: Mode,
        window: DateWindow | None,
    ) -> Retrieval:
        started = time.perf_counter()
        scoped = _scope(filters, as_of, window)
        timings = RetrievalTimings()
        floor = relevance_floor(self.settings)
        if window is not None and window.strict and not self._published_in(scoped):
            # nothing was published in the window ("in 1981"): Chroma's filtered search
            # would take ~250 ms on the full corpus to find nothing
            timings.total_ms = _ms(started)
            return Retrieval([], timings, True, floor, window, {})
        candidates: dict[str, _Candidate] = {}
        if mode in ("dense", "hybrid"):
            self._dense(question, scoped, candidates, timings)
        if mode in ("bm25", "hybrid"):
            self._keyword(question, scoped, as_of, candidates, timings)
        t0 = time.perf_counter()
        rows = self.catalog.chunks_by_id(list(candidates))  # only committed chunks count
        half = BM25_HALF * math.log1p(self.keyword.size) / math.log1p(BM25_REF_CHUNKS)
        scored = _score(candidates, rows, mode, half, as_of, window)
        passages = [_passage(rows[c.chunk_id], c.score, c.relevance) for c in scored]
        passages, duplicates = _arrange(passages, top_k or self.settings.retrieve_top_k)
        timings.fuse_ms = _ms(t0)
        timings.total_ms = _ms(started)
        return Retrieval(passages, timings, _below(passages, floor), floor, window, duplicates)

    def _published_in(self, scoped: Filters) -> bool:
        """Was any story published between `scoped.since` and `scoped.until`?"""
        _, count = self.catalog.find_articles(
            ArticleQuery(since=scoped.since, until=scoped.until), limit=1
        )
        return count > 0

    def _dense(
        self, question: str, scoped: Filters, out: dict[str, _Candidate], t: RetrievalTimings
    ) -> None:
        t0 = time.perf_counter()
        vector = embed_texts(self.embed_model, [question])[0]
        t.embed_ms = _ms(t0)
        t0 = time.perf_counter()
        for overfetch in OVERFETCHES:
            hits = self._nearest(vector, CANDIDATES * overfetch, None)
            rows = self.catalog.chunks_by_id([chunk_id for chunk_id, _ in hits])
            kept = [(cid, cos) for cid, cos in hits if cid in rows and _allowed(rows[cid], scoped)]
            truncated = len(hits) == CANDIDATES * overfetch  # else: the whole collection
            if not truncated or len(kept) >= CANDIDATES // 2:
                break
        else:  # narrower still (a source, a week): let Chroma apply the filters
            kept = self._nearest(vector, CANDIDATES, scoped)
        for chunk_id, cosine in kept[:CANDIDATES]:
            out.setdefault(chunk_id, _Candidate(chunk_id)).dense = cosine
        t.dense_ms = _ms(t0)

    def _nearest(self, vector: Any, top_k: int, scoped: Filters | None) -> list[tuple[str, float]]:
        if scoped is not None:
            return self.store.query(vector, top_k=top_k, filters=scoped)
        return self.store.nearest(vector, top_k=top_k)

    def _keyword(
        self,
        question: str,
        scoped: Filters,
        as_of: date,
        out: dict[str, _Candidate],
        t: RetrievalTimings,
    ) -> None:
        t0 = time.perf_counter()
        for chunk_id, score in self.keyword.search(
            question, top_k=CANDIDATES, filters=scoped, as_of=as_of
        ):
            out.setdefault(chunk_id, _Candidate(chunk_id)).bm25 = score
        t.keyword_ms = _ms(t0)


def _of_month(found: Retrieval, month: int | None, top_k: int) -> Retrieval:
    """`found` with only the passages of stories published in `month` (of any year) or on
    an unknown day, the first `top_k` of them."""
    inside = [p for p in found.passages if p.published is None or p.published.month == month]
    passages = inside[:top_k]
    kept = {p.chunk_id for p in passages}
    duplicates = {k: v for k, v in found.duplicates.items() if k in kept}
    below = _below(passages, found.floor)
    return Retrieval(passages, found.timings, below, found.floor, None, duplicates)


def _below(passages: list[Passage], floor: float) -> bool:
    """Is no passage relevant (none at all, or none at or above `floor`)?"""
    return not passages or max(p.relevance or 0.0 for p in passages) < floor


def relevance_floor(settings: Settings) -> float:
    """The relevance below which a passage does not count (`RELEVANCE_FLOOR`).

    Relevance is the better of the dense cosine and the squashed BM25 score, without the
    recency prior: a prior may rank stories, it must not decide whether one is relevant
    (an undated article, or an old one, answers its own facts as well as a fresh one).
    """
    return settings.relevance_floor


def _allowed(row: Any, scoped: Filters) -> bool:
    """The Chroma filters' semantics on a catalog row (an unknown date counts as 0)."""
    day = int(row["published"].replace("-", "")) if row["published"] else 0
    if scoped.until is not None and day > date_number(scoped.until):
        return False
    if scoped.since is not None and day < date_number(scoped.since):
        return False
    return not scoped.sources or row["source"] in scoped.sources


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000.0


def _scope(filters: Filters | None, as_of: date, window: DateWindow | None) -> Filters:
    """The caller's filters, cut at `as_of` and narrowed by a strict window in the question."""
    scoped = filters.model_copy() if filters else Filters()
    if scoped.until is None or scoped.until > as_of:
        scoped.until = as_of
    if window is not None and window.strict:
        if window.since and (scoped.since is None or window.since > scoped.since):
            scoped.since = window.since
        if window.until and window.until < scoped.until:
            scoped.until = window.until
    return scoped


def _recency(published: str | None, as_of: date, window: DateWindow | None) -> float:
    """Prior for news: the fresher the story relative to `as_of`, the likelier it is meant."""
    if not published:
        return 0.0
    day = date.fromisoformat(published)
    age = max((as_of - day).days, 0)
    prior = RECENCY_WEIGHT * 0.5 ** (age / RECENCY_HALF_LIFE_DAYS)
    if window is not None and not window.strict and window.since and window.since <= day:
        prior += WINDOW_BONUS
    return prior


def _dense_part(c: _Candidate, floor_cos: float) -> float:
    return max(c.dense if c.dense is not None else floor_cos, 0.0)


def _keyword_part(c: _Candidate, half: float) -> float:
    bm25 = c.bm25 or 0.0
    return bm25 / (bm25 + half) if bm25 > 0 else 0.0


def _fused(c: _Candidate, mode: Mode, floor_cos: float, half: float) -> float:
    if mode == "dense":
        return _dense_part(c, floor_cos)
    if mode == "bm25":
        return _keyword_part(c, half)
    return DENSE_WEIGHT * _dense_part(c, floor_cos) + (1 - DENSE_WEIGHT) * _keyword_part(c, half)


def _score(
    candidates: dict[str, _Candidate],
    rows: dict[str, Any],
    mode: Mode,
    half: float,
    as_of: date,
    window: DateWindow | None,
) -> list[_Candidate]:
    """Visible candidates with their fused score (ranking) and relevance (gating), best first."""
    visible = [c for c in candidates.values() if c.chunk_id in rows]
    seen = [c.dense for c in visible if c.dense is not None]
    # a chunk BM25 found but dense did not rank scores at most the lowest dense hit
    floor_cos = min(seen) if seen else 0.0
    for c in visible:
        prior = _recency(rows[c.chunk_id]["published"], as_of, window)
        c.score = _fused(c, mode, floor_cos, half) * (1.0 + prior)
        c.relevance = max(
            _dense_part(c, floor_cos) if mode != "bm25" else 0.0,
            _keyword_part(c, half) if mode != "dense" else 0.0,
        )
    _add_article_support(visible, rows)
    return sorted(visible, key=lambda c: (-c.score, c.chunk_id))


def _add_article_support(visible: list[_Candidate], rows: dict[str, Any]) -> None:
    """Add SECOND_PASSAGE_WEIGHT x the article's second-best passage score (max pooling+)."""
    per_article: dict[str, list[float]] = {}
    for c in visible:
        per_article.setdefault(rows[c.chunk_id]["article_id"], []).append(c.score)
    for c in visible:
        scores = sorted(per_article[rows[c.chunk_id]["article_id"]], reverse=True)
        support = scores[1] if len(scores) > 1 else 0.0
        c.score = min(c.score + SECOND_PASSAGE_WEIGHT * support, 1.0)


def _passage(row: Any, score: float, relevance: float) -> Passage:
    published = row["published"]
    return Passage(
        chunk_id=row["id"],
        article_id=row["article_id"],
        title=row["title"],
        source=row["source"],
        url=row["url"],
        published=date.fromisoformat(published) if published else None,
        start=row["start"],
        end=row["end"],
        text=row["text"],
        score=round(score, 4),
        relevance=round(relevance, 4),
    )


def _arrange(passages: list[Passage], top_k: int) -> tuple[list[Passage], dict[str, list[Passage]]]:
    """Top passages with at most MAX_PER_ARTICLE per article and one copy per story.

    Extra chunks of an article and copies of a story are not dropped but moved below the
    others, so nothing relevant becomes unreachable; copies are also listed per kept passage.
    """
    pool = passages[: top_k * 2 + 10]
    leaders = duplicate_groups([p.text for p in pool])
    per_article: dict[str, int] = {}
    kept: list[Passage] = []
    lower: list[Passage] = []
    duplicates: dict[str, list[Passage]] = {}
    for i, passage in enumerate(pool):
        if leaders[i] != i:
            duplicates.setdefault(pool[leaders[i]].chunk_id, []).append(passage)
            lower.append(passage)
            continue
        count = per_article.get(passage.article_id, 0)
        per_article[passage.article_id] = count + 1
        (kept if count < MAX_PER_ARTICLE else lower).append(passage)
    return (kept + lower)[:top_k], duplicates


def __getattr__(name: str) -> Any:
    # open_retriever lives in index.wiring; kept reachable here for bench/answers.py, which
    # runs the same evaluation on older revisions of the code
    if name == "open_retriever":
        from index.wiring import open_retriever

        return open_retriever
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
