"""`newsdesk ask`: answer one question, with its numbered sources and quoted passages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import click

from cli.main import pass_settings
from cli.terminal import render_answer, render_citation
from index.dates import parse_day
from index.models import Filters
from index.service import check_question, open_newsdesk
from index.settings import Settings

__all__ = ["ask", "build_filters", "filter_options", "render_answer", "render_citation"]


def build_filters(
    since: str | None, until: str | None, sources: tuple[str, ...], *, today: date
) -> Filters | None:
    """Filters from the command line; dates may be ISO, 'yesterday', '7d', '2 weeks'."""
    if not (since or until or sources):
        return None
    return Filters(
        since=parse_day(since, today=today) if since else None,
        until=parse_day(until, today=today) if until else None,
        sources=list(sources),
    )


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--since / --until / --source / --as-of, shared by `ask` and `chat`."""
    func = click.option("--as-of", "as_of", help="Answer as of this day (YYYY-MM-DD).")(func)
    func = click.option(
        "--source", "sources", multiple=True, help="Only this outlet (repeatable)."
    )(func)
    func = click.option("--until", help="Only articles published on or before this day.")(func)
    return click.option("--since", help="Only articles published on or after this day.")(func)


@click.command()
@click.argument("question", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@filter_options
@pass_settings
def ask(
    settings: Settings,
    question: tuple[str, ...],
    as_json: bool,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    as_of: str | None,
) -> None:
    """Answer a question about the stored articles, citing every source."""
    text = check_question(" ".join(question), max_chars=settings.max_question_chars)
    today = date.today()
    filters = build_filters(since, until, sources, today=today)
    day = parse_day(as_of, today=today) if as_of else None
    answer = open_newsdesk(settings).answer(text, filters=filters, as_of=day)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        click.echo(render_answer(answer))


def register(cli: click.Group) -> None:
    cli.add_command(ask)
