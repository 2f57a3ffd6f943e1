"""BM25 keyword index over the same chunks as the vector store, derived from the catalog.

The index is a cache of the catalog: it records the catalog generation it was built from and
`refresh` rebuilds it only when that generation changed. Each build is written to a fresh
directory and published by atomically replacing the `CURRENT` pointer file, so a reader (or
a kill mid-build) never sees half an index. Arrays are loaded memory-mapped, so start-up
costs milliseconds, not a rebuild.

A reader (the bot) keeps up by itself: once `refresh` has been given the catalog, every
search compares the catalog's generation with the build in use, and when articles were
committed since (say by an ingest that was killed before its own refresh) it rebuilds in
a background thread while searches carry on with the previous build.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from index.catalog import Catalog
from index.files import replace_text
from index.grounding import written_as_names
from index.models import Filters
from index.store import date_number

logger = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG on import, which would print build chatter to users
logging.getLogger("bm25s").setLevel(logging.WARNING)

POINTER = "CURRENT"
META = "meta.json"
WORDS = "words.json"  # every word of the chunks, lower case, with the number of chunks using it
NAMES = "names.json"  # the words the chunks write as names (`grounding.written_as_names`)
_LETTERS = re.compile(r"[a-z]+")
# the title says what the story is about; passages deep in an article often never name it
TITLE_IN_TEXT = True


def _tokenize(texts: list[str], stemmer: Any, *, return_ids: bool) -> Any:
    return bm25s.tokenize(
        texts, stopwords="en", stemmer=stemmer, return_ids=return_ids, show_progress=False
    )


@dataclass
class _Loaded:
    """One published build: the BM25 matrix plus per-chunk arrays for filtering."""

    generation: int
    build_dir: Path
    bm25: bm25s.BM25
    chunk_ids: np.ndarray  # str, one per indexed chunk
    published: np.ndarray  # int32 yyyymmdd, 0 when unknown
    source_codes: np.ndarray  # int32 index into `sources`
    sources: list[str]
    words: dict[str, int] | None = None  # loaded on first use (`KeywordIndex.words`)
    names: frozenset[str] | None = None  # loaded on first use (`KeywordIndex.names`)


class KeywordIndex:
    """BM25 (bm25s, English stemmer and stopwords) over every visible chunk."""

    def __init__(self, *, path: Path) -> None:
        self.path = path
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()  # guards `_loaded`
        self._build_lock = threading.Lock()  # one build at a time; readers never wait on it
        self._words_lock = threading.Lock()  # guards each build's `words`
        self._loaded: _Loaded | None = None
        self._catalog: Catalog | None = None
        self._catching_up: threading.Thread | None = None

    # -- building ----------------------------------------------------------------------
    def refresh(self, catalog: Catalog) -> bool:
        """Rebuild if the catalog changed since the last build; True when it rebuilt.

        Also remembers `catalog`, so later searches catch up with it on their own.
        """
        self._catalog = catalog
        generation = catalog.generation()
        with self._build_lock:
            if self._published_generation() == generation:
                return False
            self._build(catalog, generation)
        return True

    def _catch_up(self, loaded: _Loaded | None) -> None:
        """Start a background rebuild if the catalog moved past the build in use."""
        catalog = self._catalog
        if catalog is None or (self._catching_up and self._catching_up.is_alive()):
            return
        if loaded is not None and loaded.generation == catalog.generation():
            return
        self._catching_up = threading.Thread(
            target=self._refresh_quietly, args=(catalog,), name="keyword-catch-up", daemon=True
        )
        self._catching_up.start()

    def _refresh_quietly(self, catalog: Catalog) -> None:
        try:
            self.refresh(catalog)
        except Exception:  # searching on with the previous build beats failing a question
            logger.exception("keyword index catch-up failed")

    def wait_for_catch_up(self, timeout: float | None = None) -> None:
        """Block until a background rebuild started by a search has finished."""
        if self._catching_up is not None:
            self._catching_up.join(timeout)

    def _build(self, catalog: Catalog, generation: int) -> None:
        rows = list(catalog.iter_chunks())
        self.path.mkdir(parents=True, exist_ok=True)
        build_dir = Path(tempfile.mkdtemp(prefix=f"gen-{generation}-", dir=self.path))
        texts = [_scored_text(row["title"], row["text"]) for row in rows]
        bm25 = bm25s.BM25()
        if rows:
            bm25.index(_tokenize(texts, self._stemmer, return_ids=True), show_progress=False)
            bm25.save(str(build_dir), show_progress=False)
        sources = sorted({row["source"] for row in rows})
        code = {name: i for i, name in enumerate(sources)}
        np.save(build_dir / "chunk_ids.npy", np.array([row["id"] for row in rows], dtype=str))
        np.save(build_dir / "published.npy", _published_array(rows))
        np.save(
            build_dir / "sources.npy",
            np.array([code[row["source"]] for row in rows], dtype=np.int32),
        )
        (build_dir / WORDS).write_text(json.dumps(word_counts(texts)), encoding="utf-8")
        (build_dir / NAMES).write_text(json.dumps(_chunk_names(rows)), encoding="utf-8")
        meta = {"generation": generation, "chunks": len(rows), "sources": sources}
        (build_dir / META).write_text(json.dumps(meta), encoding="utf-8")
        self._publish(build_dir)
        logger.info("keyword index rebuilt: %s chunks, generation %s", len(rows), generation)

    def _publish(self, build_dir: Path) -> None:
        replace_text(self.path / POINTER, build_dir.name)  # atomic: readers see old or new
        for old in self.path.iterdir():
            if old.is_dir() and old.name != build_dir.name:
                shutil.rmtree(old, ignore_errors=True)

    def _current_dir(self) -> Path | None:
        try:
            name = (self.path / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return self.path / name

    def _published_generation(self) -> int | None:
        current = self._current_dir()
        if current is None or not (current / META).exists():
            return None
        return int(json.loads((current / META).read_text(encoding="utf-8"))["generation"])

    # -- loading -----------------------------------------------------------------------
    @property
    def generation(self) -> int | None:
        """The catalog generation of the build in use (None if never built)."""
        loaded = self._load()
        return None if loaded is None else loaded.generation

    @property
    def size(self) -> int:
        """Chunks in the build in use."""
        loaded = self._load()
        return 0 if loaded is None else len(loaded.chunk_ids)

    def _load(self) -> _Loaded | None:
        # reading the pointer each time (microseconds) picks up a build made by another
        # process, e.g. `newsdesk ingest` while the bot is running
        current = self._current_dir()
        with self._lock:
            stale = self._loaded is None or self._loaded.build_dir != current
            if stale and current is not None and (current / META).exists():
                self._loaded = _read_build(current)
            return self._loaded

    def words(self) -> dict[str, int]:
        """The words of the indexed chunks (lower case) and how many chunks use each: what
        `index.spelling` reads a mistyped question word as. An index built before it kept
        them is read from the catalog instead."""
        loaded = self._load()
        if loaded is None:
            return {}
        with self._words_lock:  # not `_lock`: searches go on while a list is read or made
            if loaded.words is None:
                loaded.words = self._read_or_make(loaded.build_dir / WORDS, _chunk_words)
            return loaded.words

    def names(self) -> frozenset[str]:
        """The words the indexed chunks write as names, lower case ("wimbledon"): what the
        subject check requires of an article even when a question types them in lower case."""
        loaded = self._load()
        if loaded is None:
            return frozenset()
        with self._words_lock:
            if loaded.names is None:
                names = self._read_or_make(loaded.build_dir / NAMES, _chunk_names)
                loaded.names = frozenset(names)
            return loaded.names

    def _read_or_make(self, path: Path, make: Callable[[list[Any]], Any]) -> Any:
        """A word list of the build, made from the catalog's chunks for a build made before
        it was kept (and kept from then on); empty without a catalog to make it from."""
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
        if self._catalog is None:
            return make([])
        made = make(list(self._catalog.iter_chunks()))
        try:
            replace_text(path, json.dumps(made))
        except OSError as exc:
            logger.warning("could not keep the index's words in %s: %s", path, exc)
        return made

    # -- searching ---------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        top_k: int,
        filters: Filters | None = None,
        as_of: date | None = None,
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best matching chunks, best first; only score > 0."""
        loaded = self._load()
        self._catch_up(loaded)
        if loaded is None or len(loaded.chunk_ids) == 0:
            return []
        tokens = _tokenize([query], self._stemmer, return_ids=False)[0]
        token_ids = loaded.bm25.get_tokens_ids(tokens)
        if not token_ids:
            return []
        scores = loaded.bm25.get_scores(token_ids)
        mask = _filter_mask(loaded, filters, as_of)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(top_k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(str(loaded.chunk_ids[i]), float(scores[i])) for i in best if scores[i] > 0]

    def best_score(self, text: str) -> float:
        """The BM25 score of the chunk that matches `text` best, 0 when none does: how well
        the store's writing fits one reading of a mistyped question (`index.spelling`)."""
        found = self.search(text, top_k=1)
        return found[0][1] if found else 0.0


def _chunk_words(rows: list[Any]) -> dict[str, int]:
    return word_counts([_scored_text(row["title"], row["text"]) for row in rows])


def _chunk_names(rows: list[Any]) -> list[str]:
    return written_as_names(row["text"] for row in rows)  # not titles: Title Case


def word_counts(texts: list[str]) -> dict[str, int]:
    """{word: number of texts using it}, words of three letters or more, lower case."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({w for w in _LETTERS.findall(text.lower()) if len(w) >= 3})
    return dict(counts)


def _scored_text(title: str, text: str) -> str:
    return f"{title}\n{text}" if TITLE_IN_TEXT and title else text


def _published_array(rows: list[Any]) -> np.ndarray:
    days = [date.fromisoformat(row["published"]) if row["published"] else None for row in rows]
    return np.array([date_number(day) for day in days], dtype=np.int32)


def _read_build(build_dir: Path) -> _Loaded:
    meta = json.loads((build_dir / META).read_text(encoding="utf-8"))
    if meta["chunks"]:
        bm25 = bm25s.BM25.load(str(build_dir), mmap=True, show_progress=False, verbosity=0)
    else:
        bm25 = bm25s.BM25()
    return _Loaded(
        generation=int(meta["generation"]),
        build_dir=build_dir,
        bm25=bm25,
        chunk_ids=np.load(build_dir / "chunk_ids.npy", mmap_mode="r"),
        published=np.load(build_dir / "published.npy", mmap_mode="r"),
        source_codes=np.load(build_dir / "sources.npy", mmap_mode="r"),
        sources=list(meta["sources"]),
    )


def _filter_mask(loaded: _Loaded, filters: Filters | None, as_of: date | None) -> np.ndarray | None:
    """Chunks allowed by the filters; same semantics as the Chroma filters (0 = unknown date)."""
    mask: np.ndarray | None = None

    def narrow(allowed: np.ndarray) -> None:
        nonlocal mask
        mask = allowed if mask is None else mask & allowed

    until = filters.until if filters else None
    if as_of is not None and (until is None or as_of < until):
        until = as_of
    if until is not None:
        narrow(loaded.published <= date_number(until))
    if filters and filters.since:
        narrow(loaded.published >= date_number(filters.since))
    if filters and filters.sources:
        codes = [i for i, name in enumerate(loaded.sources) if name in set(filters.sources)]
        narrow(np.isin(loaded.source_codes, codes))
    return mask
