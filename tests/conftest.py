"""Fixtures shared by the whole suite: real model, real Chroma, real SQLite, in tmp dirs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from index.embeddings import OnnxMiniLMEmbedding
from index.settings import Settings, load_settings
from ingest.pipeline import ingest_sources
from tests.bot_helpers import ScriptedAnswerer
from tests.standin import TelegramStandin

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


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a data dir holding the sample articles, ingested once per run."""
    data = tmp_path_factory.mktemp("samples") / "data"
    settings = load_settings(_env_file=None, newsdesk_data_dir=data, answer_mode="extractive")
    report = ingest_sources([str(SAMPLES)], settings=settings)
    assert report.ok and len(report.new) == len(list(SAMPLES.glob("*.md"))), report.summary()
    return settings


@pytest.fixture
async def standin() -> AsyncIterator[TelegramStandin]:
    """The local Bot API stand-in, on the test's event loop."""
    server = await TelegramStandin().start()
    yield server
    await server.stop()


@pytest.fixture
def answerer() -> ScriptedAnswerer:
    """A deterministic answerer for bot tests that are not about answering."""
    return ScriptedAnswerer()
