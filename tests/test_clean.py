"""`clean_text`: normalisation, paragraph layout and which lines count as boilerplate."""

from __future__ import annotations

import unicodedata

import pytest

from ingest.clean import clean_text, is_boilerplate

_STATE_NAMES = (
    "Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia "
    "Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland"
)
STATES = _STATE_NAMES.split()


def test_whitespace_unicode_and_paragraphs_are_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Café owners in Zürich")
    raw = (
        f"\ufeff  {decomposed}\tcelebrated   the\u00a0ruling.\r\n"
        "A second line\u200b of the same paragraph.\r\n\r\n\r\n\n"
        "   Second paragraph.   \n \n\x07Third paragraph."
    )
    assert clean_text(raw) == (
        "Café owners in Zürich celebrated the ruling.\nA second line of the same paragraph."
        "\n\nSecond paragraph.\n\nThird paragraph."
    )
    assert unicodedata.is_normalized("NFC", clean_text(raw))


def test_same_input_gives_same_output() -> None:
    raw = "Headline words\n\nRead More\n\nA sentence about the harbour.\n\n___\n\n"
    assert clean_text(raw) == clean_text(raw) == "Headline words\n\nA sentence about the harbour."


@pytest.mark.parametrize(
    "line",
    [
        "Read More",
        "Ad Feedback",
        "Video Ad Feedback Mayor explains the new bridge toll 02:14 - Source: CNN",
        "1. How relevant is this ad to you?",
        "Get the Weekly Digest newsletter Sign up here to get it every Tuesday.",
        "Sign up for our morning newsletter to start the day informed.",
        "(You can get our top five stories delivered to your inbox daily. Sign up here.)",
        "From USA TODAY Network and wire reports",
        "Contributing: The Associated Press",
        "Associated Press",
        "___",
        "* * *",
        "♦",
        "Share",
        "Facebook | Twitter | Instagram",
        "Follow Jane Roe on Twitter: @janeroe.",
        "Reach the reporter at jroe@example.com or 555-0100.",
        "Jane Roe covers city hall. Reach her at jroe@example.com.",
        "Alex Stone/Getty Images",
        "Photo by Kim Park/AP",
        "Prices were accurate at the time this article was published but may change over time.",
        "This story has been updated with additional details.",
        "Related: Ten things to know before the long weekend",
        "Follow every game: Latest NBA Scores and Schedules",
        "Check your local forecast here>>>",
        "CNN —",
        "We will use the details you have shared to manage your registration.",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert is_boilerplate(line)
    assert clean_text(f"The bridge reopened on Tuesday.\n\n{line}\n\nTraffic was light.") == (
        "The bridge reopened on Tuesday.\n\nTraffic was light."
    )


@pytest.mark.parametrize(
    "line",
    [
        "The council voted to sign up for the state's new recycling programme on Monday.",
        "The paper's newsletter editor, Ruth Ames, said readers had asked for more local sport.",
        "Residents can email the clerk's office with questions before the March deadline.",
        "She posted on Twitter that the game would go ahead despite the rain.",
        "Read more slowly, the report says, and comprehension improves by a third.",
        "The Associated Press reported that the vote had been delayed by a week.",
        "Maryland",  # a section heading of a state-by-state roundup is content
        "Thank you.",
        "A. 30",
        "Anyone with information can call 555-0199 or write to tips@example.org, police said.",
    ],
)
def test_real_sentences_and_headings_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    assert line in clean_text(f"Intro sentence.\n\n{line}\n\nClosing sentence.")


def test_state_roundup_keeps_each_heading_with_its_story() -> None:
    raw = "\n\n".join(f"{state}\n\n{state} capital: a council approved a park." for state in STATES)
    cleaned = clean_text(raw)
    assert cleaned.count("\n\n") == 2 * len(STATES) - 1
    assert cleaned.startswith("Alabama\n\nAlabama capital: a council approved a park.")


def test_a_run_of_menu_words_is_dropped_but_a_short_list_is_kept() -> None:
    menu = "\n\n".join(STATES + ["Home", "News", "Sports"])
    story = "Lottery sales rose in the spring."
    assert clean_text(f"{menu}\n\n{story}") == story
    short_list = "Not offered in:\n\nAlabama\n\nAlaska\n\nHawaii\n\nNevada\n\nUtah"
    assert clean_text(short_list) == short_list


def test_photo_credit_glued_to_a_caption_is_removed() -> None:
    raw = "Crowds gather at the pier on Saturday. Lee Marsh/AFP/Getty Images"
    assert clean_text(raw) == "Crowds gather at the pier on Saturday."


def test_a_line_with_only_the_outlet_name_is_dropped() -> None:
    raw = "The ferry resumed service.\n\n— HARBOR GAZETTE\n\nHarbor Gazette"
    assert clean_text(raw, source="www.harborgazette.co.uk") == "The ferry resumed service."
    assert clean_text(raw) == raw  # without a source there is no outlet name to compare


def test_repeated_long_paragraph_is_kept_once() -> None:
    long = "A gallery caption that the page repeats twice because of a carousel widget layout."
    raw = f"{long}\n\nMiddle.\n\n{long}\n\nShort.\n\nShort."
    assert clean_text(raw) == f"{long}\n\nMiddle.\n\nShort.\n\nShort."


def test_only_boilerplate_gives_empty_text() -> None:
    assert clean_text("1. How relevant is this ad to you?\n\nRead More\n\n___") == ""
