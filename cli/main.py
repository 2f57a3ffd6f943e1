"""The `newsdesk` command: thin wiring over index/, ingest/ and bot/."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from index.errors import NewsdeskError
from index.log_safety import configure_logging
from index.settings import Settings, load_settings


class NewsdeskGroup(click.Group):
    """A command group that turns domain errors into a clean message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsdeskError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # an unwritable data dir, a full disk: the OS says which file
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from None


def get_settings(ctx: click.Context) -> Settings:
    """The one `Settings` of this run, built on first use (so `--help` needs no config)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = load_settings()
        configure_logging(root.obj)
    settings: Settings = root.obj
    return settings


def pass_settings(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: call the command with `settings` as first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, get_settings(ctx), *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


@click.group(cls=NewsdeskGroup)
@click.version_option(package_name="newsdesk")
def cli() -> None:
    """newsdesk: answers questions about news articles, citing every source passage."""


def _register() -> None:
    # imported here so each command module can import `cli.main` helpers without a cycle
    from cli import articles_cmd, ingest_cmd

    cli.add_command(ingest_cmd.ingest)
    cli.add_command(articles_cmd.articles)
    for name in ("ask_cmd", "chat_cmd", "eval_cmd", "serve_cmd", "logs_cmd", "demo_cmd"):
        try:
            module = __import__(f"cli.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"cli.{name}":
                raise
            continue
        module.register(cli)


_register()


def main() -> None:
    """Console entry point."""
    try:
        cli.main(prog_name="newsdesk")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
