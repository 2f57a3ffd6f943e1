"""`newsdesk web`: serve the admin desk (answers, passages, stats, gaps, articles)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.context import pass_wiring

if TYPE_CHECKING:
    from index.wiring import Wiring


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: WEB_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (WEB_PORT).")
@pass_wiring
def web(wiring: Wiring, host: str | None, port: int | None) -> None:
    """Serve the admin desk in a browser: answers, passages, stats, gaps, articles.

    Needs WEB_ADMIN_PASSWORD; it shows every logged question.

    \b
    Example:  WEB_ADMIN_PASSWORD=… newsdesk web --port 8080
    """
    import uvicorn

    from bot.answer_log import AnswerLog
    from web.app import build_app
    from web.auth import admin_password, secret_key

    settings = wiring.settings
    password = admin_password(settings)  # fail fast, before opening anything
    # the answer log belongs to bot/, which index/wiring.py may not import: built here from
    # the same settings, as `newsdesk serve` builds it
    log = AnswerLog(settings.log_db_path)
    app = build_app(
        wiring=wiring,
        log=log,
        password=password,
        secret_key=secret_key(settings),
        secure_cookie=settings.web_secure_cookie,
    )
    host = host or settings.web_host
    port = port or settings.web_port
    click.echo(f"newsdesk web desk: http://{host}:{port}/ (answer log {log.path})", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    finally:
        log.close()
