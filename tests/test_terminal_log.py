"""`ask` and `chat` write to the bot's answer log (as terminal questions); an empty or
missing store is said as such instead of a decline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from index.settings import Settings
from ingest.pipeline import ingest_sources
from tests.conftest import SAMPLES

BORDER = "How many troops are at the border now?"


def run(data_dir: Path, *args: str, stdin: str | None = None) -> Result:
    env = {"NEWSDESK_DATA_DIR": str(data_dir), "ANSWER_MODE": "extractive"}
    return CliRunner().invoke(cli, list(args), env=env, input=stdin)


@pytest.fixture
def ingested(settings: Settings) -> Path:
    articles = [str(SAMPLES / name) for name in sorted(p.name for p in SAMPLES.glob("*.md"))]
    assert ingest_sources(articles, settings=settings).ok
    return settings.data_dir


def test_ask_and_chat_are_logged_as_terminal_questions(ingested: Path) -> None:
    assert run(ingested, "ask", BORDER).exit_code == 0
    chat = run(ingested, "chat", stdin="What did the central bank of Valdoria decide?\n/quit\n")
    assert chat.exit_code == 0, chat.output
    assert run(ingested, "ask", "--no-log", "Who won the cup final?").exit_code == 0

    listed = run(ingested, "logs", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [row["question"] for row in rows] == [
        "What did the central bank of Valdoria decide?",
        BORDER,
    ]
    assert {row["chat_type"] for row in rows} == {"terminal"}
    table = run(ingested, "logs", "list").output
    assert "..T" in table and BORDER in table

    shown = run(ingested, "logs", "show", str(rows[1]["id"]), "--json")
    exchange = json.loads(shown.output)
    assert "5,000" in exchange["answer"]
    assert exchange["citations"][0]["title"].startswith("Border deployment reaches 5,000")


def test_logs_since_reads_the_same_dates_as_ask(ingested: Path) -> None:
    assert run(ingested, "ask", BORDER).exit_code == 0
    for since in ("yesterday", "7d", "today"):
        result = run(ingested, "logs", "list", "--since", since)
        assert result.exit_code == 0, result.output
        assert BORDER in result.output
    future = run(ingested, "logs", "list", "--since", "2999-01-01")
    assert BORDER not in future.output
    bad = run(ingested, "logs", "list", "--since", "someday")
    assert bad.exit_code == 2 and "cannot read 'someday'" in bad.output


def test_an_empty_or_missing_store_is_said_as_such(tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere" / "data"
    for args in (["ask", BORDER], ["chat"], ["articles", "list"]):
        result = run(missing, *args, stdin="/quit\n")
        assert result.exit_code == 1, (args, result.output)
        assert f"no articles stored in {missing}" in result.output
        assert "newsdesk ingest" in result.output and "Traceback" not in result.output
    assert not missing.exists()  # asking did not create an empty store
