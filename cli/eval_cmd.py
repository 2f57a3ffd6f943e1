"""`newsdesk eval FILE.jsonl`: retrieval and answer quality on questions with known answers."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.context import pass_wiring
from index.errors import ConfigError

if TYPE_CHECKING:
    from index.support import SupportChecker
    from index.wiring import Wiring


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(["dense", "bm25", "hybrid"]), default="hybrid")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--retrieval-only", is_flag=True, help="Skip the answerer even if available.")
@click.option(
    "--details",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every question's answer and verdict to this JSONL file.",
)
@pass_wiring
def eval_command(
    wiring: Wiring,
    file: Path,
    mode: str,
    as_json: bool,
    retrieval_only: bool,
    details: Path | None,
) -> None:
    """Score retrieval (Hits@k, MRR@10) and answers on a JSONL file of gold questions.

    Lines: {"question", "answer", "gold_article_ids" | "gold_urls", "date"?}, or
    {"question", "declined": true}, or {"turns": [...]} for a conversation; a line without
    a date is asked as of today. --details writes every answer and its verdict. Citation
    precision and recall (ALCE's, judged by newsdesk's support checker) are reported for
    the answers shown and, in an LLM mode, for the model's answers as written.
    """
    from index.evaluate import Evaluation, read_questions, render, write_details

    items = read_questions(file)
    if not items:
        raise ConfigError(f"{file}: no questions")
    wiring.require_articles()
    retriever = wiring.retriever
    answerer = None if retrieval_only else wiring.newsdesk
    judge = None if retrieval_only else support_judge(wiring)
    started = time.perf_counter()
    evaluation = Evaluation(
        retriever=retriever,
        answerer=answerer,
        mode=mode,  # type: ignore[arg-type]
        judge=judge,
    )
    report, results = evaluation.run(items)
    if details is not None:
        write_details(details, results)
    if as_json:
        click.echo(json.dumps(asdict(report), indent=2))
    else:
        click.echo(render(report))
        click.echo(f"({time.perf_counter() - started:.1f}s)")


def support_judge(wiring: Wiring) -> SupportChecker:
    """The support checker, with the store's embedding model for meaning."""
    from index.support import SupportChecker
    from index.wiring import sentence_similarity

    return SupportChecker(similarity=sentence_similarity(wiring.retriever.embed_model))
