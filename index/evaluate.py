"""Answer and retrieval quality on question files with known answers (`newsdesk eval`).

Scored on what a user sees. Per question: the gold article's rank among the retrieved
articles (Hits@k, MRR@10), whether the answer string is in the answer text itself (strict),
in the text or its quoted passages, in the text or the whole cited passages, whether a gold
article is cited, and whether the question was declined — wrongly for an answerable one,
rightly for a line marked `"declined": true`. Conversation chains are asked turn by turn,
each turn with the answers newsdesk gave before it as history.

Lines (JSONL): `{"question", "answer", "gold_article_ids" | "gold_urls", "date"?}`, or
`{"question", "declined": true}`, or `{"turns": [one of those, ...], "date"?}`. A line without
a date is asked as of today.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from index.citation_eval import (
    CitationCounts,
    as_shown,
    as_written,
    citation_lines,
    citation_quality,
)
from index.errors import ConfigError
from index.models import Answer, Passage, Turn
from index.retrieve import Mode, Retriever
from index.service import Answerer
from index.support import SupportChecker

RANK_DEPTH = 10  # articles scored per question (Hits@10, MRR@10)
PASSAGES_FOR_RANKING = 40  # enough passages to list 10 distinct articles
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")


@dataclass
class EvalTurn:
    question: str
    gold_ids: set[str] = field(default_factory=set)
    gold_urls: set[str] = field(default_factory=set)
    answer: str | None = None
    expect_decline: bool = False


@dataclass
class EvalItem:
    """One line: a single question, or a conversation chain of several turns."""

    id: str
    turns: list[EvalTurn]
    day: date | None = None


@dataclass
class TurnResult:
    id: str
    question: str
    kind: Literal["answerable", "unanswerable"]
    follow_up: bool
    rank: int | None  # 1-based article rank of the best gold article, None if not in top 10
    declined: bool
    latency_ms: float
    answer_text: str = ""
    standalone: str = ""
    in_text: bool | None = None  # answer string in the answer text (None: no answer string)
    in_quotes: bool | None = None  # ... in the text or its quotes
    in_passages: bool | None = None  # ... in the text or the whole cited passages
    # ... in the text or what its source buttons show: each quote with the sentences around it
    in_view: bool | None = None
    gold_cited: bool | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    mode: str = ""  # what answered: extractive, or the LLM mode
    written: CitationCounts = field(default_factory=CitationCounts)  # the model's sentences
    shown: CitationCounts = field(default_factory=CitationCounts)  # the answer's sentences


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
    answerable: int = 0
    unanswerable: int = 0
    follow_ups: int = 0
    answer_in_text: float | None = None
    answer_in_view: float | None = None  # the answer string one tap away (`TurnResult.in_view`)
    gold_cited: float | None = None
    wrongly_declined: float | None = None
    unanswerable_declined: float | None = None
    follow_up_answer_in_text: float | None = None
    # ALCE-style citation quality, judged by the support checker (index/citation_eval.py)
    citation_precision: float | None = None  # the model's sentences, as written
    citation_recall: float | None = None
    shown_citation_precision: float | None = None  # the answers as the user reads them
    shown_citation_recall: float | None = None
    llm_answered: float | None = None  # share of LLM-mode answers the model's text survived
    notes: list[str] = field(default_factory=list)


def read_questions(path: Path) -> list[EvalItem]:
    """The file's lines as items; a `ConfigError` naming the line for a malformed one."""
    out: list[EvalItem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
            rows = row.get("turns", [row])
            turns = [_turn(r, where) for r in rows]
            day = date.fromisoformat(row["date"]) if row.get("date") else None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{where}: not a valid eval line ({exc})") from None
        if not turns:
            raise ConfigError(f"{where}: a chain needs at least one turn")
        out.append(EvalItem(id=str(row.get("id") or number), turns=turns, day=day))
    return out


def _turn(row: dict[str, Any], where: str) -> EvalTurn:
    turn = EvalTurn(
        question=str(row["question"]),
        gold_ids=set(row.get("gold_article_ids") or []),
        gold_urls=set(row.get("gold_urls") or []),
        answer=row.get("answer"),
        expect_decline=bool(row.get("declined")),
    )
    if not turn.expect_decline and not turn.gold_ids and not turn.gold_urls:
        raise ConfigError(f'{where}: needs gold_article_ids or gold_urls (or "declined": true)')
    return turn


def normalize(text: str) -> str:
    """Lower case, no quotes, punctuation or accents, single spaces: "“Squid Game”" → "squid
    game", "Aliou Cissé" → "aliou cisse" (outlets spell the same name both ways)."""
    text = unicodedata.normalize("NFKD", text).lower()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def contains_answer(answer: str, texts: list[str]) -> bool:
    """Is the answer string in any of `texts`, as words (case, quotes, punctuation aside)?"""
    wanted = f" {normalize(answer)} "
    return wanted.strip() != "" and any(wanted in f" {normalize(t)} " for t in texts)


def article_rank(passages: list[Passage], turn: EvalTurn) -> int | None:
    """1-based rank among distinct articles (best passage first) of the best gold one."""
    seen: dict[str, str] = {}
    for p in passages:
        seen.setdefault(p.article_id, p.url)
    for rank, (article_id, url) in enumerate(list(seen.items())[:RANK_DEPTH], 1):
        if article_id in turn.gold_ids or (url and url in turn.gold_urls):
            return rank
    return None


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _share(values: list[bool | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def summarize(mode: str, results: list[TurnResult], answers_from: str) -> Report:
    n = max(len(results), 1)
    ranked = [r for r in results if r.kind == "answerable"]
    ranks = [r.rank for r in ranked]
    m = max(len(ranked), 1)
    latencies = [r.latency_ms for r in results]
    unanswerable = [r for r in results if r.kind == "unanswerable"]
    report = Report(
        mode=mode,
        questions=len(results),
        hits_at_1=sum(1 for k in ranks if k is not None and k <= 1) / m,
        hits_at_5=sum(1 for k in ranks if k is not None and k <= 5) / m,
        hits_at_10=sum(1 for k in ranks if k is not None) / m,
        mrr_at_10=sum(1.0 / k for k in ranks if k is not None) / m,
        declined=sum(r.declined for r in results) / n,
        answer_recall=_share([r.in_passages for r in ranked]),
        answer_recall_quotes=_share([r.in_quotes for r in ranked]),
        latency_p50_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=percentile(latencies, 0.95),
        answers_from=answers_from,
        answerable=len(ranked),
        unanswerable=len(unanswerable),
        follow_ups=sum(r.follow_up for r in results),
        answer_in_text=_share([r.in_text for r in ranked]),
        answer_in_view=_share([r.in_view for r in ranked]),
        gold_cited=_share([r.gold_cited for r in ranked]),
        wrongly_declined=_share([r.declined for r in ranked]) if ranked else None,
        unanswerable_declined=_share([r.declined for r in unanswerable]),
        follow_up_answer_in_text=_share([r.in_text for r in ranked if r.follow_up]),
    )
    return replace(report, **citation_quality(results))


class Evaluation:
    """Runs items against a retriever (ranking) and, unless retrieval-only, an answerer."""

    def __init__(
        self,
        *,
        retriever: Retriever,
        answerer: Answerer | None,
        mode: Mode,
        judge: SupportChecker | None = None,
    ) -> None:
        self.retriever = retriever
        self.answerer = answerer
        self.mode = mode
        self.judge = judge  # scores citations as shown; None: only the model's, as written

    def run(self, items: list[EvalItem]) -> tuple[Report, list[TurnResult]]:
        """The report over every turn of every item, and the per-turn results."""
        if items:  # warm up: model sessions, caches, mmaps
            self.retriever.search(items[0].turns[0].question, mode=self.mode, top_k=1)
        results = [r for item in items for r in self._item(item)]
        if self.answerer is None:
            report = summarize(self.mode, results, "retrieved passages")
            report.notes.append(
                "answering skipped (--retrieval-only): declines are retrieval below the "
                "relevance floor, answer recall is over the retrieved passages, latency is "
                "retrieval only"
            )
            return report, results
        return summarize(self.mode, results, "answer + cited passages"), results

    def _item(self, item: EvalItem) -> list[TurnResult]:
        as_of = item.day or date.today()
        history: list[Turn] = []
        out = []
        for i, turn in enumerate(item.turns):
            found = self.retriever.search(
                turn.question, as_of=as_of, top_k=PASSAGES_FOR_RANKING, mode=self.mode
            )
            result = TurnResult(
                id=item.id if len(item.turns) == 1 else f"{item.id}#{i + 1}",
                question=turn.question,
                kind="unanswerable" if turn.expect_decline else "answerable",
                follow_up=i > 0,
                rank=None if i > 0 else article_rank(found.passages, turn),
                declined=found.below_floor,
                latency_ms=found.timings.total_ms,
            )
            if self.answerer is None:
                shown = found.passages[: self.retriever.settings.retrieve_top_k]
                texts = (
                    [] if found.below_floor else [p.text for p in shown if p.score >= found.floor]
                )
                if turn.answer is not None:
                    result.in_passages = contains_answer(turn.answer, texts)
            else:
                answer = self.answerer.answer(turn.question, history=history, as_of=as_of)
                _score_answer(result, turn, answer)
                result.written = as_written(answer)
                if self.judge is not None:
                    result.shown = as_shown(answer, self.judge)
                if i > 0:
                    found = self.retriever.search(
                        answer.standalone_question, as_of=as_of, top_k=PASSAGES_FOR_RANKING
                    )
                    result.rank = article_rank(found.passages, turn)
                history.append(
                    Turn(question=turn.question, answer=answer.text, citations=answer.citations)
                )
            out.append(result)
        return out


def _score_answer(result: TurnResult, turn: EvalTurn, answer: Answer) -> None:
    """Fill `result` with what the user saw and whether it holds the expected answer."""
    result.declined = answer.declined
    result.mode = answer.mode
    result.latency_ms = answer.timings.total_ms
    result.answer_text = answer.text
    result.standalone = answer.standalone_question
    result.citations = [
        {
            "number": c.number,
            "article_id": c.article_id,
            "title": c.title,
            "quote": c.quote,
            "before": c.before,
            "after": c.after,
        }
        for c in answer.citations
    ]
    if turn.expect_decline:
        return
    cited = {c.chunk_id for c in answer.citations}
    text = _MARKERS.sub("", answer.text)
    if turn.answer is not None and not answer.declined:
        quotes = [c.quote for c in answer.citations]
        passages = [p.text for p in answer.passages if p.chunk_id in cited]
        result.in_text = contains_answer(turn.answer, [text])
        result.in_quotes = contains_answer(turn.answer, [text, *quotes])
        result.in_passages = contains_answer(turn.answer, [text, *passages])
        shown = [f"{c.before} {c.quote} {c.after}" for c in answer.citations]
        result.in_view = contains_answer(turn.answer, [text, *shown])
    elif turn.answer is not None:
        result.in_text = result.in_quotes = result.in_passages = result.in_view = False
    urls = {c.url for c in answer.citations if c.url}
    articles = {c.article_id for c in answer.citations}
    result.gold_cited = bool(articles & turn.gold_ids or urls & turn.gold_urls)


def write_details(path: Path, results: list[TurnResult]) -> None:
    """Every turn's answer and verdict, one JSON object per line, to read the misses."""
    with path.open("w", encoding="utf-8") as fh:
        for result in results:
            fh.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render(report: Report) -> str:
    """The report as a few lines of text for the terminal."""
    recall = _fmt(report.answer_recall)
    if report.answer_recall_quotes is not None:
        recall += f" (answer + quotes only: {report.answer_recall_quotes:.3f})"
    lines = [
        f"mode: {report.mode}   questions: {report.questions}",
        f"Hits@1 {report.hits_at_1:.3f}   Hits@5 {report.hits_at_5:.3f}   "
        f"Hits@10 {report.hits_at_10:.3f}   MRR@10 {report.mrr_at_10:.3f}",
        f"declined {report.declined:.3f}   answer recall ({report.answers_from}) {recall}",
    ]
    if report.answer_in_text is not None:
        lines.append(
            f"answerable {report.answerable}: answer in the answer text "
            f"{_fmt(report.answer_in_text)}   gold article cited {_fmt(report.gold_cited)}   "
            f"wrongly declined {_fmt(report.wrongly_declined)}"
        )
        lines.append(
            "  one tap away (the text, or a source's quote with the sentences around it): "
            f"{_fmt(report.answer_in_view)}"
        )
    if report.unanswerable:
        lines.append(
            f"unanswerable {report.unanswerable}: declined {_fmt(report.unanswerable_declined)}"
        )
    if report.follow_ups:
        lines.append(
            f"follow-up turns {report.follow_ups}: answer in the answer text "
            f"{_fmt(report.follow_up_answer_in_text)}"
        )
    lines += citation_lines(report)
    lines.append(f"latency p50 {report.latency_p50_ms:.1f} ms   p95 {report.latency_p95_ms:.1f} ms")
    return "\n".join(lines + [f"note: {n}" for n in report.notes])
