"""One renderer per medium: whatever is stored, what a person sees is capped and inert."""

from __future__ import annotations

import csv
import io
from datetime import date

from bot.render import (
    answer_messages,
    callback_text,
    fit_message,
    passage_message,
    source_line,
    sources_messages,
    visible_len,
)
from bot.split import MESSAGE_LIMIT
from cli.csv_export import csv_cell, write_csv
from cli.terminal import render_answer, render_citation
from index.display import neutralise, quoted
from index.models import Answer, Citation
from tests.standin import parse_html, utf16_len

HOSTILE = "Evil\x1b]0;pwned\x07\x1b[2J title\x00 with \u202eshadow\u202c and \u200bzero"


def hostile_citation(number: int = 1, **fields: object) -> Citation:
    values: dict[str, object] = {
        "number": number,
        "article_id": "a1",
        "title": HOSTILE,
        "source": "S" * 6000,
        "published": date(2025, 1, 2),
        "url": "https://example.com/" + "p" * 50,
        "chunk_id": "a1:0",
        "quote": "“Squid Game” is back.\x1b[31m",
        "start": 0,
        "end": 10,
        "score": 0.5,
    }
    values.update(fields)
    return Citation.model_validate(values)


def assert_inert(text: str) -> None:
    assert not any(ch in text for ch in "\x00\x1b\x07\u202e\u202c\u200b"), ascii(text)


def test_a_6000_character_outlet_never_makes_a_message_too_long() -> None:
    cites = [hostile_citation(n) for n in range(1, 9)]
    answer = Answer(
        question="q",
        standalone_question="q",
        text="Claim [1]. " * 300,
        citations=cites,
        note="The language model failed (timeout).",
    )
    messages = answer_messages(answer)
    for message in messages:
        shown = parse_html(message)
        assert utf16_len(shown) <= MESSAGE_LIMIT
        assert_inert(shown)
    assert "The language model failed (timeout)." in parse_html(messages[-2] + messages[-1])
    line = parse_html(source_line(cites[0]))
    assert line.startswith("[1] Evil]0;pwned[2J title with shadow and zero — SSS")
    assert len(line) < 300
    for message in [*sources_messages(cites), passage_message(cites[0])]:
        assert utf16_len(parse_html(message)) <= MESSAGE_LIMIT
    around = hostile_citation(before="B" * 6000 + HOSTILE, after=HOSTILE + "A" * 6000)
    shown = parse_html(passage_message(around))
    assert utf16_len(shown) <= MESSAGE_LIMIT
    assert "“Squid Game” is back." in shown and "B" * 500 in shown and "A" * 500 in shown
    assert_inert(shown)
    long_quote = hostile_citation(quote="Q" * 6000, before="before.", after="after.")
    assert utf16_len(parse_html(passage_message(long_quote))) <= MESSAGE_LIMIT


def test_the_answer_note_is_shown() -> None:
    answer = Answer(
        question="q",
        standalone_question="q",
        text="Claim [1].",
        citations=[hostile_citation()],
        note="The language model failed (timeout); this is an extractive answer.",
    )
    [message] = answer_messages(answer)
    assert "<i>The language model failed (timeout); this is an extractive answer.</i>" in message


def test_a_link_never_has_an_empty_label() -> None:
    bare = hostile_citation(title="", url="https://example.com/story")
    assert '<a href="https://example.com/story">https://example.com/story</a>' in source_line(bare)
    outlet = hostile_citation(title="", url="", source="Metro Daily")
    assert parse_html(source_line(outlet)).startswith("[1] Metro Daily — Metro Daily")


def test_a_hand_built_message_over_the_limit_is_cut_to_fit() -> None:
    text, fits = fit_message("<b>long</b> " + "word " * 2000)
    assert not fits and visible_len(text) <= MESSAGE_LIMIT and text.startswith("long word")
    assert fit_message("<b>short</b>") == ("<b>short</b>", True)


def test_callback_answers_fit_in_200_characters() -> None:
    assert len(callback_text("Sorry " * 100)) == 200
    assert_inert(callback_text(HOSTILE))


def test_the_terminal_gets_no_escape_sequences_and_no_doubled_quotes() -> None:
    cite = hostile_citation(source="Metro Daily")
    shown = render_citation(cite)
    assert_inert(shown)
    assert "> “Squid Game” is back.[31m" in shown and "““" not in shown
    plain = render_citation(hostile_citation(quote="The ferry runs again."))
    assert "> “The ferry runs again.”" in plain
    answer = Answer(
        question="q",
        standalone_question="q",
        text="A\x1b[2J [1].",
        citations=[cite],
        note="note\x1b[5m",
    )
    assert_inert(render_answer(answer))


def test_quoted_adds_marks_only_when_none_are_there() -> None:
    assert quoted("“Squid Game” returns") == "“Squid Game” returns"
    assert quoted('"Squid Game" returns') == '"Squid Game" returns'
    assert quoted("Squid Game returns") == "“Squid Game returns”"


def test_csv_cells_cannot_be_formulas() -> None:
    assert [csv_cell(v) for v in ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "fine", 3, None]] == [
        "'=1+2",
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "fine",
        3,
        None,
    ]
    out = io.StringIO()
    write_csv(
        [
            {
                "question": '=HYPERLINK("http://evil")',
                "n": 2,
                "answer": "a\x00b",
                "citations": [{"title": "=x"}],
            }
        ],
        ["question", "n", "answer", "citations"],
        out,
    )
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row == {
        "question": '\'=HYPERLINK("http://evil")',
        "n": "2",
        "answer": "ab",
        "citations": '[{"title": "=x"}]',
    }
    assert neutralise("a\u202eb\x1bc") == "abc"


def test_show_never_sends_an_empty_link_or_an_overlong_message() -> None:
    from bot.admin import show_lines
    from bot.split import pack

    cite = {
        "number": 1,
        "url": "https://example.com/a",
        "title": "",
        "source": "Metro Daily",
        "article_id": "a1",
        "score": 0.5,
        "passage": "“Squid Game” is back. " * 400,
    }
    long_title = {**cite, "number": 2, "title": "T\x1b[2J" * 3000}
    found = {
        "id": 7,
        "created_at": "2025-01-01 10:00:00",
        "declined": 0,
        "error": None,
        "up": 0,
        "down": 0,
        "user_name": "ann\u202e",
        "user_id": 1,
        "chat_type": "private",
        "chat_id": 5,
        "question": "Q?" * 3000,
        "answer": "A. " * 3000,
        "citations": [cite, long_title],
    }
    messages = pack(show_lines(found))
    assert all(visible_len(m) <= MESSAGE_LIMIT for m in messages)
    assert "></a>" not in "".join(messages)
    assert '<a href="https://example.com/a">https://example.com/a</a>' in "".join(messages)
    assert_inert("".join(parse_html(m) for m in messages))
    assert "““" not in "".join(messages)


def test_the_plain_text_fallback_counts_utf16_units() -> None:
    from bot.render import fit_plain

    cut = fit_plain("📰 " * 3000)  # 3 UTF-16 units each: 9,000 in all
    assert utf16_len(cut) <= MESSAGE_LIMIT and cut.endswith("…") and cut.startswith("📰 📰")


def test_show_lists_the_checks_of_a_generated_answer_escaped() -> None:
    import json

    from bot.admin import show_lines

    checks = [
        {"sentence": "It powers <b>200,000</b> homes.", "given": [2], "numbers": [1],
         "action": "repointed"},
        {"sentence": "Built in 1999.\x1b[2J", "given": [], "numbers": [], "action": "dropped"},
    ]  # fmt: skip
    found = {
        "id": 7, "created_at": "2025-01-01 10:00:00", "declined": 0, "error": None, "up": 0,
        "down": 0, "user_name": "ann", "user_id": 1, "chat_type": "private", "chat_id": 5,
        "question": "wind?", "answer": "It powers 200,000 homes [1].", "citations": [],
        "note": "Checked against the sources: re-pointed 1 citation(s).",
        "claim_checks": json.dumps(checks),
    }  # fmt: skip
    text = "\n".join(parse_html(line) for line in show_lines(found))
    assert "Checked against the sources: re-pointed 1 citation(s)." in text
    assert "• repointed ([2] → [1]): It powers <b>200,000</b> homes." in text
    assert "• dropped (no marker → –): Built in 1999." in text
    assert_inert(text)
