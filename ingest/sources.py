"""Turn ingest sources (files, folders, URLs) into `Article`s, one at a time.

`load_sources` never raises for bad input: each file, line, page or feed entry that cannot
be read becomes a `Failure` with a short reason, and the batch carries on. Whatever a loader
raises (a parser's `RecursionError` on `[[[[…`, a decoder bug) ends only that source: it is
caught here, once, and becomes that source's `Failure`.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

import httpx

from index.errors import SourceError
from index.models import Article
from index.settings import Settings
from ingest.fetch import Fetcher
from ingest.load_fields import Failure, describe_error
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
                yield from guarded(spec, partial(load_url, spec, fetcher=fetcher))
            else:
                yield from _load_path(Path(spec).expanduser(), max_bytes=settings.max_file_bytes)


def guarded(
    source: str, load: Callable[[], Iterable[Article | Failure]]
) -> Iterator[Article | Failure]:
    """What `load()` yields; if it raises, what came before stays and the error is a `Failure`."""
    try:
        yield from load()
    except Exception as exc:  # any loader bug or parser limit ends this source only
        logger.debug("loading %s failed", source, exc_info=True)
        yield Failure(source, describe_error(exc))


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
        with gzip.open(path, "rb") if _suffix(path) == ".jsonl.gz" else path.open("rb") as f:
            return max(1, sum(1 for line in f if line.strip()))
    except (OSError, EOFError, zlib.error):
        return 1


def _load_path(path: Path, *, max_bytes: int) -> Iterator[Article | Failure]:
    try:
        files = list(iter_folder(path)) if path.is_dir() else None
    except OSError as exc:
        yield Failure(str(path), f"cannot read folder: {exc.strerror or exc}")
        return
    if files is not None:
        for file in files:
            yield from guarded(str(file), partial(load_file, file, max_bytes=max_bytes))
    elif path.exists() or path.is_symlink():
        yield from guarded(str(path), partial(load_file, path, max_bytes=max_bytes))
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


def load_file(path: Path, *, max_bytes: int) -> Iterator[Article | Failure]:
    """The articles of one file, chosen by its extension; files over `max_bytes` are refused."""
    suffix = _suffix(path)
    if suffix not in SUPPORTED_SUFFIXES:
        yield Failure(str(path), f"unsupported file type {suffix or '(no extension)'}")
        return
    streamed = suffix in (".jsonl", ".jsonl.gz")
    problem = _check_readable(path, compressed=suffix == ".jsonl.gz")
    if not problem and not streamed and path.stat().st_size > max_bytes:
        problem = f"file is larger than MAX_FILE_BYTES ({max_bytes} bytes)"
    if problem:
        yield Failure(str(path), problem)
        return
    logger.info("reading %s", path)
    if streamed:
        yield from load_jsonl(path, max_line_bytes=max_bytes)  # streamed: never read whole
        return
    raw = _read_capped(path, max_bytes)
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


def _read_capped(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; a file that grew past the cap since it was checked is refused."""
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise SourceError(f"file is larger than MAX_FILE_BYTES ({max_bytes} bytes)")
    return raw


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM); legacy files fall back to Windows-1252, never fail."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".jsonl.gz" if name.endswith(".jsonl.gz") else path.suffix.lower()
