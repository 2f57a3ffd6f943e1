"""`newsdesk ask`: answer one question, with its numbered sources and quoted passages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from cli.context import DAY, QUICK_START_RUNTIME, pass_wiring
from cli.terminal import render_answer, render_citation

if TYPE_CHECKING:
    from index.models import Filters
    from index.wiring import Wiring

__all__ = ["ask", "build_filters", "filter_options", "render_answer", "render_citation"]


def build_filters(
    since: date | None, until: date | None, sources: tuple[str, ...]
) -> Filters | None:
    """Filters from the command line (dates already read by `DAY`)."""
    if not (since or until or sources):
        return None
    from index.models import Filters

    return Filters(since=since, until=until, sources=list(sources))


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--since / --until / --source / --as-of / --no-log, shared by `ask` and `chat`."""
    func = click.option(
        "--no-log", "no_log", is_flag=True, help="Do not record this in the answer log."
    )(func)
    func = click.option(
        "--as-of", "as_of", type=DAY, help="Answer as of this day (YYYY-MM-DD, 'yesterday'…)."
    )(func)
    func = click.option(
        "--source", "sources", multiple=True, help="Only this outlet (repeatable)."
    )(func)
    func = click.option("--until", type=DAY, help="Only articles published on or before this day.")(
        func
    )
    return click.option(
        "--since", type=DAY, help="Only articles published on or after this day ('7d'…)."
    )(func)


@click.command()
@click.argument("question", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@filter_options
@pass_wiring
def ask(
    wiring: Wiring,
    question: tuple[str, ...],
    as_json: bool,
    since: date | None,
    until: date | None,
    sources: tuple[str, ...],
    as_of: date | None,
    no_log: bool,
) -> None:
    """Answer a question about the stored articles, citing every source.

    Every sentence of the answer cites a numbered passage; the question and answer are
    recorded in the answer log (`newsdesk logs list`) unless --no-log is given.

    \b
    Examples:
      newsdesk ask "How many troops are at the border now?"
      newsdesk ask --since 7d --source "Frontier Ledger" "What did Mexico do?"
    """
    from cli.terminal_log import TerminalLog
    from index.service import check_question

    settings = wiring.settings
    text = check_question(" ".join(question), max_chars=settings.max_question_chars)
    wiring.require_articles()
    wiring.embed_runtime = QUICK_START_RUNTIME  # a few questions: the quickest model to load
    log = TerminalLog(settings, enabled=not no_log)
    try:
        answer = wiring.newsdesk.answer(
            text, filters=build_filters(since, until, sources), as_of=as_of
        )
        log.record(text, answer=answer)
    finally:
        log.close()
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        click.echo(render_answer(answer))
