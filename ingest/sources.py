"""Turn ingest sources (files, folders, URLs) into `Article`s, one at a time.

`load_sources` never raises for bad input: each file, line, page or feed entry that cannot
be read becomes a `Failure` with a short reason, and the batch carries on.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx

from index.models import Article
from index.settings import Settings
from ingest.fetch import Fetcher
from ingest.load_fields import Failure
from ingest.load_html import article_from_html
from ingest.load_json import load_json, load_jsonl
from ingest.load_text import article_from_text
from ingest.load_web import load_url

__all__ = ["Failure", "count_articles", "load_sources", "SUPPORTED_SUFFIXES"]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".jsonl.gz")
_SNIFF_BYTES = 8192


def load_sources(
    specs: Iterable[str], *, settings: Settings, client: httpx.Client | None = None
) -> Iterator[Article | Failure]:
    """Yield an `Article` or a `Failure` for every input named by `specs` (paths or URLs)."""
    with Fetcher(settings=settings, client=client) as fetcher:
        for spec in specs:
            spec = str(spec).strip()
            if spec.lower().startswith(("http://", "https://")):
                logger.info("fetching %s", spec)
                yield from load_url(spec, fetcher=fetcher)
            else:
                yield from _load_path(Path(spec).expanduser())


def count_articles(specs: Iterable[str]) -> int:
    """About how many articles `specs` hold, for a progress bar: one per file, page or
    feed, one per non-blank line of a JSONL dump (a feed's entries are added as read)."""
    total = 0
    for spec in specs:
        spec = str(spec).strip()
        path = Path(spec).expanduser()
        if spec.lower().startswith(("http://", "https://")) or not path.exists():
            total += 1
            continue
        files = iter_folder(path) if path.is_dir() else [path]
        total += sum(_count_in_file(file) for file in files)
    return total


def _count_in_file(path: Path) -> int:
    if _suffix(path) not in (".jsonl", ".jsonl.gz"):
        return 1
    try:
        with (gzip.open(path, "rb") if _suffix(path) == ".jsonl.gz" else path.open("rb")) as f:
            return max(1, sum(1 for line in f if line.strip()))
    except (OSError, EOFError, zlib.error):
        return 1


def _load_path(path: Path) -> Iterator[Article | Failure]:
    if path.is_dir():
        for file in iter_folder(path):
            yield from load_file(file)
    elif path.exists() or path.is_symlink():
        yield from load_file(path)
    else:
        yield Failure(str(path), "no such file or folder")


def iter_folder(folder: Path) -> Iterator[Path]:
    """Supported files under `folder`, recursively, in sorted order, hidden ones skipped."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative) or path.is_dir():
            continue
        if _suffix(path) in SUPPORTED_SUFFIXES:
            yield path


def load_file(path: Path) -> Iterator[Article | Failure]:
    """The articles of one file, chosen by its extension."""
    suffix = _suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        yield Failure(str(path), f"unsupported file type {suffix or '(no extension)'}")
        return
    problem = _check_readable(path, compressed=suffix == ".jsonl.gz")
    if problem:
        yield Failure(str(path), problem)
        return
    logger.info("reading %s", path)
    if suffix in (".jsonl", ".jsonl.gz"):
        yield from load_jsonl(path)  # streamed: never read whole
        return
    raw = path.read_bytes()
    if suffix in (".html", ".htm"):
        yield article_from_html(raw, where=str(path))
        return
    text = _decode(raw)
    if suffix == ".json":
        yield from load_json(path, text)
    else:
        yield article_from_text(path, text)


def _check_readable(path: Path, *, compressed: bool) -> str:
    """A failure reason for an unreadable, empty or binary file; "" when it looks fine."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if not head.strip():
        return "empty file"
    if not compressed and b"\x00" in head:
        return "binary file"
    return ""


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); legacy files fall back to Windows-1252, never fail."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()
