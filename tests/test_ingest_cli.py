"""`newsdesk ingest` and `newsdesk articles`, driven through the real command."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from index.settings import Settings
from tests.conftest import SAMPLES
from tests.test_fetch import LocalSite, site  # noqa: F401 - fixture

JSONL_ARTICLES = [
    {
        "id": "abc123",
        "url": "https://news.example.org/ferry",
        "title": "Island ferry service resumes after storm",
        "published": "2025-02-03",
        "authors": ["R. Vale"],
        "source": "news.example.org",
        "text": "The island ferry resumed service on Monday after a three-day storm.\n\n"
        "Operators said the first crossing carried 212 passengers and a load of fresh milk.",
    },
    {
        "id": "def456",
        "url": "https://news.example.org/library",
        "title": "City library extends opening hours",
        "published": "2025-02-04",
        "authors": [],
        "source": "news.example.org",
        "text": "The central library will open until 10 p.m. on weekdays from March.",
    },
]


def write_jsonl_gz(path: Path, rows: list[dict[str, object]], broken_line: bool) -> None:
    with gzip.open(path, "wt") as out:
        for i, row in enumerate(rows):
            out.write(json.dumps(row) + "\n")
            if broken_line and i == 0:
                out.write('{"id": "oops", "text": \n')


def run(settings: Settings, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, list(args), env={"NEWSDESK_DATA_DIR": str(settings.data_dir)}, catch_exceptions=False
    )
    return result.exit_code, result.output


def test_ingest_mixed_sources_reports_failures_and_exits_non_zero(
    settings: Settings, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.jsonl.gz"
    write_jsonl_gz(dump, JSONL_ARTICLES, broken_line=True)
    (tmp_path / "empty.txt").write_text("")
    code, out = run(
        settings, "ingest", str(dump), str(SAMPLES), str(tmp_path / "empty.txt"), "missing.md"
    )
    assert code == 1
    n_samples = len(list(SAMPLES.glob("*.md")))
    assert f"{n_samples + 2} new, 0 updated, 0 unchanged, 3 failed" in out
    assert "dump.jsonl.gz:2" in out and "empty.txt" in out and "missing.md" in out

    code, out = run(settings, "ingest", "--json", str(dump))
    report = json.loads(out[out.index("{") :])
    assert code == 1 and sorted(report["unchanged"]) == ["abc123", "def456"]
    assert report["chunks_embedded"] == 0 and report["failed"][0]["source"].endswith(":2")


def test_articles_list_show_delete(settings: Settings, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(row) + "\n" for row in JSONL_ARTICLES))
    assert run(settings, "ingest", str(dump))[0] == 0

    code, out = run(settings, "articles", "list")
    assert code == 0 and "Island ferry service resumes" in out and "2 of 2 articles" in out
    code, out = run(settings, "articles", "show", "abc123")
    assert "212 passengers" in out and "R. Vale" in out
    code, out = run(settings, "articles", "delete", "abc123")
    assert code == 0 and "deleted abc123" in out
    code, out = run(settings, "articles", "show", "abc123")
    assert code == 1 and "no article with id 'abc123'" in out and "Traceback" not in out


def test_web_page_and_feed_are_stored_and_answerable(
    settings: Settings,
    site: LocalSite,  # noqa: F811
) -> None:
    env = {"NEWSDESK_DATA_DIR": str(settings.data_dir), "FETCH_ALLOW_PRIVATE": "true"}
    runner = CliRunner()
    sources = [site.url("/feed.rss"), site.url("/harbor-festival.html")]
    result = runner.invoke(cli, ["ingest", *sources], env=env)
    assert result.exit_code == 1, "the feed links one dead page"
    assert "3 new, 0 updated, 0 unchanged, 1 failed" in result.output
    assert f"{site.url('/missing.html')}: HTTP 404" in result.output

    question = "What did organisers credit for the harbor festival's record crowd?"
    result = runner.invoke(cli, ["ask", "--json", question], env=env)
    answer = json.loads(result.output)
    assert answer["citations"][0]["title"] == "Harbor festival draws record crowd"
    assert "lantern parade" in answer["text"]

    refused = runner.invoke(
        cli,
        ["ingest", site.url("/harbor-festival.html")],
        env={"NEWSDESK_DATA_DIR": str(settings.data_dir)},
    )
    assert refused.exit_code == 1 and "refusing private address 127.0.0.1" in refused.output
    assert "FETCH_ALLOW_PRIVATE=true" in refused.output
