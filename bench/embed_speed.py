"""Embedding speed: the default MiniLM model against the old onnxruntime code path.

    python bench/embed_speed.py                 # 512 chunks, 3 interleaved rounds
    python bench/embed_speed.py --chunks 2000 --rounds 5

Chunks are 900-character slices of RealTime QA articles, read in place from /work/shared
(never copied into the repo), drawn at random with a fixed seed. Variants:
- baseline: the embedding code as it was (onnxruntime, exact-width length-sorted batches)
- onnxruntime: `OnnxMiniLMEmbedding(runtime="onnxruntime")`, the fallback
- openvino: `OnnxMiniLMEmbedding(runtime="openvino")`, the default when installed
- openvino, one batch: the same, with a small call kept in one batch (as before a call of
  a few texts was split among OpenVINO's streams); it only differs in the "answer ms" column
"answer ms" is the median and p95 time of the call an answer makes: a question and the ten
best sentences of its passages (corpus sentences here), compared by meaning.
Rounds run the variants in turn and the best round counts: on a shared machine the other
rounds measure the neighbours. Similarity is the cosine of each vector to the baseline's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "benchmarks" / "realtimeqa" / "articles.jsonl.gz"
sys.path.insert(0, str(ROOT))

from index.embeddings import (  # noqa: E402
    MINILM_MAX_TOKENS,
    OnnxMiniLMEmbedding,
    load_minilm_tokenizer,
    minilm_files,
)

Embed = Callable[[list[str]], np.ndarray]
QUESTION = "Which company announced layoffs this week, and how many jobs were cut?"


def sample_chunks(n: int, size: int, seed: int) -> list[str]:
    """n random size-character slices from the corpus (slices of the first few thousand)."""
    slices: list[str] = []
    with gzip.open(CORPUS, "rt") as f:
        for line in f:
            text = json.loads(line)["text"]
            slices += [text[s : s + size] for s in range(0, len(text) - size // 2, size)]
            if len(slices) >= 20 * n:
                break
    picked = np.random.default_rng(seed).choice(len(slices), min(n, len(slices)), replace=False)
    return [slices[i] for i in picked]


def baseline_embed(threads: int, batch_size: int) -> Embed:
    """The code path before OpenVINO, kept verbatim as the reference for speed and vectors."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(
        str(minilm_files()[0]), options, providers=["CPUExecutionProvider"]
    )
    tokenizer = load_minilm_tokenizer()
    tokenizer.enable_truncation(MINILM_MAX_TOKENS)

    def embed(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        encodings = tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                ids[r, : lengths[i]] = encodings[i].ids
                mask[r, : lengths[i]] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = session.run(None, feed)[0]
            pooled = (hidden * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    return embed


def query_latency_ms(embed: Embed, repeats: int = 30) -> float:
    """Median time to embed one short question, as retrieval does per message."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        embed([QUESTION])
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def sentence_groups(n: int, seed: int) -> list[list[str]]:
    """n calls of the answer's shape: the question and ten corpus sentences."""
    from index.text import split_sentences

    found: list[str] = []
    with gzip.open(CORPUS, "rt") as f:
        for line in f:
            text = json.loads(line)["text"]
            found += [text[a:b] for a, b in split_sentences(text) if len(text[a:b].split()) > 5]
            if len(found) >= 2000:
                break
    rng = np.random.default_rng(seed)
    return [[QUESTION, *(found[i] for i in rng.choice(len(found), 10))] for _ in range(n)]


def answer_latency_ms(embed: Embed, groups: list[list[str]]) -> tuple[float, float]:
    """Median and p95 ms of embedding each group in one call."""
    times = []
    for group in groups:
        start = time.perf_counter()
        embed(group)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), float(np.percentile(times, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=512)
    parser.add_argument("--chunk-chars", type=int, default=900)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    texts = sample_chunks(args.chunks, args.chunk_chars, args.seed)
    tokenizer = load_minilm_tokenizer()
    tokenizer.enable_truncation(MINILM_MAX_TOKENS)
    tokens = sum(len(e.ids) for e in tokenizer.encode_batch(texts))
    print(f"{len(texts)} chunks, {tokens} tokens ({tokens / len(texts):.0f} per chunk)")

    variants: dict[str, Embed] = {"baseline": baseline_embed(args.threads, args.batch_size)}
    for runtime in ("onnxruntime", "openvino"):
        start = time.perf_counter()
        model = OnnxMiniLMEmbedding(
            threads=args.threads, embed_batch_size=args.batch_size, runtime=runtime
        )
        print(f"{runtime}: model ready in {time.perf_counter() - start:.2f} s")
        variants[runtime] = model.embed
    one_batch = OnnxMiniLMEmbedding(
        threads=args.threads, embed_batch_size=args.batch_size, runtime="openvino"
    )
    one_batch._encoder._runner.streams = 1  # the old split: a small call is one batch
    variants["openvino, one batch"] = one_batch.embed
    groups = sentence_groups(60, args.seed)
    for embed in variants.values():
        embed(texts[:64])  # warm-up: first-seen shapes and thread pools

    best = dict.fromkeys(variants, float("inf"))
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.rounds):
        for name, embed in variants.items():
            start = time.perf_counter()
            vectors[name] = embed(texts)
            best[name] = min(best[name], time.perf_counter() - start)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average after the runs: {' '.join(load)} (on a {args.threads}-thread budget)")

    print(
        "| variant | chunks/s | tokens/s | speed-up | query ms | answer ms p50 / p95 "
        "| cosine mean | cosine min |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, embed in variants.items():
        cosine = (vectors[name] * vectors["baseline"]).sum(1)
        p50, p95 = answer_latency_ms(embed, groups)
        print(
            f"| {name} | {len(texts) / best[name]:.1f} | {tokens / best[name]:,.0f} "
            f"| {best['baseline'] / best[name]:.2f}x | {query_latency_ms(embed):.1f} "
            f"| {p50:.0f} / {p95:.0f} | {cosine.mean():.6f} | {cosine.min():.6f} |"
        )


if __name__ == "__main__":
    main()
