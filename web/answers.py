"""The Answers pages: the log newest first, searched and filtered; one answer in full."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.errors import AnswerLogError
from bot.log_queries import (
    LogFilter,
    claim_checks,
    count_exchanges,
    list_exchanges,
    show_exchange,
)
from index.catalog import Catalog
from index.errors import ArticleNotFoundError
from web.desk import Params, desk_of, page
from web.render import in_context, locate

PAGE_SIZE = 50
FEEDBACK = ("up", "down", "none")
MEDIA = ("terminal", "telegram")


def answers_page(request: Request) -> Response:
    """Exchanges newest first, a page at a time, with search and filters."""
    log = desk_of(request).log
    params = Params(request)
    where = LogFilter(
        limit=PAGE_SIZE,
        text=params.text("q"),
        since=params.day("since"),
        until=params.day("until"),
        declined=params.flag("declined"),
        feedback=params.choice("feedback", FEEDBACK),
        chat_id=params.integer("chat"),
        medium=params.choice("medium", MEDIA),
        before_id=params.integer("before"),
        after_id=params.integer("after"),
    )
    # one row more than a page says whether there is a page beyond it, in the direction
    # of travel; the way back exists because the page came from there
    rows = list_exchanges(log, replace(where, limit=PAGE_SIZE + 1))
    forward = where.after_id is not None and where.before_id is None
    beyond = len(rows) > PAGE_SIZE
    rows = (rows[1:] if forward else rows[:-1]) if beyond else rows
    has_older = (beyond and not forward) or (forward and bool(rows))
    has_newer = (beyond and forward) or where.before_id is not None
    older = params.link("/answers", before=rows[-1]["id"], after=None) if has_older else None
    newer = (
        params.link("/answers", after=rows[0]["id"], before=None) if has_newer and rows else None
    )
    return page(
        request,
        "answers.html",
        rows=rows,
        total=count_exchanges(log, where),
        older=older,
        newer=newer,
        form=request.query_params,
        problems=params.problems,
    )


def answer_page(request: Request) -> Response:
    """One exchange: question, answer with linked markers, passages in their article."""
    desk = desk_of(request)
    try:
        found = show_exchange(desk.log, request.path_params["exchange_id"])
    except AnswerLogError as exc:
        raise HTTPException(404, str(exc)) from None
    for cite in found["citations"]:
        cite["context"] = _passage_in_article(desk.wiring.catalog, cite)
    numbers = {cite["number"] for cite in found["citations"]}
    checks = claim_checks(found)
    return page(request, "answer.html", x=found, numbers=numbers, checks=checks, said=CHECK_WORDS)


# what the check of a generated sentence did, in words for the reviewer
CHECK_WORDS = {
    "kept": "kept",
    "repointed": "re-pointed",
    "cited": "cited after the fact",
    "marked": "kept, marked unverified",
    "dropped": "dropped",
}


def _passage_in_article(catalog: Catalog, cite: dict[str, Any]) -> dict[str, Any] | None:
    """The quoted span in its stored article, or None if the article is gone or changed."""
    try:
        article = catalog.get_article(cite["article_id"] or "")
    except ArticleNotFoundError:
        return None
    span = locate(article.text, cite["passage"] or "", cite["start"] or 0, cite["end"] or 0)
    if span is None:
        return None
    return {"html": in_context(article.text, span), "start": span.start, "end": span.end}
