"""What the admin sees in a browser: the one place that formats for the web.

Pages are Jinja2 templates with autoescape on; every value a template prints first passes
`_finalize` (control, bidi-override and invisible characters removed), and the filters
below cap lengths. Only the markup built here (answer markers as links, the quoted span
in its article as `<mark>`) is trusted, and it escapes every piece of text it wraps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from index.citations import marker_list
from index.display import cap, linkable, neutralise, one_line

TEMPLATES = Path(__file__).parent / "templates"
CONTEXT_CHARS = 320  # article text shown either side of a quoted span
_MARKER = re.compile(r"\[(\d{1,3})\]")


def _finalize(value: Any) -> Any:
    """Every printed value: Markup built here as is, anything else neutralised."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return neutralise(value)


def environment() -> Environment:
    """The Jinja2 environment of the desk's pages, with the renderer's filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        line=lambda value, limit=200: one_line(value, limit),
        text=lambda value, limit=5000: cap(neutralise(value), limit),
        ms=lambda value: "–" if value is None else f"{value:,.0f} ms",
        pct=lambda value: "–" if value is None else f"{value:.0%}",
        answer=answer_html,
        safe_url=lambda value: linkable(value) or "",
        markers=lambda numbers, none: marker_list(numbers, none=none),
    )
    return env


def answer_html(text: str | None, numbers: set[int] | None = None) -> Markup:
    """The answer with each `[n]` of a cited passage linked to that passage (`#cite-n`)."""
    numbers = numbers or set()
    pieces: list[str] = []
    pos = 0
    safe = cap(neutralise(text), 10_000)
    for match in _MARKER.finditer(safe):
        number = int(match.group(1))
        if number not in numbers:
            continue
        pieces.append(str(escape(safe[pos : match.start()])))
        pieces.append(f'<a class="marker" href="#cite-{number}">[{number}]</a>')
        pos = match.end()
    pieces.append(str(escape(safe[pos:])))
    return Markup("".join(pieces))


@dataclass(frozen=True)
class Span:
    """Where a quote sits in its article's text, if it is still there."""

    start: int
    end: int


def locate(article_text: str, quote: str, start: int, end: int) -> Span | None:
    """The quote's span: at its stored offsets, else where it now is, else None (changed)."""
    if quote and article_text[start:end] == quote:
        return Span(start, end)
    found = article_text.find(quote) if quote else -1
    return Span(found, found + len(quote)) if found >= 0 else None


def in_context(article_text: str, span: Span, context: int = CONTEXT_CHARS) -> Markup:
    """The span highlighted (`<mark>`) with up to `context` characters of text either side."""
    lo = max(0, span.start - context)
    hi = min(len(article_text), span.end + context)
    before = ("…" if lo else "") + article_text[lo : span.start]
    after = article_text[span.end : hi] + ("…" if hi < len(article_text) else "")
    return highlighted(before, article_text[span.start : span.end], after)


def highlighted(before: str, marked: str, after: str) -> Markup:
    """Text with its middle part in `<mark id="quoted">`, every part neutralised and escaped."""
    parts = [escape(neutralise(part)) for part in (before, marked, after)]
    return Markup('{}<mark id="quoted">{}</mark>{}').format(*parts)
