"""Hybrid retrieval over a real Chroma store, the real model and the BM25 index."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.models import Article, Filters
from index.retrieve import Retriever
from index.settings import load_settings
from index.wiring import open_retriever
from ingest.pipeline import open_ingestor

FIXTURES = Path(__file__).parent / "fixtures" / "retrieval" / "articles.json"
AS_OF = date(2024, 3, 8)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    data = tmp_path_factory.mktemp("retrieval") / "data"
    settings = load_settings(newsdesk_data_dir=data)
    rows = json.loads(FIXTURES.read_text(encoding="utf-8"))
    open_ingestor(settings).ingest([Article(**row) for row in rows])
    return open_retriever(settings)


def articles(passages: list) -> list[str]:  # type: ignore[type-arg]
    return [p.article_id for p in passages]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which street is getting protected bike lanes?", "bikes"),
        ("Who is the youngest national chess champion?", "chess"),
        ("Why were flights diverted near Grindavik?", "volcano"),
        ("Which bakery won the bread award?", "bakery"),
        ("How much did the central bank raise rates by?", "rates-march"),
    ],
)
def test_the_right_article_comes_first(retriever: Retriever, question: str, expected: str) -> None:
    passages = retriever.retrieve(question, as_of=date(2024, 3, 31))
    assert passages[0].article_id == expected
    assert passages[0].score >= retriever.search(question).floor


def test_passages_quote_the_article_with_offsets(retriever: Retriever) -> None:
    top = retriever.retrieve("Who did Priya Raman beat in the final?", as_of=AS_OF)[0]
    article = retriever.catalog.get_article(top.article_id)
    assert article.text[top.start : top.end] == top.text
    assert (top.title, top.source, top.published) == (
        "Twelve-year-old wins national chess championship",
        "herald.example",
        date(2024, 2, 20),
    )


def test_as_of_hides_later_articles(retriever: Retriever) -> None:
    question = "Where did a volcano erupt in Iceland?"
    before = retriever.search(question, as_of=AS_OF, top_k=20)
    assert "volcano" not in articles(before.passages)
    after = retriever.retrieve(question, as_of=date(2024, 3, 11))
    assert after[0].article_id == "volcano"


def test_recency_from_as_of_prefers_the_newer_decision(retriever: Retriever) -> None:
    question = "What did the central bank decide about interest rates?"
    assert articles(retriever.retrieve(question, as_of=AS_OF))[0] == "rates-march"
    # on a day before the March decision, the October one is the latest
    assert articles(retriever.retrieve(question, as_of=date(2024, 1, 5)))[0] == "rates-october"


def test_date_and_source_filters(retriever: Retriever) -> None:
    question = "What did the central bank decide about interest rates?"
    old = retriever.search(question, as_of=AS_OF, filters=Filters(until=date(2023, 12, 31)))
    assert articles(old.passages) == ["rates-october"]
    herald = retriever.search(question, as_of=AS_OF, filters=Filters(sources=["herald.example"]))
    assert herald.passages and {p.source for p in herald.passages} == {"herald.example"}


def test_calendar_phrase_in_the_question_filters(retriever: Retriever) -> None:
    found = retriever.search("What did the central bank do in October?", as_of=AS_OF)
    assert found.window is not None and found.window.strict
    assert articles(found.passages) == ["rates-october"]


def test_a_year_nothing_was_published_in_is_not_a_filter(retriever: Retriever) -> None:
    # "in 2019" may be the event's year: with no relevant story from 2019, all are searched
    found = retriever.search("What interest rate did the central bank set in 2019?", as_of=AS_OF)
    assert found.window is None and not found.below_floor
    assert articles(found.passages)[0] in {"rates-march", "rates-october"}
    # a month alone stays a filter (no story of December 2023 here, nor of any December)
    december = retriever.search("What did the central bank decide in December?", as_of=AS_OF)
    assert december.window is not None and december.window.strict
    assert december.below_floor
    # nothing was published in December 2023, so that window was not searched at all
    assert december.timings.embed_ms == 0.0 and december.timings.dense_ms == 0.0


def test_a_month_with_no_story_this_year_means_the_last_one_that_has(
    retriever: Retriever,
) -> None:
    # asked in 2025, "in October" is October 2024, when nothing was published; the store's
    # October is 2023's, and the March decision (published in another month) is not used
    question = "What did the central bank decide in October?"
    found = retriever.search(question, as_of=date(2025, 3, 1))
    assert not found.below_floor
    assert {p.published.month for p in found.passages if p.published} == {10}
    assert articles(found.passages)[0] == "rates-october"


def test_near_duplicate_story_counts_once(retriever: Retriever) -> None:
    found = retriever.search("Why must Valencia farmers cut irrigation?", as_of=AS_OF, top_k=8)
    top = found.passages[0]
    assert top.article_id in {"drought-wire", "drought-copy"}
    twin = ({"drought-wire", "drought-copy"} - {top.article_id}).pop()
    assert [p.article_id for p in found.duplicates[top.chunk_id]] == [twin]
    # the copy is still reachable, but below every distinct article retrieved
    order = articles(found.passages)
    assert order.index(twin) == len(order) - 1


def test_unrelated_question_falls_below_the_floor(retriever: Retriever) -> None:
    found = retriever.search("How many moons does Neptune have?", as_of=AS_OF)
    assert found.below_floor
    assert retriever.retrieve("How many moons does Neptune have?", as_of=AS_OF) == []
    assert not retriever.search("Who won the chess championship?", as_of=AS_OF).below_floor


def test_modes_and_timings(retriever: Retriever) -> None:
    for mode in ("dense", "bm25", "hybrid"):
        found = retriever.search("protected bike lanes", as_of=AS_OF, mode=mode)  # type: ignore[arg-type]
        assert found.passages[0].article_id == "bikes"
        assert found.timings.total_ms > 0
    assert retriever.search("bike lanes", mode="bm25").timings.embed_ms == 0.0


def test_an_explicit_floor_setting_wins(tmp_path: Path, retriever: Retriever) -> None:
    strict = Retriever(
        store=retriever.store,
        keyword=retriever.keyword,
        embed_model=retriever.embed_model,
        catalog=retriever.catalog,
        settings=load_settings(newsdesk_data_dir=tmp_path, relevance_floor=0.99),
    )
    assert strict.retrieve("Which street is getting protected bike lanes?", as_of=AS_OF) == []


def test_uncommitted_vectors_are_invisible(retriever: Retriever) -> None:
    # what a run killed between the Chroma write and the catalog commit leaves behind
    from index.embeddings import embed_texts
    from index.wiring import build_chunker

    ghost = Article(
        id="ghost",
        title="Zeppelin service resumes over the lake",
        text="A passenger zeppelin service over the lake resumed on Tuesday after ten years.",
        published=date(2024, 3, 5),
        source="herald.example",
    )
    chunks = build_chunker(retriever.settings).chunk(ghost)
    vectors = embed_texts(retriever.embed_model, [c.text for c in chunks])
    retriever.store.write_vectors(ghost, chunks, vectors)
    found = retriever.search("zeppelin service over the lake", as_of=AS_OF, mode="dense")
    assert "ghost" not in articles(found.passages)


def gazette_sources(retriever: Retriever) -> set[str]:
    """The sources of a dense search for the rate decision filtered to the gazette."""
    found = retriever.search(
        "What did the central bank decide about interest rates?",
        as_of=AS_OF,
        filters=Filters(sources=["gazette.example"]),
        mode="dense",
    )
    return {p.source for p in found.passages}


def test_narrow_filters_fall_back_to_chromas_own_filter(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with a tiny over-fetch the unfiltered nearest chunks are both the ledger's rate stories,
    # which the source filter removes; without the fallback nothing would be left
    import index.retrieve as retrieve_module

    monkeypatch.setattr(retrieve_module, "CANDIDATES", 2)
    monkeypatch.setattr(retrieve_module, "OVERFETCHES", (1,))
    assert gazette_sources(retriever) == {"gazette.example"}


def test_a_wider_unfiltered_search_comes_before_chromas_filter(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the first over-fetch holds only the ledger's stories; the wider one reaches the
    # gazette's, so Chroma's slow filtered query is never needed
    import index.retrieve as retrieve_module

    def filtered_query(*args: object, **kwargs: object) -> list[tuple[str, float]]:
        raise AssertionError("Chroma's filter was asked")

    monkeypatch.setattr(retrieve_module, "CANDIDATES", 2)
    monkeypatch.setattr(retrieve_module, "OVERFETCHES", (1, 1000))
    monkeypatch.setattr(retriever.store, "query", filtered_query)
    assert gazette_sources(retriever) == {"gazette.example"}
