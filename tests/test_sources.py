"""`load_sources` end to end: real files, a real local web server, real feeds."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from index.models import Article, content_hash
from ingest.load_fields import normalise_url, parse_date
from ingest.sources import Failure, load_sources
from tests.test_fetch import SITE, LocalSite, local_settings, site  # noqa: F401 - fixture

FILES = Path(__file__).parent / "fixtures" / "sources" / "files"


def load(*specs: object, **overrides: object) -> tuple[list[Article], list[Failure]]:
    results = list(load_sources([str(s) for s in specs], settings=local_settings(**overrides)))
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, Failure)]
    assert len(articles) + len(failures) == len(results)
    return articles, failures


def by_title(articles: list[Article]) -> dict[str, Article]:
    return {article.title: article for article in articles}


# --- files -------------------------------------------------------------------------------


def test_markdown_front_matter_is_parsed() -> None:
    [article], failures = load(FILES / "tram-line.md")
    assert failures == []
    assert article.title == "Tram line extension opens to riders"
    assert article.published == date(2024, 5, 20)
    assert article.url == "https://news.example.org/transit/tram-extension"  # utm_ dropped
    assert article.source == "news.example.org"
    assert article.authors == ["Lena Kowalczyk", "Omar Haddad"]
    # the id ignores tracking parameters, so it equals the id of the clean URL
    assert article.id == content_hash("https://news.example.org/transit/tram-extension")
    assert "first\ncar left the depot at 5:40" in article.text
    assert "See the route map for details." in article.text  # Markdown link reduced to its text
    assert "---" not in article.text and "title:" not in article.text


def test_text_without_front_matter_takes_a_headline_or_the_file_stem() -> None:
    articles, failures = load(FILES / "nested")
    assert failures == []  # ignored.csv is skipped silently inside a folder
    titles = by_title(articles)
    library = titles["Library extends weekend hours"]
    assert library.text.startswith("The central library will stay open")
    assert "Library extends weekend hours" not in library.text
    assert library.id == content_hash(library.title, library.text)
    assert library.published is None and library.source == "" and library.url == ""
    notes = titles["plain-notes"]  # first line ends with a period: not a headline
    assert notes.text.startswith("Volunteers planted two hundred oak saplings")


def test_folder_is_recursive_sorted_and_skips_hidden_and_unsupported_files() -> None:
    articles, failures = load(FILES)
    assert [a.title for a in articles] == [
        "Schools close for snow day",  # articles.jsonl
        "Ferry returns to service",
        "Market hall reopens",
        "Library extends weekend hours",  # nested/library-hours.txt
        "plain-notes",  # nested/plain-notes.txt
        "Single object record",  # one.json
        "Tram line extension opens to riders",  # tram-line.md
    ]
    assert all("hidden" not in a.text for a in articles)
    assert {f.source for f in failures} == {
        f"{FILES}/articles.jsonl:3",
        f"{FILES}/articles.jsonl:4",
    }


def test_jsonl_keeps_good_lines_and_names_bad_ones() -> None:
    articles, failures = load(FILES / "articles.jsonl")
    path = FILES / "articles.jsonl"
    assert failures == [
        Failure(f"{path}:3", "invalid JSON on line 3: Unterminated string starting at"),
        Failure(f"{path}:4", "line 4 has no text"),
    ]
    snow, ferry, market = articles
    assert snow.id == "custom-001" and snow.authors == ["Maya Chen"]
    assert snow.published == date(2024, 1, 5)
    assert snow.text == (
        "All public schools in the district closed on Friday after fourteen centimetres of "
        "snow fell overnight.\n\nBuses will run on the normal schedule on Monday."
    )
    assert ferry.published == date(2024, 1, 6)  # "January 6, 2024"
    # no id: derived from the URL without fragment, tracking parameters or trailing slash
    assert market.id == content_hash("https://www.example.com/2024/01/08/market")
    assert market.published is None  # "not a date" is not a failure
    assert market.source == "example.com"  # the outlet: the host without "www."


def test_json_single_object_keeps_its_id_as_given() -> None:
    [article], failures = load(FILES / "one.json")
    assert failures == []
    assert article.id == "77" and article.published == date(2024, 2, 29)


def test_jsonl_gz_is_streamed_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for number in range(1, 1001):
            record = {"id": f"a{number}", "title": f"Story {number}", "text": f"Body {number}."}
            out.write("{oops\n" if number == 500 else json.dumps(record) + "\n")
    results = load_sources([str(path)], settings=local_settings())
    first = next(results)
    assert isinstance(first, Article) and first.id == "a1"  # yielded before the rest is read
    rest = list(results)
    failures = [r for r in rest if isinstance(r, Failure)]
    assert failures == [
        Failure(
            f"{path}:500",
            "invalid JSON on line 500: Expecting property name enclosed in double quotes",
        )
    ]
    assert len(rest) == 999


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    good = tmp_path / "full.jsonl.gz"
    with gzip.open(good, "wt") as out:
        for number in range(200):
            out.write(
                json.dumps({"id": str(number), "text": f"Story number {number} " * 40}) + "\n"
            )
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    articles, failures = load(cut)
    assert 0 < len(articles) < 200
    assert len(failures) == 1 and "compressed file is truncated" in failures[0].reason


def test_empty_binary_unreadable_missing_and_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n\n")
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    specs = ["empty.txt", "empty.jsonl", "image.md", "gone.txt", "report.pdf", "absent.txt"]
    articles, failures = load(*(tmp_path / name for name in specs))
    assert articles == []
    assert [(Path(f.source).name, f.reason) for f in failures] == [
        ("empty.txt", "empty file"),
        ("empty.jsonl", "empty file"),
        ("image.md", "binary file"),
        ("gone.txt", "cannot read file: No such file or directory"),
        ("report.pdf", "unsupported file type .pdf"),
        ("absent.txt", "no such file or folder"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without permissions")
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Headline\n\nBody text.")
    path.chmod(0)
    _, [failure] = load(path)
    assert failure.reason == "cannot read file: Permission denied"


def test_html_file_extracts_main_text_and_metadata(tmp_path: Path) -> None:
    page = (SITE / "council-budget.html").read_text().replace("{{BASE}}", "https://ledger.example")
    (tmp_path / "council.html").write_text(page)
    [article], failures = load(tmp_path / "council.html")
    assert failures == []
    assert article.title == "Millbrook council passes a leaner budget after a long night"
    assert article.published == date(2024, 3, 14)
    assert article.authors == ["Priya Ostrander"]
    assert article.url == "https://ledger.example/news/council-budget/"  # no utm_ parameters
    assert article.source == "The Millbrook Ledger"  # og:site_name
    assert article.id == content_hash("https://ledger.example/news/council-budget")
    assert_council_text(article.text)


def assert_council_text(text: str) -> None:
    assert "trimming road repairs to keep the library open on Sundays" in text
    assert "first item in next spring's capital plan" in text
    for boilerplate in ("Most read", "Copyright 2024", "Privacy policy", "Subscribe now", "Home"):
        assert boilerplate not in text
    assert "\n\n" in text and "\n\n\n" not in text


# --- the web -------------------------------------------------------------------------------


def test_web_page_uses_final_url_and_canonical_id(site: LocalSite) -> None:  # noqa: F811
    [article], failures = load(site.url("/old-link"))
    assert failures == []
    assert article.url == site.url("/council-budget.html")  # after the redirect
    assert article.id == content_hash(f"{site.base}/news/council-budget")  # from the canonical
    assert article.source == "The Millbrook Ledger"  # og:site_name, not the host
    assert_council_text(article.text)


def test_og_url_gives_the_id_and_page_date_is_read(site: LocalSite) -> None:  # noqa: F811
    [article], _ = load(site.url("/harbor-festival.html"))
    assert article.id == content_hash(f"{site.base}/culture/harbor-festival")
    assert article.title == "Harbor festival draws record crowd"
    assert article.published == date(2024, 6, 2)
    assert "new evening lantern parade" in article.text
    assert "Sign up for our weekend newsletter" not in article.text
    assert "Advertise with us" not in article.text


def test_rss_feed_fetches_each_linked_page(site: LocalSite) -> None:  # noqa: F811
    articles, failures = load(site.url("/feed.rss"))
    council, bees = articles
    assert council.title == "Millbrook council passes a leaner budget after a long night"
    assert council.published == date(2024, 3, 14)  # from the page
    assert_council_text(council.text)
    assert bees.title == "Beekeepers report a strong spring"  # the page's own <title>
    assert bees.published == date(2024, 4, 8)  # the page has none: the entry's date
    assert "long autumn bloom of ivy" in bees.text
    assert failures == [Failure(site.url("/missing.html"), "HTTP 404")]


def test_atom_feed_and_non_html_entry(site: LocalSite) -> None:  # noqa: F811
    articles, failures = load(site.url("/feed.atom"))
    assert [a.title for a in articles] == ["Harbor festival draws record crowd"]
    assert failures == [Failure(site.url("/report.pdf"), "not HTML (application/pdf)")]


def test_feed_served_as_generic_xml_is_sniffed(site: LocalSite) -> None:  # noqa: F811
    site.routes["/feed.xml"] = site.routes["/feed.atom"]
    site.routes["/feed.xml"].content_type = "text/xml"
    articles, _ = load(site.url("/feed.xml"))
    assert [a.title for a in articles] == ["Harbor festival draws record crowd"]


def test_web_failures_carry_on(site: LocalSite) -> None:  # noqa: F811
    specs = [
        site.url("/report.pdf"),
        site.url("/nothing-here"),
        site.url("/slow.html"),
        site.url("/huge.html"),
        site.url("/harbor-festival.html"),
    ]
    articles, failures = load(*specs, fetch_timeout_s=0.3)
    assert [a.title for a in articles] == ["Harbor festival draws record crowd"]
    assert [f.reason for f in failures] == [
        "not HTML (application/pdf)",
        "HTTP 404",
        "timed out after 0.3s",
        "larger than 40000 bytes",
    ]


def test_private_address_refused_unless_allowed(site: LocalSite) -> None:  # noqa: F811
    _, [failure] = load(site.url("/harbor-festival.html"), fetch_allow_private=False)
    assert failure == Failure(
        site.url("/harbor-festival.html"),
        "refusing private address 127.0.0.1 (set FETCH_ALLOW_PRIVATE=true to allow loopback "
        "and private-network URLs)",
    )
    articles, _ = load(site.url("/harbor-festival.html"), fetch_allow_private=True)
    assert len(articles) == 1


def test_mixed_specs_in_one_call(site: LocalSite, tmp_path: Path) -> None:  # noqa: F811
    shutil.copy(FILES / "tram-line.md", tmp_path / "tram-line.md")
    articles, failures = load(tmp_path, site.url("/harbor-festival.html"), FILES / "one.json")
    assert [a.title for a in articles] == [
        "Tram line extension opens to riders",
        "Harbor festival draws record crowd",
        "Single object record",
    ]
    assert failures == []


# --- field helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-14", date(2024, 3, 14)),
        ("2024-03-14T21:05:00Z", date(2024, 3, 14)),
        ("March 14, 2024", date(2024, 3, 14)),
        ("14 Mar 2024", date(2024, 3, 14)),
        ("Thu, 14 Mar 2024 22:00:00 GMT", date(2024, 3, 14)),
        ("2024/03/14", date(2024, 3, 14)),
        ("yesterday-ish", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(raw: str | None, expected: date | None) -> None:
    assert parse_date(raw) == expected


def test_normalise_url() -> None:
    assert (
        normalise_url("HTTPS://WWW.Example.com:443/a/b/?utm_source=x&b=2&a=1&fbclid=z#frag")
        == "https://www.example.com/a/b?a=1&b=2"
    )
    assert normalise_url("http://example.com/") == normalise_url("http://example.com")
