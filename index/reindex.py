"""Re-embed every stored chunk with the configured model (after changing the model).

The new vectors go into a side collection; only when all are written is the old collection
dropped and the new one renamed into its place, so a killed re-index leaves the old store
working and the next run starts over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from index.catalog import Catalog
from index.embeddings import EmbedModel, embed_texts, model_identity
from index.models import Article, Chunk
from index.settings import Settings
from index.store import ArticleStore, open_chroma_client

logger = logging.getLogger(__name__)

SIDE_SUFFIX = "__reindex"


def reindex(
    settings: Settings,
    *,
    embed_model: EmbedModel,
    progress: Callable[[int], object] | None = None,
    catalog: Catalog | None = None,
) -> int:
    """Rebuild the vectors of every stored article; returns how many chunks were embedded."""
    client = open_chroma_client(settings)
    side_name = settings.chroma_collection + SIDE_SUFFIX
    if side_name in {c.name for c in client.list_collections()}:
        client.delete_collection(side_name)  # a leftover of a killed re-index
    catalog = catalog or Catalog(settings.catalog_path)
    side = ArticleStore(
        client=client, catalog=catalog, collection=side_name, model_id=model_identity(settings)
    )
    embedded = 0
    for article_id in catalog.versions():
        article = catalog.get_article(article_id)
        chunks = _stored_chunks(catalog, article)
        vectors = embed_texts(embed_model, [c.text for c in chunks])
        side.write_vectors(article, chunks, np.asarray(vectors))
        embedded += len(chunks)
        if progress is not None:
            progress(1)
    if settings.chroma_collection in {c.name for c in client.list_collections()}:
        client.delete_collection(settings.chroma_collection)
    client.get_collection(side_name).modify(name=settings.chroma_collection)
    logger.info("re-indexed %d chunks with %s", embedded, model_identity(settings))
    return embedded


def _stored_chunks(catalog: Catalog, article: Article) -> list[Chunk]:
    rows = catalog.chunks_by_id(catalog.chunk_ids_of(article.id))
    return [
        Chunk(
            id=row["id"],
            article_id=article.id,
            index=row["idx"],
            start=row["start"],
            end=row["end"],
            text=row["text"],
        )
        for row in sorted(rows.values(), key=lambda r: r["idx"])
    ]
