"""The Bot API methods the bot uses, with Telegram's checks and scriptable faults."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.standin.html_check import EntityError, parse_html, utf16_len

TOKEN = "123456:TEST-token_for_the_standin_server_0001"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Newsdesk",
    "username": "newsdesk_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
MAX_TEXT = 4096


@dataclass
class Call:
    """One request the bot made, with what the stand-in answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Sent:
    """A message as the bot sent (or last edited) it."""

    chat_id: int
    message_id: int
    text: str  # what the user sees (entities parsed)
    raw: str  # what the bot sent
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to: int | None
    edits: int = 0
    at: float = field(default_factory=time.monotonic)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None


class ApiError(Exception):
    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


@dataclass
class BotApiState:
    """Chats, updates and sent messages of one fake bot."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    commands: list[dict[str, Any]] = field(default_factory=list)
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    by_chat: dict[int, list[Sent]] = field(default_factory=lambda: defaultdict(list))
    listeners: list[Callable[[Sent], None]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    webhook: dict[str, Any] | None = None  # the parameters of the last setWebhook

    # ---- requests -----------------------------------------------------------------------
    async def handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if not match:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = match.groups()
        call = Call(method, params, time.monotonic())
        self.calls.append(call)
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            self._raise_fault(method)
            handler = getattr(self, f"m_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = await handler(params)
        except ApiError as exc:
            call.status = exc.status
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.status, body
        return 200, {"ok": True, "result": result}

    def _raise_fault(self, method: str) -> None:
        if self.faults[method]:
            fault = self.faults[method].popleft()
            extra = {"retry_after": fault.retry_after} if fault.retry_after else {}
            raise ApiError(fault.status, fault.description, **extra)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    # ---- methods ------------------------------------------------------------------------
    async def m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    async def m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    async def m_setWebhook(self, params: dict[str, Any]) -> Any:
        if not params.get("url", "").startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = dict(params)
        return True

    async def m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands = json.loads(params["commands"])
        return True

    async def m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands

    async def m_sendChatAction(self, params: dict[str, Any]) -> Any:
        if params.get("action") not in {"typing", "upload_photo", "upload_document"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        self.callback_answers[params["callback_query_id"]] = params
        await self._notify()
        return True

    async def m_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is "
                "active; use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        async with self.changed:
            while not self.updates and time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(self.changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return list(self.updates[: int(params.get("limit", 100) or 100)])

    async def m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        text, markup = self._check_text(params)
        reply = (
            json.loads(params["reply_parameters"]).get("message_id")
            if params.get("reply_parameters")
            else None
        )
        sent = Sent(
            chat_id, next(self._ids), text, params["text"], params.get("parse_mode"), markup, reply
        )
        self.sent.append(sent)
        self.by_chat[chat_id].append(sent)
        for listener in self.listeners:
            listener(sent)
        await self._notify()
        return self.message_json(sent)

    async def m_editMessageText(self, params: dict[str, Any]) -> Any:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        text, markup = self._check_text(params)
        for sent in self.sent:
            if (sent.chat_id, sent.message_id) == (chat_id, message_id):
                sent.text, sent.raw, sent.reply_markup = text, params["text"], markup
                sent.parse_mode, sent.edits = params.get("parse_mode"), sent.edits + 1
                await self._notify()
                return self.message_json(sent)
        raise ApiError(400, "Bad Request: message to edit not found")

    def _check_text(self, params: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        if "chat_id" in params and int(params["chat_id"]) not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        raw = params.get("text", "")
        try:
            text = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        except EntityError as exc:
            raise ApiError(400, str(exc)) from None
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return text, markup

    def message_json(self, sent: Sent) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self.chats[sent.chat_id],
            "from": BOT_USER,
            "text": sent.text,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message
