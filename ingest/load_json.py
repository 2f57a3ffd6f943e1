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

from index.models import Article
from ingest.load_fields import Failure, build_article

logger = logging.getLogger(__name__)


def load_jsonl(path: Path) -> Iterator[Article | Failure]:
    """Stream the records of a `.jsonl` or `.jsonl.gz` file."""
    number = records = 0
    try:
        with _open_lines(path) as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    records += 1
                    yield _record(line, where=f"{path}:{number}", line_number=number)
    except (OSError, EOFError, zlib.error) as exc:
        # A truncated or corrupt gzip stream ends the file; what was read is kept.
        yield Failure(f"{path}:{number + 1}", f"unreadable after line {number}: {_describe(exc)}")
        return
    if records == 0:
        yield Failure(str(path), "empty file")


def load_json(path: Path, raw: str) -> Iterator[Article | Failure]:
    """The records of a `.json` file holding one object or a list of objects."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        yield Failure(str(path), f"invalid JSON on line {exc.lineno}: {exc.msg}")
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
    article = build_article(
        text=text,
        title=str(record.get("title") or ""),
        url=str(record.get("url") or ""),
        published=record.get("published") or record.get("date"),
        source=str(record.get("source") or ""),
        authors=record.get("authors") or record.get("author"),
        given_id=record.get("id"),
    )
    return article or Failure(where, f"{label} has no article text after cleaning")


def _record(line: bytes, *, where: str, line_number: int) -> Article | Failure:
    try:
        record = json.loads(line.decode("utf-8").removeprefix("\ufeff").strip())
    except UnicodeDecodeError:
        return Failure(where, f"line {line_number} is not UTF-8 text")
    except json.JSONDecodeError as exc:
        return Failure(where, f"invalid JSON on line {line_number}: {exc.msg}")
    return article_from_record(record, where=where, label=f"line {line_number}")


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
