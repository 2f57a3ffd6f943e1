"""`newsdesk chat`: an interactive conversation in the terminal (works piped, too)."""

from __future__ import annotations

import sys
from datetime import date

import click

from cli.ask_cmd import build_filters, filter_options, render_answer, render_citation
from cli.main import pass_settings
from index.dates import parse_day
from index.errors import QuestionError
from index.models import Answer, Filters, Turn
from index.service import Newsdesk, open_newsdesk
from index.settings import Settings

HELP = "Ask about the news. /sources shows the last answer's passages, /new forgets, /quit ends."


class ChatSession:
    """One terminal conversation: history, the last answer, and the commands."""

    def __init__(
        self, *, desk: Newsdesk, filters: Filters | None, as_of: date | None, turns: int
    ) -> None:
        self.desk = desk
        self.filters = filters
        self.as_of = as_of
        self.turns = turns
        self.history: list[Turn] = []
        self.last: Answer | None = None

    def handle(self, line: str) -> str | None:
        """The reply to one input line; None means quit."""
        command = line.strip().lower()
        if command in ("/quit", "/exit", "/q"):
            return None
        if command == "/new":
            self.history, self.last = [], None
            return "(new conversation)"
        if command == "/sources":
            if self.last is None or not self.last.citations:
                return "(no sources yet)"
            return "\n".join(render_citation(c) for c in self.last.citations)
        if command in ("/help", "/?"):
            return HELP
        try:
            answer = self.desk.answer(
                line, history=self.history, filters=self.filters, as_of=self.as_of
            )
        except QuestionError as exc:
            return f"error: {exc}"
        self.last = answer
        self.history.append(
            Turn(question=answer.question, answer=answer.text, citations=answer.citations)
        )
        self.history = self.history[-self.turns :] if self.turns else []
        return render_answer(answer)


@click.command()
@filter_options
@pass_settings
def chat(
    settings: Settings,
    since: str | None,
    until: str | None,
    sources: tuple[str, ...],
    as_of: str | None,
) -> None:
    """Chat about the news in the terminal, with follow-up questions."""
    today = date.today()
    session = ChatSession(
        desk=open_newsdesk(settings),
        filters=build_filters(since, until, sources, today=today),
        as_of=parse_day(as_of, today=today) if as_of else None,
        turns=settings.history_turns,
    )
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(HELP)
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()  # line by line, so piped input works too
        if not line:  # end of input
            break
        if not line.strip():
            continue
        reply = session.handle(line.rstrip("\n"))
        if reply is None:
            break
        click.echo(reply + "\n")


def register(cli: click.Group) -> None:
    cli.add_command(chat)
