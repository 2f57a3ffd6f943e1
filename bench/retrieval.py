"""Retrieval benchmark on the RealTime QA corpus: dense vs BM25 vs newsdesk's hybrid.

Usage: python -m bench.retrieval [--data-dir /tmp/newsdesk-bench] [--limit N]
The corpus is read in place from /work/shared (never copied into the repo); the store is
built outside the repo and reused when it already holds the articles.
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import click

from index.catalog import Catalog
from index.chunking import ArticleChunker, minilm_token_offsets
from index.embeddings import build_embed_model, embed_texts, model_identity
from index.evaluate import Evaluation, Report, read_questions
from index.keyword import KeywordIndex
from index.models import Article
from index.retrieve import Mode
from index.settings import Settings, load_settings
from index.store import ArticleStore, open_chroma_client
from index.wiring import Wiring

logger = logging.getLogger(__name__)

CORPUS = Path("/work/shared/benchmarks/realtimeqa")
ARTICLES = CORPUS / "articles.jsonl.gz"
QUESTIONS = CORPUS / "questions-dev.jsonl"
SHARED_STORE = Path("/work/bench-data/full")
ROUND = 64
MODES: list[Mode] = ["dense", "bm25", "hybrid"]


def read_articles(path: Path = ARTICLES) -> list[Article]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [
        Article(
            id=r["id"],
            title=r.get("title") or "",
            text=r["text"],
            url=r.get("url") or "",
            published=date.fromisoformat(r["published"]) if r.get("published") else None,
            source=r.get("source") or "",
            authors=r.get("authors") or [],
        )
        for r in rows
    ]


def gold_ids(path: Path = QUESTIONS) -> set[str]:
    with path.open(encoding="utf-8") as fh:
        return {gid for line in fh if line.strip() for gid in json.loads(line)["gold_article_ids"]}


def question_days(path: Path = QUESTIONS) -> list[date]:
    with path.open(encoding="utf-8") as fh:
        return [date.fromisoformat(json.loads(line)["date"]) for line in fh if line.strip()]


def bench_order(
    articles: list[Article], gold: set[str], days: list[date], limit: int | None
) -> list[Article]:
    """Gold articles first, then the ones that compete with them, then the rest.

    Competing = published in the questions' span or the 45 days before it: with the as-of
    cut, later articles never affect a dev question and much older ones rarely do. So a
    partial store (a prefix of this order) is already close to the full one for the dev eval.
    """
    start, end = min(days) - timedelta(days=45), max(days)
    first = [a for a in articles if a.id in gold]
    rest = [a for a in articles if a.id not in gold]
    random.Random(0).shuffle(rest)
    rest.sort(key=lambda a: not (a.published and start <= a.published <= end))  # stable
    return first + (rest if limit is None else rest[:limit])


def _rounds(articles: list[Article], size: int) -> Iterator[list[Article]]:
    for start in range(0, len(articles), size):
        yield articles[start : start + size]


def build_store(settings: Settings, articles: list[Article]) -> None:
    """Chunk, embed and commit every article not stored yet, then refresh the BM25 index."""
    model = build_embed_model(settings)
    store = ArticleStore(
        client=open_chroma_client(settings),
        catalog=Catalog(settings.catalog_path),
        collection=settings.chroma_collection,
        model_id=model_identity(settings),
    )
    chunker = ArticleChunker(max_tokens=settings.chunk_tokens, token_offsets=minilm_token_offsets())
    versions = store.catalog.versions()
    todo = [a for a in articles if versions.get(a.id) != a.hash]
    started, done = time.perf_counter(), 0
    for batch in _rounds(todo, ROUND):
        chunked = [(a, chunker.chunk(a)) for a in batch]
        chunked = [(a, cs) for a, cs in chunked if cs]
        vectors = embed_texts(model, [c.text for _, cs in chunked for c in cs])
        pos = 0
        for article, chunks in chunked:
            store.write_vectors(article, chunks, vectors[pos : pos + len(chunks)])
            store.catalog.commit_article(article, chunks)
            pos += len(chunks)
        done += len(batch)
        rate = done / (time.perf_counter() - started)
        logger.info("ingested %s/%s articles (%.1f articles/s)", done, len(todo), rate)
    KeywordIndex(path=settings.keyword_dir).refresh(store.catalog)


def evaluate_modes(settings: Settings, questions: Path = QUESTIONS) -> list[Report]:
    """Dense only, BM25 only and hybrid on the dev questions, each as of its question's day."""
    retriever = Wiring(settings).retriever
    items = read_questions(questions)
    return [
        Evaluation(retriever=retriever, answerer=None, mode=mode).run(items)[0] for mode in MODES
    ]


def keyword_timings(settings: Settings) -> str:
    """Cold load of the published BM25 build (mmap) and a full rebuild, for the record."""
    catalog = Catalog(settings.catalog_path)
    started = time.perf_counter()
    loaded = KeywordIndex(path=settings.keyword_dir)
    loaded.search("warm up", top_k=1)
    load_ms = (time.perf_counter() - started) * 1000
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        KeywordIndex(path=Path(tmp)).refresh(catalog)
        build_s = time.perf_counter() - started
    return f"BM25 index: cold load {load_ms:.0f} ms (mmap), full rebuild {build_s:.1f} s"


def markdown_table(reports: list[Report], *, articles: int, chunks: int) -> str:
    lines = [
        f"RealTime QA dev, {reports[0].questions} questions, {articles} articles / {chunks} "
        "chunks, as of each question's date",
        "",
        "| retrieval | Hits@1 | Hits@5 | Hits@10 | MRR@10 | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.mode} | {r.hits_at_1:.3f} | {r.hits_at_5:.3f} | {r.hits_at_10:.3f} | "
            f"{r.mrr_at_10:.3f} | {r.latency_p50_ms:.1f} | {r.latency_p95_ms:.1f} |"
        )
    return "\n".join(lines)


def pick_data_dir(requested: Path | None) -> Path:
    """The lead's full store when it exists, else ours outside the repo."""
    if requested is not None:
        return requested
    if (SHARED_STORE / "catalog.sqlite3").exists():
        return SHARED_STORE
    return Path("/tmp/newsdesk-bench")


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
@click.option("--limit", type=int, default=None, help="Non-gold articles to add (default all).")
@click.option("--ingest/--no-ingest", default=True, help="Add missing articles first.")
@click.option("--ingest-only", is_flag=True)
def main(data_dir: Path | None, limit: int | None, ingest: bool, ingest_only: bool) -> None:
    """Build (or reuse) the benchmark store and compare dense, BM25 and hybrid retrieval."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data_dir = pick_data_dir(data_dir)
    settings = load_settings(newsdesk_data_dir=data_dir)
    if ingest and data_dir != SHARED_STORE:  # the lead builds and owns the shared store
        build_store(settings, bench_order(read_articles(), gold_ids(), question_days(), limit))
    if ingest_only:
        return
    reports = evaluate_modes(settings)
    articles, chunks = Catalog(settings.catalog_path).count()
    click.echo(markdown_table(reports, articles=articles, chunks=chunks))
    click.echo(keyword_timings(settings))


if __name__ == "__main__":
    main()
