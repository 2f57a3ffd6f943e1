"""Fitting text into Telegram's 4,096-character messages without breaking HTML.

Splitting happens on plain text (before escaping), at paragraph, line, sentence or word
boundaries; each piece is escaped on its own, so no tag or entity is ever cut in half.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

MESSAGE_LIMIT = 4096
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*(?:\[\d+\])*\s")


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def escaped_len(text: str) -> int:
    """Length of `text` once HTML-escaped, in UTF-16 units."""
    return utf16_len(html.escape(text, quote=False))


def _fitting_prefix(text: str, limit: int, cost: Callable[[str], int]) -> int:
    """The largest n with cost(text[:n]) <= limit (cost grows with n)."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if cost(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def _cut_point(window: str) -> int:
    """Where to cut `window`: the last paragraph, line, sentence or word break in it."""
    floor = len(window) // 3  # a break too early would leave a tiny piece
    for pattern in ("\n\n", "\n"):
        at = window.rfind(pattern)
        if at > floor:
            return at + len(pattern)
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] > floor:
        return ends[-1]
    at = window.rfind(" ")
    return at + 1 if at > floor else len(window)


def split_text(
    text: str, limit: int = MESSAGE_LIMIT, cost: Callable[[str], int] = escaped_len
) -> list[str]:
    """Split `text` into pieces of at most `limit` (by `cost`) at natural boundaries."""
    pieces: list[str] = []
    rest = text
    while cost(rest) > limit:
        window = rest[: _fitting_prefix(rest, limit, cost)]
        cut = _cut_point(window) if len(window) < len(rest) else len(window)
        cut = max(cut, 1)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest.rstrip() if pieces else rest)
    return [piece for piece in pieces if piece] or [text]


def pack(blocks: list[str], limit: int = MESSAGE_LIMIT, sep: str = "\n") -> list[str]:
    """Join ready HTML blocks (each within `limit`) into as few messages as fit."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{sep}{block}" if current else block
        if current and utf16_len(candidate) > limit:
            messages.append(current)
            current = block
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages
