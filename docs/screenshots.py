"""Renders the web desk's screenshots in docs/web/ (headless Chromium, as the tests use it).

The desk serves the sample articles and an answer log of real answers to the sample
questions (bench/questions/samples.jsonl and a few nothing answers), asked over the last
days, after months of synthetic history (bench/web_seed.py) so the charts have
something to draw.

    python docs/screenshots.py [--out docs/web]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from bench.web_seed import Source, seed_log  # noqa: E402
from bot.answer_log import AnswerLog, Exchange  # noqa: E402
from index.settings import Settings, load_settings  # noqa: E402
from index.wiring import Wiring  # noqa: E402
from ingest.pipeline import ingest_sources  # noqa: E402
from tests.bot_helpers import free_port  # noqa: E402
from tests.test_web_browser import CHROMIUM_ARGS, chromium_path  # noqa: E402
from web.app import build_app  # noqa: E402

PASSWORD = "screenshots"
UNANSWERED = [
    "what did morocco do after the earthquake",
    "Morocco earthquake aid?",
    "how much are the new bus fares",
    "are bus fares going up",
    "who won the mayor election in port aurelia",
    "Port Aurelia mayor election results",
    "when does the lithium mine get its permit",
]


def sources_of(wiring: Wiring) -> list[Source]:
    """The first sentence of each stored chunk, as the synthetic answers' citations."""
    found = []
    for row in wiring.catalog.iter_chunks():
        sentence = row["text"].split(". ")[0].rstrip(".") + "."
        found.append(Source(row["article_id"], row["title"], row["source"], row["url"],
                            sentence, row["start"]))  # fmt: skip
    return found


def real_answers(settings: Settings, wiring: Wiring, now: datetime) -> list[int]:
    """The sample questions and some nothing answers, asked over the last three days."""
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "bench/questions/samples.jsonl").read_text().splitlines()]  # fmt: skip
    asked = questions + UNANSWERED
    rng = random.Random(3)
    log = AnswerLog(settings.log_db_path)
    ids = []
    for n, question in enumerate(asked):
        at = now - timedelta(days=3) * (1 - n / len(asked)) - timedelta(minutes=rng.randint(0, 60))
        chat = rng.choice([(0, "terminal", None, "editor"), (4242, "private", 4242, "maria"),
                           (-100123, "group", 77, "newsroom")])  # fmt: skip
        answer = wiring.newsdesk.answer(question)
        exchange = Exchange(chat[0], chat[1], chat[2], chat[3], question, answer, at=at)
        ids.append(int(log.record(exchange)))
        if chat[2] is not None and rng.random() < 0.4:
            vote = "down" if answer.declined or rng.random() < 0.2 else "up"
            log.record_feedback(ids[-1], user_id=chat[2], user_name=chat[3], value=vote)
    log.close()
    return ids


def serve(wiring: Wiring, log: AnswerLog, port: int) -> uvicorn.Server:
    app = build_app(wiring=wiring, log=log, password=PASSWORD, secret_key="screenshots")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def shoot(page: Page, url: str, out: Path, *, full: bool = False) -> None:
    page.goto(url)
    page.screenshot(path=str(out), full_page=full)
    print(f"wrote {out}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "web")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(_env_file=None, newsdesk_data_dir=Path(tmp) / "data")
        ingest_sources([str(ROOT / "samples" / "articles")], settings=settings)
        wiring = Wiring(settings)
        log = AnswerLog(settings.log_db_path)
        seed_log(log, 4000, sources=sources_of(wiring), end=now - timedelta(days=3))
        ids = real_answers(settings, wiring, now)
        cited = max(ids[: -len(UNANSWERED)], key=lambda i: (len(citations(log, i)), -i))
        article_id, start, end = citations(log, cited)[0]
        url = f"http://127.0.0.1:{free_port()}"
        server = serve(wiring, log, int(url.rsplit(":", 1)[1]))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium_path()),
                                                 args=CHROMIUM_ARGS)  # fmt: skip
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            shoot(page, url + "/login", args.out / "login.png")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(url + "/answers")
            shoot(page, url + "/answers", args.out / "answers.png")
            shoot(page, url + "/answers?q=strike", args.out / "answers-search.png")
            shoot(page, f"{url}/answers/{cited}", args.out / "answer.png", full=True)
            shoot(page, url + "/stats?days=90", args.out / "stats.png", full=True)
            shoot(page, url + "/gaps", args.out / "gaps.png")
            shoot(page, url + "/articles", args.out / "articles.png")
            quoted = f"{url}/articles/{article_id}?start={start}&end={end}"
            shoot(page, quoted, args.out / "article.png")
            shoot(page, f"{url}/articles/{article_id}/delete", args.out / "article-delete.png")
            browser.close()
        server.should_exit = True


def citations(log: AnswerLog, exchange_id: int) -> list[tuple[str, int, int]]:
    """(article id, start, end) of each passage an exchange cites, in order."""
    with log.connection() as db:
        rows = db.execute(
            'SELECT article_id, start, "end" FROM citations WHERE exchange_id = ? ORDER BY number',
            (exchange_id,),
        )
        return [(row[0], row[1], row[2]) for row in rows]


if __name__ == "__main__":
    main()
