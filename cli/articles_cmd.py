"""`newsdesk articles`: list, show and delete what is stored."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from cli.context import pass_wiring
from cli.terminal import block, field

if TYPE_CHECKING:
    from index.wiring import Wiring


@click.group(epilog="Example:  newsdesk articles list -n 20 --source CNN")
def articles() -> None:
    """Manage stored articles."""


@articles.command("list")
@click.option("-n", "--limit", default=50, show_default=True, help="How many to show.")
@click.option("--source", default=None, help="Only this outlet (e.g. CNN).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@pass_wiring
def list_articles(wiring: Wiring, limit: int, source: str | None, as_json: bool) -> None:
    """List stored articles, newest first.

    \b
    Example:  newsdesk articles list -n 10 --json
    """
    wiring.require_articles()
    catalog = wiring.catalog
    rows = catalog.list_articles(limit=limit, source=source)
    total, chunks = catalog.count()
    for row in rows:
        if as_json:
            click.echo(json.dumps(dict(row)))
        else:
            click.echo(
                f"{field(row['id'])}  {row['published'] or '----------'}  "
                f"{field(row['source'], 20):<20.20}  {field(row['title'], 70)}  "
                f"({row['chunk_count']} chunks)"
            )
    if not as_json:
        click.echo(f"{len(rows)} of {total} articles shown ({chunks} chunks stored)")


@articles.command("show")
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@pass_wiring
def show_article(wiring: Wiring, article_id: str, as_json: bool) -> None:
    """Show one stored article with its chunks.

    \b
    Example:  newsdesk articles show 043b18e127f4e243
    """
    wiring.require_articles()
    article = wiring.catalog.get_article(article_id)
    if as_json:
        click.echo(article.model_dump_json(indent=2))
        return
    click.echo(f"{field(article.title)}\n{field(article.source)}, {article.published or 'undated'}")
    click.echo(f"{field(article.url, 1000)}\nid {field(article.id)}, hash {article.hash}")
    click.echo(f"authors: {field(', '.join(article.authors)) or '-'}\n")
    click.echo(block(article.text))


@articles.command("delete")
@click.argument("article_ids", nargs=-1, required=True)
@pass_wiring
def delete_articles(wiring: Wiring, article_ids: tuple[str, ...]) -> None:
    """Delete stored articles (their chunks, vectors and keyword entries).

    \b
    Example:  newsdesk articles delete 043b18e127f4e243 9f2c0a77d1e4b6a5
    """
    wiring.require_articles()
    wiring.delete_articles(list(article_ids))
    for article_id in article_ids:
        click.echo(f"deleted {article_id}")


@articles.command("reindex")
@pass_wiring
def reindex_articles(wiring: Wiring) -> None:
    """Re-embed every stored article with the configured embedding model.

    \b
    Example:  EMBED_PROVIDER=fastembed newsdesk articles reindex
    """
    from tqdm import tqdm

    from index.reindex import reindex

    wiring.require_articles()
    total, _ = wiring.catalog.count()
    with tqdm(total=total, unit=" articles", disable=not sys.stderr.isatty()) as bar:
        chunks = reindex(
            wiring.settings,
            embed_model=wiring.embed_model,
            progress=bar.update,
            catalog=wiring.catalog,
        )
    click.echo(f"re-indexed {total} articles ({chunks} chunks)")
