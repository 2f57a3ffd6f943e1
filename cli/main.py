"""The `newsdesk` command: thin wiring over index/, ingest/ and bot/.

Sub-commands live in `cli/<name>_cmd.py` and are imported only when they run (`LazyGroup`),
so `newsdesk --help`, completion and config errors start in a fraction of a second.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from cli.context import VERBOSITY, get_settings, pass_settings, set_log_level
from cli.lazy import LazyCommand, LazyGroup
from index.errors import NewsdeskError

__all__ = ["cli", "main", "get_settings", "pass_settings"]

COMMANDS = {
    "ingest": LazyCommand(
        "cli.ingest_cmd:ingest",
        "Ingest articles from files, folders, JSON/JSONL(.gz) dumps, web pages and RSS/Atom feeds.",
    ),
    "articles": LazyCommand("cli.articles_cmd:articles", "Manage stored articles."),
    "ask": LazyCommand(
        "cli.ask_cmd:ask", "Answer a question about the stored articles, citing every source."
    ),
    "chat": LazyCommand(
        "cli.chat_cmd:chat", "Chat about the news in the terminal, with follow-up questions."
    ),
    "serve": LazyCommand(
        "cli.serve_cmd:serve",
        "Run the Telegram bot (long polling, or a webhook if TELEGRAM_WEBHOOK_URL is set).",
    ),
    "logs": LazyCommand(
        "cli.logs_cmd:logs", "Review the answer log: every question asked in Telegram or here."
    ),
    "web": LazyCommand(
        "cli.web_cmd:web",
        "Serve the admin desk in a browser: answers, passages, stats, gaps, articles.",
    ),
    "eval": LazyCommand(
        "cli.eval_cmd:eval_command",
        "Score retrieval (Hits@k, MRR@10) and answers on a JSONL file of gold questions.",
        example="Example:  newsdesk eval questions.jsonl --details misses.jsonl",
    ),
}


class NewsdeskGroup(LazyGroup):
    """A lazy command group that turns domain errors into a clean message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsdeskError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # an unwritable data dir, a full disk: the OS says which file
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from None


def _verbosity(ctx: click.Context, _param: click.Parameter, count: int) -> None:
    if count:
        set_log_level(ctx, VERBOSITY[min(count, 2)])


def _log_level(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    set_log_level(ctx, value)


@click.group(
    cls=NewsdeskGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog='Example:  newsdesk ingest samples/articles && newsdesk ask "Who won the cup final?"',
)
@click.version_option(package_name="newsdesk")
@click.option(
    "-v",
    "--verbose",
    count=True,
    expose_value=False,
    callback=_verbosity,
    help="Log more: -v for INFO, -vv for DEBUG.",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    expose_value=False,
    callback=_log_level,
    help="Log level for this run (overrides LOG_LEVEL).",
)
def cli() -> None:
    """newsdesk: answers questions about news articles, citing every source passage."""


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="newsdesk")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
