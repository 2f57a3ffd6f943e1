"""Periodic work for the bot (polling feeds), on python-telegram-bot's `JobQueue`.

A task's `run` is blocking (fetching, embedding, SQLite), so each run goes to a worker
thread: the event loop keeps answering while a poll ingests. APScheduler skips a run that
is due while the previous one is still going, so polls never pile up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from telegram.ext import Application, ContextTypes

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    """Blocking work to run every `every_s` seconds, first after `first_s`."""

    name: str
    run: Callable[[], object]
    every_s: float
    first_s: float = 5.0


def schedule(app: Application, task: PeriodicTask) -> None:
    """Run `task` on the application's job queue while the bot runs."""
    if app.job_queue is None:
        raise RuntimeError(
            "periodic tasks need python-telegram-bot[job-queue] installed (pip install -e .)"
        )
    app.job_queue.run_repeating(
        _run_task,
        interval=task.every_s,
        first=task.first_s,
        name=task.name,
        data=task,
        # APScheduler drops a run that starts over 1 s late (a busy start-up, a loaded
        # machine); run it late instead, and only once however many were missed
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )


async def _run_task(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run one task off the event loop; a failure is logged and the next run goes ahead."""
    job = context.job
    task = job.data if job is not None else None
    if not isinstance(task, PeriodicTask):
        return
    try:
        await asyncio.to_thread(task.run)
    except Exception:
        logger.exception("periodic task %s failed", task.name)
