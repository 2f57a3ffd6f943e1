"""Answer latency, variants side by side: each question is answered by every variant in turn,
in one process, in alternating order, over two rounds, so that load on a shared machine
falls on all variants alike.

    NEWSDESK_DATA_DIR=/work/bench-data/full python bench/answer_speed.py [--quiz]

Variants: the code as it is; the sentence comparison's few texts kept in one batch instead
of split among the embedding model's streams; the subject check without the names the
store writes (`KeywordIndex.names`); a question's narrow date window ("in 2023") left to
Chroma's filter after the first unfiltered search instead of a wider one. Questions: the
natural sets (dev, held-out, fresh, fresh2), first turns, asked as of today, or with
`--quiz` the RealTime QA dev questions as of their dates.
Prints p50 / p95 of the whole `Newsdesk.answer` call.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import retrieve  # noqa: E402
from index.evaluate import read_questions  # noqa: E402
from index.service import Newsdesk, open_newsdesk  # noqa: E402
from index.settings import load_settings  # noqa: E402

NATURAL = [
    ROOT / "bench" / "questions" / f"natural-{s}.jsonl"
    for s in ("dev", "heldout", "fresh", "fresh2")
]
QUIZ = ROOT.parent / "shared" / "benchmarks" / "realtimeqa" / "questions-dev.jsonl"


def variants(desk: Newsdesk) -> dict[str, Callable[[], None]]:
    """Each variant as a function that sets the desk up for it (from any other variant)."""
    runner = desk.retriever.embed_model._runner  # type: ignore[attr-defined]
    streams, names = runner.streams, desk.composer.names

    overfetches = retrieve.OVERFETCHES

    def setup(
        streams_: int,
        names_: Callable[[], frozenset[str]] | None,
        overfetches_: tuple[int, ...] = overfetches,
    ) -> Callable[[], None]:
        def apply() -> None:
            runner.streams, desk.composer.names = streams_, names_
            retrieve.OVERFETCHES = overfetches_

        return apply

    return {
        "now": setup(streams, names),
        "one batch": setup(1, names),
        "no store names": setup(streams, None),
        "Chroma filters narrow windows": setup(streams, names, overfetches[:1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiz", action="store_true", help="the RealTime QA dev questions")
    args = parser.parse_args()
    desk = open_newsdesk(load_settings())
    files = [QUIZ] if args.quiz else NATURAL
    questions: list[tuple[str, date | None]] = [
        (item.turns[0].question, item.day) for f in files for item in read_questions(f)
    ]
    setups = variants(desk)
    for question, day in questions[:10]:  # warm-up: caches and first-seen shapes
        desk.answer(question, as_of=day)
    times: dict[str, list[float]] = {name: [] for name in setups}
    for round_ in range(2):
        for i, (question, day) in enumerate(questions):
            names = list(setups)
            for name in names if (i + round_) % 2 else reversed(names):
                setups[name]()
                start = time.perf_counter()
                desk.answer(question, as_of=day)
                times[name].append((time.perf_counter() - start) * 1000)
    setups["now"]()
    print(f"{len(questions)} questions x 2 rounds; load {Path('/proc/loadavg').read_text()[:14]}")
    print("| variant | answers | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    for name, found in times.items():
        p50, p95 = np.percentile(found, [50, 95])
        print(f"| {name} | {len(found)} | {p50:.0f} | {p95:.0f} |")


if __name__ == "__main__":
    main()
