"""The BM25 keyword index: built from the catalog, kept consistent by `refresh`, filtered."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.keyword import POINTER, KeywordIndex
from index.models import Article, Filters
from index.settings import Settings, load_settings
from index.wiring import open_store
from ingest.pipeline import open_ingestor

FIXTURES = Path(__file__).parent / "fixtures" / "retrieval" / "articles.json"


def fixture_articles() -> list[Article]:
    return [Article(**row) for row in json.loads(FIXTURES.read_text(encoding="utf-8"))]


WIMBLEDON = Article(
    id="ballot",
    title="Ticket ballot opens for the summer's championships",
    published=date(2024, 3, 1),
    source="herald.example",
    url="https://herald.example/ballot",
    text=(
        "Fans hoping to see Wimbledon this summer can enter the ballot from Tuesday. Seats at "
        "Wimbledon are drawn at random, and queueing for Wimbledon remains possible. The city "
        "expects the usual crowds, and the city council will close two roads."
    ),
)


def article_of(chunk_id: str) -> str:
    return chunk_id.split(":")[0]


@pytest.fixture()
def built(settings: Settings) -> Settings:
    report = open_ingestor(settings).ingest(fixture_articles())
    assert len(report.new) == 8
    return settings


def test_search_finds_the_article_and_title_words_count(built: Settings) -> None:
    index = KeywordIndex(path=built.keyword_dir)
    hits = index.search("protected bike lanes Main Street", top_k=3)
    assert article_of(hits[0][0]) == "bikes"
    assert hits[0][1] > 0
    # "Spanish" appears only in the headline of the copy, never in any article text
    assert [article_of(cid) for cid, _ in index.search("Spanish", top_k=3)] == ["drought-copy"]


def test_refresh_only_rebuilds_when_the_catalog_changed(built: Settings) -> None:
    store = open_store(built)
    index = KeywordIndex(path=built.keyword_dir)  # a new instance loads the ingest's build
    assert index.refresh(store.catalog) is False
    assert index.generation == store.catalog.generation()
    builds = [p for p in built.keyword_dir.iterdir() if p.is_dir()]
    assert [p.name for p in builds] == [(built.keyword_dir / POINTER).read_text()]


def test_update_and_delete_stay_consistent(built: Settings) -> None:
    old_ids = set(open_store(built).catalog.chunk_ids_of("bikes"))
    bikes = next(a for a in fixture_articles() if a.id == "bikes")
    changed = bikes.model_copy(update={"text": bikes.text.replace("Main Street", "Harbor Road")})
    open_ingestor(built).ingest([changed])  # the ingest refreshes the keyword index
    index = KeywordIndex(path=built.keyword_dir)
    store = open_store(built)
    new_ids = set(store.catalog.chunk_ids_of("bikes"))
    harbor = index.search("Harbor Road", top_k=3)
    assert harbor and harbor[0][0] in new_ids
    # the old version's chunks are gone from the index; the new one is found by its headline
    main_street = [cid for cid, _ in index.search("Main Street bike lanes", top_k=10)]
    assert main_street[0] in new_ids
    assert not old_ids & set(main_street)

    store.delete_article("chess")
    assert index.refresh(store.catalog) is True
    assert index.search("chess championship", top_k=5) == []


def test_date_source_and_as_of_filters(built: Settings) -> None:
    index = KeywordIndex(path=built.keyword_dir)
    ledger = index.search("interest rate", top_k=10, filters=Filters(sources=["ledger.example"]))
    assert {article_of(c) for c, _ in ledger} == {"rates-march", "rates-october"}
    herald = index.search("interest rate", top_k=10, filters=Filters(sources=["herald.example"]))
    assert all(article_of(c) in {"bikes", "chess"} for c, _ in herald)
    old = index.search("interest rate", top_k=10, filters=Filters(until=date(2023, 12, 31)))
    assert {article_of(c) for c, _ in old} == {"rates-october"}
    new = index.search("interest rate", top_k=10, filters=Filters(since=date(2024, 1, 1)))
    assert {article_of(c) for c, _ in new} == {"rates-march"}
    assert index.search("volcano Iceland", top_k=5, as_of=date(2024, 3, 8)) == []
    later = index.search("volcano Iceland", top_k=5, as_of=date(2024, 3, 10))
    assert [article_of(c) for c, _ in later] == ["volcano"]


def test_empty_catalog_and_unknown_words(tmp_path: Path) -> None:
    settings = load_settings(newsdesk_data_dir=tmp_path / "data")
    index = KeywordIndex(path=settings.keyword_dir)
    assert index.search("anything", top_k=3) == []
    assert index.refresh(open_store(settings).catalog) is True
    assert index.search("anything", top_k=3) == []


def test_the_index_keeps_the_words_of_the_articles(built: Settings) -> None:
    index = KeywordIndex(path=built.keyword_dir)
    words = index.words()
    assert words["millbrook"] == 1 and words["council"] >= 1  # chunks using each word
    assert "the" in words and "a" not in words  # three letters or more, stopwords included


def test_an_index_built_before_it_kept_words_gets_them_from_the_catalog(built: Settings) -> None:
    current = built.keyword_dir / (built.keyword_dir / POINTER).read_text().strip()
    (current / "words.json").unlink()
    index = KeywordIndex(path=built.keyword_dir)
    index.refresh(open_store(built).catalog)  # nothing changed: no rebuild
    assert index.words()["millbrook"] == 1
    assert (current / "words.json").exists()  # kept for the next process


def test_the_index_keeps_the_words_the_articles_write_as_names(settings: Settings) -> None:
    rows = open_ingestor(settings).ingest(fixture_articles() + [WIMBLEDON])
    assert len(rows.new) == 9
    names = KeywordIndex(path=settings.keyword_dir).names()
    # capitalised in mid-sentence each of the three times, while "city" is not
    assert "wimbledon" in names and "city" not in names and "ballot" not in names
    # "Millbrook" is used once only: too few uses to tell
    assert "millbrook" not in names


def test_an_index_built_before_it_kept_names_gets_them_from_the_catalog(settings: Settings) -> None:
    open_ingestor(settings).ingest([WIMBLEDON])
    current = settings.keyword_dir / (settings.keyword_dir / POINTER).read_text().strip()
    (current / "names.json").unlink()
    index = KeywordIndex(path=settings.keyword_dir)
    index.refresh(open_store(settings).catalog)  # nothing changed: no rebuild
    assert "wimbledon" in index.names()
    assert (current / "names.json").exists()  # kept for the next process
