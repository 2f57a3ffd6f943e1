"""Fault campaign: kills, malformed inputs and an unavailable answer log, counted.

    python bench/faults.py                 # 20 kills, 1,000 malformed inputs, locked + full log
    python bench/faults.py --kills 5 --malformed 200

Everything runs on a small store in a temporary directory, with the real model, Chroma and
SQLite. What it replays:
- kill -9 of an `ingest` subprocess at random moments (half the articles change each run,
  so kills land in updates too). After each kill: every visible article has all its
  vectors; after the next run's start-up (stale + orphan collection, keyword refresh):
  Chroma holds exactly the catalog's chunks and the keyword index covers them all.
- malformed inputs through `newsdesk ingest` (one process, one batch): each must be its
  own failure with a reason or land; nothing may abort the batch.
- the answer log write-locked by another process for 12 s while 5 exchanges are recorded,
  and on a full disk (a small tmpfs when this process may mount one, else SQLite's
  `max_page_count`) while 10 are: every exchange must end up in the log.
Prints one line per check and a summary table; exits 1 if anything was lost.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEWSDESK = [sys.executable, "-c", "from cli.main import main; main()"]
ARTICLES = 40
TOWNS = ["Alder", "Birch", "Cedar", "Dunmore", "Elmstead", "Fernhill", "Glenrock", "Hollis"]
KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    import ingest.pipeline as pipeline
    from bench.faults import corpus
    from index.settings import load_settings
    pipeline.ARTICLES_PER_ROUND = 3
    settings = load_settings(_env_file=None, newsdesk_data_dir={data!r})
    ingestor = pipeline.open_ingestor(settings)
    articles = corpus({variant})
    print("ready", flush=True)
    ingestor.ingest(articles)
    """
)


def corpus(variant: int) -> list[object]:
    """`ARTICLES` articles; in variant v, half of them carry an extra paragraph v."""
    from index.models import Article

    articles = []
    for i in range(ARTICLES):
        town = TOWNS[i % len(TOWNS)]
        paragraphs = [
            f"The {town} council met on day {p + 1} to discuss item {i}-{p}. Members approved "
            f"{p + 3} measures on roads, schools and a harbour budget of {(i + 1) * (p + 2)} "
            f"million crowns. Residents of district {p} asked about bus route {i * 10 + p}."
            for p in range(6)
        ]
        if (i + variant) % 2 == 0:
            paragraphs.append(f"Update {variant}: the {town} vote on item {i} was postponed.")
        articles.append(
            Article(
                id=f"art-{i}",
                title=f"{town} council session {i}",
                text="\n\n".join(paragraphs),
                source="example.com",
                url=f"https://example.com/{town.lower()}/{i}",
                published=date(2025, 1, 1 + i % 28),
            )
        )
    return articles


# -- kill -9 --------------------------------------------------------------------------------
def run_ingest(data: Path, variant: int, *, kill_after: float | None = None) -> float:
    """Ingest `corpus(variant)` in a subprocess, killed `kill_after` s into its work (after
    imports and the model load); returns the seconds the work took or had taken."""
    script = KILL_SCRIPT.format(root=str(ROOT), data=str(data), variant=variant)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return time.monotonic() - started


def store_state(data: Path) -> dict[str, object]:
    """Catalog chunks, Chroma ids, stale rows and the keyword index's coverage."""
    from index.keyword import KeywordIndex
    from index.settings import load_settings
    from index.wiring import open_store

    settings = load_settings(_env_file=None, newsdesk_data_dir=data)
    store = open_store(settings)
    visible = {aid: store.catalog.chunk_ids_of(aid) for aid in store.catalog.versions()}
    keyword = KeywordIndex(path=settings.keyword_dir)
    state = {
        "visible": visible,
        "vectors": set(store.vector_ids()),
        "stale": store.catalog.stale_chunk_ids(),
        "generation": store.catalog.generation(),
        "keyword_generation": keyword.generation,
        "keyword_size": keyword.size,
        "hashes": store.catalog.versions(),
    }
    store.catalog.close()
    return state


def half_visible(state: dict[str, object]) -> list[str]:
    """Visible articles missing some of their vectors (the invariant a kill must not break)."""
    vectors = state["vectors"]
    return [
        aid
        for aid, ids in state["visible"].items()  # type: ignore[attr-defined]
        if not ids or not set(ids) <= vectors
    ]  # type: ignore[operator]


def disagreements(state: dict[str, object]) -> list[str]:
    """How Chroma, the catalog and the keyword index differ after a run's start-up."""
    chunks = {cid for ids in state["visible"].values() for cid in ids}  # type: ignore[attr-defined]
    problems = []
    if state["vectors"] != chunks:
        extra = len(state["vectors"] - chunks)  # type: ignore[operator]
        problems.append(f"{extra} orphan, {len(chunks - state['vectors'])} missing vectors")  # type: ignore[operator]
    if state["stale"]:
        problems.append(f"{len(state['stale'])} stale rows")  # type: ignore[arg-type]
    if (state["keyword_generation"], state["keyword_size"]) != (state["generation"], len(chunks)):
        problems.append("keyword index behind the catalog")
    return problems


def recover(data: Path, embed_model: object) -> None:
    """What the next run does before its first article: purge, collect orphans, refresh."""
    from index.settings import load_settings
    from index.wiring import build_chunker, open_store
    from ingest.pipeline import Ingestor, open_keyword_index

    settings = load_settings(_env_file=None, newsdesk_data_dir=data)
    Ingestor(
        store=open_store(settings),
        embed_model=embed_model,  # type: ignore[arg-type]
        chunker=build_chunker(settings),
        keyword=open_keyword_index(settings),
    ).ingest([])


def updated(state: dict[str, object], variant: int) -> int:
    """How many of the articles changed in `variant` were committed in that version."""
    hashes = state["hashes"]
    changed = [a for i, a in enumerate(corpus(variant)) if (i + variant) % 2 == 0]
    return sum(hashes.get(a.id) == a.hash for a in changed)  # type: ignore[attr-defined]


def uncommitted(state: dict[str, object]) -> set[str]:
    """Vectors the catalog knows nothing of: written by a round that was never committed."""
    chunks = {cid for ids in state["visible"].values() for cid in ids}  # type: ignore[attr-defined]
    return state["vectors"] - chunks - set(state["stale"])  # type: ignore[operator, call-overload]


def kill_campaign(work: Path, kills: int, rng: random.Random) -> dict[str, object]:
    from index.embeddings import OnnxMiniLMEmbedding

    data = work / "kills"
    run_ingest(data, 0)  # builds the store
    full = run_ingest(data, 1)  # times one whole update run, the kind that gets killed
    embed_model = OnnxMiniLMEmbedding()
    failures, orphans, mid_write = [], 0, 0
    for attempt in range(2, kills + 2):
        moment = rng.uniform(0.0, 1.0) * full
        run_ingest(data, attempt, kill_after=moment)
        killed = store_state(data)
        broken = half_visible(killed)
        recover(data, embed_model)
        state = store_state(data)
        problems = ([f"{len(broken)} half-visible"] if broken else []) + disagreements(state)
        committed = updated(killed, attempt)
        unknown = len(uncommitted(killed))
        orphans += unknown
        mid_write += 0 < committed < ARTICLES // 2 or unknown > 0
        print(
            f"kill {attempt - 1:2d} at {moment:5.2f}s: {committed:2d} of {ARTICLES // 2} "
            f"updates committed, {unknown:3d} orphan vectors, after the next start: "
            f"{'; '.join(problems) or 'consistent'}"
        )
        failures += [attempt] if problems else []
    run_ingest(data, kills + 2)
    final = store_state(data)
    expected = {a.id: a.hash for a in corpus(kills + 2)}  # type: ignore[attr-defined]
    lost = sum(final["hashes"].get(aid) != h for aid, h in expected.items())  # type: ignore[attr-defined]
    return {
        "check": "kill -9 during ingest",
        "tries": kills,
        "failures": len(failures),
        "lost": lost,
        "detail": f"uniform moment in a {full:.1f}s update run ({mid_write} mid-write); "
        f"{ARTICLES} articles, half changed each run, rounds of 3; {orphans} orphan vectors "
        "left by kills, all collected",
    }


# -- malformed inputs -------------------------------------------------------------------
Maker = Callable[[int], tuple[str, bytes, str]]  # n → (file name, bytes, "fail" | "land")


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


def _text(n: int) -> str:
    return f"Item {n}: the harbour ferry timetable changes on Monday, officials said."


MALFORMED: list[Maker] = [
    lambda n: (f"deep-{n}.json", b"[" * 100_000, "fail"),
    lambda n: (f"deep-line-{n}.jsonl", b'{"a":' * 60_000 + b"\n", "fail"),
    lambda n: (f"deep-title-{n}.json", b'{"text": "x", "title": ' + b"[" * 50_000, "fail"),
    lambda n: (f"binary-{n}.txt", bytes(random.Random(n).randbytes(4096)) + b"\x00", "fail"),
    lambda n: (f"empty-{n}.md", b"", "fail"),
    lambda n: (f"blank-{n}.txt", b" \n\t\n" * 10, "fail"),
    lambda n: (f"not-gzip-{n}.jsonl.gz", b"this is not gzip " * 20, "fail"),
    lambda n: (f"cut-{n}.json", b'{"id": "x", "text": "unterminated', "fail"),
    lambda n: (f"list-title-{n}.json", _json({"title": ["a", "b"], "text": _text(n)}), "fail"),
    lambda n: (f"dict-url-{n}.json", _json({"url": {"h": 1}, "text": _text(n)}), "fail"),
    lambda n: (f"esc-id-{n}.json", _json({"id": f"a\x1b[2J{n}", "text": _text(n)}), "fail"),
    lambda n: (f"bidi-id-{n}.json", _json({"id": f"a\u202e{n}", "text": _text(n)}), "fail"),
    lambda n: (f"number-{n}.json", str(n).encode(), "fail"),
    lambda n: (f"no-text-{n}.json", _json({"id": f"nt{n}", "title": "t"}), "fail"),
    lambda n: (f"huge-{n}.txt", b"Headline\n\n" + b"word " * 50_000, "fail"),
    lambda n: (f"huge-line-{n}.jsonl", _json({"text": "w " * 150_000}) + b"\n", "fail"),
    lambda n: (f"latin1-line-{n}.jsonl", b'{"text": "caf\xe9"}\n', "fail"),
    lambda n: (f"only-front-matter-{n}.md", b"---\ntitle: Nothing\n---\n", "fail"),
    lambda n: (
        f"bad-date-{n}.json",
        _json({"id": f"bd{n}", "published": "-1", "text": _text(n)}),
        "land",
    ),
    lambda n: (
        f"cp1252-{n}.txt",
        f"Caf\xe9 {n}\n\n{_text(n)} Caf\xe9 prices rose.".encode("cp1252"),
        "land",
    ),
    lambda n: (
        f"bidi-title-{n}.json",
        _json({"id": f"bt{n}", "title": f"\u202eevil\x00 {n}", "text": _text(n)}),
        "land",
    ),
]
GOOD_FILES = 50


def write_inputs(folder: Path, count: int) -> dict[str, str]:
    """`count` malformed inputs and `GOOD_FILES` good ones; file name → expected outcome."""
    folder.mkdir(parents=True)
    expected = {}
    for n in range(count):
        name, body, outcome = MALFORMED[n % len(MALFORMED)](n)
        (folder / name).write_bytes(body)
        expected[name] = outcome
    for n in range(GOOD_FILES):
        name = f"good-{n}.md"
        (folder / name).write_text(
            f"---\ntitle: Good story {n}\ndate: 2025-02-0{n % 9 + 1}\n"
            f"---\n{_text(n)} The second ferry starts in June.\n"
        )
        expected[name] = "land"
    return expected


def malformed_campaign(work: Path, count: int) -> dict[str, object]:
    folder = work / "inputs"
    expected = write_inputs(folder, count)
    env = {
        **os.environ,
        "NEWSDESK_DATA_DIR": str(work / "malformed-data"),
        "MAX_FILE_BYTES": "200000",
        "LOG_LEVEL": "ERROR",
    }
    started = time.monotonic()
    done = subprocess.run(
        [*NEWSDESK, "ingest", "--json", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if done.returncode not in (0, 1) or "Traceback" in done.stderr:
        print(done.stderr[-2000:])
        return {
            "check": "malformed inputs, one batch",
            "tries": count,
            "failures": count,
            "lost": GOOD_FILES,
            "detail": f"ingest exited {done.returncode}",
        }
    report = json.loads(done.stdout)
    failed = {Path(f["source"].split(":")[0].split("[")[0]).name for f in report["failed"]}
    no_reason = sum(not f["reason"] for f in report["failed"])
    wrong = [n for n, outcome in expected.items() if (n in failed) != (outcome == "fail")]
    landed = len(report["new"]) + len(report["updated"]) + len(report["unchanged"])
    should_land = sum(outcome == "land" for outcome in expected.values())
    print(
        f"malformed: exit {done.returncode}, {landed} landed, {len(report['failed'])} failed,"
        f" {len(wrong)} unexpected outcomes {wrong[:5]}, {seconds:.1f}s"
    )
    return {
        "check": "malformed inputs, one batch",
        "tries": count,
        "failures": len(wrong) + no_reason,
        "lost": max(should_land - landed, 0),
        "detail": f"+{GOOD_FILES} good files; {len(MALFORMED)} kinds; exit "
        f"{done.returncode}; {seconds:.0f}s",
    }


# -- the answer log -------------------------------------------------------------------------
HOLD_LOCK = textwrap.dedent(
    """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO _migrations VALUES ('held by the bench', 'now')")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    db.execute("ROLLBACK")
    """
)


def _exchange(n: int) -> object:
    from bot.answer_log import Exchange
    from index.models import Answer, Timings

    answer = Answer(
        question=f"q{n}?",
        standalone_question=f"q{n}?",
        text=f"Answer {n}. " + "Words of the answer. " * 300,
        timings=Timings(total_ms=5.0),
    )
    return Exchange(
        chat_id=n,
        chat_type="private",
        user_id=n,
        user_name=f"u{n}",
        question=f"question {n}?",
        answer=answer,
        at=datetime.now(UTC),
    )


def _logged(log: object, questions: int) -> int:
    from bot.log_queries import LogFilter, list_exchanges

    rows = list_exchanges(log, LogFilter(limit=1000))  # type: ignore[arg-type]
    wanted = {f"question {n}?" for n in range(questions)}
    return len(wanted & {row["question"] for row in rows})


def locked_log(work: Path, hold_s: float = 12.0, count: int = 5) -> dict[str, object]:
    from bot.answer_log import AnswerLog

    log = AnswerLog(work / "locked" / "answers.sqlite3")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(log.path), str(hold_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    refs = [log.record(_exchange(n)) for n in range(count)]  # type: ignore[arg-type]
    holder.wait()
    log.replay()
    found = _logged(log, count)
    spooled = sum(isinstance(ref, str) for ref in refs)
    print(f"locked log: {count} recorded, {spooled} spooled, {found} in the log after release")
    return {
        "check": f"answer log write-locked {hold_s:g}s",
        "tries": count,
        "failures": count - found,
        "lost": count - found,
        "detail": f"{spooled} spooled then replayed; all {count} replies kept buttons",
    }


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return mounted.returncode == 0


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def full_log(work: Path, *, tmpfs: bool, count: int = 10) -> dict[str, object]:
    """A full disk: the whole filesystem (tmpfs, spool included) or only the database."""
    from bot.answer_log import AnswerLog

    disk = work / ("small-disk" if tmpfs else "full-db")
    on_tmpfs = False
    if tmpfs:
        on_tmpfs = _mount_tmpfs(disk, "2m")
    else:
        disk.mkdir()
    try:
        log = AnswerLog(disk / "answers.sqlite3", lock_wait_s=0.5)
        filler = _fill(disk) if on_tmpfs else None
        if filler is None:
            with log.connection() as db:
                pages = db.execute("PRAGMA page_count").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {pages}")
        refs = [log.record(_exchange(n)) for n in range(count)]  # type: ignore[arg-type]
        in_memory = len(log.spool._memory)
        if filler is not None:
            filler.unlink()
        else:
            with log.connection() as db:
                db.execute("PRAGMA max_page_count = 1073741823")
        log.replay()
        found = _logged(log, count)
    finally:
        if on_tmpfs:
            subprocess.run(["umount", "-l", str(disk)], check=False)
    how = "a full 2 MiB tmpfs" if on_tmpfs else "SQLite max_page_count"
    print(
        f"full log ({how}): {count} recorded, {sum(isinstance(r, str) for r in refs)} kept "
        f"({in_memory} in memory), {found} in the log once space was back"
    )
    return {
        "check": f"answer log on a full disk ({how})",
        "tries": count,
        "failures": count - found,
        "lost": count - found,
        "detail": f"{count - in_memory} waited in the spool file, {in_memory} in memory "
        "(when the spool's disk is full too); all written once there was space",
    }


def damaged_log(work: Path) -> dict[str, object]:
    data = work / "damaged"
    data.mkdir()
    (data / "answers.sqlite3").write_bytes(b"not a database " * 1000)
    commands = [["logs", "list"], ["logs", "show", "1"], ["logs", "export"], ["logs", "stats"]]
    bad = 0
    for command in commands:
        done = subprocess.run(
            [*NEWSDESK, *command],
            cwd=ROOT,
            env={**os.environ, "NEWSDESK_DATA_DIR": str(data)},
            capture_output=True,
            text=True,
            check=False,
        )
        lines = (done.stdout + done.stderr).strip().splitlines()
        bad += not (done.returncode == 1 and len(lines) == 1 and "damaged" in lines[0])
    print(f"damaged log: {len(commands) - bad} of {len(commands)} commands gave one clear line")
    return {
        "check": "damaged answer log, `logs` commands",
        "tries": len(commands),
        "failures": bad,
        "lost": 0,
        "detail": "exit 1, one line naming the fix",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--malformed", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the spool's warnings are expected here
    rng = random.Random(args.seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newsdesk-faults-") as tmp:
        work = Path(tmp)
        results = [
            kill_campaign(work, args.kills, rng),
            malformed_campaign(work, args.malformed),
            locked_log(work),
            full_log(work, tmpfs=True),
            full_log(work, tmpfs=False),
            damaged_log(work),
        ]
    print(
        f"\n{platform.node()} · {os.cpu_count()} cores · {platform.python_version()} · "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {time.monotonic() - started:.0f}s\n"
    )
    print("| check | tries | failures | items lost | notes |\n|---|---:|---:|---:|---|")
    for r in results:
        print(f"| {r['check']} | {r['tries']} | {r['failures']} | {r['lost']} | {r['detail']} |")
    sys.exit(1 if any(r["failures"] or r["lost"] for r in results) else 0)


if __name__ == "__main__":
    main()
