"""`newsdesk eval` in an LLM mode: citation precision and recall next to answer recall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from index.settings import Settings
from tests.fake_openai import FakeOpenAI
from tests.test_llm_answer import cite_the_source_saying

BORDER = "https://example.com/frontier-ledger/2025/02/12/border-deployment-5000-troops"
QUESTIONS = [
    {"question": "How many troops are at the border now?", "answer": "5,000",
     "gold_urls": [BORDER], "date": "2025-02-20"},
    {"question": "How many troops are at the border now, in numbers?", "answer": "5,000",
     "gold_urls": [BORDER], "date": "2025-02-20"},
]  # fmt: skip


def test_eval_reports_citation_precision_and_recall_of_the_model(
    sample_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    with FakeOpenAI() as fake:
        reply = cite_the_source_saying("5,000 active-duty")
        fake.enqueue(
            [
                # 2 sentences: one supported by its citation, one by no source
                lambda body: reply(body) + " The cartels will surrender on Friday [1].",
                # 2 sentences: one whose marker points at a source not given, one unmarked
                "About 5,000 active-duty troops are deployed along the border [9]. "
                "Roughly 5,000 active-duty U.S. troops are now deployed along the southern "
                "border with Mexico.",
            ]
        )
        monkeypatch.chdir(tmp_path)
        env = {
            "NEWSDESK_DATA_DIR": str(sample_settings.newsdesk_data_dir),
            "ANSWER_MODE": "openai-like", "LLM_BASE_URL": fake.base_url,
            "LLM_MODEL": "scripted",
        }  # fmt: skip
        result = CliRunner().invoke(cli, ["eval", str(gold), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    # as written: 4 sentences, 3 cited, 1 supported by its own citation
    assert report["citation_precision"] == pytest.approx(1 / 3)
    assert report["citation_recall"] == pytest.approx(1 / 4)
    assert report["llm_answered"] == 1.0  # both answers survived the check
    # as shown: the checked answers, each sentence supported by what it cites
    assert report["shown_citation_precision"] == report["shown_citation_recall"] == 1.0
    assert report["answer_in_text"] == 1.0
