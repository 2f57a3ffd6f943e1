"""Field helpers shared by every loader: dates, URLs, ids, authors, and building an `Article`."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dateutil import parser as date_parser

from index.errors import SourceError
from index.models import Article, content_hash
from ingest.clean import clean_text

# Query parameters that only track where a click came from; they never change the page.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ocid",
        "cmpid",
        "_ga",
        "mkt_tok",
        "ref_src",
        "cid",
        "icid",
        "smid",
        "sr_share",
        "taid",
        "yclid",
    }
)
# Outlets whose host name reads badly as a byline; any other host is shown without "www."
KNOWN_OUTLETS = {
    "www.cnn.com": "CNN",
    "edition.cnn.com": "CNN",
    "www.usatoday.com": "USA Today",
    "eu.usatoday.com": "USA Today",
    "theweek.com": "The Week",
    "www.theweek.com": "The Week",
    "www.bbc.com": "BBC News",
    "www.bbc.co.uk": "BBC News",
    "www.nytimes.com": "The New York Times",
    "www.washingtonpost.com": "The Washington Post",
    "www.theguardian.com": "The Guardian",
    "www.reuters.com": "Reuters",
    "apnews.com": "AP News",
    "www.npr.org": "NPR",
    "www.foxnews.com": "Fox News",
    "www.aljazeera.com": "Al Jazeera",
}
_SLUG_EXTENSIONS = (".html", ".htm", ".shtml", ".php", ".aspx")
_FIRST_SENTENCE_RE = re.compile(r"^(.{20,}?[.!?])(?:\s|$)")
TITLE_MAX_CHARS = 120
_DATE_DEFAULT = datetime(2000, 1, 1)  # fills missing parts so "March 2023" is always 2023-03-01
# a date must name its year: dateutil reads "-1" or "5" as a day of the default year
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
# characters an id cannot contain: it has to be typed back (`articles show ID`)
_BAD_ID_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """One input that could not be turned into an article, and why.

    `skipped` marks an input that was read fine but holds no article (a page of ad widgets,
    an empty body): reported, but not an error the run should fail for.
    """

    source: str
    reason: str
    skipped: bool = False


def describe_error(exc: BaseException) -> str:
    """A short reason for an exception a loader raised, for the run's failure list."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to read (more levels than the parser handles)"
    if isinstance(exc, MemoryError):
        return "too large to read into memory"
    if isinstance(exc, SourceError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or exc}"
    return f"could not be read ({type(exc).__name__}: {str(exc)[:200]})"


def parse_date(value: object) -> date | None:
    """A `date` from ISO or common formats, a datetime or a struct_time; None if unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    if not isinstance(value, str) or not _YEAR_RE.search(value):
        return None
    try:
        return date_parser.parse(value.strip(), default=_DATE_DEFAULT).date()
    except (ValueError, OverflowError, TypeError):
        return None


def normalise_url(url: str) -> str:
    """The URL without fragment, tracking parameters, default port or trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = (
        parts.port
        if parts.port and (scheme, parts.port) not in {("http", 80), ("https", 443)}
        else None
    )
    netloc = f"{host}:{port}" if port else host
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def clean_url(url: str) -> str:
    """The URL as a reader should see it: no `#:~:text=` highlight, no tracking parameters."""
    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    fragment = parts.fragment.split(":~:")[0]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, fragment))


def _is_tracking(key: str) -> bool:
    return key.lower().startswith("utm_") or key.lower() in _TRACKING_PARAMS


def outlet_name(host: str) -> str:
    """A reader-facing outlet for a host: `www.cnn.com` → CNN, `www.example.org` → example.org."""
    host = host.strip().lower()
    return KNOWN_OUTLETS.get(host) or host.removeprefix("www.")


def slug_title(url: str) -> str:
    """A title read from the URL's slug (`/troops-reach-border.html`), or "".

    The last path segment of two or more words with letters in them: USA Today puts a
    number after the slug (`/border-troops-grow/78412345007/`).
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    for segment in reversed([seg for seg in path.split("/") if seg]):
        slug = segment
        for extension in _SLUG_EXTENSIONS:
            slug = slug.removesuffix(extension)
        words = [w for w in re.split(r"[-_+]+", slug) if w]
        if len(words) >= 2 and sum(any(c.isalpha() for c in w) for w in words) >= 2:
            text = " ".join(words)
            return text[0].upper() + text[1:]
    return ""


def first_sentence(text: str) -> str:
    """The first sentence of `text` (at most TITLE_MAX_CHARS, cut at a word), for a title."""
    line = " ".join(text.strip().split("\n\n")[0].split())
    found = _FIRST_SENTENCE_RE.match(line)
    sentence = found.group(1) if found else line
    if len(sentence) > TITLE_MAX_CHARS:
        sentence = sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    return sentence


def url_host(url: str) -> str:
    """The host name as written (e.g. `www.cnn.com`), or "" when there is none."""
    try:
        return (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""


def article_id(*, given: object, canonical_url: str, title: str, text: str) -> str:
    """The given id exactly; else a hash of the normalised canonical URL; else of title+text.

    A given id that is not a plain string or number, or holds control or invisible
    characters, raises `SourceError`: it could never be typed back.
    """
    if given is not None and str(given).strip():
        if isinstance(given, bool) or not isinstance(given, str | int):
            raise SourceError(f"id is {_kind(given)}, expected text")
        if _BAD_ID_RE.search(str(given)):
            shown = ascii(str(given))[:80]
            raise SourceError(f"id {shown} contains control or invisible characters")
        return str(given)
    if canonical_url:
        return content_hash(normalise_url(canonical_url))
    return content_hash(title, text)


def text_field(value: object, name: str) -> str:
    """A metadata field as text; a list or object there is an error, never its Python repr."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise SourceError(f"{name} is {_kind(value)}, expected text")


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "true/false"}
    return names.get(type(value), f"a {type(value).__name__}")


def split_authors(value: object) -> list[str]:
    """Authors from a list or a `;`/`|`-separated string, blanks removed, order kept."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).replace("|", ";").split(";")
    authors = [" ".join(str(item).split()) for item in items]
    return [author for author in authors if author]


def build_article(
    *,
    text: str,
    title: str = "",
    url: str = "",
    canonical_url: str = "",
    published: object = None,
    source: str = "",
    authors: object = None,
    given_id: object = None,
) -> Article | None:
    """Clean the text and assemble an `Article`; None when no article text is left.

    Every article gets a title (the given one, else the URL slug, else its first sentence)
    and an outlet (the given one, a known host's name, else the host without `www.`).
    """
    host = url_host(url) or url_host(canonical_url)
    source = " ".join((source or "").split())
    if not source or source.lower() == host.lower() or source.lower() in KNOWN_OUTLETS:
        source = outlet_name(source or host)
    cleaned = clean_text(text or "", source=host or source)
    if not cleaned:
        return None
    given_title = " ".join((title or "").split())
    page_url = clean_url(url or canonical_url)
    day = parse_date(published)
    if day is None and published not in (None, ""):
        shown = ascii(published)[:80] if isinstance(published, str) else _kind(published)
        logger.warning("%s: date %s not understood; stored undated", given_title or url, shown)
    return Article(
        id=article_id(
            given=given_id, canonical_url=canonical_url or url, title=given_title, text=cleaned
        ),
        title=given_title or slug_title(page_url) or first_sentence(cleaned),
        text=cleaned,
        url=page_url,
        published=day,
        source=source,
        authors=split_authors(authors),
    )
