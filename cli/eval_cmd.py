"""`newsdesk eval FILE.jsonl`: retrieval and answer quality on questions with known answers."""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click

from cli.main import pass_settings
from index.errors import ConfigError
from index.retrieve import Mode, Retriever, open_retriever
from index.service import Newsdesk, open_newsdesk
from index.settings import Settings

RANK_DEPTH = 10  # articles scored per question (Hits@10, MRR@10)
PASSAGES_FOR_RANKING = 40  # enough passages to list 10 distinct articles


@dataclass
class EvalQuestion:
    question: str
    gold_ids: set[str]
    gold_urls: set[str]
    answer: str | None = None
    day: date | None = None


@dataclass
class QuestionResult:
    rank: int | None  # 1-based article rank of the best gold article, None if not in top 10
    declined: bool
    answer_found: bool | None  # None when the line has no `answer`
    latency_ms: float
    # the answer text and its quotes alone, without the rest of the cited passages
    answer_in_quotes: bool | None = None


@dataclass
class Report:
    mode: str
    questions: int
    hits_at_1: float
    hits_at_5: float
    hits_at_10: float
    mrr_at_10: float
    declined: float
    answer_recall: float | None
    answer_recall_quotes: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    answers_from: str
    notes: list[str] = field(default_factory=list)


def read_questions(path: Path) -> list[EvalQuestion]:
    """Lines with `question` and `gold_article_ids` and/or `gold_urls`; `answer`, `date`."""
    out: list[EvalQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = EvalQuestion(
                question=row["question"],
                gold_ids=set(row.get("gold_article_ids") or []),
                gold_urls=set(row.get("gold_urls") or []),
                answer=row.get("answer"),
                day=date.fromisoformat(row["date"]) if row.get("date") else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not a valid eval line ({exc})") from None
        if not item.gold_ids and not item.gold_urls:
            raise ConfigError(f"{path}:{number}: needs gold_article_ids or gold_urls")
        out.append(item)
    return out


def normalize(text: str) -> str:
    """Lower case, no quotes or punctuation, single spaces: "“Squid Game”" → "squid game"."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def contains_answer(answer: str, texts: list[str]) -> bool:
    wanted = normalize(answer)
    return bool(wanted) and any(wanted in normalize(t) for t in texts)


def article_rank(article_order: list[tuple[str, str]], item: EvalQuestion) -> int | None:
    """1-based rank among distinct articles ((id, url), best first) of the best gold one."""
    for rank, (article_id, url) in enumerate(article_order[:RANK_DEPTH], 1):
        if article_id in item.gold_ids or (url and url in item.gold_urls):
            return rank
    return None


def distinct_articles(passages: list[Any]) -> list[tuple[str, str]]:
    """Articles in the order of their best passage (an article ranks by its best chunk)."""
    seen: dict[str, str] = {}
    for p in passages:
        seen.setdefault(p.article_id, p.url)
    return list(seen.items())


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summarize(mode: str, results: list[QuestionResult], answers_from: str) -> Report:
    n = max(len(results), 1)
    ranks = [r.rank for r in results]
    with_answer = [r.answer_found for r in results if r.answer_found is not None]
    in_quotes = [r.answer_in_quotes for r in results if r.answer_in_quotes is not None]
    latencies = [r.latency_ms for r in results]
    return Report(
        mode=mode,
        questions=len(results),
        hits_at_1=sum(1 for k in ranks if k is not None and k <= 1) / n,
        hits_at_5=sum(1 for k in ranks if k is not None and k <= 5) / n,
        hits_at_10=sum(1 for k in ranks if k is not None) / n,
        mrr_at_10=sum(1.0 / k for k in ranks if k is not None) / n,
        declined=sum(r.declined for r in results) / n,
        answer_recall=sum(with_answer) / len(with_answer) if with_answer else None,
        answer_recall_quotes=sum(in_quotes) / len(in_quotes) if in_quotes else None,
        latency_p50_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=percentile(latencies, 0.95),
        answers_from=answers_from,
    )


def evaluate_one(
    item: EvalQuestion, retriever: Retriever, answerer: Newsdesk | None, mode: Mode
) -> QuestionResult:
    as_of = item.day or date.today()
    found = retriever.search(item.question, as_of=as_of, top_k=PASSAGES_FOR_RANKING, mode=mode)
    rank = article_rank(distinct_articles(found.passages), item)
    if answerer is None:
        shown = found.passages[: retriever.settings.retrieve_top_k]
        texts = [] if found.below_floor else [p.text for p in shown if p.score >= found.floor]
        found_answer = None if item.answer is None else contains_answer(item.answer, texts)
        return QuestionResult(rank, found.below_floor, found_answer, found.timings.total_ms)
    answer = answerer.answer(item.question, as_of=as_of)
    cited = {c.chunk_id for c in answer.citations}
    passages = [p.text for p in answer.passages if p.chunk_id in cited]
    quotes = [c.quote for c in answer.citations]
    if item.answer is None:
        found_answer = in_quotes = None
    else:
        found_answer = contains_answer(item.answer, [answer.text, *passages])
        in_quotes = contains_answer(item.answer, [answer.text, *quotes])
    return QuestionResult(
        rank, answer.declined, found_answer, answer.timings.total_ms, in_quotes
    )


def run_eval(
    items: list[EvalQuestion], retriever: Retriever, *, mode: Mode, answerer: Newsdesk | None
) -> Report:
    evaluate_one(items[0], retriever, None, mode)  # warm up: model sessions, caches, mmaps
    results = [evaluate_one(item, retriever, answerer, mode) for item in items]
    answers_from = "answer + cited passages" if answerer is not None else "retrieved passages"
    report = summarize(mode, results, answers_from)
    if answerer is None:
        report.notes.append(
            "answering skipped (--retrieval-only): declines are retrieval below the relevance "
            "floor, answer recall is over the retrieved passages, latency is retrieval only"
        )
    return report


def render(report: Report) -> str:
    recall = "n/a" if report.answer_recall is None else f"{report.answer_recall:.3f}"
    if report.answer_recall_quotes is not None:
        recall += f" (answer + quotes only: {report.answer_recall_quotes:.3f})"
    lines = [
        f"mode: {report.mode}   questions: {report.questions}",
        f"Hits@1 {report.hits_at_1:.3f}   Hits@5 {report.hits_at_5:.3f}   "
        f"Hits@10 {report.hits_at_10:.3f}   MRR@10 {report.mrr_at_10:.3f}",
        f"declined {report.declined:.3f}   answer recall ({report.answers_from}) {recall}",
        f"latency p50 {report.latency_p50_ms:.1f} ms   "
        f"p95 {report.latency_p95_ms:.1f} ms",
    ]
    return "\n".join(lines + [f"note: {n}" for n in report.notes])


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(["dense", "bm25", "hybrid"]), default="hybrid")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--retrieval-only", is_flag=True, help="Skip the answerer even if available.")
@pass_settings
def eval_command(
    settings: Settings, file: Path, mode: str, as_json: bool, retrieval_only: bool
) -> None:
    """Score retrieval (Hits@k, MRR@10) and answers on a JSONL file of gold questions."""
    items = read_questions(file)
    if not items:
        raise ConfigError(f"{file}: no questions")
    retriever = open_retriever(settings)
    answerer = None if retrieval_only else open_newsdesk(settings)
    started = time.perf_counter()
    report = run_eval(items, retriever, mode=mode, answerer=answerer)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(asdict(report), indent=2))
    else:
        click.echo(render(report))
        click.echo(f"({time.perf_counter() - started:.1f}s)")


def register(cli: click.Group) -> None:
    cli.add_command(eval_command)
