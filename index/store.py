"""The article store: Chroma for vectors (via llama-index's Chroma integration) + the catalog.

Chroma is embedded (a folder under the data directory) unless `CHROMA_HOST` is set, in which
case the same code talks to a Chroma server.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from index.catalog import Catalog
from index.errors import ConfigError, ModelMismatchError
from index.models import Article, Chunk, Filters
from index.settings import Settings

if TYPE_CHECKING:  # llama-index is imported when writing or filtering, not to answer
    from llama_index.core.schema import BaseNode, TextNode
    from llama_index.core.vector_stores.types import MetadataFilters
    from llama_index.vector_stores.chroma import ChromaVectorStore

logger = logging.getLogger(__name__)

MODEL_KEY = "newsdesk_embed_model"
# Chroma rejects very large single writes; llama-index batches at 41,665 anyway
WRITE_BATCH = 5000
_NO_SUCH_ID = "newsdesk:no-such-chunk"


def date_number(value: Any) -> int:
    """A date as the integer yyyymmdd (Chroma filters compare numbers, not strings)."""
    return int(value.strftime("%Y%m%d")) if value else 0


def open_chroma_client(settings: Settings) -> Any:
    """An embedded persistent client, or an HTTP client when `CHROMA_HOST` is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError here
            raise ConfigError(
                f"CHROMA_HOST: cannot reach a Chroma server at "
                f"{settings.chroma_host}:{settings.chroma_port} ({exc})"
            ) from None
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class ArticleStore:
    """Stores article chunks with their vectors and answers vector queries."""

    def __init__(self, *, client: Any, catalog: Catalog, collection: str, model_id: str) -> None:
        self.catalog = catalog
        self.model_id = model_id
        self._collection = client.get_or_create_collection(
            name=collection, metadata={MODEL_KEY: model_id, "hnsw:space": "cosine"}
        )
        stored_model = (self._collection.metadata or {}).get(MODEL_KEY)
        if stored_model != model_id:
            raise ModelMismatchError(
                f"the store at collection {collection!r} was built with embedding model "
                f"{stored_model!r}, but {model_id!r} is configured. Either set EMBED_PROVIDER/"
                f"EMBED_MODEL back, or re-index: `newsdesk articles reindex` (re-embeds every "
                f"stored article with the new model)."
            )

    @cached_property
    def vector_store(self) -> ChromaVectorStore:
        """llama-index's view of the collection, built on first write or filtered query."""
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self._collection)

    @classmethod
    def open(
        cls, settings: Settings, *, model_id: str, catalog: Catalog | None = None
    ) -> ArticleStore:
        return cls(
            client=open_chroma_client(settings),
            catalog=catalog or Catalog(settings.catalog_path),
            collection=settings.chroma_collection,
            model_id=model_id,
        )

    # -- writing ----------------------------------------------------------------------
    def write_vectors(self, article: Article, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Write one version's chunks to Chroma; not visible until committed in the catalog."""
        self.write_many([(article, chunks, vectors)])

    def write_many(self, items: Sequence[tuple[Article, list[Chunk], np.ndarray]]) -> None:
        """`write_vectors` for several articles in few Chroma calls (each call costs ~25 ms)."""
        nodes: list[BaseNode] = [
            _to_node(article, version, chunk, vector)
            for article, chunks, vectors in items
            for version in [article.hash]
            for chunk, vector in zip(chunks, vectors)
        ]
        for start in range(0, len(nodes), WRITE_BATCH):
            batch = nodes[start : start + WRITE_BATCH]
            # ids carry the version, so a leftover of a killed run is the same data; it is
            # replaced anyway, since Chroma's add keeps an existing id's old record
            self._collection.delete(ids=[node.node_id for node in batch])
            self.vector_store.add(batch)

    def existing_vectors(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, np.ndarray]]:
        """chunk id → (text, vector) for chunks already in Chroma (to reuse, not re-embed)."""
        if not chunk_ids:
            return {}
        got = self._collection.get(ids=list(chunk_ids), include=["embeddings", "documents"])
        return {
            cid: (doc, np.asarray(vec, dtype=np.float32))
            for cid, doc, vec in zip(got["ids"], got["documents"], got["embeddings"])
        }

    def purge_stale(self) -> int:
        """Remove vectors of replaced or deleted versions (also after a killed run)."""
        stale = self.catalog.stale_chunk_ids()
        if not stale:
            return 0
        for start in range(0, len(stale), WRITE_BATCH):
            batch = stale[start : start + WRITE_BATCH]
            self.vector_store.delete_nodes(node_ids=batch)
            self.catalog.forget_stale(batch)
        return len(stale)

    def collect_orphans(self) -> int:
        """Remove vectors no catalog row knows of; returns how many.

        A run killed after writing a round's vectors and before committing it leaves them
        behind under ids the catalog never recorded, so `purge_stale` cannot see them.
        Only safe while no other ingest is writing (see `ingest.lock`).
        """
        # A killed writer can leave records in Chroma's write-ahead log that are applied only
        # by the next write; a no-op delete applies them now, or they would reappear as
        # orphans after this sweep (seen in bench/faults.py kills).
        self._collection.delete(ids=[_NO_SUCH_ID])
        known = self.catalog.all_chunk_ids()
        orphans = [cid for cid in self.vector_ids() if cid not in known]
        for start in range(0, len(orphans), WRITE_BATCH):
            self._collection.delete(ids=orphans[start : start + WRITE_BATCH])
        if orphans:
            logger.info("removed %d orphan vectors left by an interrupted run", len(orphans))
        return len(orphans)

    def delete_article(self, article_id: str) -> None:
        self.catalog.delete_article(article_id)
        self.purge_stale()

    # -- reading ----------------------------------------------------------------------
    def vector_ids(self) -> list[str]:
        """The id of every vector in the collection, committed or not."""
        ids: list[str] = []
        while True:
            page = self._collection.get(include=[], limit=WRITE_BATCH, offset=len(ids))["ids"]
            ids += page
            if len(page) < WRITE_BATCH:
                return ids

    def count_vectors(self) -> int:
        return int(self._collection.count())

    def nearest(self, vector: Sequence[float], *, top_k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine) of the nearest chunks, unfiltered, best first.

        Asks the collection directly: llama-index's `query` rebuilds a node from the stored
        metadata for every hit (~0.2 ms each, 20 ms per 100 candidates), which retrieval
        does not need since it reads chunk rows from the catalog.
        """
        result = self._collection.query(
            query_embeddings=[[float(x) for x in vector]], n_results=top_k, include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def query(
        self, vector: Sequence[float], *, top_k: int, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks, best first."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        query = VectorStoreQuery(
            query_embedding=[float(x) for x in vector],
            similarity_top_k=top_k,
            filters=_chroma_filters(filters),
        )
        result = self.vector_store.query(query)
        ids = result.ids or []
        # the integration reports exp(-distance); with cosine space distance = 1 - cos
        sims = [1.0 + float(np.log(s)) for s in (result.similarities or [])]
        return list(zip(ids, sims))


def _to_node(article: Article, version: str, chunk: Chunk, vector: np.ndarray) -> TextNode:
    from llama_index.core.schema import TextNode

    metadata = {
        "article_id": article.id,
        "article_hash": version,
        "source": article.source,
        "published": date_number(article.published),
        "chunk_index": chunk.index,
    }
    return TextNode(
        id_=chunk.id,
        text=chunk.text,
        embedding=vector.tolist(),
        metadata=metadata,
        start_char_idx=chunk.start,
        end_char_idx=chunk.end,
        excluded_embed_metadata_keys=list(metadata),
        excluded_llm_metadata_keys=list(metadata),
    )


def _chroma_filters(filters: Filters | None) -> MetadataFilters | None:
    if filters is None:
        return None
    from llama_index.core.vector_stores.types import (
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
    )

    parts: list[MetadataFilter] = []
    if filters.since:
        parts.append(
            MetadataFilter(
                key="published", value=date_number(filters.since), operator=FilterOperator.GTE
            )
        )
    if filters.until:
        parts.append(
            MetadataFilter(
                key="published", value=date_number(filters.until), operator=FilterOperator.LTE
            )
        )
    if filters.sources:
        parts.append(
            MetadataFilter(key="source", value=list(filters.sources), operator=FilterOperator.IN)
        )
    return MetadataFilters(filters=parts) if parts else None  # type: ignore[arg-type]
