"""Answer latency, variants side by side: each question is answered by every variant in turn,
in one process, in alternating order, over two rounds, so that load on a shared machine
falls on all variants alike.

    NEWSDESK_DATA_DIR=/work/bench-data/full python bench/answer_speed.py

Variants: the sentence comparison's few texts split among the embedding model's streams
(the default) or kept in one batch (as before). Questions: natural-dev and natural-heldout,
first turns, asked as of today. Prints p50 / p95 of the whole `Newsdesk.answer` call.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.evaluate import read_questions  # noqa: E402
from index.service import open_newsdesk  # noqa: E402
from index.settings import load_settings  # noqa: E402

QUESTIONS = [ROOT / "bench" / "questions" / f"natural-{s}.jsonl" for s in ("dev", "heldout")]


def main() -> None:
    desk = open_newsdesk(load_settings())
    questions = [item.turns[0].question for f in QUESTIONS for item in read_questions(f)]
    runner = desk.retriever.embed_model._runner  # type: ignore[attr-defined]
    variants = {"split among streams": runner.streams, "one batch": 1}
    for question in questions[:10]:  # warm-up: caches and first-seen shapes
        desk.answer(question)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(2):
        for i, question in enumerate(questions):
            names = list(variants)
            for name in names if (i + round_) % 2 else reversed(names):
                runner.streams = variants[name]
                start = time.perf_counter()
                desk.answer(question)
                times[name].append((time.perf_counter() - start) * 1000)
    runner.streams = variants["split among streams"]
    print(f"{len(questions)} questions x 2 rounds; load {Path('/proc/loadavg').read_text()[:14]}")
    print("| variant | answers | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for name, found in times.items():
        p50, p95 = np.percentile(found, [50, 95])
        print(f"| {name} | {len(found)} | {p50:.0f} | {p95:.0f} |")


if __name__ == "__main__":
    main()
