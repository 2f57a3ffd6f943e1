"""Telegram's HTML parse mode, as strictly as the Bot API applies it.

`parse_html` returns the plain text Telegram would show, or raises `EntityError` with the
description Telegram uses ("Can't parse entities: ...").
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_VALUE = r"(?:\"[^\"]*\"|'[^']*'|[^\s>]+)"
_ATTRS = r"((?:\s+[a-zA-Z-]+(?:\s*=\s*" + _VALUE + r")?)*)"
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)" + _ATTRS + r"\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


class EntityError(ValueError):
    """Telegram's 400 for HTML it cannot parse."""


def utf16_len(text: str) -> int:
    """Telegram measures text lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _fail(reason: str, offset: int, source: str) -> EntityError:
    byte_offset = len(source[:offset].encode("utf-8"))
    return EntityError(f"Bad Request: can't parse entities: {reason} at byte offset {byte_offset}")


def _check_attributes(name: str, attrs: str, offset: int, source: str) -> None:
    found = {key.lower(): (value or "").strip("\"'") for key, value in _ATTR.findall(attrs)}
    if name == "a" and "href" not in found:
        raise _fail('Can\'t find "href" attribute of tag "a"', offset, source)
    if name == "span" and found.get("class") != "tg-spoiler":
        raise _fail('Tag "span" must have class "tg-spoiler"', offset, source)
    allowed = {
        "a": {"href"},
        "span": {"class"},
        "code": {"class"},
        "pre": {"class"},
        "blockquote": {"expandable"},
        "tg-emoji": {"emoji-id"},
    }.get(name, set())
    for key in found:
        if key not in allowed:
            raise _fail(f'Unsupported attribute "{key}" in tag "{name}"', offset, source)


def parse_html(source: str) -> str:
    """The plain text of an HTML-formatted message, or `EntityError` like Telegram's."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = _TAG.match(source, pos)
            if not match:
                raise _fail("Unclosed start tag", pos, source)
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1][0] != name:
                    raise _fail(f'Unmatched end tag "{name}"', pos, source)
                stack.pop()
            else:
                if name not in ALLOWED_TAGS:
                    raise _fail(f'Unsupported start tag "{name}"', pos, source)
                _check_attributes(name, attrs, pos, source)
                stack.append((name, pos))
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(source, pos)
            if not match:
                raise _fail('Unsupported HTML entity or unescaped "&"', pos, source)
            out.append(html.unescape(match.group(0)))
            pos = match.end()
        elif char == ">":
            raise _fail('Unexpected ">"', pos, source)
        else:
            out.append(char)
            pos += 1
    if stack:
        name, at = stack[-1]
        raise _fail(f'Can\'t find end tag corresponding to start tag "{name}"', at, source)
    return "".join(out)
