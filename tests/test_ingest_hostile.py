"""Hostile and odd inputs through ingest: each bad one fails alone, the good ones land."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from index.models import Article
from ingest.load_fields import parse_date
from ingest.sources import Failure, load_sources
from tests.test_fetch import local_settings

GOOD = (
    "---\ntitle: Harbour bridge reopens\ndate: 2025-03-04\n---\n"
    "The harbour bridge reopened on Monday after repairs.\n"
)
RECORD = {"id": "r1", "title": "Ferry fares cut", "text": "Ferry fares fall by a third from May."}


def load(*paths: Path, **overrides: object) -> tuple[list[Article], list[Failure]]:
    results = list(load_sources([str(p) for p in paths], settings=local_settings(**overrides)))
    return (
        [r for r in results if isinstance(r, Article)],
        [r for r in results if isinstance(r, Failure)],
    )


def test_a_deeply_nested_json_file_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "deep.json").write_text("[" * 100_000)
    articles, failures = load(tmp_path / "good.md", tmp_path / "deep.json")
    assert [a.title for a in articles] == ["Harbour bridge reopens"]
    [failure] = failures
    assert failure.source.endswith("deep.json") and "nested too deeply" in failure.reason


def test_a_deeply_nested_jsonl_line_fails_alone_and_the_next_line_lands(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text("[" * 100_000 + "\n" + json.dumps(RECORD) + "\n")
    articles, failures = load(dump)
    assert [a.id for a in articles] == ["r1"]
    assert [(f.source.rsplit(":", 1)[1], "nested too deeply" in f.reason) for f in failures] == [
        ("1", True)
    ]


def test_any_exception_of_a_loader_is_that_sources_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ingest.sources

    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "odd.html").write_text("<html><body><p>text</p></body></html>")

    def explode(raw: bytes, *, where: str) -> Article:
        raise ValueError("parser bug")

    monkeypatch.setattr(ingest.sources, "article_from_html", explode)
    articles, failures = load(tmp_path / "odd.html", tmp_path / "good.md")
    assert [a.title for a in articles] == ["Harbour bridge reopens"]
    assert [(Path(f.source).name, f.reason) for f in failures] == [
        ("odd.html", "could not be read (ValueError: parser bug)")
    ]


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("Headline\n\n" + "A sentence about the harbour. " * 2000)
    (tmp_path / "good.md").write_text(GOOD)
    articles, failures = load(big, tmp_path / "good.md", max_file_bytes=10_000)
    assert [a.title for a in articles] == ["Harbour bridge reopens"]
    assert [(Path(f.source).name, f.reason) for f in failures] == [
        ("big.txt", "file is larger than MAX_FILE_BYTES (10000 bytes)")
    ]


def test_a_jsonl_line_over_the_size_cap_fails_alone(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    huge = {**RECORD, "id": "huge", "text": "word " * 5000}
    dump.write_text(json.dumps(huge) + "\n" + json.dumps(RECORD) + "\n")
    articles, failures = load(dump, max_file_bytes=10_000)
    assert [a.id for a in articles] == ["r1"]
    assert [f.reason for f in failures] == ["line 1 is larger than MAX_FILE_BYTES (10000 bytes)"]


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("title", ["a", "b"], "title is a list, expected text"),
        ("url", {"href": "x"}, "url is an object, expected text"),
        ("source", ["x"], "source is a list, expected text"),
        ("id", ["x"], "id is a list, expected text"),
        ("id", "abc\x1b[31m", "contains control or invisible characters"),
        ("id", "abc\u202edef", "contains control or invisible characters"),
    ],
)
def test_fields_of_the_wrong_kind_are_failures_not_reprs(
    tmp_path: Path, field: str, value: object, reason: str
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({**RECORD, field: value}) + "\n")
    articles, [failure] = load(dump)
    assert articles == [] and reason in failure.reason


@pytest.mark.parametrize("value", ["-1", "5", "0", "soon"])
def test_a_date_without_a_year_is_not_invented(value: str) -> None:
    assert parse_date(value) is None


def test_an_unreadable_date_is_stored_undated_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({**RECORD, "published": "-1"}) + "\n")
    with caplog.at_level(logging.WARNING):
        [article], _ = load(dump)
    assert article.published is None
    assert "Ferry fares cut: date '-1' not understood; stored undated" in caplog.text


def test_ingest_exit_status_tells_a_partial_failure_from_a_crash(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "deep.json").write_text("[" * 100_000)
    env = {"NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    partial = CliRunner().invoke(
        cli, ["ingest", str(tmp_path / "good.md"), str(tmp_path / "deep.json")], env=env
    )
    assert partial.exit_code == 1, partial.output
    assert "1 new, 0 updated, 0 unchanged, 1 failed" in partial.output
    assert "deep.json: nested too deeply" in partial.output
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "catalog.sqlite3").write_bytes(b"not a database, " * 512)
    crashed = CliRunner().invoke(
        cli, ["ingest", str(tmp_path / "good.md")], env={"NEWSDESK_DATA_DIR": str(broken)}
    )
    assert crashed.exit_code == 3, crashed.output
    assert "ingest stopped:" in crashed.output and "Traceback" not in crashed.output


def test_an_unusable_data_dir_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = {"NEWSDESK_DATA_DIR": str(tmp_path / "a-file" / "data")}
    for command in (["articles", "list"], ["ask", "what happened?"]):
        result = CliRunner().invoke(cli, command, env=env)
        assert result.exit_code == 1, result.output
        [line] = result.output.strip().splitlines()
        assert line.startswith("Error: Not a directory: ") and "a-file" in line


def test_a_file_name_with_escape_sequences_is_printed_inert(tmp_path: Path) -> None:
    odd = tmp_path / "evil\x1b[2J.txt"
    odd.write_text("")
    result = CliRunner().invoke(
        cli, ["ingest", str(odd)], env={"NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    )
    assert result.exit_code == 1
    assert "evil[2J.txt: empty file" in result.output and "\x1b" not in result.output
