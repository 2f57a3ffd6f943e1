"""Articles from http(s) URLs: an HTML page, or an RSS/Atom feed whose entries link to pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import feedparser

from index.models import Article
from ingest.fetch import FetchedPage, Fetcher, FetchError
from ingest.load_fields import Failure, parse_date, split_authors
from ingest.load_html import PageFallbacks, article_from_html

logger = logging.getLogger(__name__)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml"}
)
# Types a server may give a feed or page without meaning anything precise: sniff the body.
_VAGUE_TYPES = frozenset(
    {"", "text/xml", "application/xml", "text/plain", "application/octet-stream"}
)
_FEED_SNIFF_RE = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.S)
_HTML_SNIFF_RE = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype html|html|head|body)\b", re.S | re.I)


def load_url(url: str, *, fetcher: Fetcher) -> Iterator[Article | Failure]:
    """The article at `url`, or one article per entry if `url` is a feed."""
    try:
        page = fetcher.get(url)
    except FetchError as exc:
        yield Failure(url, str(exc))
        return
    kind = page_kind(page)
    if kind == "feed":
        yield from _load_feed(page, fetcher=fetcher)
    elif kind == "html":
        yield article_from_html(page.body, where=url, url=page.url)
    else:
        yield Failure(url, f"not HTML ({page.content_type or 'no content type'})")


def page_kind(page: FetchedPage) -> str:
    """'feed', 'html' or 'other', from the content type and, when that is vague, the body."""
    head = page.body[:2048].lstrip(b"\xef\xbb\xbf")
    if page.content_type in _FEED_TYPES:
        return "feed"
    if page.content_type in _HTML_TYPES:
        return "html"
    if page.content_type in _VAGUE_TYPES or page.content_type.endswith("+xml"):
        if _FEED_SNIFF_RE.match(head):
            return "feed"
        if _HTML_SNIFF_RE.match(head):
            return "html"
    return "other"


def _load_feed(page: FetchedPage, *, fetcher: Fetcher) -> Iterator[Article | Failure]:
    feed = feedparser.parse(page.body, response_headers={"content-location": page.url})
    if not feed.entries:
        reason = "feed has no entries"
        if feed.get("bozo"):
            reason = f"not a readable feed: {feed.get('bozo_exception')}"
        yield Failure(page.url, reason)
        return
    logger.info("feed %s: %d entries", page.url, len(feed.entries))
    outlet = feed_title(feed)
    for number, entry in enumerate(feed.entries, start=1):
        yield load_entry(entry, number=number, feed_url=page.url, fetcher=fetcher, outlet=outlet)


def feed_title(feed: feedparser.FeedParserDict) -> str:
    """The feed's own title (an outlet name for its entries when the page has none)."""
    return " ".join(str(feed.get("feed", {}).get("title") or "").split())


def load_entry(
    entry: feedparser.FeedParserDict,
    *,
    number: int,
    feed_url: str,
    fetcher: Fetcher,
    outlet: str = "",
) -> Article | Failure:
    """The full article an entry links to; the entry's own title/date fill what the page lacks."""
    link = str(entry.get("link") or "").strip()
    if not link:
        return Failure(f"{feed_url}#entry-{number}", "feed entry has no link")
    try:
        page = fetcher.get(link)
    except FetchError as exc:
        return Failure(link, str(exc))
    if page_kind(page) != "html":
        return Failure(link, f"not HTML ({page.content_type or 'no content type'})")
    fallbacks = PageFallbacks(
        title=str(entry.get("title") or ""),
        published=parse_date(entry.get("published_parsed") or entry.get("updated_parsed")),
        authors=tuple(split_authors([a.get("name", "") for a in entry.get("authors", [])])),
        source=outlet,
    )
    return article_from_html(page.body, where=link, url=page.url, fallbacks=fallbacks)
