"""The one entry point every front end calls: `Newsdesk.answer(...) -> Answer`."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from index.models import Answer, Filters, Turn


class Answerer(Protocol):
    """What a front end needs: answer a question, optionally with history and filters."""

    def answer(
        self,
        question: str,
        *,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> Answer:
        """Answer `question` as of `as_of` (default today); raises `QuestionError` for a bad one."""
        ...
