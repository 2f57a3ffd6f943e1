"""Webhook mode behind a reverse proxy: listen address and path come from settings."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from bot.app import webhook_options
from index.settings import load_settings
from tests.bot_helpers import ScriptedAnswerer, bot_settings, free_port, running_webhook_bot
from tests.standin import TelegramStandin

SECRET = "webhook-secret_0123456789"


def test_listen_address_and_path_are_settings() -> None:
    default = load_settings(_env_file=None)
    assert webhook_options(default)["listen"] == "127.0.0.1"  # behind a proxy by default
    assert webhook_options(default)["url_path"] == "telegram"
    custom = load_settings(
        _env_file=None, telegram_webhook_listen="0.0.0.0", telegram_webhook_path="/nd/hook/"
    )
    options = webhook_options(custom)
    assert (options["listen"], options["url_path"]) == ("0.0.0.0", "nd/hook")


async def test_the_bot_answers_on_the_configured_path(
    standin: TelegramStandin, answerer: ScriptedAnswerer, tmp_path: Path
) -> None:
    port = free_port()
    settings = bot_settings(
        standin,
        tmp_path,
        telegram_webhook_url="https://proxy.example.com/nd/hook",
        telegram_webhook_port=port,
        telegram_webhook_secret=SECRET,
        telegram_webhook_path="nd/hook",
    )
    update = standin.text_update(701, 701, "Tell me about the bike lanes")
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with (
        running_webhook_bot(settings, answerer),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client,
    ):
        old = await client.post("/telegram", content=json.dumps(update), headers=headers)
        assert old.status_code == 404  # nothing hard-coded answers any more
        posted = await client.post("/nd/hook", content=json.dumps(update), headers=headers)
        assert posted.status_code == 200
        [reply] = await standin.wait_for_sent(701, timeout=30)
    assert "40 km of protected bike lanes" in reply.text
    [call] = standin.calls("setWebhook")
    assert call.params["url"] == "https://proxy.example.com/nd/hook"
