"""The default MiniLM encoder as a llama-index `BaseEmbedding`, for llama-index pipelines.

newsdesk itself calls `MiniLMEncoder` directly (no llama-index import on the answering
path); this adapter exists for code that hands a model to llama-index (bench/ingest.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index.minilm import MINILM_ID, MiniLMEncoder, Runtime


class OnnxMiniLMEmbedding(BaseEmbedding):
    """`MiniLMEncoder` behind llama-index's embedding interface; `embed` is the fast path."""

    threads: int = 0
    runtime: str = "onnxruntime"
    _encoder: MiniLMEncoder = PrivateAttr()

    def __init__(
        self,
        *,
        threads: int = 0,
        embed_batch_size: int = 32,
        runtime: Runtime | None = None,
        **kwargs: Any,
    ) -> None:
        encoder = MiniLMEncoder(threads=threads, embed_batch_size=embed_batch_size, runtime=runtime)
        super().__init__(  # type: ignore[call-arg]  # pydantic fields declared on this class
            model_name=MINILM_ID,
            embed_batch_size=embed_batch_size,
            threads=threads,
            runtime=encoder.runtime,
            **kwargs,
        )
        self._encoder = encoder

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches; rows follow input order."""
        return self._encoder.embed(texts)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()  # type: ignore[no-any-return]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
