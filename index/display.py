"""Text shown to a person, made safe to show: the primitives every renderer builds on.

Stored articles and questions come from anyone. Before any of it reaches a screen, control
characters (ESC sequences repaint a terminal, NUL truncates), bidirectional overrides
(U+202E makes "exe.txt" read "txt.exe") and invisible formatting characters are removed,
and lengths are capped. Each medium's renderer (bot/render.py for Telegram HTML,
cli/terminal.py, cli/csv_export.py) calls these and adds its own escaping.
"""

from __future__ import annotations

import re

# C0 and C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates,
# zero-width and line/paragraph separators, the BOM
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
URL_CHARS = 1000  # longer "URLs" are not linked: no real article address is that long
_OPENING_QUOTES = ("“", '"', "„", "«", "‘", "'")
ELLIPSIS = "…"


def neutralise(text: object) -> str:
    """`text` without control, bidi-override and invisible characters (tab and newline kept)."""
    return _UNSAFE.sub("", str(text if text is not None else ""))


def cap(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def cap_start(text: str, limit: int) -> str:
    """`text` cut to its last `limit` characters at most, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    return ELLIPSIS + text[len(text) - max(limit - 1, 0) :].lstrip()


def one_line(text: object, limit: int) -> str:
    """Neutralised, whitespace folded to single spaces, capped: for titles, outlets, urls."""
    return cap(" ".join(neutralise(text).split()), limit)


def quoted(text: str) -> str:
    """`text` in “curly quotes”, unless it already opens with a quotation mark."""
    text = text.strip()
    if text.startswith(_OPENING_QUOTES):
        return text
    return f"“{text}”"


def linkable(url: object) -> str | None:
    """`url` if it is safe to link (http(s), no whitespace, of sane length), else None."""
    text = neutralise(url).strip()
    if re.match(r"https?://", text) and len(text) <= URL_CHARS and not re.search(r"\s", text):
        return text
    return None
