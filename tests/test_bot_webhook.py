"""End to end: the real bot in webhook mode (and `run_bot` serving it), POSTs over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.answer_log import AnswerLog
from bot.app import WEBHOOK_PATH, run_bot
from tests.bot_helpers import (
    ScriptedAnswerer,
    bot_settings,
    free_port,
    running_webhook_bot,
    standin_in_thread,
)
from tests.standin import Sent, TelegramStandin

USER = 701
PUBLIC_URL = "https://newsdesk.example.com/telegram"
SECRET = "webhook-secret_0123456789"
BIKE_ANSWER = "The council approved 40 km of protected bike lanes, due by 2026 [1]."
BIKE_SOURCE = "[1] City council approves new bike lanes — Metro Daily, 2024-05-02"
WIND_SOURCE = "[1] Harbour wind farm to power 200,000 homes — Coastal Herald, 2024-06-11"


@pytest.fixture
async def webhook(
    standin: TelegramStandin, answerer: ScriptedAnswerer, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The bot in webhook mode, and an HTTP client pointed at its webhook server."""
    port = free_port()
    settings = bot_settings(
        standin,
        tmp_path,
        telegram_webhook_url=PUBLIC_URL,
        telegram_webhook_port=port,
        telegram_webhook_secret=SECRET,
    )
    async with (
        running_webhook_bot(settings, answerer),
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", timeout=5, trust_env=False
        ) as client,
    ):
        yield client


async def post_update(
    client: httpx.AsyncClient, body: bytes | dict[str, Any], secret: str | None = SECRET
) -> httpx.Response:
    """POST to the bot's webhook as Telegram does (JSON, with the secret token header)."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post(f"/{WEBHOOK_PATH}", content=content, headers=headers)


async def ask(
    http: httpx.AsyncClient, standin: TelegramStandin, question: str, count: int = 1
) -> Sent:
    """A user asks `question` through the webhook; the bot's `count`-th message to them."""
    response = await post_update(http, standin.text_update(USER, USER, question))
    assert response.status_code == 200
    return (await standin.wait_for_sent(USER, count))[count - 1]


async def test_start_up_registers_the_webhook_with_its_secret(
    webhook: httpx.AsyncClient, standin: TelegramStandin
) -> None:
    [call] = standin.calls("setWebhook")
    assert call.params["url"] == PUBLIC_URL
    assert call.params["secret_token"] == SECRET
    assert json.loads(call.params["allowed_updates"]) == ["message", "callback_query"]
    assert standin.state.webhook == call.params
    assert standin.calls("getUpdates") == []  # webhook mode never polls


async def test_question_posted_to_the_webhook_is_answered(
    webhook: httpx.AsyncClient, standin: TelegramStandin, answerer: ScriptedAnswerer
) -> None:
    reply = await ask(webhook, standin, "What did the council decide about bike lanes?")
    assert reply.parse_mode == "HTML"
    assert reply.text.startswith(BIKE_ANSWER)
    assert BIKE_SOURCE in reply.text
    assert [c["question"] for c in answerer.calls] == [
        "What did the council decide about bike lanes?"
    ]


@pytest.mark.parametrize("secret", ["not-the-secret", None], ids=["wrong", "missing"])
async def test_update_without_the_right_secret_is_refused(
    webhook: httpx.AsyncClient,
    standin: TelegramStandin,
    answerer: ScriptedAnswerer,
    secret: str | None,
) -> None:
    forged = standin.text_update(USER, USER, "What did the council decide about bike lanes?")
    response = await post_update(webhook, forged, secret=secret)
    assert response.status_code == 403
    reply = await ask(webhook, standin, "How many homes will the wind farm power?")
    assert WIND_SOURCE in reply.text  # the first message the user got answers the genuine one
    assert [c["question"] for c in answerer.calls] == ["How many homes will the wind farm power?"]
    assert len(standin.sent_to(USER)) == 1


MALFORMED: dict[str, tuple[bytes | dict[str, Any], int]] = {  # body, PTB's status for it
    "not-json": (b"this is not JSON {", 500),
    "not-an-update": ({"hello": "world"}, 400),
    "message-not-an-object": ({"update_id": 9001, "message": "oops"}, 400),
    "message-missing-fields": ({"update_id": 9002, "message": {"message_id": 1}}, 400),
}


@pytest.mark.parametrize(("body", "status"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_post_is_rejected_and_the_bot_keeps_answering(
    webhook: httpx.AsyncClient,
    standin: TelegramStandin,
    answerer: ScriptedAnswerer,
    body: bytes | dict[str, Any],
    status: int,
) -> None:
    response = await post_update(webhook, body)
    assert response.status_code == status
    reply = await ask(webhook, standin, "bike lanes?")
    assert reply.text.startswith(BIKE_ANSWER) and BIKE_SOURCE in reply.text
    assert [c["question"] for c in answerer.calls] == ["bike lanes?"]
    assert len(standin.sent_to(USER)) == 1


def wait_in_thread(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Poll `condition` from a thread that is not the stand-in's (it runs its own loop)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def ask_then_interrupt(
    standin: TelegramStandin, port: int, outcome: dict[str, Any], bot_done: threading.Event
) -> None:
    """As Telegram, then as the operator: POST one question, await the reply, press Ctrl+C."""
    try:
        wait_in_thread(lambda: standin.calls("setWebhook"))
        update = standin.text_update(USER, USER, "bike lanes?")
        with httpx.Client(timeout=5, trust_env=False) as client:
            outcome["status"] = client.post(
                f"http://127.0.0.1:{port}/{WEBHOOK_PATH}",
                content=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                },
            ).status_code
        wait_in_thread(lambda: standin.sent_to(USER))
    except BaseException as exc:  # reported by the test, after the bot has stopped
        outcome["error"] = exc
    finally:
        if not bot_done.is_set():  # run_bot's SIGINT handler is installed while it runs
            os.kill(os.getpid(), signal.SIGINT)


def test_run_bot_serves_the_webhook_until_interrupted(tmp_path: Path) -> None:
    port = free_port()
    outcome: dict[str, Any] = {}
    bot_done = threading.Event()
    with standin_in_thread() as standin:
        settings = bot_settings(
            standin,
            tmp_path,
            telegram_webhook_url=PUBLIC_URL,
            telegram_webhook_port=port,
            telegram_webhook_secret=SECRET,
        )
        driver = threading.Thread(
            target=ask_then_interrupt, args=(standin, port, outcome, bot_done), daemon=True
        )
        driver.start()
        log = AnswerLog(settings.log_db_path)
        try:
            run_bot(settings, answerer=ScriptedAnswerer(), log=log, listen="127.0.0.1")
        finally:
            bot_done.set()
            log.close()
        driver.join(10)
        assert "error" not in outcome, outcome.get("error")
        [reply] = standin.sent_to(USER)
        [set_webhook] = standin.calls("setWebhook")
    assert outcome["status"] == 200
    assert reply.text.startswith(BIKE_ANSWER) and BIKE_SOURCE in reply.text
    assert (set_webhook.params["url"], set_webhook.params["secret_token"]) == (PUBLIC_URL, SECRET)
    with pytest.raises(OSError):  # the webhook server is gone
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
