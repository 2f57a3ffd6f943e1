"""Who may see the desk: one admin password, a signed session cookie, CSRF tokens.

The session lives in a cookie signed with the secret key (Starlette's `SessionMiddleware`,
itsdangerous; HttpOnly, SameSite=Lax). It holds a CSRF token, made on the first visit, that
every form which changes something sends back and `checked_form` compares in constant
time; a session also holds a keyed fingerprint of the password it logged in with, so
changing `WEB_ADMIN_PASSWORD` logs every session out. Failed logins are limited per client.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request

from index.errors import ConfigError
from index.settings import Settings

logger = logging.getLogger(__name__)
CSRF_FIELD = "csrf_token"
MAX_FAILURES = 5  # failed logins per client within FAILURE_WINDOW_S before it must wait
FAILURE_WINDOW_S = 300.0


def admin_password(settings: Settings) -> str:
    """The admin password; `ConfigError` naming the variable when it is not set."""
    password = settings.web_admin_password
    if password is None or not password.get_secret_value():
        raise ConfigError(
            "WEB_ADMIN_PASSWORD is not set: the web desk shows every logged question, so it "
            "only starts with a password (put WEB_ADMIN_PASSWORD=… in .env)"
        )
    return password.get_secret_value()


def secret_key(settings: Settings) -> str:
    """`WEB_SECRET_KEY`, else a random key made once and kept (mode 0600) in the data dir."""
    if settings.web_secret_key is not None:
        return settings.web_secret_key.get_secret_value()
    path = settings.web_secret_path
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    return _new_secret(path)


def _new_secret(path: Path) -> str:
    key = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    logger.info("web desk: new session key in %s", path)
    return key


class Gate:
    """Checks the password, keeps sessions and CSRF tokens, limits failed logins."""

    def __init__(
        self, *, password: str, key: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._password = password.encode("utf-8")
        self._fingerprint = hmac.new(key.encode(), self._password, hashlib.sha256).hexdigest()
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def is_logged_in(self, conn: HTTPConnection) -> bool:
        mark = conn.session.get("admin", "")
        return isinstance(mark, str) and hmac.compare_digest(mark, self._fingerprint)

    def csrf_token(self, conn: HTTPConnection) -> str:
        """This session's CSRF token (made on first use)."""
        token = conn.session.get("csrf")
        if not isinstance(token, str) or not token:
            token = conn.session["csrf"] = secrets.token_urlsafe(32)
        return token

    def wait_s(self, client: str) -> float:
        """0 if `client` may try a password now, else the seconds until it may."""
        failures = self._failures.get(client)
        if failures is None:
            return 0.0
        while failures and self._clock() - failures[0] >= FAILURE_WINDOW_S:
            failures.popleft()
        if not failures:
            del self._failures[client]  # forgotten, so many clients never pile up here
        if len(failures) < MAX_FAILURES:
            return 0.0
        return FAILURE_WINDOW_S - (self._clock() - failures[0])

    def log_in(self, conn: HTTPConnection, client: str, password: str) -> bool:
        """Compare in constant time; on success a fresh session, else count the failure."""
        if hmac.compare_digest(password.encode("utf-8"), self._password):
            conn.session.clear()
            conn.session["admin"] = self._fingerprint
            conn.session["csrf"] = secrets.token_urlsafe(32)
            self._failures.pop(client, None)
            return True
        self._failures[client].append(self._clock())
        logger.warning("web desk: failed login from %s", client)
        return False

    async def checked_form(self, request: Request) -> FormData:
        """The posted form, if it carries this session's CSRF token; else 403."""
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        expected = request.session.get("csrf")
        if not (isinstance(sent, str) and isinstance(expected, str) and expected):
            raise HTTPException(403, "This form has expired or was not sent by the desk.")
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise HTTPException(403, "This form has expired or was not sent by the desk.")
        return form


def client_of(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"
