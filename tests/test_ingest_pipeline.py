"""The ingest pipeline against the real model, a real Chroma and the real SQLite catalog."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.embeddings import MINILM_MAX_TOKENS, OnnxMiniLMEmbedding, load_minilm_tokenizer
from index.errors import ArticleNotFoundError, ConfigError, ModelMismatchError
from index.keyword import KeywordIndex
from index.models import Article
from index.settings import Settings, load_settings
from index.store import ArticleStore
from index.wiring import build_chunker, open_store
from ingest.pipeline import Ingestor
from ingest.sources import Failure

ROOT = Path(__file__).resolve().parent.parent

TOWNS = ["Alder", "Birch", "Cedar", "Dunmore", "Elmstead", "Fernhill", "Glenrock", "Hollis"]


def make_article(i: int, *, paragraphs: int = 6, extra: str = "") -> Article:
    """A synthetic article whose sentences all differ, long enough for several chunks."""
    town = TOWNS[i % len(TOWNS)]
    body = []
    for p in range(paragraphs):
        body.append(
            f"The {town} council met on day {p + 1} of the session to discuss item {i}-{p}. "
            f"Members approved {p + 3} measures on roads, schools and the harbour budget of "
            f"{(i + 1) * (p + 2)} million crowns. Residents of district {p} asked about bus "
            f"routes number {i * 10 + p}, and the mayor promised a written answer by Friday."
        )
    text = "\n\n".join(body) + (f"\n\n{extra}" if extra else "")
    return Article(
        id=f"art-{i}",
        title=f"{town} council session {i}",
        text=text,
        url=f"https://example.com/{town.lower()}/{i}",
        published=date(2025, 1, 1 + i % 28),
        source="example.com",
    )


@pytest.fixture()
def ingestor(settings: Settings, embed_model: OnnxMiniLMEmbedding) -> Ingestor:
    return Ingestor(
        store=open_store(settings), embed_model=embed_model, chunker=build_chunker(settings)
    )


def chroma_ids(store: ArticleStore) -> set[str]:
    return set(store._collection.get(include=[])["ids"])


def test_new_articles_are_chunked_with_exact_offsets(ingestor: Ingestor) -> None:
    articles = [make_article(i) for i in range(3)]
    report = ingestor.ingest(articles)
    assert sorted(report.new) == ["art-0", "art-1", "art-2"]
    assert report.ok and report.chunks_embedded > 3
    tokenizer = load_minilm_tokenizer()
    catalog = ingestor.store.catalog
    for article in articles:
        ids = catalog.chunk_ids_of(article.id)
        assert len(ids) >= 2, "a long article becomes several chunks"
        rows = catalog.chunks_by_id(ids)
        for row in rows.values():
            assert article.text[row["start"] : row["end"]] == row["text"]
            assert len(tokenizer.encode(row["text"]).ids) <= MINILM_MAX_TOKENS
    expected = {cid for a in articles for cid in catalog.chunk_ids_of(a.id)}
    assert chroma_ids(ingestor.store) == expected


def test_reingest_unchanged_embeds_nothing(ingestor: Ingestor) -> None:
    articles = [make_article(i) for i in range(3)]
    ingestor.ingest(articles)
    report = ingestor.ingest(articles)
    assert report.new == [] and report.updated == []
    assert sorted(report.unchanged) == ["art-0", "art-1", "art-2"]
    assert report.chunks_embedded == 0


def test_changed_article_replaces_its_chunks_and_reuses_vectors(ingestor: Ingestor) -> None:
    ingestor.ingest([make_article(1), make_article(2)])
    old_ids = set(ingestor.store.catalog.chunk_ids_of("art-1"))
    changed = make_article(1, extra="Late update: the council postponed the vote on the ferry.")
    report = ingestor.ingest([changed, make_article(2)])
    assert report.updated == ["art-1"] and report.unchanged == ["art-2"]
    assert report.chunks_reused >= 1, "unchanged chunk texts are not embedded again"
    assert report.chunks_embedded <= 2
    new_ids = set(ingestor.store.catalog.chunk_ids_of("art-1"))
    stored = chroma_ids(ingestor.store)
    assert new_ids <= stored and not (old_ids & stored)
    assert "postponed the vote" in ingestor.store.catalog.get_article("art-1").text


def test_delete_removes_article_and_vectors(ingestor: Ingestor) -> None:
    ingestor.ingest([make_article(1), make_article(2)])
    ingestor.store.delete_article("art-1")
    with pytest.raises(ArticleNotFoundError):
        ingestor.store.catalog.get_article("art-1")
    assert not any(cid.startswith("art-1:") for cid in chroma_ids(ingestor.store))
    assert any(cid.startswith("art-2:") for cid in chroma_ids(ingestor.store))
    with pytest.raises(ArticleNotFoundError):
        ingestor.store.delete_article("art-1")


def test_failures_are_reported_and_the_batch_carries_on(ingestor: Ingestor) -> None:
    items = [
        make_article(1),
        Failure(source="broken.jsonl:3", reason="invalid JSON on line 3"),
        Article(id="blank", title="Nothing", text="   \n\n  "),
        make_article(2),
    ]
    report = ingestor.ingest(items)
    assert sorted(report.new) == ["art-1", "art-2"]
    assert [(f.source, f.reason) for f in report.failed] == [
        ("broken.jsonl:3", "invalid JSON on line 3"),
    ]
    # an article with no text is not an error: reported as skipped, the run still ok
    assert [(f.source, f.reason) for f in report.skipped] == [("blank", "no text to index")]


def test_vector_query_finds_the_matching_chunk(ingestor: Ingestor, embed_model) -> None:
    chess = Article(
        id="chess",
        title="Teenager wins the Northfield chess open",
        text="A sixteen-year-old won the Northfield chess open on Sunday after a tense endgame "
        "against the defending champion. She sacrificed a rook on move 31.",
    )
    ingestor.ingest([make_article(i) for i in range(3)] + [chess])
    vector = embed_model.embed(["Who won the chess tournament?"])[0]
    hits = ingestor.store.query(vector, top_k=3)
    assert hits[0][0] == "chess:" + chess.hash + ":0"
    assert hits[0][1] > hits[1][1] and -1.0 <= hits[0][1] <= 1.0


def test_a_few_texts_are_shared_among_the_streams_and_keep_their_vectors(
    embed_model: OnnxMiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer's dozen sentences go to every stream at once, as the same vectors."""
    encoder = embed_model._encoder
    texts = [
        "How many troops are at the border?",
        "Mexico deployed 10,000 National Guard troops to its northern border.",
        "The deployment began on Tuesday.",
        "Officials said the number could rise if talks with Washington stall.",
        "Critics worry about the military's growing role in policing migration.",
    ]
    alone = np.stack([encoder.embed([text])[0] for text in texts])
    sizes: list[int] = []
    run = encoder._runner.run

    def spy(batches, out):  # type: ignore[no-untyped-def]
        sizes.extend(len(rows) for rows, _, _ in batches)
        run(batches, out)

    monkeypatch.setattr(encoder._runner, "run", spy)
    together = encoder.embed(texts)
    streams = encoder._runner.streams
    assert len(sizes) == min(streams, len(texts)) and sum(sizes) == len(texts)
    assert max(sizes) == -(-len(texts) // streams)
    assert float((together * alone).sum(1).min()) > 0.9999  # padding is masked out


def test_store_refuses_another_embedding_model(settings: Settings) -> None:
    ArticleStore.open(settings, model_id="onnx-minilm:all-MiniLM-L6-v2-int8")
    with pytest.raises(ModelMismatchError, match="re-index"):
        ArticleStore.open(settings, model_id="openai:text-embedding-3-small")


def test_settings_errors_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_PORT", "not-a-port")
    with pytest.raises(ConfigError, match="CHROMA_PORT"):
        load_settings()
    monkeypatch.delenv("CHROMA_PORT")
    monkeypatch.setenv("CHUNK_TOKENS", "900")
    with pytest.raises(ConfigError, match="CHUNK_TOKENS"):
        build_chunker(load_settings())


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    import ingest.pipeline as pipeline
    from index.settings import load_settings
    from tests.test_ingest_pipeline import make_article
    pipeline.ARTICLES_PER_ROUND = 3
    settings = load_settings(newsdesk_data_dir={data!r})
    report = pipeline.open_ingestor(settings).ingest(make_article(i) for i in range(40))
    print(report.summary())
    """
)


def committed_articles(data: Path) -> int:
    path = data / "catalog.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path) as db:
            return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_kill_9_mid_run_leaves_no_half_article_and_rerun_completes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = KILL_SCRIPT.format(root=str(ROOT), data=str(data))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=tmp_path)
    deadline = time.monotonic() + 240
    while committed_articles(data) < 4 and time.monotonic() < deadline:
        assert proc.poll() is None, "the ingest finished before it could be killed"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    settings = load_settings(newsdesk_data_dir=data)
    store = open_store(settings)
    visible = store.catalog.versions()
    assert 4 <= len(visible) < 40
    stored = chroma_ids(store)
    for article_id in visible:
        ids = store.catalog.chunk_ids_of(article_id)
        assert ids and set(ids) <= stored, f"{article_id} is visible but not all its vectors are"

    rerun = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    store = open_store(settings)
    assert len(store.catalog.versions()) == 40
    _, chunk_count = store.catalog.count()
    assert store.count_vectors() == chunk_count, "no leftover vectors of the killed run"
    keyword = KeywordIndex(path=settings.keyword_dir)
    hits = keyword.search("Alder council session item 0-1", top_k=3, filters=None, as_of=None)
    assert hits and hits[0][0].startswith("art-0:"), "articles of the killed run are in BM25"
    assert keyword.generation == store.catalog.generation()


def test_reindex_swaps_in_vectors_of_the_new_model(
    settings: Settings, ingestor: Ingestor, embed_model: OnnxMiniLMEmbedding
) -> None:
    from index.reindex import reindex

    ingestor.ingest([make_article(1), make_article(2)])
    other = load_settings(
        newsdesk_data_dir=settings.data_dir, embed_provider="fastembed", embed_model="stand-in"
    )
    with pytest.raises(ModelMismatchError):
        open_store(other)
    # the same weights under another name stand in for a second model (none can download here)
    embedded = reindex(other, embed_model=embed_model)
    _, chunks = ingestor.store.catalog.count()
    assert embedded == chunks
    store = open_store(other)
    assert store.count_vectors() == chunks
    with pytest.raises(ModelMismatchError):
        open_store(settings)
