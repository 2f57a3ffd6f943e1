"""`LazyGroup`: a click group that imports a sub-command's module only when it runs.

`newsdesk --help` and shell completion list the commands from the table in `cli/main.py`
without importing any of them, so they never pay for llama-index, Chroma or Telegram.
A test checks that each table entry's summary is the command's own first docstring line.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import click
from click.shell_completion import CompletionItem


@dataclass(frozen=True)
class LazyCommand:
    """Where a sub-command lives (`module:attribute`) and its one-line summary."""

    target: str
    summary: str
    example: str = ""  # shown under the help when the command's own help has no example


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on dispatch; see the module docstring."""

    def __init__(self, *args: Any, lazy_commands: dict[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = self.lazy_commands.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = lazy.target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{lazy.target} is not a click command")
        if lazy.example and not command.epilog:
            command.epilog = lazy.example
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table: no sub-command module is imported for `--help`."""
        rows = [(name, self.lazy_commands[name].summary) for name in sorted(self.lazy_commands)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Complete sub-command names from the table, then the group's own options."""
        items = [
            CompletionItem(name, help=lazy.summary)
            for name, lazy in sorted(self.lazy_commands.items())
            if name.startswith(incomplete)
        ]
        return items + click.Command.shell_complete(self, ctx, incomplete)
