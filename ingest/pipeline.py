"""The ingest job: articles → chunks → vectors → store, idempotently.

For each article: unchanged (same id and hash as committed) → skipped without embedding;
new or changed → chunked, embedded (vectors of identical chunk texts are reused, within
the run and from the article's previous version), written to Chroma under version-tagged
ids, then committed in the catalog in one SQLite transaction. A kill at any moment leaves
either the old version or the new one visible, never half of one; the next run completes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.chunking import ArticleChunker
from index.embeddings import EmbedModel, embed_texts
from index.models import Article, Chunk, content_hash
from index.settings import Settings
from index.store import ArticleStore
from index.wiring import Wiring
from ingest.load_fields import describe_error
from ingest.run_lock import sole_writer
from ingest.sources import Failure, load_sources

logger = logging.getLogger(__name__)

# articles gathered before one embedding call: large enough for full, length-sorted
# batches, small enough that a kill loses little work
ARTICLES_PER_ROUND = 64


@dataclass
class IngestReport:
    """What one run did; `failed` names each bad input and why."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # read fine, but no article in it
    chunks_embedded: int = 0
    chunks_reused: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.failed)} failed, {len(self.skipped)} skipped "
            f"({self.chunks_embedded} chunks embedded, "
            f"{self.chunks_reused} reused, {self.seconds:.1f}s)"
        )


@dataclass
class _Pending:
    article: Article
    chunks: list[Chunk]
    is_update: bool


class Ingestor:
    """Writes articles into an `ArticleStore`; see the module docstring for the guarantees."""

    def __init__(
        self,
        *,
        store: ArticleStore,
        embed_model: EmbedModel,
        chunker: ArticleChunker,
        keyword: Any | None = None,
    ) -> None:
        self.store = store
        self.embed_model = embed_model
        self.chunker = chunker
        self.keyword = keyword
        self._tick: Callable[[int], object] = lambda n: None

    def ingest(
        self,
        items: Iterable[Article | Failure],
        *,
        progress: Callable[[int], object] | None = None,
    ) -> IngestReport:
        """Ingest every article of `items`; failures are recorded and the batch carries on.

        First, vectors a killed run wrote but never committed are collected (only when no
        other ingest is running, which could be about to commit its own).
        """
        with sole_writer(self.store.catalog.path.with_name("ingest.lock")) as alone:
            if alone:
                self.store.collect_orphans()
            else:
                logger.info("another ingest is running: orphan vectors are left for later")
            return self._ingest(items, progress=progress)

    def _ingest(
        self,
        items: Iterable[Article | Failure],
        *,
        progress: Callable[[int], object] | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        self.store.purge_stale()  # finish what a killed run left behind
        versions = self.store.catalog.versions()
        tick = progress or (lambda n: None)
        self._tick = tick  # the writer thread ticks as it commits each article
        rounds = _rounds(self._triage(items, versions, report, tick), ARTICLES_PER_ROUND)
        # Writing a round (Chroma, catalog) overlaps with embedding the next one: the model
        # keeps both cores busy while the writes, mostly in Chroma's Rust code, run beside it.
        # One write in flight at a time keeps rounds committed in order and memory bounded.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as writer:
            in_flight: tuple[Future[None], list[_Pending]] | None = None
            for round_ in rounds:
                vectors = self._vectors_for(round_, report)
                if in_flight is not None:
                    self._finish(*in_flight, report, versions)
                in_flight = (writer.submit(self._write_round, round_, vectors), round_)
            if in_flight is not None:
                self._finish(*in_flight, report, versions)
        self.store.purge_stale()
        if self.keyword is not None:
            # rebuilds only if the catalog changed since the last build, which includes
            # articles committed by an earlier run that was killed before this step
            self.keyword.refresh(self.store.catalog)
        report.seconds = time.perf_counter() - started
        return report

    def _triage(
        self,
        items: Iterable[Article | Failure],
        versions: dict[str, str],
        report: IngestReport,
        tick: Callable[[int], object],
    ) -> Iterator[_Pending]:
        seen: set[str] = set()
        for item in items:
            if isinstance(item, Failure):
                (report.skipped if item.skipped else report.failed).append(item)
                tick(1)
                continue
            version = item.hash
            if item.id in seen or versions.get(item.id) == version:
                report.unchanged.append(item.id)
                tick(1)
                continue
            seen.add(item.id)
            try:
                chunks = self.chunker.chunk(item)
            except Exception as exc:  # one article the chunker trips on fails alone
                report.failed.append(Failure(source=item.id, reason=describe_error(exc)))
                tick(1)
                continue
            if not chunks:
                report.skipped.append(Failure(item.id, "no text to index", skipped=True))
                tick(1)
                continue
            yield _Pending(item, chunks, is_update=item.id in versions)

    def _write_round(self, round_: list[_Pending], vectors: dict[str, np.ndarray]) -> None:
        """Vectors to Chroma, then each article's new version committed in the catalog."""
        self.store.write_many(
            [
                (p.article, p.chunks, np.stack([vectors[content_hash(c.text)] for c in p.chunks]))
                for p in round_
            ]
        )
        for pending in round_:
            self.store.catalog.commit_article(pending.article, pending.chunks)
            self._tick(1)

    @staticmethod
    def _finish(
        write: Future[None],
        round_: list[_Pending],
        report: IngestReport,
        versions: dict[str, str],
    ) -> None:
        """Wait for a round's write (re-raising its error) and count its articles."""
        write.result()
        for pending in round_:
            (report.updated if pending.is_update else report.new).append(pending.article.id)
            versions[pending.article.id] = pending.article.hash

    def _vectors_for(self, round_: list[_Pending], report: IngestReport) -> dict[str, np.ndarray]:
        """text hash → vector for every chunk of the round, embedding each text once."""
        known: dict[str, np.ndarray] = {}
        catalog = self.store.catalog
        old_ids = [cid for p in round_ if p.is_update for cid in catalog.chunk_ids_of(p.article.id)]
        for text, vector in self.store.existing_vectors(old_ids).values():
            known[content_hash(text)] = vector
        todo: dict[str, str] = {}
        for pending in round_:
            for chunk in pending.chunks:
                key = content_hash(chunk.text)
                if key in known or key in todo:
                    report.chunks_reused += 1
                else:
                    todo[key] = chunk.text
        if todo:
            embedded = embed_texts(self.embed_model, list(todo.values()))
            known.update(zip(todo.keys(), embedded))
            report.chunks_embedded += len(todo)
        return known


def _rounds(pending: Iterable[_Pending], size: int) -> Iterator[list[_Pending]]:
    batch: list[_Pending] = []
    for item in pending:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def open_ingestor(wiring: Wiring | Settings) -> Ingestor:
    """An `Ingestor` over the wiring's store, model, chunker and keyword index.

    Given settings, it builds its own `Wiring`; a front end that also answers passes its
    own, so the bot and its feed polls share one store, model and keyword index.
    """
    if isinstance(wiring, Settings):
        wiring = Wiring(wiring)
    return Ingestor(
        store=wiring.store,
        embed_model=wiring.embed_model,
        chunker=wiring.chunker,
        keyword=wiring.keyword,
    )


def ingest_sources(
    specs: list[str], *, settings: Settings, progress: Callable[[int], object] | None = None
) -> IngestReport:
    """Load every source spec (paths, folders, URLs, feeds) and ingest what it holds."""
    ingestor = open_ingestor(settings)
    return ingestor.ingest(load_sources(specs, settings=settings), progress=progress)
