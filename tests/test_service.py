"""`Newsdesk.answer` end to end on the sample articles: real model, real Chroma, real BM25."""

from __future__ import annotations

from datetime import date

import pytest

from index.catalog import Catalog
from index.errors import QuestionError
from index.models import Answer, Filters, Turn
from index.service import Newsdesk
from index.settings import Settings
from index.wiring import open_newsdesk

AS_OF = date(2025, 6, 1)
BORDER_NOW = "frontier-ledger/2025/02/12/border-deployment-5000-troops"
BORDER_JAN = "capitol-wire/2025/01/23/pentagon-1500-soldiers-border"


@pytest.fixture(scope="session")
def desk(sample_settings: Settings) -> Newsdesk:
    return open_newsdesk(sample_settings)


@pytest.fixture(scope="session")
def catalog(sample_settings: Settings) -> Catalog:
    return Catalog(sample_settings.catalog_path)


def cited_url(answer: Answer, index: int = 0) -> str:
    """Sample articles are told apart by URL (article ids are content hashes)."""
    return answer.citations[index].url


def assert_quotes_are_exact(answer: Answer, catalog: Catalog) -> None:
    for citation in answer.citations:
        text = catalog.get_article(citation.article_id).text
        assert text[citation.start : citation.end] == citation.quote
        assert citation.quote.strip()


@pytest.mark.parametrize(
    ("question", "article", "fact"),
    [
        ("How many troops are at the border now?", BORDER_NOW, "5,000"),
        ("What did General Guillot tell lawmakers?", BORDER_NOW, "could climb further"),
        ("How many National Guard members is Mexico sending?", BORDER_NOW, "10,000"),
        ("What rate did Valdoria's central bank set?", "valdoria", "3.25"),
        ("What was the temperature record in Port Aurelia?", "port-aurelia-heat-record", "44.1"),
        ("How many robots did Lumen Robotics recall?", "lumen-robotics-recall", "12,000"),
        ("Who scored for Riverton in the cup final?", "riverton-rovers-cup-final", "Marco Diaz"),
        ("When will the Wayfarer probe reach Kestrel-9?", "kestrel-probe-launch", "2028"),
        ("How many measles cases are there in Eastmoor?", "eastmoor-measles", "312"),
        ("How many trains were cancelled by the rail strike?", "coastal-rail-strike", "800"),
        ("What pay rise do the rail drivers want?", "coastal-rail-strike", "7%"),
        ("How much did the asteroid mission cost?", "kestrel-probe-launch", "1.1 billion"),
        ("How many cooling centres did Port Aurelia open?", "port-aurelia-heat-record", "35"),
    ],
)
def test_the_right_article_is_cited(
    desk: Newsdesk, catalog: Catalog, question: str, article: str, fact: str
) -> None:
    answer = desk.answer(question, as_of=AS_OF)
    assert not answer.declined
    assert article in cited_url(answer)
    assert fact in answer.citations[0].quote
    assert fact in answer.text and "[1]" in answer.text
    assert_quotes_are_exact(answer, catalog)


def test_current_state_answer_is_dated_and_fully_described(desk: Newsdesk) -> None:
    answer = desk.answer("How many troops are at the border now?", as_of=AS_OF)
    assert answer.text.startswith("As of 12 February 2025, roughly 5,000 active-duty")
    first = answer.citations[0]
    assert (first.number, first.source, first.published) == (
        1,
        "Frontier Ledger",
        date(2025, 2, 12),
    )
    assert first.title.startswith("Border deployment reaches 5,000")
    assert first.url == f"https://example.com/{BORDER_NOW}"
    assert first.chunk_id.startswith(first.article_id) and first.score > 0
    assert answer.mode == "extractive" and answer.model is None
    assert answer.passages and answer.timings.total_ms >= answer.timings.retrieve_ms > 0


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2022 World Cup?",
        "What is the capital of Australia?",
        "What is the price of bitcoin?",
    ],
)
def test_out_of_corpus_questions_are_declined(desk: Newsdesk, question: str) -> None:
    answer = desk.answer(question, as_of=AS_OF)
    assert answer.declined and not answer.citations
    assert answer.text.startswith(("I have nothing on", "I found nothing that answers"))


def test_two_outlets_with_the_same_story_are_cited_once(desk: Newsdesk) -> None:
    answer = desk.answer("What rate did Valdoria's central bank set?", as_of=AS_OF)
    assert len({c.article_id for c in answer.citations}) == 1


def test_until_filter_finds_the_earlier_report(desk: Newsdesk, catalog: Catalog) -> None:
    answer = desk.answer(
        "How many troops are at the border?", filters=Filters(until=date(2025, 1, 31)), as_of=AS_OF
    )
    assert cited_url(answer).endswith(BORDER_JAN)
    assert "4,000" in answer.text or "1,500" in answer.text
    assert_quotes_are_exact(answer, catalog)


def test_as_of_hides_later_articles(desk: Newsdesk) -> None:
    answer = desk.answer("How many troops are at the border now?", as_of=date(2025, 2, 1))
    assert {c.url for c in answer.citations} == {f"https://example.com/{BORDER_JAN}"}


def test_source_filter_keeps_one_outlet(desk: Newsdesk) -> None:
    filters = Filters(sources=["Daily Meridian"])
    answer = desk.answer("What rate did Valdoria's central bank set?", filters=filters, as_of=AS_OF)
    assert [c.source for c in answer.citations] == ["Daily Meridian"]


def test_since_filter_can_leave_nothing(desk: Newsdesk) -> None:
    filters = Filters(since=date(2025, 3, 1))
    answer = desk.answer("How many robots did Lumen Robotics recall?", filters=filters, as_of=AS_OF)
    assert answer.declined


def ask_in_turns(desk: Newsdesk, questions: list[str]) -> list[Answer]:
    history: list[Turn] = []
    answers = []
    for question in questions:
        answer = desk.answer(question, history=history, as_of=AS_OF)
        history.append(Turn(question=question, answer=answer.text, citations=answer.citations))
        answers.append(answer)
    return answers


def test_follow_up_carries_the_topic(desk: Newsdesk, catalog: Catalog) -> None:
    _, second = ask_in_turns(
        desk, ["How many troops are at the border now?", "and what did Mexico do?"]
    )
    assert "troops" in second.standalone_question and "Mexico" in second.standalone_question
    assert second.question == "and what did Mexico do?"
    assert "10,000" in second.text and "National Guard" in second.text
    assert cited_url(second).endswith(BORDER_NOW)
    assert_quotes_are_exact(second, catalog)


def test_follow_up_on_something_the_articles_lack_is_declined(desk: Newsdesk) -> None:
    answers = ask_in_turns(
        desk, ["How many troops are at the border now?", "what did critics say?"]
    )
    assert answers[1].declined


def test_citation_numbers_are_stable_across_turns(desk: Newsdesk) -> None:
    first, second, third = ask_in_turns(
        desk,
        [
            "How many troops are at the border now?",
            "What rate did Valdoria's central bank set?",
            "What did General Guillot tell lawmakers?",
        ],
    )
    assert [c.number for c in first.citations] == [1]
    assert [c.number for c in second.citations] == [2]  # a new source: the next free number
    assert cited_url(third).endswith(BORDER_NOW)
    assert [c.number for c in third.citations] == [1]  # the border story keeps its number
    assert "[1]" in third.text and "[2]" not in third.text


@pytest.mark.parametrize(("question", "message"), [("   ", "empty"), ("x" * 1001, "too long")])
def test_bad_questions_raise_question_error(desk: Newsdesk, question: str, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        desk.answer(question)
