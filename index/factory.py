"""Builds the index's parts from `Settings` (the only place that wires them together)."""

from __future__ import annotations

from llama_index.core.base.embeddings.base import BaseEmbedding

from index.chunking import ArticleChunker, minilm_token_offsets
from index.embeddings import MINILM_MAX_TOKENS, build_embed_model, model_identity
from index.errors import ConfigError
from index.settings import Settings
from index.store import ArticleStore


def build_chunker(settings: Settings) -> ArticleChunker:
    """A chunker whose limit fits the embedding model ([CLS] and [SEP] take two tokens)."""
    limit = MINILM_MAX_TOKENS - 2
    if settings.embed_provider == "onnx-minilm" and settings.chunk_tokens > limit:
        raise ConfigError(
            f"CHUNK_TOKENS: {settings.chunk_tokens} is more than the embedding model reads "
            f"({limit} tokens); the rest of each chunk would be invisible to search"
        )
    return ArticleChunker(max_tokens=settings.chunk_tokens, token_offsets=minilm_token_offsets())


def open_store(settings: Settings) -> ArticleStore:
    """The configured store, refusing one built with another embedding model."""
    return ArticleStore.open(settings, model_id=model_identity(settings))


def open_embed_model(settings: Settings) -> BaseEmbedding:
    return build_embed_model(settings)
