"""Chroma, the catalog and the keyword index agree after an interrupted run."""

from __future__ import annotations

import numpy as np

from index.embeddings import OnnxMiniLMEmbedding, embed_texts
from index.keyword import KeywordIndex
from index.settings import Settings
from index.wiring import build_chunker, open_store
from ingest.pipeline import Ingestor
from ingest.run_lock import sole_writer
from tests.test_ingest_pipeline import make_article


def ingestor_for(settings: Settings, embed_model: OnnxMiniLMEmbedding) -> Ingestor:
    return Ingestor(
        store=open_store(settings), embed_model=embed_model, chunker=build_chunker(settings)
    )


def leave_uncommitted(ingestor: Ingestor, *articles: object) -> int:
    """Write vectors of `articles` without committing them: what a kill -9 mid-round leaves."""
    items = []
    for article in articles:
        chunks = ingestor.chunker.chunk(article)  # type: ignore[arg-type]
        vectors = np.stack(embed_texts(ingestor.embed_model, [c.text for c in chunks]))
        items.append((article, chunks, vectors))
    ingestor.store.write_many(items)  # type: ignore[arg-type]
    return sum(len(chunks) for _, chunks, _ in items)


def test_orphan_vectors_of_a_killed_round_are_collected_by_the_next_run(
    settings: Settings, embed_model: OnnxMiniLMEmbedding
) -> None:
    ingestor = ingestor_for(settings, embed_model)
    ingestor.ingest([make_article(i) for i in range(3)])
    committed = {aid: ingestor.store.catalog.chunk_ids_of(aid) for aid in ("art-0", "art-1")}
    changed = make_article(1, extra="A late paragraph about the ferry timetable.")
    orphans = leave_uncommitted(ingestor, changed, make_article(9))
    _, chunks = ingestor.store.catalog.count()
    assert ingestor.store.count_vectors() == chunks + orphans

    report = ingestor_for(settings, embed_model).ingest([make_article(4)])
    store = open_store(settings)
    _, chunks = store.catalog.count()
    assert report.new == ["art-4"]
    assert store.count_vectors() == chunks
    assert set(store.existing_vectors(committed["art-1"] + committed["art-0"])) == {
        *committed["art-0"],
        *committed["art-1"],
    }


def test_orphans_are_left_alone_while_another_ingest_runs(
    settings: Settings, embed_model: OnnxMiniLMEmbedding
) -> None:
    ingestor = ingestor_for(settings, embed_model)
    ingestor.ingest([make_article(0)])
    orphans = leave_uncommitted(ingestor, make_article(9))  # another run's round, in flight
    with sole_writer(settings.catalog_path.with_name("ingest.lock")):
        ingestor_for(settings, embed_model).ingest([make_article(2)])
    store = open_store(settings)
    assert store.count_vectors() == store.catalog.count()[1] + orphans


def test_a_running_reader_catches_up_with_articles_committed_without_a_refresh(
    settings: Settings, embed_model: OnnxMiniLMEmbedding
) -> None:
    ingestor = ingestor_for(settings, embed_model)
    ingestor.ingest([make_article(0)])
    reader = KeywordIndex(path=settings.keyword_dir)  # the bot's index, opened at start
    reader.refresh(ingestor.store.catalog)
    # an ingest killed after committing a round and before refreshing the keyword index
    ingestor_for(settings, embed_model).ingest([make_article(5)])
    reader.search("Fernhill council session", top_k=3)
    reader.wait_for_catch_up(60)
    hits = reader.search("Fernhill council session item 5-1", top_k=3)
    assert hits and hits[0][0].startswith("art-5:")
    assert reader.generation == ingestor.store.catalog.generation()
