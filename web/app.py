"""`build_app`: the admin desk as an ASGI application (Starlette), served by `newsdesk web`.

Page handlers that read SQLite are plain functions, which Starlette runs in its thread
pool, so a slow query never stalls the server's event loop. Every path but the login form
and the stylesheet needs a logged-in session (`RequireLogin`); every response forbids
framing, scripts and caching (`SecurityHeaders`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.answer_log import AnswerLog
from index.errors import NewsdeskError
from index.wiring import Wiring
from web import answers, articles, login, overview
from web.auth import Gate
from web.desk import WebDesk, page
from web.render import environment

STATIC = Path(__file__).parent / "static"
PUBLIC = ("/login", "/static/")
SESSION_COOKIE = "newsdesk_desk"
SESSION_DAYS = 7
HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self' data:; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]  # fmt: skip


class RequireLogin:
    """Nothing but the login form without a logged-in session: GET → login, else 403."""

    def __init__(self, app: ASGIApp, *, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        public = path == PUBLIC[0] or path.startswith(PUBLIC[1])
        if scope["type"] != "http" or public or self.gate.is_logged_in(HTTPConnection(scope)):
            await self.app(scope, receive, send)
            return
        response: Response
        if scope["method"] in ("GET", "HEAD"):
            here = path + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
            response = RedirectResponse("/login?next=" + quote(here, safe=""), 303)
        else:
            response = PlainTextResponse("Log in first.", 403)
        await response(scope, receive, send)


class SecurityHeaders:
    """Adds `HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _error_page(request: Request, exc: Exception) -> Response:
    # a domain error here is the answer log or catalog being unavailable (locked, damaged)
    status = exc.status_code if isinstance(exc, HTTPException) else 503
    detail = exc.detail if isinstance(exc, HTTPException) else str(exc)
    if not isinstance(request.scope.get("session"), dict):  # before the session exists
        return PlainTextResponse(detail, status)
    return page(request, "error.html", status_code=status, status=status, detail=detail)


def home(request: Request) -> Response:
    """The desk opens on the answers."""
    return RedirectResponse("/answers", 303)


ROUTES = [
    Route("/", home),
    Route("/login", login.login_page, methods=["GET"]),
    Route("/login", login.log_in, methods=["POST"]),
    Route("/logout", login.log_out, methods=["POST"]),
    Route("/answers", answers.answers_page),
    Route("/answers/{exchange_id:int}", answers.answer_page),
    Route("/stats", overview.stats_page),
    Route("/gaps", overview.gaps_page),
    Route("/articles", articles.articles_page),
    # ids given in JSON dumps are kept as they are, "/" included: `path` takes them whole
    Route("/articles/{article_id:path}/delete", articles.confirm_delete_page, methods=["GET"]),
    Route("/articles/{article_id:path}/delete", articles.delete_article, methods=["POST"]),
    Route("/articles/{article_id:path}", articles.article_page),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]


def build_app(
    *, wiring: Wiring, log: AnswerLog, password: str, secret_key: str, secure_cookie: bool = False
) -> Starlette:
    """The desk over `log` and the store of `wiring`, for one admin `password`."""
    gate = Gate(password=password, key=secret_key)
    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_DAYS * 24 * 3600,
                same_site="lax",
                https_only=secure_cookie,
            ),
            Middleware(RequireLogin, gate=gate),
        ],
        exception_handlers={HTTPException: _error_page, NewsdeskError: _error_page},
    )
    app.state.desk = WebDesk(
        wiring=wiring, log=log, gate=gate, templates=Jinja2Templates(env=environment())
    )
    return app
