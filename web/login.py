"""Logging in and out of the desk."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.auth import client_of
from web.desk import desk_of, page


def _next_path(value: object) -> str:
    """Where to go after logging in: a path on this site only (never `//elsewhere`)."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/answers"


def login_page(request: Request) -> Response:
    """The login form (straight to the answers when already logged in)."""
    if desk_of(request).gate.is_logged_in(request):
        return RedirectResponse(_next_path(request.query_params.get("next")), 303)
    return page(request, "login.html", next=_next_path(request.query_params.get("next")))


async def log_in(request: Request) -> Response:
    """Checks the password (the form's CSRF token first, failures limited per client)."""
    gate = desk_of(request).gate
    form = await gate.checked_form(request)
    target = _next_path(form.get("next"))
    client = client_of(request)
    wait = gate.wait_s(client)
    if wait:
        error = f"Too many failed attempts: try again in {wait:.0f} s."
        return page(request, "login.html", status_code=429, next=target, error=error)
    if not gate.log_in(request, client, str(form.get("password", ""))):
        error = "Wrong password."
        return page(request, "login.html", status_code=401, next=target, error=error)
    return RedirectResponse(target, 303)


async def log_out(request: Request) -> Response:
    """Ends the session."""
    await desk_of(request).gate.checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", 303)
