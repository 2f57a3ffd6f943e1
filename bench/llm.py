"""The in-process model (ANSWER_MODE=local) next to the extractive answers, on real questions.

Usage: python bench/llm.py [--suite NAME ...] [--full DIR] [--details DIR]

Per suite and mode: answer in the answer text, gold article cited, wrongly declined,
citation precision and recall (ALCE's, judged by the support checker: the model's sentences
as written, and the answers as shown), the share of questions the model's answer survived
the check for, time to first token (from the question, retrieval included), decode speed
in tokens/s (from the first streamed piece to the last) and total latency. Suites: the
repository's sample articles (`samples`), the one-article seed store (`seed`), and the first
20 lines of bench/questions/natural-dev.jsonl on the full corpus store (`natural-dev-20`,
when --full exists). Everything runs in this process, one suite and mode after another.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.evaluate import Evaluation, percentile, read_questions, write_details  # noqa: E402
from index.models import Answer  # noqa: E402
from index.settings import load_settings  # noqa: E402
from index.support import SupportChecker  # noqa: E402
from index.wiring import Wiring, sentence_similarity  # noqa: E402

QUESTIONS = ROOT / "bench" / "questions"
SUITES = {
    "samples": ("samples", QUESTIONS / "samples.jsonl", None),
    "seed": ("seed", QUESTIONS / "seed.jsonl", None),
    "natural-dev-20": ("full", QUESTIONS / "natural-dev.jsonl", 20),
}
MODES = ("extractive", "local")


class TimedAnswerer:
    """The desk, with each answer's first-token time and streamed text recorded."""

    def __init__(self, wiring: Wiring) -> None:
        self.desk = wiring.newsdesk
        llm = self.desk.llm_answerer.llm if self.desk.llm_answerer else None
        self.count_tokens = getattr(llm, "count_tokens", None)
        self.first_token_ms: list[float] = []
        self.decode_tokens_per_s: list[float] = []

    def answer(self, question: str, **options: Any) -> Answer:
        """The desk's answer (`options` as `Answerer.answer` takes them), timed."""
        options.pop("on_draft", None)
        started = time.perf_counter()
        drafts: list[tuple[float, str]] = []
        answer = self.desk.answer(
            question, **options, on_draft=lambda text: drafts.append((time.perf_counter(), text))
        )
        if drafts and self.count_tokens is not None:
            self.first_token_ms.append((drafts[0][0] - started) * 1000)
            tokens = self.count_tokens(drafts[-1][1])
            seconds = drafts[-1][0] - drafts[0][0]
            if tokens > 1 and seconds > 0:
                self.decode_tokens_per_s.append((tokens - 1) / seconds)
        return answer


def store_dir(kind: str, full: Path, small: Path) -> Path:
    """The suite's store, built the way bench/answers.py builds it."""
    spec = importlib.util.spec_from_file_location("bench_answers", ROOT / "bench" / "answers.py")
    assert spec and spec.loader
    answers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(answers)
    args = argparse.Namespace(full=str(full), small_stores=str(small))
    return Path(answers.store_dir(kind, args))


def run(suite: str, mode: str, data: Path, details: Path | None) -> dict[str, Any]:
    _, path, limit = SUITES[suite]
    items = read_questions(path)[:limit] if limit else read_questions(path)
    settings = load_settings(_env_file=None, newsdesk_data_dir=data, answer_mode=mode,
                             llm_timeout_s=120)  # fmt: skip
    wiring = Wiring(settings)
    loading = time.perf_counter()
    timed = TimedAnswerer(wiring)
    load_s = time.perf_counter() - loading
    judge = SupportChecker(similarity=sentence_similarity(wiring.retriever.embed_model))
    evaluation = Evaluation(retriever=wiring.retriever, answerer=timed, mode="hybrid", judge=judge)
    report, results = evaluation.run(items)
    if details is not None:
        details.mkdir(parents=True, exist_ok=True)
        write_details(details / f"{suite}.{mode}.jsonl", results)
    row = asdict(report)
    row.update(
        suite=suite, answer_mode=mode, load_s=load_s,
        ttft_p50_ms=statistics.median(timed.first_token_ms) if timed.first_token_ms else None,
        ttft_p95_ms=percentile(timed.first_token_ms, 0.95) if timed.first_token_ms else None,
        tokens_per_s=(
            statistics.median(timed.decode_tokens_per_s) if timed.decode_tokens_per_s else None
        ),
    )  # fmt: skip
    return row


COLUMNS = [
    ("answer_in_text", "answer in text", 3), ("gold_cited", "gold cited", 3),
    ("wrongly_declined", "wrongly declined", 3),
    ("citation_precision", "cit. precision (as written)", 3),
    ("citation_recall", "cit. recall (as written)", 3),
    ("shown_citation_precision", "cit. precision (as shown)", 3),
    ("shown_citation_recall", "cit. recall (as shown)", 3),
    ("llm_answered", "model's answer kept", 3), ("ttft_p50_ms", "TTFT p50 ms", 0),
    ("tokens_per_s", "decode tokens/s", 1), ("latency_p50_ms", "p50 ms", 0),
    ("latency_p95_ms", "p95 ms", 0),
]  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    head = "| suite | mode | questions | " + " | ".join(c for _, c, _ in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 3)]
    for row in rows:
        cells = ["–" if row.get(k) is None else f"{row[k]:.{d}f}" for k, _, d in COLUMNS]
        lines.append(f"| {row['suite']} | {row['answer_mode']} | {row['questions']} | "
                     + " | ".join(cells) + " |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=sorted(SUITES))
    parser.add_argument("--mode", action="append", choices=MODES)
    parser.add_argument("--full", type=Path, default=Path("/work/bench-data/full"))
    parser.add_argument("--small-stores", type=Path, default=Path("/tmp/newsdesk-bench-small"))
    parser.add_argument("--details", type=Path, help="write per-question results here")
    args = parser.parse_args()
    suites = args.suite or [s for s in SUITES if SUITES[s][0] != "full" or args.full.exists()]
    rows = []
    for suite in suites:
        data = store_dir(SUITES[suite][0], args.full, args.small_stores)
        for mode in args.mode or MODES:
            rows.append(run(suite, mode, data, args.details))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "notes"}), file=sys.stderr)
    print(table(rows))


if __name__ == "__main__":
    main()
