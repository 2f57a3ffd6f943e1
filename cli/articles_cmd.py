"""`newsdesk articles`: list, show and delete what is stored."""

from __future__ import annotations

import json

import click

from cli.main import pass_settings
from cli.terminal import block, field
from index.catalog import Catalog
from index.factory import open_store
from index.settings import Settings


@click.group()
def articles() -> None:
    """Manage stored articles."""


@articles.command("list")
@click.option("-n", "--limit", default=50, show_default=True, help="How many to show.")
@click.option("--source", default=None, help="Only this outlet (e.g. www.cnn.com).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@pass_settings
def list_articles(settings: Settings, limit: int, source: str | None, as_json: bool) -> None:
    """List stored articles, newest first."""
    catalog = Catalog(settings.catalog_path)
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
@pass_settings
def show_article(settings: Settings, article_id: str, as_json: bool) -> None:
    """Show one stored article with its chunks."""
    catalog = Catalog(settings.catalog_path)
    article = catalog.get_article(article_id)
    if as_json:
        click.echo(article.model_dump_json(indent=2))
        return
    click.echo(f"{field(article.title)}\n{field(article.source)}, {article.published or 'undated'}")
    click.echo(f"{field(article.url, 1000)}\nid {field(article.id)}, hash {article.hash}")
    click.echo(f"authors: {field(', '.join(article.authors)) or '-'}\n")
    click.echo(block(article.text))


@articles.command("delete")
@click.argument("article_ids", nargs=-1, required=True)
@pass_settings
def delete_articles(settings: Settings, article_ids: tuple[str, ...]) -> None:
    """Delete stored articles (their chunks, vectors and keyword entries)."""
    from ingest.pipeline import open_keyword_index

    store = open_store(settings)
    for article_id in article_ids:
        store.delete_article(article_id)
        click.echo(f"deleted {article_id}")
    keyword = open_keyword_index(settings)
    if keyword is not None:
        keyword.refresh(store.catalog)


@articles.command("reindex")
@pass_settings
def reindex_articles(settings: Settings) -> None:
    """Re-embed every stored article with the configured embedding model."""
    import sys

    from tqdm import tqdm

    from index.embeddings import build_embed_model
    from index.reindex import reindex

    total, _ = Catalog(settings.catalog_path).count()
    with tqdm(total=total, unit=" articles", disable=not sys.stderr.isatty()) as bar:
        chunks = reindex(settings, embed_model=build_embed_model(settings), progress=bar.update)
    click.echo(f"re-indexed {total} articles ({chunks} chunks)")
