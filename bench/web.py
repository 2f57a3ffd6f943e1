"""How fast the web desk's pages are on a log of 100,000 exchanges.

Seeds a synthetic answer log (bench/web_seed.py, written through `AnswerLog.record`) and a
catalog of synthetic articles in a temporary data dir, logs in, and times each page through
the real application in process (Starlette's test client: routing, session, SQLite,
templates; no network). Prints p50/p95 per page as a Markdown table for docs/benchmarks.md.

    python bench/web.py [--exchanges 100000] [--articles 8000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# the project root first: this script's own folder would make `web` mean this file
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from starlette.testclient import TestClient  # noqa: E402

from bench.web_seed import ANSWERED, Source, seed_log  # noqa: E402
from bot.answer_log import AnswerLog  # noqa: E402
from index.models import Article, Chunk  # noqa: E402
from index.settings import load_settings  # noqa: E402
from index.wiring import Wiring  # noqa: E402
from web.app import build_app  # noqa: E402

END = datetime(2026, 11, 30, 18, tzinfo=UTC)
OUTLETS = ["Frontier Ledger", "Metro Daily", "Coastal Herald", "CNN", "Reuters", "BBC"]


def seed_catalog(wiring: Wiring, count: int) -> list[Source]:
    """`count` articles of ten paragraphs in the catalog; a passage of each to cite."""
    rng = random.Random(5)
    sources = []
    for i in range(count):
        topic = " ".join(rng.choice(ANSWERED))
        sentences = [f"Paragraph {n} on the {topic}: officials said figure {rng.randint(1, 9999)} "
                     f"was confirmed on day {n}." for n in range(10)]  # fmt: skip
        text = "\n\n".join(sentences)
        published = date(2026, 11, 30) - timedelta(days=rng.randint(0, 400))
        article = Article(id=f"art{i:05d}", title=f"Update {i} on the {topic}", text=text,
                          url=f"https://news.example.com/{i}", published=published,
                          source=rng.choice(OUTLETS))  # fmt: skip
        chunks = [Chunk(id=f"{article.id}:{k}", article_id=article.id, index=k, start=0,
                        end=len(text), text=text) for k in range(1)]  # fmt: skip
        wiring.catalog.commit_article(article, chunks)
        start = text.index(sentences[3])
        sources.append(Source(article.id, article.title, article.source, article.url,
                              sentences[3], start))  # fmt: skip
    return sources


def seed(wiring: Wiring, log: AnswerLog, exchanges: int, articles: int) -> None:
    started = time.perf_counter()
    sources = seed_catalog(wiring, articles)
    seed_log(log, exchanges, sources=sources[:200], end=END)
    print(f"seeded {exchanges:,} exchanges, {articles:,} articles "
          f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip


def logged_in(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no CSRF token on the login page"
    form = {"csrf_token": token.group(1), "password": "bench", "next": "/answers"}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def time_page(client: TestClient, path: str, repeats: int) -> dict[str, float]:
    """p50/p95 milliseconds of GET `path` (after one warm-up request)."""
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    took = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        took.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    took.sort()
    return {
        "p50_ms": statistics.median(took),
        "p95_ms": took[min(len(took) - 1, int(len(took) * 0.95))],
    }


def pages(log: AnswerLog) -> dict[str, str]:
    with log.connection() as db:
        middle = db.execute(
            "SELECT id FROM exchanges ORDER BY id LIMIT 1"
            " OFFSET (SELECT count(*) / 2 FROM exchanges)"
        ).fetchone()
        chat = db.execute(
            "SELECT chat_id FROM exchanges WHERE chat_type != 'terminal' LIMIT 1"
        ).fetchone()
    week = (END.date() - timedelta(days=6)).isoformat()
    return {
        "Answers, newest 50": "/answers",
        "Answers, a page in the middle": f"/answers?before={middle[0]}",
        "Search, common word (border)": "/answers?q=border",
        "Search, rare word (Morocco)": "/answers?q=morocco",
        "Search, two words": "/answers?q=rail+strike",
        "Declined": "/answers?declined=1",
        "Feedback down": "/answers?feedback=down",
        "Feedback none": "/answers?feedback=none",
        "Date range (a week)": f"/answers?since={week}&until={END.date().isoformat()}",
        "One chat": f"/answers?chat={chat[0]}",
        "Terminal only": "/answers?medium=terminal",
        "Search + declined + range": f"/answers?q=morocco&declined=1&since={week}",
        "One answer": f"/answers/{middle[0]}",
        "Stats, 90 days": "/stats",
        "Stats, 365 days": "/stats?days=365",
        "Gaps": "/gaps",
        "Gaps, with answers voted down": "/gaps?down=1",
        "Articles, newest 50": "/articles",
        "Articles, title search": "/articles?q=strike",
        "One article": "/articles/art00042",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=8_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("bench/results/web.json"))
    parser.add_argument("--data", type=Path, help="Seed into (or reuse) this data dir.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(_env_file=None, newsdesk_data_dir=args.data or Path(tmp))
        wiring = Wiring(settings)
        seeded = settings.log_db_path.exists()
        log = AnswerLog(settings.log_db_path)
        if not seeded:
            seed(wiring, log, args.exchanges, args.articles)
        app = build_app(wiring=wiring, log=log, password="bench", secret_key="bench")
        with TestClient(app) as client:
            logged_in(client)
            cold = time.perf_counter()
            client.get("/gaps")
            cold_gaps_ms = (time.perf_counter() - cold) * 1000
            results = {name: time_page(client, path, args.repeats)
                       for name, path in pages(log).items()}  # fmt: skip
    print("| page | p50 ms | p95 ms |\n|---|---:|---:|")
    for name, found in results.items():
        print(f"| {name} | {found['p50_ms']:.1f} | {found['p95_ms']:.1f} |")
    print(
        f"\nGaps, first request after start (question keys not cached yet): {cold_gaps_ms:.0f} ms"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"pages": results, "gaps_first_ms": cold_gaps_ms}, indent=2))


if __name__ == "__main__":
    main()
