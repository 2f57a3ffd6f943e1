"""What the user sees in Telegram: answers, source lists and quoted passages as HTML.

The one place that formats for Telegram. Everything that comes from articles or users is
neutralised (control and bidi characters removed), capped and escaped here; only our own
tags are markup. No message built here exceeds Telegram's 4,096 characters (or 200 for a
callback answer), whatever is stored: every piece has a cap and `pack` never joins past
the limit.
"""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.split import MESSAGE_LIMIT, pack, split_text, utf16_len
from index.citations import CONTEXT_CHARS
from index.display import cap, cap_start, linkable, neutralise, one_line
from index.models import Answer, Citation

TITLE_CHARS = 150
OUTLET_CHARS = 100
QUOTE_CHARS = 3000
NOTE_CHARS = 500
DRAFT_CHARS = 3500  # an answer being written; the final message splits a longer one
CALLBACK_LIMIT = 200
BUTTONS_PER_ROW = 5


def esc(text: object) -> str:
    """Neutralise and escape text for Telegram HTML (text nodes and attribute values alike)."""
    return html.escape(neutralise(text), quote=True)


def link(url: str, label: str) -> str:
    """A link if `url` is http(s) and of sane length, else the escaped label (or url)."""
    target = linkable(url)
    label = one_line(label, TITLE_CHARS) or one_line(url, TITLE_CHARS)
    return f'<a href="{esc(target)}">{esc(label)}</a>' if target else esc(label)


def _details(citation: Citation, sep: str) -> str:
    outlet = one_line(citation.source, OUTLET_CHARS)
    return sep.join(part for part in (outlet, str(citation.published or "")) if part)


def source_line(citation: Citation) -> str:
    """`[n] Title — Outlet, 2024-05-01`, the title linked to the article."""
    title = citation.title or citation.url or citation.source or citation.article_id
    details = _details(citation, ", ")
    tail = f" — {esc(details)}" if details else ""
    return f"[{citation.number}] {link(citation.url, title)}{tail}"


def note_line(answer: Answer) -> str | None:
    """The answer's note (e.g. "the language model failed…"), in italics, or None."""
    return f"<i>{esc(cap(neutralise(answer.note), NOTE_CHARS))}</i>" if answer.note else None


def answer_messages(answer: Answer, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The answer with its [n] markers, its note, then the source list, split into messages."""
    blocks = [esc(piece) for piece in split_text(neutralise(answer.text), limit)]
    note = note_line(answer)
    if note:
        blocks.append(note)
    if answer.citations and not answer.declined:
        blocks.append("\n<b>Sources</b>")
        blocks.extend(source_line(c) for c in answer.citations)
    return pack(blocks, limit)


def draft_message(text: str) -> str:
    """An answer as the model writes it, before it is checked: escaped, capped, marked."""
    return f"{esc(cap(neutralise(text).strip(), DRAFT_CHARS))}\n<i>✍️ writing… (to be checked)</i>"


def sources_messages(citations: list[Citation]) -> list[str]:
    """Only the source list (for /sources), split into messages if long."""
    return pack(["<b>Sources of the last answer</b>", *map(source_line, citations)])


def passage_message(citation: Citation) -> str:
    """The exact passage cited as [n], in bold within the sentences around it, with where it
    came from."""
    details = _details(citation, " · ")
    title = one_line(citation.title or citation.source or citation.article_id, TITLE_CHARS)
    lines = [f"<b>[{citation.number}] {esc(title)}</b>"]
    if details:
        lines.append(f"<i>{esc(details)}</i>")
    quote = cap(citation.quote, QUOTE_CHARS)
    # the context as index bounds it, the three together within QUOTE_CHARS whatever is stored
    room = min(CONTEXT_CHARS, (QUOTE_CHARS - len(quote)) // 2)
    before = esc(cap_start(citation.before, room)) if room > 1 else ""
    after = esc(cap(citation.after, room)) if room > 1 else ""
    passage = " ".join(part for part in (before, f"<b>{esc(quote)}</b>", after) if part)
    lines.append(f"<blockquote expandable>{passage}</blockquote>")
    if citation.url:
        lines.append(link(citation.url, "Open the article"))
    return "\n".join(lines)


def callback_text(text: str) -> str:
    """A callback answer (toast or alert) within Telegram's 200 characters."""
    return cap(one_line(text, 10 * CALLBACK_LIMIT), CALLBACK_LIMIT)


def answer_keyboard(exchange_key: int | str, citations: list[Citation]) -> InlineKeyboardMarkup:
    """One button per source (shows its passage), then 👍/👎."""
    sources = [
        InlineKeyboardButton(f"📄 [{c.number}]", callback_data=f"src:{exchange_key}:{c.number}")
        for c in citations
    ]
    rows = [sources[i : i + BUTTONS_PER_ROW] for i in range(0, len(sources), BUTTONS_PER_ROW)]
    rows.append(
        [
            InlineKeyboardButton("👍", callback_data=f"fb:{exchange_key}:up"),
            InlineKeyboardButton("👎", callback_data=f"fb:{exchange_key}:down"),
        ]
    )
    return InlineKeyboardMarkup(rows)


_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    """Our HTML as plain text (links become `label (url)`), for the parse-error fallback."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return html.unescape(_TAG.sub("", text))


def visible_len(text: str) -> int:
    """What Telegram counts against its limit: the text once our HTML is parsed (UTF-16)."""
    return utf16_len(html.unescape(_TAG.sub("", text)))


def fit_message(text: str, limit: int = MESSAGE_LIMIT) -> tuple[str, bool]:
    """(`text`, True) if it fits; else a plain-text cut that does (False: send without HTML).

    The last line of defence: every renderer above caps its pieces, so this only fires
    when a caller built a message by hand.
    """
    if visible_len(text) <= limit:
        return text, True
    return fit_plain(html_to_plain(text), limit), False


def fit_plain(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Plain `text` cut at a natural break to at most `limit` UTF-16 units (with "…")."""
    if utf16_len(text) <= limit:
        return text
    return split_text(text, limit - 1, cost=utf16_len)[0] + "…"
