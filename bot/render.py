"""What the user sees: answers, source lists and quoted passages as Telegram HTML.

Everything that comes from articles or users is escaped; only our own tags are markup.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.split import MESSAGE_LIMIT, pack, split_text
from index.models import Answer, Citation

TITLE_CHARS = 150
QUOTE_CHARS = 3000
BUTTONS_PER_ROW = 5


def esc(text: object) -> str:
    """Escape text for Telegram HTML (text nodes and attribute values alike)."""
    return html.escape(str(text), quote=True)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link(url: str, label: str) -> str:
    """A link if `url` is http(s), else just the escaped label."""
    if re.match(r"https?://", url or ""):
        return f'<a href="{esc(url)}">{esc(label)}</a>'
    return esc(label)


def source_line(citation: Citation) -> str:
    """`[n] Title — Outlet, 2024-05-01`, the title linked to the article."""
    title = _short(citation.title or citation.url or citation.article_id, TITLE_CHARS)
    details = ", ".join(
        part for part in (citation.source, str(citation.published or "")) if part)
    tail = f" — {esc(details)}" if details else ""
    return f"[{citation.number}] {link(citation.url, title)}{tail}"


def answer_messages(answer: Answer, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The answer with its [n] markers, then the source list, split into messages."""
    blocks = [esc(piece) for piece in split_text(answer.text, limit)]
    if answer.citations and not answer.declined:
        blocks.append("\n<b>Sources</b>")
        blocks.extend(source_line(c) for c in answer.citations)
    return pack(blocks, limit)


def sources_message(citations: list[Citation]) -> str:
    """Only the source list (for /sources)."""
    return "\n".join(["<b>Sources of the last answer</b>", *map(source_line, citations)])


def passage_message(citation: Citation) -> str:
    """The exact passage cited as [n], quoted, with where it came from."""
    details = " · ".join(p for p in (citation.source, str(citation.published or "")) if p)
    lines = [f"<b>[{citation.number}] {esc(_short(citation.title, TITLE_CHARS))}</b>"]
    if details:
        lines.append(f"<i>{esc(details)}</i>")
    quote = citation.quote if len(citation.quote) <= QUOTE_CHARS else (
        citation.quote[:QUOTE_CHARS].rstrip() + "…")
    lines.append(f"<blockquote expandable>{esc(quote)}</blockquote>")
    if citation.url:
        lines.append(link(citation.url, "Open the article"))
    return "\n".join(lines)


def answer_keyboard(exchange_id: int, citations: list[Citation]) -> InlineKeyboardMarkup:
    """One button per source (shows its passage), then 👍/👎."""
    sources = [
        InlineKeyboardButton(f"📄 [{c.number}]", callback_data=f"src:{exchange_id}:{c.number}")
        for c in citations
    ]
    rows = [sources[i: i + BUTTONS_PER_ROW] for i in range(0, len(sources), BUTTONS_PER_ROW)]
    rows.append([InlineKeyboardButton("👍", callback_data=f"fb:{exchange_id}:up"),
                 InlineKeyboardButton("👎", callback_data=f"fb:{exchange_id}:down")])
    return InlineKeyboardMarkup(rows)


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def html_to_plain(text: str) -> str:
    """Our HTML as plain text (links become `label (url)`), for the parse-error fallback."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))
