"""The Articles pages: the catalog searched and filtered, one article, deleting one."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from index.catalog import ArticleQuery
from index.errors import ArticleNotFoundError
from index.models import Article
from web.desk import Params, desk_of, page
from web.render import highlighted

PAGE_SIZE = 50


def articles_page(request: Request) -> Response:
    """Stored articles newest first, by title words, outlet and publication date."""
    catalog = desk_of(request).wiring.catalog
    params = Params(request)
    where = ArticleQuery(
        title=params.text("q"),
        source=params.text("source"),
        since=params.day("since"),
        until=params.day("until"),
    )
    number = max(1, params.integer("page") or 1)
    rows, total = catalog.find_articles(where, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return page(
        request,
        "articles.html",
        rows=rows,
        total=total,
        sources=catalog.sources(),
        form=request.query_params,
        newer=params.link("/articles", page=number - 1) if number > 1 else None,
        older=params.link("/articles", page=number + 1) if number * PAGE_SIZE < total else None,
        deleted=params.text("deleted"),
        problems=params.problems,
    )


def _article(request: Request) -> Article:
    try:
        return desk_of(request).wiring.catalog.get_article(request.path_params["article_id"])
    except ArticleNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None


def article_page(request: Request) -> Response:
    """One article: metadata, its text (a quoted span marked, if asked), its chunks."""
    article = _article(request)
    params = Params(request)
    start, end = params.integer("start"), params.integer("end")
    body = None
    if start is not None and end is not None and 0 <= start < end <= len(article.text):
        body = highlighted(article.text[:start], article.text[start:end], article.text[end:])
    return page(
        request,
        "article.html",
        article=article,
        body=body,
        chunks=desk_of(request).wiring.catalog.chunks_of(article.id),
    )


def confirm_delete_page(request: Request) -> Response:
    """Asks before deleting: the article's title and a form that posts the deletion."""
    return page(request, "confirm_delete.html", article=_article(request))


async def delete_article(request: Request) -> Response:
    """Deletes an article the way `newsdesk articles delete` does (catalog, vectors, BM25)."""
    desk = desk_of(request)
    await desk.gate.checked_form(request)
    article_id = request.path_params["article_id"]
    try:
        await run_in_threadpool(desk.wiring.delete_articles, [article_id])
    except ArticleNotFoundError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse(Params(request).link("/articles", deleted=article_id), 303)
