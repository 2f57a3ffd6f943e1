"""Ingest benchmark: newsdesk's pipeline next to a plain llama-index pipeline, same model.

    python bench/ingest.py --articles 300            # a sample, both pipelines
    python bench/ingest.py --articles 0 --only newsdesk --data /work/bench-data/full

Each variant runs in its own process (clean peak-memory reading) on the first N articles of
the RealTime QA corpus, into a fresh Chroma under a temporary directory. Variants:
- newsdesk: `newsdesk ingest` (clean → sentence chunks ≤ 200 tokens → dedupe → embed → store)
- plain-1024: `VectorStoreIndex.from_documents` into Chroma, llama-index default chunking
  (1,024-token chunks; MiniLM reads only the first 256 tokens of each)
- plain-200: the same with `SentenceSplitter(chunk_size=200)`, so all text is embedded
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "benchmarks" / "realtimeqa" / "articles.jsonl.gz"
sys.path.insert(0, str(ROOT))


def subset_file(n: int, directory: Path) -> Path:
    """The first n articles (0 = all) as a .jsonl.gz the pipelines read."""
    if n == 0:
        return CORPUS
    path = directory / f"articles-{n}.jsonl.gz"
    with gzip.open(CORPUS, "rt") as src, gzip.open(path, "wt") as dst:
        dst.writelines(itertools.islice(src, n))
    return path


def run_newsdesk(path: Path, data: Path) -> dict[str, float]:
    from index.settings import load_settings
    from ingest.pipeline import ingest_sources

    settings = load_settings(newsdesk_data_dir=data)
    report = ingest_sources([str(path)], settings=settings)
    _, chunks = _catalog_counts(data)
    return {
        # every input article counts (both pipelines read the same ones), including those
        # reported as failed because nothing but page furniture was left after cleaning
        "articles": len(report.new)
        + len(report.updated)
        + len(report.unchanged)
        + len(report.failed),
        "stored": len(report.new) + len(report.updated) + len(report.unchanged),
        "chunks": chunks,
        "embedded": report.chunks_embedded,
    }


def _catalog_counts(data: Path) -> tuple[int, int]:
    from index.catalog import Catalog

    return Catalog(data / "catalog.sqlite3").count()


def run_plain(path: Path, data: Path, chunk_size: int | None) -> dict[str, float]:
    import chromadb
    from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embeddings import OnnxMiniLMEmbedding

    Settings.embed_model = OnnxMiniLMEmbedding()
    if chunk_size:
        Settings.node_parser = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=20)
    with gzip.open(path, "rt") as lines:
        docs = [Document(text=json.loads(line)["text"]) for line in lines]
    client = chromadb.PersistentClient(path=str(data / "chroma"))
    store = ChromaVectorStore(chroma_collection=client.get_or_create_collection("plain"))
    VectorStoreIndex.from_documents(
        docs, storage_context=StorageContext.from_defaults(vector_store=store)
    )
    return {"articles": len(docs), "chunks": store._collection.count()}


def child(variant: str, path: Path, data: Path) -> None:
    """Run one variant in this process and print its numbers as JSON."""
    started = time.perf_counter()
    if variant == "newsdesk":
        numbers = run_newsdesk(path, data)
    else:
        numbers = run_plain(path, data, None if variant == "plain-1024" else 200)
    numbers["seconds"] = time.perf_counter() - started
    numbers["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(numbers))


def parent(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = subset_file(args.articles, Path(tmp))
        rows = []
        for variant in args.only or ["newsdesk", "plain-200", "plain-1024"]:
            data = Path(args.data) if args.data else Path(tmp) / variant
            out = subprocess.run(
                [sys.executable, __file__, "--child", variant, str(path), str(data)],
                check=True,
                capture_output=True,
                text=True,
            )
            numbers = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((variant, numbers))
            print(f"{variant}: {numbers}", file=sys.stderr)
    print_table(rows, args.articles)


def print_table(rows: list[tuple[str, dict[str, float]]], n: int) -> None:
    print(
        f"\nIngest benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"{n or 'all'} articles\n"
    )
    print("| pipeline | articles | chunks | seconds | articles/s | chunks/s | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['articles']:.0f} | {r['chunks']:.0f} | {r['seconds']:.0f} | "
            f"{r['articles'] / r['seconds']:.2f} | {r['chunks'] / r['seconds']:.1f} | "
            f"{r['peak_mb']:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300, help="first N articles, 0 = all")
    parser.add_argument("--only", action="append", help="newsdesk, plain-200, plain-1024")
    parser.add_argument("--data", help="data dir to keep (default: a temporary one)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        variant, path, data = args.child
        child(variant, Path(path), Path(data))
    else:
        parent(args)


if __name__ == "__main__":
    main()
