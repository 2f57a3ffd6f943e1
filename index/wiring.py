"""The composition root: builds the catalog, store, keyword index, retriever and answerer.

Every front end (CLI, bot, benchmarks) gets its parts from a `Wiring` built from one
`Settings`; nothing else constructs them. Each part is built on first use and then shared,
so a command pays only for what it touches: `articles list` opens the SQLite catalog and
never imports Chroma, `ask` never imports llama-index with the default settings.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import ArticleNotFoundError, ConfigError, EmptyStoreError
from index.settings import Settings

# passage-sentence vectors kept for the support checker (8 passages of ~10 sentences)
SUPPORT_CACHE = 2048

if TYPE_CHECKING:
    from index.catalog import Catalog
    from index.chunking import ArticleChunker
    from index.embeddings import EmbedModel
    from index.keyword import KeywordIndex
    from index.llm_answer import LLMAnswerer
    from index.minilm import Runtime
    from index.models import Similarity
    from index.retrieve import Retriever
    from index.service import Newsdesk
    from index.store import ArticleStore


class Wiring:
    """The parts of one newsdesk, each built from `settings` once, when first asked for."""

    def __init__(self, settings: Settings, *, embed_runtime: Runtime | None = None) -> None:
        self.settings = settings
        # None: OpenVINO when installed (3.5x the throughput for ingest and the bot); a
        # command that embeds one question may ask for onnxruntime, which loads ~0.5 s sooner
        self.embed_runtime = embed_runtime

    @cached_property
    def catalog(self) -> Catalog:
        """The SQLite article catalog (created if missing)."""
        from index.catalog import Catalog

        return Catalog(self.settings.catalog_path)

    @cached_property
    def store(self) -> ArticleStore:
        """Chroma plus the catalog, refusing a store built with another embedding model."""
        from index.embeddings import model_identity
        from index.store import ArticleStore

        return ArticleStore.open(
            self.settings, model_id=model_identity(self.settings), catalog=self.catalog
        )

    @cached_property
    def keyword(self) -> KeywordIndex:
        """The BM25 index over the same chunks (brought up to date by `retriever`/ingest)."""
        from index.keyword import KeywordIndex

        return KeywordIndex(path=self.settings.keyword_dir)

    @cached_property
    def embed_model(self) -> EmbedModel:
        """The configured embedding model (loaded once; safe to share between threads)."""
        from index.embeddings import build_embed_model

        return build_embed_model(self.settings, runtime=self.embed_runtime)

    @cached_property
    def chunker(self) -> ArticleChunker:
        """A chunker whose limit fits the embedding model."""
        return build_chunker(self.settings)

    @cached_property
    def retriever(self) -> Retriever:
        """Hybrid retrieval over the store, with the BM25 index brought up to date."""
        from index.grounding import warm_up
        from index.retrieve import Retriever

        # the model (mostly native code, ~0.7 s) and the answer's word lists (~0.4 s) load
        # while Chroma opens (~0.9 s)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="load-model") as pool:
            model = pool.submit(lambda: self.embed_model)
            words = pool.submit(warm_up)
            store = self.store
            self.keyword.refresh(self.catalog)  # a no-op unless the catalog changed
            embed_model = model.result()
            words.result()
        return Retriever(
            store=store,
            keyword=self.keyword,
            embed_model=embed_model,
            catalog=self.catalog,
            settings=self.settings,
        )

    @cached_property
    def newsdesk(self) -> Newsdesk:
        """The answerer every front end calls: retrieve, compose, check citations."""
        from index.compose import ExtractiveComposer
        from index.retrieve import relevance_floor
        from index.service import Newsdesk
        from index.spelling import Speller

        retriever = self.retriever
        semantic = self.settings.answer_semantic
        return Newsdesk(
            retriever=retriever,
            # the retriever's floor drops what is plainly unrelated; the composer then checks
            # that the article holds the question's subject and picks the answering sentences
            composer=ExtractiveComposer(
                relevance_floor=relevance_floor(self.settings),
                article_text=article_text(self.catalog),
                similarity=sentence_similarity(retriever.embed_model) if semantic else None,
                names=self.keyword.names,
            ),
            llm_answerer=build_llm_answerer(
                self.settings,
                similarity=sentence_similarity(retriever.embed_model, cache=SUPPORT_CACHE),
            ),
            settings=self.settings,
            speller=Speller(self.keyword.words, self.keyword.best_score),
        )

    def delete_articles(self, article_ids: list[str]) -> None:
        """Delete articles: their catalog rows and chunks, vectors and keyword entries.

        `ArticleNotFoundError` for an id that is not stored (those before it are deleted).
        """
        try:
            for article_id in article_ids:
                self.store.delete_article(article_id)
        finally:
            self.keyword.refresh(self.catalog)

    def require_articles(self) -> None:
        """Raise `EmptyStoreError` when nothing is stored yet (without creating a store)."""
        path = self.settings.catalog_path
        if not path.exists():
            _check_folder(path.parent)
        if not path.exists() or self.catalog.count()[0] == 0:
            raise EmptyStoreError(
                f"no articles stored in {self.settings.data_dir.resolve()}; run "
                "`newsdesk ingest PATH_OR_URL` first (or set NEWSDESK_DATA_DIR to the data "
                "folder you ingested into)"
            )

    def close(self) -> None:
        """Close the catalog if it was opened."""
        if "catalog" in self.__dict__:
            self.catalog.close()


def _check_folder(folder: Path) -> None:
    """`NotADirectoryError` when a file stands where the data folder (or a parent) should be."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(path))
            return


def build_chunker(settings: Settings) -> ArticleChunker:
    """A chunker whose limit fits the embedding model ([CLS] and [SEP] take two tokens)."""
    from index.chunking import ArticleChunker, minilm_token_offsets
    from index.minilm import MINILM_MAX_TOKENS

    limit = MINILM_MAX_TOKENS - 2
    if settings.embed_provider == "onnx-minilm" and settings.chunk_tokens > limit:
        raise ConfigError(
            f"CHUNK_TOKENS: {settings.chunk_tokens} is more than the embedding model reads "
            f"({limit} tokens); the rest of each chunk would be invisible to search"
        )
    return ArticleChunker(max_tokens=settings.chunk_tokens, token_offsets=minilm_token_offsets())


def article_text(catalog: Catalog) -> Callable[[str], str]:
    """The text of a stored article by id ("" once it is deleted)."""

    def text_of(article_id: str) -> str:
        try:
            return catalog.get_article(article_id).text
        except ArticleNotFoundError:  # deleted since it was retrieved
            return ""

    return text_of


def sentence_similarity(embed_model: EmbedModel, *, cache: int = 0) -> Similarity:
    """Cosine of a question to each of some sentences, with the store's embedding model.

    With `cache`, the vectors of that many recent texts are kept: the support checker
    compares every sentence of an answer with the same passage sentences.
    """
    import threading
    from collections import OrderedDict

    import numpy as np

    from index.embeddings import embed_texts

    kept: OrderedDict[str, np.ndarray] = OrderedDict()
    lock = threading.Lock()

    def unit_vectors(texts: list[str]) -> np.ndarray:
        with lock:
            todo = list(dict.fromkeys(t for t in texts if t not in kept))
        found = embed_texts(embed_model, todo) if todo else np.zeros((0, 1))
        fresh = dict(zip(todo, found / (np.linalg.norm(found, axis=1, keepdims=True) + 1e-9)))
        with lock:
            vectors = np.stack([fresh[t] if t in fresh else kept[t] for t in texts])
            for text, vector in fresh.items():
                kept[text] = vector
                kept.move_to_end(text)
            while len(kept) > cache:
                kept.popitem(last=False)
        return vectors

    def similarity(question: str, sentences: list[str]) -> list[float]:
        if not cache:
            vectors = embed_texts(embed_model, [question, *sentences])
            norms = np.linalg.norm(vectors, axis=1) + 1e-9
            return [float(v) for v in (vectors[1:] @ vectors[0]) / (norms[1:] * norms[0])]
        units = unit_vectors([question, *sentences])
        return [float(v) for v in units[1:] @ units[0]]

    return similarity


def build_llm_answerer(
    settings: Settings, *, similarity: Similarity | None = None
) -> LLMAnswerer | None:
    """The LLM answerer `ANSWER_MODE` asks for; None in the (default) extractive mode.

    Its sentences are checked against their sources by wording and, given `similarity`
    (the store's embedding model), by meaning.
    """
    if settings.answer_mode == "extractive":
        return None
    from index.claims import ClaimChecker
    from index.llm_answer import LLMAnswerer, build_llm, model_name
    from index.support import SupportChecker

    checker = ClaimChecker(
        support=SupportChecker(similarity=similarity), unsupported=settings.llm_unsupported
    )
    # SmolLM2-135M's standalone questions were all unusable (docs/benchmarks.md, local mode)
    # and cost 0.2-3.3 s each: in local mode follow-ups go to the heuristic at once
    return LLMAnswerer(
        llm=build_llm(settings), model_name=model_name(settings),
        timeout_s=settings.llm_timeout_s, claims=checker,
        condenses=settings.answer_mode != "local",
    )  # fmt: skip


def open_store(settings: Settings) -> ArticleStore:
    """The configured store, refusing one built with another embedding model."""
    return Wiring(settings).store


def open_retriever(settings: Settings) -> Retriever:
    """A `Retriever` over the configured store, with the BM25 index brought up to date."""
    return Wiring(settings).retriever


def open_newsdesk(settings: Settings) -> Newsdesk:
    """A `Newsdesk` wired from settings: store, embeddings, keyword index, retriever, answerer."""
    return Wiring(settings).newsdesk
