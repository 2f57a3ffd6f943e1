"""What every command shares: the run's `Settings`, its `Wiring`, and the log level.

Kept apart from `cli/main.py` so command modules import it without importing the command
group (no cycle), and so it stays light: nothing here imports llama-index or Chroma.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import click

if TYPE_CHECKING:
    from index.settings import Settings
    from index.wiring import Wiring

LOG_LEVEL_KEY = "newsdesk.log_level"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
VERBOSITY = {1: "INFO", 2: "DEBUG"}
# for commands that embed a question or two: loads ~0.5 s sooner than OpenVINO, and the
# vectors agree to cosine >= 0.9999, so it reads the same store
QUICK_START_RUNTIME: Final = "onnxruntime"


def set_log_level(ctx: click.Context, level: str | None) -> None:
    """Remember a `--log-level`/`-v` choice; it overrides `LOG_LEVEL` from the settings."""
    if level:
        ctx.find_root().meta[LOG_LEVEL_KEY] = level.upper()


def get_settings(ctx: click.Context) -> Settings:
    """The one `Settings` of this run, built on first use (so `--help` needs no config)."""
    root = ctx.find_root()
    if root.obj is None:
        from index.log_safety import configure_logging
        from index.settings import load_settings

        root.obj = load_settings()
        configure_logging(root.obj, level=root.meta.get(LOG_LEVEL_KEY))
    settings: Settings = root.obj
    return settings


def get_wiring(ctx: click.Context) -> Wiring:
    """The run's composition root: commands ask it for the catalog, store, answerer…"""
    root = ctx.find_root()
    wiring = root.meta.get("newsdesk.wiring")
    if wiring is None:
        from index.wiring import Wiring

        wiring = Wiring(get_settings(ctx))
        root.meta["newsdesk.wiring"] = wiring
        root.call_on_close(wiring.close)
    found: Wiring = wiring
    return found


def pass_settings(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: call the command with `settings` as first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, get_settings(ctx), *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def pass_wiring(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: call the command with the run's `Wiring` as first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, get_wiring(ctx), *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


class DayType(click.ParamType):
    """A day for `--since/--until/--as-of`: ISO, `today`, `yesterday`, `7d`, `2 weeks`."""

    name = "day"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from datetime import date

        from index.dates import parse_day
        from index.errors import QuestionError

        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value), today=date.today())
        except QuestionError as exc:
            self.fail(str(exc), param, ctx)


DAY = DayType()
