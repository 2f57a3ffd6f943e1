"""`newsdesk serve`: run the Telegram bot, polling the configured feeds on its JobQueue."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.context import pass_wiring

if TYPE_CHECKING:
    from bot.jobs import PeriodicTask
    from index.wiring import Wiring


@click.command()
@pass_wiring
def serve(wiring: Wiring) -> None:
    """Run the Telegram bot (long polling, or a webhook if TELEGRAM_WEBHOOK_URL is set).

    Feeds in FEEDS / FEEDS_FILE are polled every FEED_POLL_MINUTES while it runs.

    \b
    Example:  TELEGRAM_BOT_TOKEN=123456:ABC… FEEDS=https://example.com/rss newsdesk serve
    """
    from bot.answer_log import AnswerLog
    from bot.app import bot_token, run_bot
    from index.errors import ConfigError, EmptyStoreError

    settings = wiring.settings
    bot_token(settings)  # fail fast, before loading any model
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        # without it anyone who finds the URL could post fake updates as any user
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET: required in webhook mode (any 1-256 characters "
            "of A-Z, a-z, 0-9, _ and -)"
        )
    tasks = feed_tasks(wiring)
    try:
        wiring.require_articles()
    except EmptyStoreError as exc:
        if not tasks:
            click.echo(f"warning: {exc}", err=True)
    answerer = wiring.newsdesk
    log = AnswerLog(settings.log_db_path)
    mode = (
        f"webhook {settings.telegram_webhook_url}"
        if settings.telegram_webhook_url
        else "long polling"
    )
    feeds = f"; {tasks[0].name}" if tasks else ""
    click.echo(f"newsdesk bot: {mode}; answer log {settings.log_db_path}{feeds}", err=True)
    try:
        run_bot(settings, answerer=answerer, log=log, tasks=tasks)
    except RuntimeError as exc:
        if "webhooks" in str(exc):
            raise ConfigError(
                f"webhook mode needs python-telegram-bot[webhooks] installed ({exc})"
            ) from None
        raise
    finally:
        log.close()


def feed_tasks(wiring: Wiring) -> list[PeriodicTask]:
    """The feed poll as a periodic task, when any feed is configured."""
    from bot.jobs import PeriodicTask
    from ingest.feeds import FeedPoller, feed_urls
    from ingest.pipeline import open_ingestor

    feeds = feed_urls(wiring.settings)
    if not feeds:
        return []
    poller = FeedPoller(feeds=feeds, settings=wiring.settings, ingest=open_ingestor(wiring).ingest)
    # the job runs often and polls only the feeds that are due (each has its own backoff)
    every_s = min(60.0, wiring.settings.feed_poll_minutes * 60.0)
    name = f"polling {len(feeds)} feed(s) every {wiring.settings.feed_poll_minutes:g} min"
    return [PeriodicTask(name=name, run=poller.poll_due, every_s=every_s, first_s=1.0)]
