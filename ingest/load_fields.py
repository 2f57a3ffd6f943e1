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
_DATE_DEFAULT = datetime(2000, 1, 1)  # fills missing parts so "March 2023" is always 2023-03-01
# a date must name its year: dateutil reads "-1" or "5" as a day of the default year
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
# characters an id cannot contain: it has to be typed back (`articles show ID`)
_BAD_ID_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """One input that could not be turned into an article, and why."""

    source: str
    reason: str


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
    """Clean the text and assemble an `Article`; None when no article text is left."""
    host = url_host(url) or url_host(canonical_url)
    source = (source or "").strip() or host
    cleaned = clean_text(text or "", source=source)
    if not cleaned:
        return None
    title = " ".join((title or "").split())
    day = parse_date(published)
    if day is None and published not in (None, ""):
        shown = ascii(published)[:80] if isinstance(published, str) else _kind(published)
        logger.warning("%s: date %s not understood; stored undated", title or url, shown)
    return Article(
        id=article_id(
            given=given_id, canonical_url=canonical_url or url, title=title, text=cleaned
        ),
        title=title,
        text=cleaned,
        url=(url or canonical_url).strip(),
        published=day,
        source=source,
        authors=split_authors(authors),
    )
