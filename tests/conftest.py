"""Fixtures shared by the whole suite: real model, real Chroma, real SQLite, in tmp dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.embeddings import OnnxMiniLMEmbedding
from index.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "articles"


@pytest.fixture(scope="session")
def embed_model() -> OnnxMiniLMEmbedding:
    """The real default embedding model, loaded once per run."""
    return OnnxMiniLMEmbedding()


@pytest.fixture()
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings on a fresh data dir, ignoring any `.env` of the developer."""
    monkeypatch.chdir(tmp_path)
    yield load_settings(newsdesk_data_dir=tmp_path / "data", fetch_allow_private=True)
