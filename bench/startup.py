"""How long `newsdesk` takes to start: help, completion, a config error, and a cold `ask`.

Like hyperfine: every case runs as a fresh process, `--runs` times, rounds interleaved so a
busy neighbour slows every case alike, next to a bare `python -c pass` measured in the same
run. Wall time (min, median) and the CPU time the process used (user + sys, median) are
reported; on a shared machine the CPU time is the steadier number. `ask` runs on a store
of samples/articles ingested once into a temporary folder.

    .venv/bin/python bench/startup.py [--runs 10] [--before REV] [--json]

`--before REV` also times the code of git revision REV (extracted with `git archive`, run
with the same interpreter and packages), for a before/after table.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How many troops are at the border now?"
LAUNCH = "import sys; sys.path.insert(0, sys.argv.pop(1)); from cli.main import main; main()"


@dataclass(frozen=True)
class Case:
    label: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    newsdesk: bool = True  # False: run `python` itself with `args`


def cases(store: Path) -> list[Case]:
    completion = {
        "_NEWSDESK_COMPLETE": "bash_complete",
        "COMP_WORDS": "newsdesk a",
        "COMP_CWORD": "1",
    }
    return [
        Case("python -c pass", ["-c", "pass"], newsdesk=False),
        Case("newsdesk --help", ["--help"]),
        Case("newsdesk ask --help", ["ask", "--help"]),
        Case("newsdesk logs list --help", ["logs", "list", "--help"]),
        Case("completion of `newsdesk a`", [], completion),
        Case("config error (CHROMA_PORT=eighty)", ["ask", "q?"], {"CHROMA_PORT": "eighty"}),
        Case(
            "newsdesk ask (cold, sample store)",
            ["ask", QUESTION],
            {"NEWSDESK_DATA_DIR": str(store)},
        ),
    ]


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "wall_min_s": min(self.wall),
            "wall_median_s": statistics.median(self.wall),
            "cpu_median_s": statistics.median(self.cpu),
            "runs": len(self.wall),
        }


def run_once(case: Case, code: Path, workdir: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one fresh process running `case` on the code at `code`."""
    argv = (
        [sys.executable, *case.args]
        if not case.newsdesk
        else [sys.executable, "-c", LAUNCH, str(code), *case.args]
    )
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(workdir / "data"), **case.env}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if case.label.startswith("newsdesk ask (") and done.returncode != 0:
        raise SystemExit(f"{case.label} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def build_store(workdir: Path) -> Path:
    store = workdir / "sample-store"
    argv = [
        sys.executable,
        "-c",
        LAUNCH,
        str(ROOT),
        "ingest",
        "--quiet",
        str(ROOT / "samples" / "articles"),
    ]
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(store)}
    subprocess.run(argv, cwd=workdir, env=env, check=True, capture_output=True)
    return store


def extract(rev: str, into: Path) -> Path:
    """The tree of git revision `rev`, unpacked into `into`."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def measure(codes: dict[str, Path], runs: int, workdir: Path) -> dict[str, dict[str, Timing]]:
    store = build_store(workdir)
    plan = cases(store)
    timings = {name: {case.label: Timing() for case in plan} for name in codes}
    for _ in range(runs):
        for name, code in codes.items():
            for case in plan:
                wall, cpu = run_once(case, code, workdir)
                timings[name][case.label].wall.append(wall)
                timings[name][case.label].cpu.append(cpu)
    return timings


def render(timings: dict[str, dict[str, Timing]]) -> str:
    names = list(timings)
    head = "| case | " + " | ".join(f"{n}: wall min / median, CPU median (s)" for n in names) + " |"
    lines = [head, "|---|" + "---|" * len(names)]
    for label in timings[names[0]]:
        cells = []
        for name in names:
            s = timings[name][label].summary()
            cells.append(
                f"{s['wall_min_s']:.2f} / {s['wall_median_s']:.2f}, {s['cpu_median_s']:.2f}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@click.command()
@click.option("--runs", default=10, show_default=True, help="Runs of every case.")
@click.option("--before", "before", help="Also time this git revision (e.g. HEAD~5).")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
def main(runs: int, before: str | None, as_json: bool) -> None:
    """Time newsdesk's start-up, cold, in fresh processes."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-startup-") as tmp:
        workdir = Path(tmp)
        codes = {"this tree": ROOT}
        if before:
            codes = {f"before ({before})": extract(before, workdir / "before"), **codes}
        (workdir / "data").mkdir()
        timings = measure(codes, runs, workdir)
    if as_json:
        data = {n: {label: t.summary() for label, t in per.items()} for n, per in timings.items()}
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(f"{runs} runs per case, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        click.echo(render(timings))


if __name__ == "__main__":
    main()
