"""What the admin's terminal shows: answers, citations, articles and log entries as text.

The one place that formats for a terminal. Stored text comes from anyone, so every field
passes `field` or `block` here: ESC sequences (which can repaint the screen, rewrite the
window title or hide text), other control characters and bidi overrides are removed and
single-line fields are capped.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from index.display import cap, neutralise, one_line, quoted
from index.models import Answer, Citation

WIDTH = 88
FIELD_CHARS = 300
BLOCK_CHARS = 200_000


def field(value: object, limit: int = FIELD_CHARS) -> str:
    """A one-line field (title, outlet, url, id, user name), safe to print."""
    return one_line("" if value is None else value, limit)


def block(value: object, limit: int = BLOCK_CHARS) -> str:
    """Multi-line text (an article, an answer, a passage), safe to print."""
    return cap(neutralise("" if value is None else value), limit)


def render_citation(citation: Citation) -> str:
    """`[1] Title — Outlet, 2025-02-12` / url / the quoted passage, indented."""
    outlet = field(citation.source, 100)
    details = ", ".join(p for p in (outlet, str(citation.published or "")) if p)
    head = f"[{citation.number}] {field(citation.title or citation.article_id, 150)}"
    lines = [f"{head} — {details}" if details else head]
    if citation.url:
        lines.append(f"    {field(citation.url, 1000)}")
    weak = "  (unverified: check the passage)" if citation.weak_support else ""
    quote = textwrap.fill(
        quoted(" ".join(block(citation.quote, 5000).split())),
        width=WIDTH,
        initial_indent="    > ",
        subsequent_indent="      ",
    )
    lines.append(quote + weak)
    return "\n".join(lines)


def render_answer(answer: Answer) -> str:
    """The answer text, a note if any, then its sources."""
    blocks = [textwrap.fill(block(answer.text), width=WIDTH)]
    if answer.note:
        blocks.append(textwrap.fill(f"Note: {block(answer.note, 1000)}", width=WIDTH))
    if answer.citations and not answer.declined:
        blocks.append("Sources:\n" + "\n".join(render_citation(c) for c in answer.citations))
    return "\n\n".join(blocks)


class DraftPrinter:
    """Prints a generated answer as it is written: each new piece, safe to print.

    The draft is what the model wrote, before its sentences are checked; the checked answer
    is printed after it.
    """

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.printed = ""

    def update(self, text: str) -> None:
        if not self.printed:
            self.write("(writing…) ")
        if text.startswith(self.printed):
            self.write(block(text[len(self.printed) :]))
            self.printed = text

    def checked(self, answer: Answer) -> str:
        """What follows the draft: the checked answer, said to be so when it differs."""
        if not self.printed:
            return render_answer(answer)
        if " ".join(self.printed.split()) == " ".join(answer.text.split()):
            return "\n\n" + render_answer(answer).partition("\n\n")[2]
        return "\n\nChecked against the sources:\n" + render_answer(answer)
