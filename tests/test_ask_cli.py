"""`newsdesk ask` and `newsdesk chat` driven through click's CliRunner on the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from index.settings import Settings
from tests.test_service import BORDER_NOW


def run(
    corpus: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str | None = None,
) -> Result:
    monkeypatch.chdir(tmp_path)  # no developer .env
    env = {"NEWSDESK_DATA_DIR": str(corpus.newsdesk_data_dir), "ANSWER_MODE": "extractive"}
    return CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)


def test_ask_prints_the_answer_and_its_sources(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(
        sample_settings, tmp_path, monkeypatch, "ask", "How many troops are at the border now?"
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "roughly 5,000 active-duty U.S. troops" in " ".join(out.split())
    assert "[1]" in out and "Sources:" in out
    title = "Border deployment reaches 5,000 active-duty troops, commander tells Congress"
    assert f"[1] {title} — Frontier Ledger, 2025-02-12" in out
    assert f"https://example.com/{BORDER_NOW}" in out
    assert "> “Roughly 5,000" in out


def test_ask_json_is_the_answer(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(
        sample_settings,
        tmp_path,
        monkeypatch,
        "ask",
        "--json",
        "How many robots did Lumen Robotics recall?",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["declined"] is False and data["mode"] == "extractive"
    citation = data["citations"][0]
    assert citation["number"] == 1 and "12,000" in citation["quote"]
    assert citation["title"] == "Lumen Robotics recalls 12,000 home robots over battery fires"
    assert set(data["timings"]) == {"retrieve_ms", "compose_ms", "total_ms"}


def test_ask_filters(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(
        sample_settings, tmp_path, monkeypatch, "ask", "--json", "--until", "2025-01-31",
        "--since", "2025-01-01", "How many troops are at the border?",
    )  # fmt: skip
    cited = json.loads(result.output)["citations"]
    assert cited and {c["source"] for c in cited} == {"Capitol Wire"}
    result = run(
        sample_settings,
        tmp_path,
        monkeypatch,
        "ask",
        "--json",
        "--source",
        "Daily Meridian",
        "What rate did Valdoria's central bank set?",
    )
    assert {c["source"] for c in json.loads(result.output)["citations"]} == {"Daily Meridian"}


@pytest.mark.parametrize(
    ("args", "message", "status"),
    [
        (["ask", "   "], "the question is empty", 1),
        # a bad option value is a usage error (click's exit status 2), read by the one parser
        (["ask", "--since", "someday", "q?"], "cannot read 'someday'", 2),
    ],
)
def test_bad_input_is_a_clean_error(
    sample_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
    status: int,
) -> None:
    result = run(sample_settings, tmp_path, monkeypatch, *args)
    assert result.exit_code == status
    assert message in result.output and "Traceback" not in result.output


def test_chat_follows_up_and_shows_sources(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["How many troops are at the border now?", "and what did Mexico do?", "/sources", ""]
    script = "\n".join([*lines, "/new", "/sources", "/quit", "never asked", ""])
    result = run(sample_settings, tmp_path, monkeypatch, "chat", stdin=script)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "roughly 5,000 active-duty" in out
    assert "President Claudia Sheinbaum agreed to send 10,000 members" in out
    assert "(new conversation)" in out and "(no sources yet)" in out
    assert "never asked" not in out


def test_chat_answers_thanks_in_kind_and_carries_on(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = (
        "How many measles cases are there in Eastmoor?\nthanks!\nand how many went to hospital\n"
    )
    result = run(sample_settings, tmp_path, monkeypatch, "chat", stdin=script)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "You're welcome! Ask me anything else about the news." in out
    assert "312 confirmed cases" in out and "Forty-one" in out  # the follow-up kept its topic


def test_chat_tells_more_when_asked(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "who won the cup final\ntell me more\n"
    result = run(sample_settings, tmp_path, monkeypatch, "chat", stdin=script)
    assert result.exit_code == 0, result.output
    # each reply: the answer, a blank line, its sources
    first, _, more, more_sources = [" ".join(b.split()) for b in result.output.split("\n\n")][:4]
    assert first.startswith("Riverton Rovers won the National Cup for the first time")
    assert "Tom Keller in the 23rd minute" in first  # the story's first two sentences
    assert "Ines Holt said" in more and "won the National Cup" not in more
    assert "Ines Holt" in more_sources and "won the National Cup for" not in more_sources


def test_chat_reports_a_too_long_question_and_carries_on(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "x" * 1200 + "\nHow many measles cases are there in Eastmoor?\n"
    result = run(sample_settings, tmp_path, monkeypatch, "chat", stdin=script)
    assert result.exit_code == 0
    assert (
        "error: the question is too long" in result.output
        and "312 confirmed cases" in result.output
    )
