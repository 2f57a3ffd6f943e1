"""Articles as JSON records: `.json` (one object or a list), `.jsonl` and `.jsonl.gz`.

JSON Lines files are streamed line by line, so a corpus of any size never sits in memory;
one bad line becomes a `Failure` naming the file and line, and the rest carries on.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from index.errors import SourceError
from index.models import Article
from ingest.load_fields import Failure, build_article, describe_error, text_field

logger = logging.getLogger(__name__)


def load_jsonl(path: Path, *, max_line_bytes: int) -> Iterator[Article | Failure]:
    """Stream the records of a `.jsonl` or `.jsonl.gz` file; a line over the cap fails alone."""
    number = records = 0
    try:
        with _open_lines(path) as handle:
            for number, line in enumerate(_capped_lines(handle, max_line_bytes), start=1):
                if line is None:
                    records += 1
                    yield Failure(
                        f"{path}:{number}",
                        f"line {number} is larger than MAX_FILE_BYTES ({max_line_bytes} bytes)",
                    )
                elif line.strip():
                    records += 1
                    yield _record(line, where=f"{path}:{number}", line_number=number)
    except (OSError, EOFError, zlib.error) as exc:
        # A truncated or corrupt gzip stream ends the file; what was read is kept.
        yield Failure(f"{path}:{number + 1}", f"unreadable after line {number}: {_describe(exc)}")
        return
    if records == 0:
        yield Failure(str(path), "empty file")


def _capped_lines(handle: BinaryIO | gzip.GzipFile, limit: int) -> Iterator[bytes | None]:
    """Each line of `handle`, or None for a line longer than `limit` (skipped unread)."""
    while line := handle.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while (rest := handle.readline(limit)) and not rest.endswith(b"\n"):
            pass  # drain the oversized line in bounded pieces
        yield None


def load_json(path: Path, raw: str) -> Iterator[Article | Failure]:
    """The records of a `.json` file holding one object or a list of objects."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield Failure(str(path), f"invalid JSON on line {exc.lineno}: {exc.msg}")
        return
    except RecursionError:
        yield Failure(str(path), describe_error(RecursionError()))
        return
    records = data if isinstance(data, list) else [data]
    for index, record in enumerate(records, start=1):
        where = f"{path}[{index}]" if isinstance(data, list) else str(path)
        yield article_from_record(record, where=where, label=f"item {index}")


def article_from_record(record: object, *, where: str, label: str) -> Article | Failure:
    """One article from a decoded record with the corpus fields."""
    if not isinstance(record, dict):
        return Failure(where, f"{label} is not a JSON object")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Failure(where, f"{label} has no text")
    try:
        article = build_article(
            text=text,
            title=text_field(record.get("title"), "title"),
            url=text_field(record.get("url"), "url"),
            published=record.get("published") or record.get("date"),
            source=text_field(record.get("source"), "source"),
            authors=record.get("authors") or record.get("author"),
            given_id=record.get("id"),
        )
    except SourceError as exc:
        return Failure(where, f"{label}: {exc}")
    return article or Failure(where, f"{label} has no article text after cleaning")


def _record(line: bytes, *, where: str, line_number: int) -> Article | Failure:
    try:
        record = json.loads(line.decode("utf-8").removeprefix("\ufeff").strip())
    except UnicodeDecodeError:
        return Failure(where, f"line {line_number} is not UTF-8 text")
    except json.JSONDecodeError as exc:
        return Failure(where, f"invalid JSON on line {line_number}: {exc.msg}")
    except RecursionError as exc:
        return Failure(where, f"line {line_number}: {describe_error(exc)}")
    try:
        return article_from_record(record, where=where, label=f"line {line_number}")
    except Exception as exc:  # one odd record fails alone; the file carries on
        return Failure(where, f"line {line_number}: {describe_error(exc)}")


def _open_lines(path: Path) -> gzip.GzipFile | BinaryIO:
    """Bytes lines, so one line that is not UTF-8 fails alone instead of ending the file."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")  # noqa: SIM115 - closed by the caller's `with`


def _describe(exc: BaseException) -> str:
    if isinstance(exc, gzip.BadGzipFile):
        return "not a valid gzip file"
    if isinstance(exc, EOFError):
        return "compressed file is truncated"
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
