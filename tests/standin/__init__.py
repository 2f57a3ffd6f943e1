"""A local Bot API stand-in: real HTTP for python-telegram-bot, fake Telegram behind it.

Tests inject updates (`send_text`, `press`, `push`) and read what the bot sent (`wait_for_sent`).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

from tests.standin.api import BOT_USER, MAX_TEXT, TOKEN, BotApiState, Call, Fault, Sent
from tests.standin.html_check import EntityError, parse_html, utf16_len
from tests.standin.http import HttpServer

__all__ = [
    "BOT_USER",
    "MAX_TEXT",
    "TOKEN",
    "Call",
    "EntityError",
    "Sent",
    "TelegramStandin",
    "parse_html",
    "utf16_len",
]


def _entities(text: str) -> list[dict[str, Any]]:
    entities = []
    for match in re.finditer(r"(?:^/\w+(?:@\w+)?)|(?:@\w+)", text):
        offset = utf16_len(text[: match.start()])
        kind = "bot_command" if match.group(0).startswith("/") else "mention"
        entities.append({"type": kind, "offset": offset, "length": utf16_len(match.group(0))})
    return entities


class TelegramStandin:
    """Serves the Bot API on 127.0.0.1 and records everything."""

    def __init__(self) -> None:
        self.state = BotApiState()
        self._server = HttpServer(self.state.handle)
        self._message_ids = iter(range(1_000_000, 2_000_000))

    async def start(self) -> TelegramStandin:
        await self._server.start()
        return self

    async def stop(self) -> None:
        await self._server.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/bot"

    # ---- injecting updates ----------------------------------------------------------------
    def chat(self, chat_id: int, kind: str = "private", title: str = "Newsroom") -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = f"user{chat_id}"
        else:
            chat["title"] = title
        self.state.chats[chat_id] = chat
        return chat

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue `update` (any shape) for getUpdates under the next update_id."""
        update["update_id"] = next(self.state._update_ids)
        self.state.updates.append(update)
        await self.state._notify()
        return update

    async def send_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        kind: str = "private",
        reply_to: Sent | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` in a chat; returns the injected message."""
        message = self.text_message(chat_id, user_id, text, kind=kind, reply_to=reply_to)
        await self.push({"message": message})
        return message

    def text_update(self, chat_id: int, user_id: int, text: str) -> dict[str, Any]:
        """The update Telegram would POST to a webhook when a user writes `text`."""
        return {
            "update_id": next(self.state._update_ids),
            "message": self.text_message(chat_id, user_id, text),
        }

    def text_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        kind: str = "private",
        reply_to: Sent | None = None,
    ) -> dict[str, Any]:
        """A message of a user writing `text` in a chat (not delivered)."""
        chat = self.state.chats.get(chat_id) or self.chat(chat_id, kind)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User{user_id}",
                "username": f"user{user_id}",
            },
            "text": text,
        }
        if entities := _entities(text):
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = self.state.message_json(reply_to)
        return message

    async def press(self, sent: Sent, user_id: int, data: str) -> str:
        """A user taps the inline button with `data` under `sent`; returns the query id."""
        query_id = f"cq{next(self._message_ids)}"
        await self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "chat_instance": "ci",
                    "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
                    "message": self.state.message_json(sent),
                    "data": data,
                }
            }
        )
        return query_id

    # ---- faults -------------------------------------------------------------------------
    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        """Make the next call of `method` fail like Telegram would."""
        self.state.faults[method].append(Fault(status, description, retry_after))

    # ---- reading what the bot did ------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[Sent]:
        return list(self.state.by_chat.get(chat_id, []))

    def calls(self, method: str) -> list[Call]:
        return [call for call in self.state.calls if call.method == method]

    async def wait_until(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `condition()` is truthy (re-checked whenever the bot does something)."""

        async def waiter() -> Any:
            async with self.state.changed:
                while not (result := condition()):
                    await self.state.changed.wait()
                return result

        return await asyncio.wait_for(waiter(), timeout)

    async def wait_for_sent(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[Sent]:
        """The first `count` messages sent to `chat_id`, waiting for them if needed."""
        await self.wait_until(lambda: len(self.sent_to(chat_id)) >= count, timeout)
        return self.sent_to(chat_id)[:count]

    async def wait_for_callback_answer(
        self, query_id: str, timeout: float = 10.0
    ) -> dict[str, Any]:
        return await self.wait_until(lambda: self.state.callback_answers.get(query_id), timeout)
