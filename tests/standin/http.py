"""A minimal asyncio HTTP/1.1 server: just enough for httpx (keep-alive, Content-Length)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

logger = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any]], Awaitable[tuple[int, dict[str, Any]]]]


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Bot API parameters from a form-encoded or JSON body (values stay strings, like Telegram)."""
    if not body:
        return {}
    if content_type.startswith("application/json"):
        loaded = json.loads(body)
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in loaded.items()}
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


class HttpServer:
    """Serves `handler(path, params) -> (status, json)` on 127.0.0.1."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # the server is stopping; end quietly
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        _method, path, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        params = parse_body(headers.get("content-type", ""), body)
        status, payload = await self._handler(path, params)
        data = json.dumps(payload).encode("utf-8")
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: keep-alive\r\n\r\n".encode("latin-1")
            + data
        )
        await writer.drain()
        return headers.get("connection", "").lower() != "close"
