"""Embedding models. The default runs all-MiniLM-L6-v2 (int8 ONNX, from PyPI) offline.

The default model is a plain `MiniLMEncoder` (no llama-index import); every other provider is
a llama-index `BaseEmbedding`, imported only when configured. `embed_texts` embeds with
either. `model_identity` is recorded with the collection so a store is never read with
vectors from another model.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from index.errors import ConfigError
from index.minilm import (  # noqa: F401  (re-exported)
    MINILM_ID,
    MINILM_MAX_TOKENS,
    MiniLMEncoder,
    Runtime,
    load_minilm_tokenizer,
    minilm_files,
)
from index.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

# what the store, ingest and retrieval embed with
EmbedModel: TypeAlias = "MiniLMEncoder | BaseEmbedding"


def __getattr__(name: str) -> Any:
    # the llama-index adapter is imported only by code that asks for it (it costs ~2.7 s)
    if name == "OnnxMiniLMEmbedding":
        from index.llama_embedding import OnnxMiniLMEmbedding

        return OnnxMiniLMEmbedding
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def model_identity(settings: Settings) -> str:
    """The name recorded with a collection: provider and model."""
    if settings.embed_provider == "onnx-minilm":
        return MINILM_ID
    return f"{settings.embed_provider}:{settings.embed_model}"


def build_embed_model(settings: Settings, *, runtime: Runtime | None = None) -> EmbedModel:
    """The configured embedding model; `runtime` picks the default model's runtime."""
    provider = settings.embed_provider
    batch = settings.embed_batch_size
    if provider == "onnx-minilm":
        return MiniLMEncoder(
            threads=settings.embed_threads, embed_batch_size=batch, runtime=runtime
        )
    if provider == "fastembed":
        from llama_index.embeddings.fastembed import FastEmbedEmbedding

        return FastEmbedEmbedding(model_name=settings.embed_model)
    if provider == "huggingface":
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        return HuggingFaceEmbedding(model_name=settings.embed_model, embed_batch_size=batch)
    if provider == "openai":
        from llama_index.embeddings.openai import OpenAIEmbedding

        key = settings.embed_api_key.get_secret_value() if settings.embed_api_key else None
        return OpenAIEmbedding(
            model=settings.embed_model,
            api_base=settings.embed_base_url,
            api_key=key,
            embed_batch_size=batch,
        )
    if provider == "ollama":
        from llama_index.embeddings.ollama import OllamaEmbedding

        return OllamaEmbedding(
            model_name=settings.embed_model,
            base_url=settings.embed_base_url or "http://localhost:11434",
        )
    raise ConfigError(f"EMBED_PROVIDER: unknown provider {provider!r}")


def embed_texts(model: EmbedModel, texts: list[str]) -> np.ndarray:
    """Embed a batch with any model; the default model skips the list-of-floats detour."""
    if isinstance(model, MiniLMEncoder):
        return model.embed(texts)
    adapter = sys.modules.get("index.llama_embedding")  # loaded only if someone built one
    if adapter is not None and isinstance(model, adapter.OnnxMiniLMEmbedding):
        return model.embed(texts)
    return np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)
