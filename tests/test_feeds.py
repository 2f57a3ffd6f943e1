"""Feeds on a schedule, against a real feed server on 127.0.0.1 that changes between polls."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer_log import AnswerLog
from bot.app import build_application
from bot.jobs import PeriodicTask
from cli.main import cli
from index.errors import ConfigError
from index.models import Article
from index.settings import Settings, load_settings
from index.wiring import Wiring
from ingest.feeds import FeedPoller, feed_urls, watch_feeds
from ingest.load_fields import Failure
from ingest.pipeline import open_ingestor
from tests.bot_helpers import bot_settings
from tests.standin import TelegramStandin

STORIES = {
    "ferry": (
        "Island ferry resumes after storm",
        "The island ferry resumed service on Monday after a three-day storm. Operators said "
        "the first crossing carried 212 passengers and a load of fresh milk.",
    ),
    "library": (
        "City library extends opening hours",
        "The central library will open until 10 p.m. on weekdays from March, the council "
        "said, after a survey found most visitors come after work.",
    ),
    "bridge": (
        "Old stone bridge reopens to cyclists",
        "The old stone bridge over the Mill river reopened to cyclists on Friday after "
        "eight months of repairs that cost 1.4 million euros.",
    ),
}


def page(slug: str) -> bytes:
    title, text = STORIES[slug]
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in text.split(". "))
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>"
    ).encode()


class FeedSite:
    """An RSS feed and its article pages; answers conditional requests like a real server."""

    def __init__(self) -> None:
        self.entries: list[str] = ["ferry", "library"]
        self.version = 1
        self.feed_status = 200
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.modified = formatdate(usegmt=True)

    def change(self, entries: list[str]) -> None:
        """Publish a new version of the feed (new ETag and Last-Modified)."""
        self.entries = entries
        self.version += 1
        self.modified = formatdate(usegmt=True)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def feed_xml(self) -> bytes:
        items = "".join(
            f"<item><title>{STORIES[s][0]}</title><link>{self.base}/news/{s}.html</link>"
            f"<pubDate>Mon, 03 Feb 2025 08:00:00 GMT</pubDate></item>"
            for s in self.entries
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Gazette</title>'
            f"<link>{self.base}/</link>{items}</channel></rss>"
        ).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                site.requests.append((self.path, dict(self.headers.items())))
                if self.path == "/feed.xml":
                    self._feed()
                elif self.path.startswith("/news/") and self.path[6:-5] in STORIES:
                    self._send(200, page(self.path[6:-5]), "text/html; charset=utf-8")
                else:
                    self._send(404, b"not found", "text/plain")

            def _feed(self) -> None:
                if site.feed_status != 200:
                    self._send(site.feed_status, b"down", "text/plain")
                    return
                etag = f'"v{site.version}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                extra = {"ETag": etag, "Last-Modified": site.modified}
                self._send(200, site.feed_xml(), "application/rss+xml", extra)

            def _send(
                self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        return Handler


@pytest.fixture
def feed_site() -> Iterator[FeedSite]:
    site = FeedSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def titles(wiring: Wiring) -> list[str]:
    return sorted(row["title"] for row in wiring.catalog.list_articles(limit=50))


def test_polls_fetch_only_new_entries_and_use_conditional_requests(
    settings: Settings, feed_site: FeedSite
) -> None:
    wiring = Wiring(settings)
    clock = Clock()
    feed = f"{feed_site.base}/feed.xml"
    poller = FeedPoller(
        feeds=[feed], settings=settings, ingest=open_ingestor(wiring).ingest, clock=clock
    )
    [first] = poller.poll_due()
    assert (first.status, first.entries, first.fetched) == ("new", 2, 2)
    assert titles(wiring) == [
        "City library extends opening hours",
        "Island ferry resumes after storm",
    ]
    [ferry] = [r for r in wiring.catalog.list_articles(limit=5) if "ferry" in r["title"]]
    assert ferry["source"] == "Harbour Gazette"  # the feed's title: the page names no outlet

    assert poller.poll_due() == []  # not due yet
    clock.now += settings.feed_poll_minutes * 60
    feed_site.requests.clear()
    [second] = poller.poll_due()
    assert second.status == "not-modified"
    [(path, headers)] = feed_site.requests  # one conditional GET, no page fetched
    assert path == "/feed.xml" and headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == feed_site.modified

    feed_site.change(["bridge", "ferry", "library"])
    clock.now += settings.feed_poll_minutes * 60
    feed_site.requests.clear()
    [third] = poller.poll_due()
    assert (third.status, third.entries, third.fetched) == ("new", 3, 1)
    assert feed_site.paths() == ["/feed.xml", "/news/bridge.html"]
    assert "Old stone bridge reopens to cyclists" in titles(wiring)
    # the bridge story is now found by a question (the keyword index was refreshed too)
    passages = wiring.retriever.retrieve("When did the stone bridge reopen to cyclists?")
    assert passages and "bridge" in passages[0].text


def test_a_failing_feed_backs_off_exponentially_and_recovers(
    settings: Settings, feed_site: FeedSite
) -> None:
    clock = Clock()
    ingested: list[Article | Failure] = []
    poller = FeedPoller(
        feeds=[f"{feed_site.base}/feed.xml"],
        settings=settings.model_copy(update={"feed_max_backoff_minutes": 300.0}),
        ingest=ingested.extend,
        clock=clock,
    )
    interval = settings.feed_poll_minutes * 60
    feed_site.feed_status = 503
    delays = []
    for _ in range(4):
        [result] = poller.poll_due()
        assert result.status == "error" and result.error == "HTTP 503"
        delays.append(result.retry_in_s)
        assert poller.poll_due() == []  # backing off
        clock.now += result.retry_in_s
    assert delays == [2 * interval, 4 * interval, 8 * interval, 18000.0]  # capped: 300 min
    feed_site.feed_status = 200
    [ok] = poller.poll_due()
    assert ok.status == "new" and len(ingested) == 2
    assert poller.seconds_until_due() == interval  # back on the normal schedule


def test_feed_state_survives_a_restart(settings: Settings, feed_site: FeedSite) -> None:
    feed, clock = f"{feed_site.base}/feed.xml", Clock()
    got: list[Article | Failure] = []
    FeedPoller(feeds=[feed], settings=settings, ingest=got.extend, clock=clock).poll_due()
    assert len(got) == 2
    feed_site.change(["ferry", "library"])  # new ETag, same entries
    again = FeedPoller(feeds=[feed], settings=settings, ingest=got.extend, clock=clock)
    assert again.poll_due() == []  # the schedule survives too: not due yet
    clock.now += settings.feed_poll_minutes * 60
    [result] = again.poll_due()
    assert (result.status, result.fetched) == ("unchanged", 0) and len(got) == 2


def test_feed_list_from_setting_and_file(tmp_path: Path) -> None:
    listed = tmp_path / "feeds.txt"
    listed.write_text("# local papers\nhttps://b.example/rss\n\nhttps://a.example/feed  # dup\n")
    settings = load_settings(
        _env_file=None, feeds="https://a.example/feed, https://c.example/atom", feeds_file=listed
    )
    assert feed_urls(settings) == [
        "https://a.example/feed",
        "https://c.example/atom",
        "https://b.example/rss",
    ]
    gone = load_settings(_env_file=None, feeds_file=tmp_path / "nope.txt")
    with pytest.raises(ConfigError, match="FEEDS_FILE: cannot read"):
        feed_urls(gone)


def test_watch_runs_rounds_and_sleeps_until_the_next_feed_is_due(
    settings: Settings, feed_site: FeedSite
) -> None:
    clock = Clock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    got: list[Article | Failure] = []
    poller = FeedPoller(
        feeds=[f"{feed_site.base}/feed.xml"], settings=settings, ingest=got.extend, clock=clock
    )
    assert watch_feeds(poller, polls=3, sleep=sleep) == 3
    assert slept == [settings.feed_poll_minutes * 60] * 2
    assert [p for p in feed_site.paths() if p == "/feed.xml"] == ["/feed.xml"] * 3


def test_ingest_watch_command_polls_the_feeds(settings: Settings, feed_site: FeedSite) -> None:
    env = {
        "NEWSDESK_DATA_DIR": str(settings.data_dir),
        "FETCH_ALLOW_PRIVATE": "true",
        "FEEDS": f"{feed_site.base}/feed.xml",
    }
    result = CliRunner().invoke(cli, ["ingest", "--watch", "--polls", "1"], env=env)
    assert result.exit_code == 0, result.output
    assert f"{feed_site.base}/feed.xml: new, 2 new entries fetched" in result.output
    assert titles(Wiring(settings)) == [
        "City library extends opening hours",
        "Island ferry resumes after storm",
    ]


async def test_the_bot_polls_feeds_on_its_job_queue(
    standin: TelegramStandin, feed_site: FeedSite, tmp_path: Path
) -> None:
    settings = bot_settings(
        standin,
        tmp_path / "data",
        fetch_allow_private=True,
        feeds=[f"{feed_site.base}/feed.xml"],
    )
    wiring = Wiring(settings)
    poller = FeedPoller(
        feeds=feed_urls(settings), settings=settings, ingest=open_ingestor(wiring).ingest
    )
    task = PeriodicTask(name="poll feeds", run=poller.poll_due, every_s=3600, first_s=0.1)
    log = AnswerLog(settings.log_db_path)
    app = build_application(settings, answerer=wiring.newsdesk, log=log, tasks=[task])
    await app.initialize()
    await app.start()
    time.sleep(1.5)  # a busy start-up: the first poll becomes due while the loop is held
    try:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        async with asyncio.timeout(60):  # the first poll runs 0.1 s after start
            while wiring.catalog.count()[0] < 2:
                await asyncio.sleep(0.1)
        await standin.send_text(501, 501, "How many passengers did the first ferry carry?")
        [reply] = await standin.wait_for_sent(501, timeout=60)
        assert "212 passengers" in reply.text and "Island ferry resumes after storm" in reply.text
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        log.close()


def test_serve_schedules_a_poll_of_the_configured_feeds(
    settings: Settings, feed_site: FeedSite
) -> None:
    from cli.serve_cmd import feed_tasks

    assert feed_tasks(Wiring(settings)) == []  # no feeds, no job
    with_feeds = settings.model_copy(
        update={"feeds": [f"{feed_site.base}/feed.xml"], "feed_poll_minutes": 15.0}
    )
    wiring = Wiring(with_feeds)
    [task] = feed_tasks(wiring)
    assert task.every_s == 60.0 and task.name == "polling 1 feed(s) every 15 min"
    task.run()  # what the JobQueue runs in a worker thread
    assert wiring.catalog.count()[0] == 2
