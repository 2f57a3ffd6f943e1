"""What every page handler shares: the desk's parts, query parameters, rendering a page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from index.dates import parse_day
from index.errors import QuestionError

if TYPE_CHECKING:
    from bot.answer_log import AnswerLog
    from index.wiring import Wiring
    from web.auth import Gate

T = TypeVar("T")


@dataclass
class WebDesk:
    """The parts the pages use: one answer log and one composition root for the store."""

    wiring: Wiring
    log: AnswerLog
    gate: Gate
    templates: Jinja2Templates


def desk_of(request: Request) -> WebDesk:
    found: WebDesk = request.app.state.desk
    return found


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    """Template `name` with the session's CSRF token and the current path."""
    desk = desk_of(request)
    context.update(csrf=desk.gate.csrf_token(request), path=request.url.path)
    return desk.templates.TemplateResponse(request, name, context, status_code=status_code)


@dataclass
class Params:
    """A page's query parameters, read leniently: a bad value is noted and ignored."""

    request: Request
    problems: list[str] = field(default_factory=list)

    def text(self, name: str) -> str | None:
        value = self.request.query_params.get(name, "").strip()
        return value or None

    def flag(self, name: str) -> bool:
        return self.text(name) in ("1", "on", "yes", "true")

    def choice(self, name: str, options: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is not None and value not in options:
            self.problems.append(f"{name}: expected one of {', '.join(options)}")
            return None
        return value

    def integer(self, name: str) -> int | None:
        return self._parsed(name, int, "not a whole number")

    def day(self, name: str) -> date | None:
        return self._parsed(name, lambda value: parse_day(value, today=date.today()))

    def _parsed(self, name: str, parse: Callable[[str], T], problem: str = "") -> T | None:
        """The parameter read by `parse`; None (and a noted problem) if it cannot be."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return parse(value)
        except (ValueError, QuestionError) as exc:
            self.problems.append(f"{name}: {problem or exc}")
            return None

    def link(self, path: str, **changes: object) -> str:
        """`path` with this page's parameters, some changed (None drops one)."""
        query = {k: v for k, v in self.request.query_params.items() if v}
        for key, value in changes.items():
            query.pop(key, None)
            if value is not None:
                query[key] = str(value)
        return path + ("?" + urlencode(query) if query else "")
