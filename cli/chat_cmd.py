"""`newsdesk chat`: an interactive conversation in the terminal (works piped, too)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

from cli.ask_cmd import build_filters, filter_options, render_citation
from cli.context import QUICK_START_RUNTIME, pass_wiring
from cli.terminal import DraftPrinter, render_answer
from cli.terminal_log import TerminalLog

if TYPE_CHECKING:
    from index.models import Answer, Filters, Turn
    from index.service import Answerer
    from index.wiring import Wiring

HELP = (
    'Ask about the news; follow-ups keep the topic, "tell me more" goes on with the story. '
    "/sources shows the last answer's passages, /new forgets, /quit ends."
)


class ChatSession:
    """One terminal conversation: history, the last answer, and the commands."""

    def __init__(
        self,
        *,
        desk: Answerer,
        filters: Filters | None,
        as_of: date | None,
        turns: int,
        log: TerminalLog | None = None,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.desk = desk
        self.write = write  # prints a generated answer as it is written, if given
        self.log = log
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
        from index.errors import QuestionError
        from index.models import Turn
        from index.smalltalk import small_talk_reply

        chat = small_talk_reply(line)
        if chat is not None:  # "thanks": answered in kind, not searched, not logged
            return chat
        draft = DraftPrinter(self.write) if self.write else None
        try:
            answer = self.desk.answer(
                line, history=self.history, filters=self.filters, as_of=self.as_of,
                on_draft=draft.update if draft else None,
            )  # fmt: skip
        except QuestionError as exc:
            return f"error: {exc}"
        if self.log is not None:
            self.log.record(answer.question, answer=answer)
        self.last = answer
        self.history.append(
            Turn(question=answer.question, answer=answer.text, citations=answer.citations)
        )
        self.history = self.history[-self.turns :] if self.turns else []
        return draft.checked(answer) if draft else render_answer(answer)


@click.command()
@filter_options
@pass_wiring
def chat(
    wiring: Wiring,
    since: date | None,
    until: date | None,
    sources: tuple[str, ...],
    as_of: date | None,
    no_log: bool,
) -> None:
    """Chat about the news in the terminal, with follow-up questions.

    Each question and answer is recorded in the answer log unless --no-log is given.

    \b
    Examples:
      newsdesk chat
      echo "What did the central bank decide?" | newsdesk chat --since 2025-03-01
    """
    wiring.require_articles()
    wiring.embed_runtime = QUICK_START_RUNTIME  # a few questions: the quickest model to load
    log = TerminalLog(wiring.settings, enabled=not no_log)
    session = ChatSession(
        desk=wiring.newsdesk,
        filters=build_filters(since, until, sources),
        as_of=as_of,
        turns=wiring.settings.history_turns,
        log=log,
        write=lambda text: click.echo(text, nl=False),
    )
    try:
        _converse(session)
    finally:
        log.close()


def _converse(session: ChatSession) -> None:
    """Read lines until end of input or /quit, printing each reply."""
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
