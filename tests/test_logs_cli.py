"""`newsdesk logs …` and `newsdesk serve` driven through the real click commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.bot_helpers import ARTICLES
from tests.test_answer_log import seeded_log


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    seeded_log(tmp_path / "answers.sqlite3").close()
    return tmp_path


def run(data_dir: Path, *args: str, **env: str) -> Result:
    environment = {"NEWSDESK_DATA_DIR": str(data_dir), "TELEGRAM_BOT_TOKEN": "", **env}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def test_logs_list_table_and_filters(data_dir: Path) -> None:
    result = run(data_dir, "logs", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "TIME", "(UTC)", "FLAGS", "MS", "QUESTION"]
    assert [line.split()[0] for line in lines[1:]] == ["5", "4", "3", "2", "1"]
    assert lines[1].split()[3:] == [".E", "50", "bike", "lanes", "again"]
    assert lines[3].split()[3:] == ["..", "+0/-2", "300", "wind", "farm?"]
    assert lines[4].split()[3:] == ["D.", "200", "Chess", "results?"]

    def ids(*a: str) -> list[int]:
        return [r["id"] for r in json.loads(run(data_dir, "logs", "list", "--json", *a).output)]

    assert ids("-n", "2") == [5, 4]
    assert ids("-q", "bike") == [5, 1]
    assert ids("--since", "2024-05-03") == [5, 4]
    assert ids("--declined") == [4, 2]
    assert ids("--feedback", "down") == [3]


def test_logs_show_prints_answer_and_passages(data_dir: Path) -> None:
    result = run(data_dir, "logs", "show", "3")
    assert result.exit_code == 0
    assert "Q: wind farm?" in result.output
    assert "A: It powers 200,000 homes [1] [2]." in result.output
    assert f"[1] {ARTICLES[1].title} — Coastal Herald, 2024-06-11" in result.output
    assert f"    > {ARTICLES[1].quote}" in result.output
    assert "feedback: down by cy" in result.output
    missing = CliRunner().invoke(
        cli, ["logs", "show", "42"], env={"NEWSDESK_DATA_DIR": str(data_dir)}
    )
    assert missing.exit_code == 1 and "no exchange with id 42" in missing.output
    assert "Traceback" not in missing.output


def test_logs_export_csv_and_jsonl(data_dir: Path, tmp_path: Path) -> None:
    rows = list(
        csv.DictReader(io.StringIO(run(data_dir, "logs", "export", "--format", "csv").output))
    )
    assert [r["question"] for r in rows] == [
        "bike lanes?",
        "Chess results?",
        "wind farm?",
        "chess results? ",
        "bike lanes again",
    ]
    assert json.loads(rows[2]["citations"])[0]["passage"] == ARTICLES[1].quote
    target = tmp_path / "out.jsonl"
    result = run(data_dir, "logs", "export", "--format", "jsonl", "-o", str(target))
    assert "exported 5 exchanges" in result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [len(r["citations"]) for r in lines] == [1, 0, 2, 0, 0]
    assert lines[0]["feedback"][0]["value"] == "up"


def test_logs_stats_and_path(data_dir: Path) -> None:
    result = run(data_dir, "logs", "stats")
    assert "questions:      5 (1 errors)" in result.output
    assert "declined:       2 (50.0%)" in result.output
    assert "feedback:       1 up / 2 down (33.3% positive)" in result.output
    assert "latency:        p50 200 ms, p95 300 ms" in result.output
    assert "  2024-05-03  2" in result.output
    assert "     2  chess results?" in result.output
    assert run(data_dir, "logs", "path").output.strip() == str(data_dir / "answers.sqlite3")


def test_logs_without_a_log_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["logs", "list"], env={"NEWSDESK_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert "no answer log at" in result.output and "Traceback" not in result.output


def test_every_logs_command_has_a_one_line_help() -> None:
    result = CliRunner().invoke(cli, ["logs", "--help"])
    for name in ["list", "show", "export", "stats", "path"]:
        assert any(line.split()[:1] == [name] for line in result.output.splitlines())


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "TELEGRAM_BOT_TOKEN is not set"),
        ("not-a-token", "TELEGRAM_BOT_TOKEN does not look like a bot token"),
    ],
)
def test_serve_with_a_bad_token_is_a_clean_error(tmp_path: Path, token: str, message: str) -> None:
    result = CliRunner().invoke(
        cli, ["serve"], env={"NEWSDESK_DATA_DIR": str(tmp_path), "TELEGRAM_BOT_TOKEN": token}
    )
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert "not-a-token" not in result.output  # never echo the secret


def test_serve_refuses_a_webhook_without_a_secret(tmp_path: Path) -> None:
    env = {
        "NEWSDESK_DATA_DIR": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram",
    }
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1
    assert "TELEGRAM_WEBHOOK_SECRET: required in webhook mode" in result.output


def test_logs_show_lists_what_the_check_of_a_generated_answer_did(tmp_path: Path) -> None:
    from bot.answer_log import AnswerLog, Exchange
    from index.models import Answer, ClaimCheck
    from tests.bot_helpers import citation

    answer = Answer(
        question="wind farm?", standalone_question="wind farm?",
        text="It should power about 200,000 homes [1].", citations=[citation(ARTICLES[1], 1)],
        mode="local", model="SmolLM2-135M-Instruct.Q4_1.gguf",
        note="Checked against the sources: removed 1 sentence(s) no source supports.",
        claims=[
            ClaimCheck(sentence="It should power about 200,000 homes.", given=[2],
                       action="repointed", numbers=[1], support=0.9, reason="source 1 supports it"),
            ClaimCheck(sentence="It was built in 1999.", given=[1], action="dropped",
                       support=0.3, reason="no source supports it (1999)"),
        ],
    )  # fmt: skip
    log = AnswerLog(tmp_path / "answers.sqlite3")
    log.record(Exchange(1, "private", 11, "ann", "wind farm?", answer=answer))
    log.close()
    result = run(tmp_path, "logs", "show", "1")
    assert result.exit_code == 0, result.output
    assert "note: Checked against the sources: removed 1 sentence(s)" in result.output
    assert (
        "check: repointed ([2] → [1], support 0.90) It should power about 200,000 homes."
        " — source 1 supports it" in result.output
    )
    assert "check: dropped ([1] → -, support 0.30) It was built in 1999." in result.output
