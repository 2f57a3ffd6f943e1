"""Answer quality on questions like users ask, on stores of every size, old code against new.

Usage: python bench/answers.py [--against REV] [--suite NAME ...] [--details DIR]

Suites (question file × store):
- natural-dev / natural-heldout: chat-style questions over RealTime QA articles, answerable,
  unanswerable and follow-up chains, asked as of today, on the full corpus store;
- realtimeqa-dev: the 121 dated quiz questions, each asked as of its own date, same store;
- seed: the one undated article of shared/seeds, in a store of its own;
- samples: the sample articles of the repository;
- natural-fresh, natural-fresh2, natural-fresh3, natural-fresh4: chat-style questions written
  after the code was tuned, on articles no other set uses (only reported on);
- typos / typos-heldout: natural-dev's (natural-heldout's) answerable questions, one word of
  each mistyped, on the full store.
Latency columns come from one pass per code in separate processes, one after the other: on
a shared machine they move by tens of ms between runs of the same code; compare speed with
an interleaved run in one process (bench/answer_speed.py) instead.
The full store is built by `bench/retrieval.py --ingest-only` (or bench/ingest.py) and found
at --full (default /work/bench-data/full); the small stores are built here when missing.
With --against REV the same suites also run on the code of git revision REV (checked out
in a temporary worktree), one after the other in this run, so the two columns compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench" / "questions"
SHARED = ROOT.parent / "shared"
RTQA = SHARED / "benchmarks" / "realtimeqa" / "questions-dev.jsonl"
SMALL_STORES = {"seed": SHARED / "seeds", "samples": ROOT / "samples" / "articles"}
SUITES = {
    "natural-dev": ("full", [QUESTIONS / "natural-dev.jsonl"], "dev"),
    "natural-heldout": ("full", [QUESTIONS / "natural-heldout.jsonl"], "heldout"),
    # written after the code was last tuned, from articles no other set uses: only reported
    "natural-fresh": ("full", [QUESTIONS / "natural-fresh.jsonl"], None),
    "natural-fresh2": ("full", [QUESTIONS / "natural-fresh2.jsonl"], None),
    # outcomes (deaths, wins, verdicts, ends) and later outcomes of stored subjects
    "natural-fresh3": ("full", [QUESTIONS / "natural-fresh3.jsonl"], None),
    "natural-fresh4": ("full", [QUESTIONS / "natural-fresh4.jsonl"], None),
    "realtimeqa-dev": ("full", [RTQA], None),
    "seed": ("seed", [QUESTIONS / "seed.jsonl"], None),
    "samples": ("samples", [QUESTIONS / "samples.jsonl"], None),
    # natural-dev's answerable questions with one typing slip each (make_typos.py)
    "typos": ("full", [QUESTIONS / "typos.jsonl"], None),
    "typos-heldout": ("full", [QUESTIONS / "typos-heldout.jsonl"], None),
}
CHAINS = QUESTIONS / "natural-chains.jsonl"
COLUMNS = [
    ("answer_in_text", "answer in text"),
    ("answer_recall_quotes", "in text or quotes"),
    ("answer_in_view", "one tap away"),
    ("gold_cited", "gold cited"),
    ("wrongly_declined", "wrongly declined"),
    ("unanswerable_declined", "unanswerable declined"),
    ("follow_up_answer_in_text", "follow-ups: in text"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
]


def suite_file(name: str, work: Path) -> Path:
    """The suite's questions in one file (chains of the suite's split appended)."""
    _, files, split = SUITES[name]
    lines = [line for f in files if f.exists() for line in f.read_text().splitlines() if line]
    if split and CHAINS.exists():
        for line in CHAINS.read_text().splitlines():
            if line.strip() and json.loads(line).get("split") == split:
                lines.append(line)
    path = work / f"{name}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def store_dir(kind: str, args: argparse.Namespace) -> Path:
    if kind == "full":
        return Path(args.full)
    data = Path(args.small_stores) / kind
    if not (data / "catalog.sqlite3").exists():
        env = {**os.environ, "NEWSDESK_DATA_DIR": str(data)}
        newsdesk = Path(sys.executable).with_name("newsdesk")
        subprocess.run([str(newsdesk), "ingest", str(SMALL_STORES[kind])], env=env, check=True)
    return data


def run_child(
    src: Path, suite: Path, data: Path, details: Path | None, extra: dict[str, str]
) -> dict[str, float]:
    """One suite on the code at `src`, in a fresh process (cold caches, its own imports)."""
    env = {**os.environ, **extra, "PYTHONPATH": str(src), "NEWSDESK_DATA_DIR": str(data)}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(suite)]
    if details is not None:
        cmd += ["--details", str(details)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=src)
    report: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return report


def child(suite: Path, details: Path | None) -> None:
    """Runs inside the code under test: its index/ package, the current evaluation module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_evaluate", ROOT / "index" / "evaluate.py")
    assert spec and spec.loader
    evaluate = importlib.util.module_from_spec(spec)
    sys.modules["bench_evaluate"] = evaluate
    spec.loader.exec_module(evaluate)
    # the names every revision has (index.wiring is newer than some compared revisions)
    from index.retrieve import open_retriever
    from index.service import open_newsdesk
    from index.settings import load_settings

    settings = load_settings()
    evaluation = evaluate.Evaluation(
        retriever=open_retriever(settings), answerer=open_newsdesk(settings), mode="hybrid"
    )
    report, results = evaluation.run(evaluate.read_questions(suite))
    if details is not None:
        evaluate.write_details(details, results)
    print(json.dumps(vars(report)))


def checkout(rev: str, work: Path) -> Path:
    path = work / f"rev-{rev}"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return path


def table(rows: list[tuple[str, str, dict[str, float]]]) -> str:
    head = "| suite | code | questions | " + " | ".join(c for _, c in COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 3)]
    for suite, code, r in rows:
        cells = []
        for key, _ in COLUMNS:
            value = r.get(key)
            if value is None:
                cells.append("–")
            else:
                cells.append(f"{value:.0f}" if "ms" in key else f"{value:.3f}")
        lines.append(f"| {suite} | {code} | {r['questions']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--against", help="a git revision to compare with")
    parser.add_argument("--suite", action="append", choices=sorted(SUITES))
    parser.add_argument("--full", default="/work/bench-data/full")
    parser.add_argument("--small-stores", default="/tmp/newsdesk-bench-small")
    parser.add_argument("--details", help="write each suite's per-question results here")
    parser.add_argument(
        "--variant", action="append", default=[], help="also run the new code with KEY=VALUE"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child), Path(args.details) if args.details else None)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources: list[tuple[str, Path, dict[str, str]]] = [("new", ROOT, {})]
        for variant in args.variant:
            key, _, value = variant.partition("=")
            sources.append((f"new, {key}={value}", ROOT, {key: value}))
        if args.against:
            sources.insert(0, (args.against, checkout(args.against, work), {}))
        try:
            for name in args.suite or list(SUITES):
                suite = suite_file(name, work)
                data = store_dir(SUITES[name][0], args)
                for code, src, extra in sources:
                    details = None
                    if args.details:
                        Path(args.details).mkdir(parents=True, exist_ok=True)
                        details = Path(args.details) / f"{name}.{code.replace(' ', '')}.jsonl"
                    rows.append((name, code, run_child(src, suite, data, details, extra)))
                    print(f"{name} {code}: {rows[-1][2]}", file=sys.stderr)
        finally:
            if args.against:
                subprocess.run(["git", "worktree", "remove", "--force", str(sources[0][1])],
                               cwd=ROOT, check=False)  # fmt: skip
                shutil.rmtree(sources[0][1], ignore_errors=True)
    print(table(rows))


if __name__ == "__main__":
    main()
