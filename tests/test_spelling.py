"""Mistyped question words read as the stored words they mistype (`index.spelling`)."""

from __future__ import annotations

from datetime import date

import pytest

from index.keyword import KeywordIndex
from index.models import Article
from index.settings import Settings
from index.spelling import Speller, read_as, reading_note
from ingest.pipeline import open_ingestor

VOCABULARY = {
    "president": 40, "mexico": 30, "sheinbaum": 5, "floods": 10, "foods": 20, "brown": 3,
    "westminster": 60, "westminister": 1, "miles": 50, "mile": 40, "border": 25,
    "museum": 90, "mused": 3, "fisher": 12, "price": 30,
}  # fmt: skip


def corrections(question: str) -> dict[str, str]:
    return Speller(lambda: VOCABULARY).corrections(question)


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("whos mexicos presdient", {"presdient": "president"}),  # two letters swapped
        ("who's sheinbuam", {"sheinbuam": "sheinbaum"}),  # a name only the articles know
        ("Presdient of Mexcio?", {"Presdient": "President", "Mexcio": "Mexico"}),
        ("mexcio's president", {"mexcio's": "mexico's"}),
        ("who is ketanji brwon jackson", {"brwon": "brown"}),  # the one stored word near it
        ("who won the westminister dog show", {"westminister": "westminster"}),  # the store's typo
        ("how many troops are at the boarder", {"boarder": "border"}),  # a rare English word
        ("which musem in vienna", {"musem": "museum"}),  # 30 times as common as "mused"
        ("did fiisher-price recall it", {"fiisher-price": "fisher-price"}),  # part by part
    ],
)
def test_a_mistyped_word_is_read_as_the_stored_word(question: str, read: dict[str, str]) -> None:
    assert corrections(question) == read


@pytest.mark.parametrize(
    "question",
    [
        "what did the mayor promise",  # English words the store lacks are just lacking
        "how many people died in the kentucky flods",  # "floods" or "foods": alone, a guess
        "who is javier milei",  # "miles", "mile": a subject the store lacks, not a typo
        "who is zresident",  # the first letter is rarely the mistyped one
        "how strong was the quake in morroco",  # two edits from anything, in a short word
    ],
)
def test_a_word_that_is_no_clear_typo_is_left_alone(question: str) -> None:
    assert corrections(question) == {}


def test_the_question_as_read_and_what_the_user_is_told() -> None:
    fixes = {"Presdient": "President", "mexcio's": "mexico's"}
    assert read_as("Presdient of mexcio's army?", fixes) == "President of mexico's army?"
    assert reading_note({"presdient": "president"}) == "Read “presdient” as “president”."
    assert reading_note(fixes) == "Read “Presdient” as “President” and “mexcio's” as “mexico's”."


def test_the_vocabulary_is_read_again_when_the_index_changes() -> None:
    current = {"president": 1}
    speller = Speller(lambda: current)
    assert speller.corrections("who is sheinbuam") == {}
    current = {"president": 1, "sheinbaum": 2}  # a rebuilt index: a new mapping
    assert speller.corrections("who is sheinbuam") == {"sheinbuam": "sheinbaum"}


def story(slug: str, title: str, text: str) -> Article:
    return Article(
        id=slug, title=title, published=date(2024, 7, 30), source="herald.example",
        url=f"https://herald.example/{slug}", text=text,
    )  # fmt: skip


def test_a_word_no_store_word_is_clearly_meant_by_is_read_in_the_question(
    settings: Settings,
) -> None:
    open_ingestor(settings).ingest(
        [
            story("floods", "Kentucky floods", "Floods in eastern Kentucky killed 37 people, "
                  "and the floods washed away homes. Rescuers searched the floods all week."),
            story("foods", "Grocery bills", "Foods cost more this summer. Prices of foods "
                  "such as eggs and bread rose again this week, and shoppers bought fewer foods."),
        ]
    )  # fmt: skip
    index = KeywordIndex(path=settings.keyword_dir)
    speller = Speller(index.words, index.best_score)
    # "floods" and "foods" are each one edit from "flods", and the store uses them alike:
    # a passage holding "died", "kentucky" and "floods" together tells which is meant
    assert speller.corrections("how many people died in the kentucky flods") == {"flods": "floods"}
    assert speller.corrections("which flods cost more this summer") == {"flods": "foods"}
    # no passage holds a reading with the question's other words, or both readings do
    assert speller.corrections("did the flods reach ohio") == {}
    assert speller.corrections("what happened to the flods this week") == {}
