"""`newsdesk serve`: run the Telegram bot."""

from __future__ import annotations

import click

from bot.answer_log import AnswerLog
from bot.app import bot_token, run_bot
from cli.main import pass_settings
from index.errors import ConfigError
from index.service import open_newsdesk
from index.settings import Settings


@click.command()
@pass_settings
def serve(settings: Settings) -> None:
    """Run the Telegram bot (long polling, or a webhook if TELEGRAM_WEBHOOK_URL is set)."""
    bot_token(settings)  # fail fast, before loading any model
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        # without it anyone who finds the URL could post fake updates as any user
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET: required in webhook mode (any 1-256 characters "
            "of A-Z, a-z, 0-9, _ and -)"
        )
    answerer = open_newsdesk(settings)
    log = AnswerLog(settings.log_db_path)
    mode = f"webhook {settings.telegram_webhook_url}" if settings.telegram_webhook_url \
        else "long polling"
    click.echo(f"newsdesk bot: {mode}; answer log {settings.log_db_path}", err=True)
    try:
        run_bot(settings, answerer=answerer, log=log)
    except RuntimeError as exc:
        if "webhooks" in str(exc):
            raise ConfigError("webhook mode needs python-telegram-bot[webhooks] installed "
                              f"({exc})") from None
        raise
    finally:
        log.close()


def register(cli: click.Group) -> None:
    cli.add_command(serve)
