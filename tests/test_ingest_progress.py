"""The ingest progress bar: its total is counted up front and it moves once per article."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from index.models import Article
from index.settings import Settings
from ingest.pipeline import ingest_sources, open_ingestor
from ingest.sources import count_articles
from tests.conftest import SAMPLES


def test_the_total_counts_files_dump_lines_and_urls(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl.gz"
    with gzip.open(dump, "wt") as out:
        for i in range(5):
            out.write(json.dumps({"id": f"a{i}", "text": "Some text."}) + "\n")
        out.write("\n")  # a blank line is not an article
    samples = len(list(SAMPLES.glob("*.md")))
    specs = [str(SAMPLES), str(dump), "https://example.com/feed.xml", "missing.md"]
    assert count_articles(specs) == samples + 5 + 1 + 1


def test_progress_moves_once_per_article(settings: Settings) -> None:
    ticks: list[int] = []
    report = ingest_sources([str(SAMPLES)], settings=settings, progress=ticks.append)
    assert report.ok and len(report.new) == len(list(SAMPLES.glob("*.md")))
    assert ticks == [1] * len(report.new)
    again: list[int] = []
    articles = [
        Article(id=f"p{i}", title=f"Story {i}", text=f"Story number {i} happened on a Monday.")
        for i in range(3)
    ]
    open_ingestor(settings).ingest([*articles, articles[0]], progress=again.append)
    assert again == [1, 1, 1, 1]  # the duplicate counts as unchanged, still one tick
