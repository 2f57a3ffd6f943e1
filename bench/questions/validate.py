"""Validate the chat-style benchmark question sets in bench/questions/.

Checks natural-dev.jsonl, natural-heldout.jsonl, natural-chains.jsonl and the fresh sets
(natural-fresh.jsonl, natural-fresh2.jsonl, natural-fresh3.jsonl,
natural-fresh4.jsonl) against the RealTimeQA
article corpus:

* every line is a well-formed JSON object with the required fields and a known kind;
* ids are unique across all the files;
* an answer is short (1-6 words), occurs verbatim in every one of its gold articles and
  does not already appear in its question;
* gold article ids exist in the corpus and are not gold ids of the RealTimeQA dev quiz;
* unanswerable lines carry ``declined: true`` and the list of terms checked for absence;
* the dev and held-out material (including chains) share no article, and each fresh set
  shares no article with any other set;
* the minimum counts of the brief are met.

It prints a summary (counts per file and per kind) and exits non-zero on any problem.
Run it from the repository root::

    python bench/questions/validate.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = Path("/work/shared/benchmarks/realtimeqa/articles.jsonl.gz")
DEFAULT_DEV_QUIZ = Path("/work/shared/benchmarks/realtimeqa/questions-dev.jsonl")

KINDS = {"who", "how many", "how much", "when", "where", "why", "what", "which", "yes-no"}
SPLIT_FILES = {"dev": "natural-dev.jsonl", "heldout": "natural-heldout.jsonl"}
CHAINS_FILE = "natural-chains.jsonl"
# fresh sets, each written after the code was tuned: file, id prefix, minimum answerable and
# unanswerable questions
FRESH_SETS = {
    "fresh": ("natural-fresh.jsonl", "fresh-", 60, 15),
    "fresh2": ("natural-fresh2.jsonl", "fresh2-", 40, 10),
    "fresh3": ("natural-fresh3.jsonl", "fresh3-", 40, 25),
    "fresh4": ("natural-fresh4.jsonl", "fresh4-", 60, 20),
}

MIN_ANSWERABLE = 110
MIN_ARTICLES = 70
MIN_UNANSWERABLE = 36
MIN_CHAINS = 14
MIN_TOPIC_SWITCH_CHAINS = 4
MIN_DECLINED_CHAINS = 2
MAX_ANSWER_WORDS = 6
QUESTION_WORDS = (4, 14)
CHAIN_TURN_MIN_WORDS = 2


@dataclass
class Report:
    """Problems found and counters for the summary."""

    problems: list[str] = field(default_factory=list)
    answerable: Counter[str] = field(default_factory=Counter)
    unanswerable: Counter[str] = field(default_factory=Counter)
    kinds: dict[str, Counter[str]] = field(default_factory=dict)
    articles: dict[str, set[str]] = field(default_factory=dict)
    chains: Counter[str] = field(default_factory=Counter)
    chain_turns: int = 0
    topic_switch_chains: int = 0
    declined_chains: int = 0

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")


def load_corpus(path: Path) -> dict[str, str]:
    """Map article id to article text."""
    texts: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            article = json.loads(line)
            texts[article["id"]] = article["text"]
    return texts


def load_dev_gold(path: Path) -> set[str]:
    """Gold article ids of the RealTimeQA dev quiz, which these sets must not use."""
    ids: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                ids.update(json.loads(line)["gold_article_ids"])
    return ids


def read_jsonl(path: Path, report: Report) -> list[tuple[str, dict[str, Any]]]:
    """Parse a JSONL file; each row is returned with a "file:line" label."""
    rows: list[tuple[str, dict[str, Any]]] = []
    if not path.exists():
        report.fail(path.name, "file is missing")
        return rows
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            where = f"{path.name}:{number}"
            if not line.strip():
                report.fail(where, "empty line")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                report.fail(where, f"invalid JSON ({error})")
                continue
            if not isinstance(row, dict):
                report.fail(where, "line is not a JSON object")
                continue
            rows.append((where, row))
    return rows


def is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_question(
    where: str, question: object, report: Report, *, min_words: int = QUESTION_WORDS[0]
) -> str:
    if not is_text(question):
        report.fail(where, "question must be a non-empty string")
        return ""
    assert isinstance(question, str)
    low, high = min_words, QUESTION_WORDS[1]
    if not low <= len(question.split()) <= high:
        report.fail(where, f"question should have {low}-{high} words: {question!r}")
    return question


def check_answer(
    where: str,
    turn: dict[str, Any],
    question: str,
    corpus: dict[str, str],
    dev_gold: set[str],
    report: Report,
) -> list[str]:
    """Check an answerable question or turn; return its gold ids."""
    answer = turn.get("answer")
    gold = turn.get("gold_article_ids")
    if not is_text(answer):
        report.fail(where, "answer must be a non-empty string")
        return []
    assert isinstance(answer, str)
    if not isinstance(gold, list) or not gold or not all(isinstance(g, str) for g in gold):
        report.fail(where, "gold_article_ids must be a non-empty list of ids")
        return []
    if len(set(gold)) != len(gold):
        report.fail(where, "duplicate gold article ids")
    if not 1 <= len(answer.split()) <= MAX_ANSWER_WORDS:
        report.fail(where, f"answer should have 1-{MAX_ANSWER_WORDS} words: {answer!r}")
    if answer.casefold() in question.casefold():
        report.fail(where, f"answer {answer!r} already appears in the question")
    for article_id in gold:
        if article_id not in corpus:
            report.fail(where, f"unknown gold article {article_id}")
        elif article_id in dev_gold:
            report.fail(where, f"gold article {article_id} is a RealTimeQA dev gold article")
        elif answer not in corpus[article_id]:
            report.fail(where, f"answer {answer!r} is not verbatim in article {article_id}")
    return list(gold)


def check_declined(where: str, row: dict[str, Any], report: Report, *, top_level: bool) -> None:
    if row.get("declined") is not True:
        report.fail(where, "unanswerable entries need declined: true")
    if "answer" in row or "gold_article_ids" in row:
        report.fail(where, "unanswerable entries must not have an answer or gold ids")
    if top_level:
        if row.get("kind") != "absent":
            report.fail(where, 'unanswerable questions need kind: "absent"')
        checked = row.get("checked")
        if not isinstance(checked, list) or not checked or not all(map(is_text, checked)):
            report.fail(where, "unanswerable questions need a non-empty list of checked terms")


def check_split_file(
    split: str,
    rows: list[tuple[str, dict[str, Any]]],
    corpus: dict[str, str],
    dev_gold: set[str],
    seen_ids: set[str],
    report: Report,
    *,
    prefix: str = "nat-",
) -> None:
    kinds = report.kinds.setdefault(split, Counter())
    articles = report.articles.setdefault(split, set())
    for where, row in rows:
        check_id(where, row, seen_ids, report, prefix=prefix)
        question = check_question(where, row.get("question"), report)
        if row.get("declined") is not None or row.get("kind") == "absent":
            check_declined(where, row, report, top_level=True)
            report.unanswerable[split] += 1
            continue
        kind = row.get("kind")
        if kind not in KINDS:
            report.fail(where, f"unknown kind {kind!r}")
        else:
            kinds[str(kind)] += 1
        articles.update(check_answer(where, row, question, corpus, dev_gold, report))
        report.answerable[split] += 1


def check_id(
    where: str, row: dict[str, Any], seen_ids: set[str], report: Report, *, prefix: str
) -> None:
    row_id = row.get("id")
    if not is_text(row_id) or not str(row_id).startswith(prefix):
        report.fail(where, f"id must be a string starting with {prefix!r}")
    elif row_id in seen_ids:
        report.fail(where, f"duplicate id {row_id}")
    else:
        seen_ids.add(str(row_id))


def check_chains(
    rows: list[tuple[str, dict[str, Any]]],
    corpus: dict[str, str],
    dev_gold: set[str],
    seen_ids: set[str],
    report: Report,
) -> None:
    for where, row in rows:
        check_id(where, row, seen_ids, report, prefix="chain-")
        split = row.get("split")
        if split not in SPLIT_FILES:
            report.fail(where, f"split must be one of {sorted(SPLIT_FILES)}")
            continue
        turns = row.get("turns")
        if not isinstance(turns, list) or not 2 <= len(turns) <= 3:
            report.fail(where, "a chain needs a list of 2 or 3 turns")
            continue
        report.chains[str(split)] += 1
        articles = report.articles.setdefault(str(split), set())
        previous: set[str] = set()
        switched = False
        for number, turn in enumerate(turns, start=1):
            turn_where = f"{where} turn {number}"
            report.chain_turns += 1
            if not isinstance(turn, dict):
                report.fail(turn_where, "a turn must be a JSON object")
                continue
            min_words = QUESTION_WORDS[0] if number == 1 else CHAIN_TURN_MIN_WORDS
            question = check_question(turn_where, turn.get("question"), report, min_words=min_words)
            if turn.get("declined") is not None:
                check_declined(turn_where, turn, report, top_level=False)
                if number == len(turns):
                    report.declined_chains += 1
                else:
                    report.fail(turn_where, "only the last turn of a chain may be declined")
                continue
            gold = set(check_answer(turn_where, turn, question, corpus, dev_gold, report))
            articles.update(gold)
            if turn.get("topic_switch") is True:
                if number == 1:
                    report.fail(turn_where, "the first turn cannot be a topic switch")
                elif gold & previous:
                    report.fail(turn_where, "a topic switch must use a different article")
                switched = True
            previous = gold
        if switched:
            report.topic_switch_chains += 1


def check_minimums(report: Report) -> None:
    answerable = sum(report.answerable[s] for s in SPLIT_FILES)
    articles = len(
        set().union(*(report.articles.get(s, set()) for s in SPLIT_FILES))
        if report.articles
        else set()
    )
    wanted = [
        (answerable, MIN_ANSWERABLE, "answerable questions"),
        (articles, MIN_ARTICLES, "gold articles"),
        (
            sum(report.unanswerable[s] for s in SPLIT_FILES),
            MIN_UNANSWERABLE,
            "unanswerable questions",
        ),
        (sum(report.chains.values()), MIN_CHAINS, "chains"),
        (report.topic_switch_chains, MIN_TOPIC_SWITCH_CHAINS, "topic-switch chains"),
        (report.declined_chains, MIN_DECLINED_CHAINS, "chains ending unanswerable"),
    ]
    for split, (_, _, min_answerable, min_unanswerable) in FRESH_SETS.items():
        wanted.append((report.answerable[split], min_answerable, f"{split} answerable questions"))
        wanted.append(
            (report.unanswerable[split], min_unanswerable, f"{split} unanswerable questions")
        )
    for have, need, what in wanted:
        if have < need:
            report.fail("counts", f"only {have} {what}, need at least {need}")
    shared = report.articles.get("dev", set()) & report.articles.get("heldout", set())
    for article_id in sorted(shared):
        report.fail("split", f"article {article_id} is used by both dev and heldout")
    for fresh_split in FRESH_SETS:
        fresh = report.articles.get(fresh_split, set())
        others = [*SPLIT_FILES, *(f for f in FRESH_SETS if f < fresh_split)]
        for split in others:
            for article_id in sorted(fresh & report.articles.get(split, set())):
                used = f"article {article_id} is used by both {fresh_split} and {split}"
                report.fail("split", used)


def print_split(report: Report, split: str, *, chains: bool) -> None:
    """One file's counts and kinds (chains only for dev and held-out, which have them)."""
    kinds = report.kinds.get(split, Counter())
    listed = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
    chained = f"chains {report.chains[split]:3}  " if chains else ""
    print(
        f"{split:8} answerable {report.answerable[split]:4}  "
        f"unanswerable {report.unanswerable[split]:3}  {chained}"
        f"articles {len(report.articles.get(split, set())):4}"
    )
    print(f"{'':8} kinds: {listed}")


def print_summary(report: Report) -> None:
    for split in SPLIT_FILES:
        print_split(report, split, chains=True)
    total = sum((report.kinds.get(s, Counter()) for s in SPLIT_FILES), Counter())
    answerable = sum(report.answerable[s] for s in SPLIT_FILES)
    shares = ", ".join(
        f"{kind} {100 * n / max(answerable, 1):.0f}%" for kind, n in total.most_common()
    )
    print(f"all      answerable {answerable}, kinds: {shares}")
    print(
        f"chains   {sum(report.chains.values())} ({report.chain_turns} turns), "
        f"{report.topic_switch_chains} with a topic switch, "
        f"{report.declined_chains} ending unanswerable"
    )
    for split in FRESH_SETS:
        print_split(report, split, chains=False)


def count_term_hits(rows: list[tuple[str, dict[str, Any]]], texts: list[str]) -> None:
    """Print, for each checked term of an unanswerable question, how many articles match.

    A term matches an article when it occurs in it as a phrase of whole words, ignoring
    case. A hit is not an error: a term may occur without answering the question (an older
    event, another sense of a word); read those articles by hand.
    """
    for where, row in rows:
        if row.get("kind") != "absent":
            continue
        hits = []
        for term in row.get("checked", []):
            phrase = re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)
            hits.append(f"{term}={sum(1 for t in texts if phrase.search(t))}")
        print(f"{where} {row.get('question')!r}: {', '.join(hits)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dev-quiz", type=Path, default=DEFAULT_DEV_QUIZ)
    parser.add_argument("--dir", type=Path, default=HERE, help="folder with the JSONL files")
    parser.add_argument(
        "--absence-hits",
        action="store_true",
        help="also print corpus hit counts for the checked terms of unanswerable questions",
    )
    args = parser.parse_args(argv)

    corpus = load_corpus(args.corpus)
    dev_gold = load_dev_gold(args.dev_quiz)
    report = Report()
    seen_ids: set[str] = set()
    for split, name in SPLIT_FILES.items():
        rows = read_jsonl(args.dir / name, report)
        check_split_file(split, rows, corpus, dev_gold, seen_ids, report)
        if args.absence_hits:
            count_term_hits(rows, list(corpus.values()))
    check_chains(read_jsonl(args.dir / CHAINS_FILE, report), corpus, dev_gold, seen_ids, report)
    for split, (name, prefix, _, _) in FRESH_SETS.items():
        rows = read_jsonl(args.dir / name, report)
        check_split_file(split, rows, corpus, dev_gold, seen_ids, report, prefix=prefix)
        if args.absence_hits:
            count_term_hits(rows, list(corpus.values()))
    check_minimums(report)

    print_summary(report)
    for problem in report.problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    print("OK" if not report.problems else f"{len(report.problems)} problem(s)")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
