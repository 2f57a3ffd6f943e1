"""Articles from HTML pages (files or fetched): trafilatura keeps the main text, drops the rest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html

from index.models import Article
from ingest.load_fields import Failure, build_article, parse_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageFallbacks:
    """What a feed entry already says about its page, used where the page itself is silent."""

    title: str = ""
    published: date | None = None
    authors: tuple[str, ...] = ()
    source: str = ""  # the feed's title, as the outlet when the page names none


def article_from_html(
    html: bytes | str,
    *,
    where: str,
    url: str = "",
    fallbacks: PageFallbacks | None = None,
) -> Article | Failure:
    """Extract one article; `url` is where the page was fetched from ("" for a local file)."""
    fallbacks = fallbacks or PageFallbacks()
    tree = load_html(html)
    if tree is None:
        return Failure(where, "not parseable as HTML")
    canonical = canonical_url(tree, base=url)
    doc = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
    )
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        return Failure(where, "no article text found in the page", skipped=True)
    # trafilatura writes one paragraph per line; the model wants a blank line between them.
    text = "\n\n".join(line for line in (doc.text or "").split("\n") if line.strip())
    page_url = url or canonical or (doc.url or "")
    article = build_article(
        text=text,
        title=doc.title or _meta(tree, "og:title") or fallbacks.title or _html_title(tree),
        url=page_url,
        canonical_url=canonical or page_url,
        published=parse_date(doc.date) or fallbacks.published,
        source=_meta(tree, "og:site_name") or fallbacks.source or _named_site(doc.sitename),
        authors=doc.author or list(fallbacks.authors),
    )
    return article or Failure(where, "no article text left after cleaning", skipped=True)


def canonical_url(tree: HtmlElement, *, base: str) -> str:
    """`<link rel=canonical>` or `og:url`, made absolute against `base`; "" if neither."""
    candidates = [
        *tree.xpath(
            "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
        ),
        *tree.xpath("//meta[@property='og:url']/@content"),
    ]
    for candidate in candidates:
        href = str(candidate).strip()
        if href:
            absolute = urljoin(base, href) if base else href
            if absolute.startswith(("http://", "https://")):
                return absolute
    return ""


def _meta(tree: HtmlElement, prop: str) -> str:
    """The content of `<meta property=prop>` (or name=prop), whitespace tidied; "" if absent."""
    values = tree.xpath(f"//meta[@property='{prop}' or @name='{prop}']/@content")
    return " ".join(str(values[0]).split()) if values else ""


def _named_site(sitename: str | None) -> str:
    """trafilatura's site name unless it is only a host name (then the host map decides)."""
    name = " ".join((sitename or "").split())
    return "" if "." in name and " " not in name else name


def _html_title(tree: HtmlElement) -> str:
    titles = tree.xpath("//title/text()")
    return " ".join(str(titles[0]).split()) if titles else ""
