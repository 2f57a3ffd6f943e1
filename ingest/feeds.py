"""Feeds on a schedule: poll RSS/Atom feeds, ingest the entries not seen before.

Each poll is a conditional GET (If-None-Match / If-Modified-Since with the validators the
feed last sent), so an unchanged feed costs one 304. Only entries whose link has not been
ingested from that feed are fetched. A feed that fails is retried after 2, 4, 8… poll
intervals (capped at `FEED_MAX_BACKOFF_MINUTES`); one success resets it. What each feed
last sent, and which links it has given, is kept in `data/feeds.json` across restarts.
Every poll is logged, one line per feed.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import feedparser

from index.errors import ConfigError
from index.files import replace_text
from index.models import Article
from index.settings import Settings
from ingest.fetch import Fetcher, FetchError
from ingest.load_fields import Failure
from ingest.load_web import feed_title, load_entry, page_kind

logger = logging.getLogger(__name__)

SEEN_PER_FEED = 2000  # links remembered per feed; far more than any feed lists at once

Ingest = Callable[[Iterable[Article | Failure]], object]


def feed_urls(settings: Settings) -> list[str]:
    """FEEDS plus the lines of FEEDS_FILE (blank lines and `#` comments skipped), deduplicated."""
    urls = list(settings.feeds)
    if settings.feeds_file is not None:
        try:
            text = settings.feeds_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"FEEDS_FILE: cannot read {settings.feeds_file}: {exc}") from None
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                urls.append(line)
    return list(dict.fromkeys(urls))


@dataclass
class FeedState:
    """What newsdesk knows about one feed between polls."""

    etag: str = ""
    last_modified: str = ""
    failures: int = 0
    next_poll: float = 0.0  # time.time() at which the feed is due
    seen: list[str] = field(default_factory=list)  # entry links already ingested


@dataclass(frozen=True)
class PollResult:
    """One feed's poll: `status` is new, unchanged, not-modified or error."""

    url: str
    status: str
    entries: int = 0
    fetched: int = 0
    error: str = ""
    retry_in_s: float = 0.0


class FeedPoller:
    """Polls a fixed list of feeds and hands new entries to `ingest`; see the module doc."""

    def __init__(
        self,
        *,
        feeds: list[str],
        settings: Settings,
        ingest: Ingest,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.feeds = feeds
        self.settings = settings
        self.ingest = ingest
        self.clock = clock
        self.interval_s = settings.feed_poll_minutes * 60.0
        self.max_backoff_s = settings.feed_max_backoff_minutes * 60.0
        self.state_path = settings.feed_state_path
        self.states = _load_states(self.state_path)

    def poll_due(self) -> list[PollResult]:
        """Poll every feed that is due now; returns one result per feed polled."""
        now = self.clock()
        due = [url for url in self.feeds if self._state(url).next_poll <= now]
        if not due:
            return []
        with Fetcher(settings=self.settings) as fetcher:
            results = [self._poll(url, fetcher) for url in due]
        _save_states(self.state_path, self.states)
        return results

    def seconds_until_due(self) -> float:
        """How long until the next feed is due (0 if one is due now)."""
        if not self.feeds:
            return self.interval_s
        soonest = min(self._state(url).next_poll for url in self.feeds)
        return max(0.0, soonest - self.clock())

    def _state(self, url: str) -> FeedState:
        return self.states.setdefault(url, FeedState())

    def _poll(self, url: str, fetcher: Fetcher) -> PollResult:
        state = self._state(url)
        try:
            result = self._fetch_and_ingest(url, state, fetcher)
        except FetchError as exc:
            return self._failed(url, state, str(exc))
        state.failures = 0
        state.next_poll = self.clock() + self.interval_s
        logger.info(
            "feed %s: %s, %d entries, %d fetched",
            url,
            result.status,
            result.entries,
            result.fetched,
        )
        return result

    def _fetch_and_ingest(self, url: str, state: FeedState, fetcher: Fetcher) -> PollResult:
        page = fetcher.get(url, headers=_conditional_headers(state))
        if page.not_modified:
            return PollResult(url, "not-modified")
        if page_kind(page) != "feed":
            raise FetchError(f"not a feed ({page.content_type or 'no content type'})")
        feed = feedparser.parse(page.body, response_headers={"content-location": page.url})
        if not feed.entries and feed.get("bozo"):
            raise FetchError(f"not a readable feed: {feed.get('bozo_exception')}")
        state.etag, state.last_modified = page.etag, page.last_modified
        seen = set(state.seen)
        fresh = [(n, e) for n, e in enumerate(feed.entries, 1) if _link(e) not in seen]
        items = [
            load_entry(e, number=n, feed_url=page.url, fetcher=fetcher, outlet=feed_title(feed))
            for n, e in fresh
        ]
        if items:
            self.ingest(items)
        # a page that could not be fetched is tried again next poll; the rest are done
        done = [_link(e) for (_n, e), item in zip(fresh, items) if _is_done(item)]
        state.seen = (state.seen + [link for link in done if link])[-SEEN_PER_FEED:]
        status = "new" if fresh else "unchanged"
        return PollResult(url, status, entries=len(feed.entries), fetched=len(fresh))

    def _failed(self, url: str, state: FeedState, reason: str) -> PollResult:
        state.failures += 1
        delay = min(self.interval_s * 2**state.failures, self.max_backoff_s)
        state.next_poll = self.clock() + delay
        logger.warning(
            "feed %s: %s (failure %d, next try in %.0f s)", url, reason, state.failures, delay
        )
        return PollResult(url, "error", error=reason, retry_in_s=delay)


def watch_feeds(
    poller: FeedPoller,
    *,
    polls: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[list[PollResult]], object] | None = None,
) -> int:
    """Poll until interrupted (or `polls` rounds); returns how many rounds ran."""
    rounds = 0
    while polls is None or rounds < polls:
        results = poller.poll_due()
        rounds += 1
        if on_poll is not None:
            on_poll(results)
        if polls is not None and rounds >= polls:
            break
        sleep(max(1.0, poller.seconds_until_due()))
    return rounds


def _conditional_headers(state: FeedState) -> dict[str, str]:
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _link(entry: feedparser.FeedParserDict) -> str:
    return str(entry.get("link") or "").strip()


def _is_done(item: Article | Failure) -> bool:
    """Ingested, or a page with no article in it: either way not worth fetching again."""
    return isinstance(item, Article) or item.skipped


def _load_states(path: Path) -> dict[str, FeedState]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable feed state %s: %s", path, exc)
        return {}
    return {url: FeedState(**values) for url, values in raw.items()}


def _save_states(path: Path, states: dict[str, FeedState]) -> None:
    """Write atomically, so a kill mid-write leaves the previous state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_text(path, json.dumps({u: asdict(s) for u, s in states.items()}))
