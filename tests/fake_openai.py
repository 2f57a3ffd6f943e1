"""A scripted OpenAI-compatible chat server for tests (the one network edge we fake).

Like llm's test model: `enqueue([...])` the replies, run the code under test against
`base_url`, then read `history` (every request body, in order). `delay_s` holds each reply
back, to force a client timeout.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# a reply is a text, or a function of the request body (a model that reads its prompt)
Reply = str | Callable[[dict[str, Any]], str]


class FakeOpenAI:
    """`/v1/chat/completions` answering with enqueued texts; records request history."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.history: list[dict[str, Any]] = []
        self.delay_s = 0.0
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

    def _reply(self, body: dict[str, Any]) -> dict[str, Any]:
        self.history.append(body)
        reply = self.replies.popleft() if self.replies else "I don't know."
        text = reply if isinstance(reply, str) else reply(body)
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

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the http.server API)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self.send_error(404)
                    return
                payload = json.dumps(fake._reply(body)).encode()
                time.sleep(fake.delay_s)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
