"""Plain-text and Markdown articles, with optional front matter between `---` lines."""

from __future__ import annotations

import re
from pathlib import Path

from index.models import Article
from ingest.load_fields import Failure, build_article

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HEADLINE_MAX_CHARS = 150


def article_from_text(path: Path, raw: str) -> Article | Failure:
    """One article from the text of a `.txt`/`.md` file."""
    meta, body = split_front_matter(raw)
    if path.suffix.lower() in {".md", ".markdown"}:
        body = _MD_LINK_RE.sub(r"\1", body)
    title = meta.get("title", "")
    if not title:
        title, body = _headline(body, fallback=path.stem)
    article = build_article(
        text=body,
        title=_unquote(title),
        url=_unquote(meta.get("url", "")),
        published=_unquote(meta.get("date") or meta.get("published") or ""),
        source=_unquote(meta.get("source", "")),
        authors=_authors(meta.get("authors") or meta.get("author")),
        given_id=_unquote(meta["id"]) if meta.get("id") else None,
    )
    return article or Failure(str(path), "no article text")


def split_front_matter(raw: str) -> tuple[dict[str, str | list[str]], str]:
    """Parse YAML-ish `key: value` front matter (lists as `[a, b]` or `- a` lines)."""
    match = _FRONT_MATTER_RE.match(raw)
    if not match:
        return {}, raw
    meta: dict[str, str | list[str]] = {}
    key = ""
    for line in match.group(1).splitlines():
        item = line.strip()
        if item.startswith("- ") and key:
            current = meta.get(key)
            values = current if isinstance(current, list) else []
            meta[key] = [*values, _unquote(item[2:])]
            continue
        pair = _KEY_RE.match(item)
        if pair:
            key = pair.group(1).lower()
            meta[key] = _parse_value(pair.group(2).strip())
    return meta, raw[match.end() :]


def _parse_value(value: str) -> str | list[str]:
    if value.startswith("[") and value.endswith("]"):
        return [_unquote(part) for part in value[1:-1].split(",") if part.strip()]
    return value


def _unquote(value: str | list[str]) -> str:
    text = value if isinstance(value, str) else ", ".join(value)
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _authors(value: str | list[str] | None) -> list[str]:
    """Front matter writes authors as a list or as `A, B` / `A; B`."""
    if isinstance(value, list):
        return value
    return [part for part in re.split(r"[;,]", _unquote(value or "")) if part.strip()]


def _headline(body: str, *, fallback: str) -> tuple[str, str]:
    """Take the first line as title when it reads like a headline; else use `fallback`."""
    lines = body.lstrip("\n").split("\n", 1)
    first = lines[0].strip().lstrip("#").strip()
    rest = lines[1] if len(lines) > 1 else ""
    looks_like_headline = (
        bool(first)
        and len(first) <= _HEADLINE_MAX_CHARS
        and not first.endswith(".")
        and rest.strip()
    )
    if looks_like_headline:
        return first, rest
    return fallback, body
