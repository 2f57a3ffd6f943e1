"""A scripted OpenAI-compatible chat server for tests (the one network edge we fake).

Like llm's test model: `enqueue([...])` the replies, run the code under test against
`base_url`, then read `history` (every request body, in order). `delay_s` holds each reply
back, to force a client timeout. A request with `"stream": true` gets its reply as
server-sent events, a word at a time, as OpenAI sends them; a `Streamed` reply sets the
pieces, a pause between them, and a rate-limit error part-way through.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RATE_LIMITED = {
    "message": "Rate limit reached for requests",
    "type": "requests",
    "code": "rate_limit_exceeded",
}


@dataclass
class Streamed:
    """A streamed reply: these pieces, `pause_s` apart; after `fail_after` of them, a 429."""

    pieces: list[str]
    pause_s: float = 0.0
    fail_after: int | None = None

    @property
    def text(self) -> str:
        return "".join(self.pieces)


# a reply is a text, a function of the request body (a model that reads its prompt), or a
# `Streamed` reply for a streaming request
Reply = str | Callable[[dict[str, Any]], str] | Streamed


class FakeOpenAI:
    """`/v1/chat/completions` answering with enqueued texts; records request history."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.history: list[dict[str, Any]] = []
        self.delay_s = 0.0
        self.stream_pause_s = 0.0  # between the pieces of a streamed reply that sets none
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def enqueue(self, replies: list[Reply]) -> None:
        self.replies.extend(replies)

    def prompts(self) -> list[str]:
        """The text of every message sent, request by request."""
        return ["\n".join(m["content"] for m in body["messages"]) for body in self.history]

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> Streamed:
        self.history.append(body)
        reply = self.replies.popleft() if self.replies else "I don't know."
        if isinstance(reply, Streamed):
            return reply
        text = reply if isinstance(reply, str) else reply(body)
        return Streamed(re.findall(r"\S+\s*", text) or [text], pause_s=self.stream_pause_s)

    def _reply(self, text: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{len(self.history)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    def _chunk(self, piece: str, body: dict[str, Any], *, finish: str | None) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{len(self.history)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": finish}],
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self.send_error(404)
                    return
                reply = fake._next(body)
                if body.get("stream"):
                    self._stream(reply, body)
                    return
                payload = json.dumps(fake._reply(reply.text, body)).encode()
                time.sleep(fake.delay_s)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _stream(self, reply: Streamed, body: dict[str, Any]) -> None:
                time.sleep(fake.delay_s)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                try:
                    for i, piece in enumerate(reply.pieces):
                        if reply.fail_after is not None and i == reply.fail_after:
                            self._event({"error": RATE_LIMITED})
                            return
                        self._event(fake._chunk(piece, body, finish=None))
                        time.sleep(reply.pause_s)
                    self._event(fake._chunk("", body, finish="stop"))
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading

            def _event(self, data: dict[str, Any]) -> None:
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
