"""Rendering and splitting: valid Telegram HTML, within the limit, split where sentences end."""

from __future__ import annotations

from bot.render import answer_messages, html_to_plain, passage_message, source_line
from bot.split import MESSAGE_LIMIT, split_text
from index.models import Answer
from tests.bot_helpers import ARTICLES, citation
from tests.standin import parse_html, utf16_len


def test_split_prefers_sentence_ends_and_counts_escaped_length() -> None:
    text = "Tom & Jerry <said> things [1]. " * 400
    pieces = split_text(text, 1000)
    assert all(
        len(p.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) <= 1000
        for p in pieces
    )
    assert all(p.endswith("things [1].") for p in pieces)
    assert " ".join(pieces) == text.strip()


def test_split_without_any_break_still_fits() -> None:
    emoji = "📰" * 5000  # two UTF-16 units each, no spaces at all
    pieces = split_text(emoji, MESSAGE_LIMIT)
    assert "".join(pieces) == emoji
    assert all(utf16_len(p) <= MESSAGE_LIMIT for p in pieces)


def test_every_rendered_message_is_valid_html_within_the_limit() -> None:
    cites = [citation(article, n) for n, article in enumerate(ARTICLES * 20, 1)]
    answer = Answer(
        question="q",
        standalone_question="q",
        text=("Editors say <AI> & tools [3]. \n" * 300),
        citations=cites,
    )
    messages = answer_messages(answer)
    assert len(messages) > 2
    for message in messages:
        assert utf16_len(parse_html(message)) <= MESSAGE_LIMIT
    assert parse_html(messages[-1]).endswith(
        f"[60] {ARTICLES[2].title} — {ARTICLES[2].source}, 2024-07-01"
    )


def test_passage_and_source_line_escape_everything() -> None:
    tricky = citation(ARTICLES[2], 4)
    assert parse_html(source_line(tricky)) == (f"[4] {tricky.title} — {tricky.source}, 2024-07-01")
    shown = parse_html(passage_message(tricky))
    assert shown.splitlines() == [
        f"[4] {tricky.title}",
        f"{tricky.source} · 2024-07-01",
        tricky.quote,
        "Open the article",
    ]
    assert html_to_plain(source_line(tricky)) == (
        f"[4] {tricky.title} ({tricky.url}) — {tricky.source}, 2024-07-01"
    )


def test_a_passage_is_shown_in_bold_between_the_sentences_around_it() -> None:
    cited = citation(ARTICLES[2], 4).model_copy(
        update={"before": "Staff were asked <twice>.", "after": "The survey closes & reopens."}
    )
    raw = passage_message(cited)
    shown = parse_html(raw).splitlines()
    assert shown[2] == f"Staff were asked <twice>. {cited.quote} The survey closes & reopens."
    assert raw.index("Staff were asked") < raw.index("<b>Editors said") < raw.index("The survey")
    assert raw.index("stays human.</b>") < raw.index("The survey closes")


def test_non_http_links_are_not_linked() -> None:
    odd = citation(ARTICLES[0], 1).model_copy(update={"url": "javascript:alert(1)"})
    assert "<a " not in source_line(odd)
