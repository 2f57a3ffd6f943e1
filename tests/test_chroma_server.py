"""The same ingest and queries through a Chroma server (`chroma run`) instead of embedded."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from index.settings import Settings, load_settings
from index.wiring import open_store
from ingest.pipeline import ingest_sources
from tests.conftest import SAMPLES


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[int]:
    """A real Chroma server on 127.0.0.1, stopped after the test."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen(
        [
            chroma,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("chroma server did not start")
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=30)


def test_ingest_and_query_through_a_chroma_server(
    settings: Settings, chroma_server: int, embed_model
) -> None:
    server_settings = load_settings(
        newsdesk_data_dir=settings.data_dir, chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    report = ingest_sources([str(SAMPLES)], settings=server_settings)
    assert report.ok and len(report.new) == len(list(SAMPLES.glob("*.md")))
    assert not (settings.data_dir / "chroma").exists(), "nothing was written to embedded Chroma"

    store = open_store(server_settings)
    _, chunks = store.catalog.count()
    assert store.count_vectors() == chunks
    vector = embed_model.embed(["How many active-duty troops are deployed at the border?"])[0]
    best_id, _ = store.query(vector, top_k=1)[0]
    best = store.catalog.chunks_by_id([best_id])[best_id]
    assert "troops" in best["text"].lower() and "border" in best["title"].lower()

    again = ingest_sources([str(SAMPLES)], settings=server_settings)
    assert again.new == [] and again.chunks_embedded == 0
