"""`newsdesk eval`: article-level retrieval metrics on a tiny gold file, driven through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from index.models import Article
from index.settings import Settings
from ingest.pipeline import open_ingestor

FIXTURES = Path(__file__).parent / "fixtures" / "retrieval" / "articles.json"
GOLD = [
    {  # rank 1, answer in the top passage
        "question": "Which street is getting protected bike lanes?",
        "gold_article_ids": ["bikes"],
        "answer": "Main Street",
        "date": "2024-03-08",
    },
    {  # gold given by URL; the answer's curly quotes and case do not matter
        "question": "Who is the youngest national chess champion?",
        "gold_urls": ["https://herald.example/chess"],
        "answer": "“PRIYA RAMAN”",
        "date": "2024-03-08",
    },
    {  # the March decision is newer, so the October one ranks second
        "question": "What did the central bank decide about interest rates?",
        "gold_article_ids": ["rates-october"],
        "answer": "kept its main interest rate at 3.75 percent",
        "date": "2024-03-08",
    },
    {  # unrelated: declined, and the gold article is published after the question's day
        "question": "How many moons does Neptune have?",
        "gold_article_ids": ["volcano"],
        "answer": "sixteen",
        "date": "2024-03-08",
    },
]


@pytest.fixture()
def gold_file(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rows = json.loads(FIXTURES.read_text(encoding="utf-8"))
    open_ingestor(settings).ingest([Article(**row) for row in rows])
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(settings.data_dir))
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in GOLD) + "\n", encoding="utf-8")
    return path


def test_eval_prints_article_level_metrics(gold_file: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(gold_file), "--retrieval-only"])
    assert result.exit_code == 0, result.output
    assert "questions: 4" in result.output
    assert "Hits@1 0.500   Hits@5 0.750   Hits@10 0.750   MRR@10 0.625" in result.output
    assert "declined 0.250   answer recall (retrieved passages) 0.750" in result.output
    assert "latency p50" in result.output


def test_eval_json_and_modes(gold_file: Path) -> None:
    result = CliRunner().invoke(
        cli, ["eval", str(gold_file), "--retrieval-only", "--json", "--mode", "bm25"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["mode"] == "bm25"
    assert report["questions"] == 4
    assert report["hits_at_1"] == 0.5
    assert report["answers_from"] == "retrieved passages"
    assert report["latency_p95_ms"] >= report["latency_p50_ms"] > 0


def test_eval_rejects_a_bad_line(gold_file: Path) -> None:
    gold_file.write_text('{"question": "no gold here"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(gold_file)])
    assert result.exit_code == 1
    assert "needs gold_article_ids or gold_urls" in result.output
    assert "Traceback" not in result.output


def test_answer_matching_ignores_case_quotes_punctuation_and_accents() -> None:
    # imported after cli.main, which registers the command modules
    from index.evaluate import contains_answer, normalize

    assert normalize("“Squid Game”!") == "squid game"
    assert contains_answer("'Squid Game'", ["Netflix renewed Squid Game, it said."])
    assert not contains_answer("Squid Game", ["Netflix renewed a game show."])
    assert contains_answer("Aliou Cissé", ["head coach Aliou Cisse said"])  # accents aside


def test_eval_with_answers_scores_the_composed_answers(gold_file: Path) -> None:
    result = CliRunner().invoke(cli, ["eval", str(gold_file), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["answers_from"] == "answer + cited passages"
    assert report["hits_at_1"] == 0.5
    assert report["declined"] == 0.25, "only the Neptune question is declined"
    assert 0.5 <= report["answer_recall"] <= 0.75, "the Neptune answer is never found"
    assert report["answer_recall_quotes"] <= report["answer_recall"]
    # what a source button shows (a quote with the sentences around it) lies in between
    assert report["answer_recall_quotes"] <= report["answer_in_view"] <= report["answer_recall"]
    assert report["latency_p95_ms"] >= report["latency_p50_ms"] > 0
