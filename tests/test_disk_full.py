"""A full disk during export and ingest: one clear line, nothing truncated left behind.

Runs on a real, tiny tmpfs; skipped where this process may not mount one (needs root).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answer_log import AnswerLog, Exchange
from cli.main import cli
from tests.conftest import SAMPLES


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_an_export_that_fills_the_disk_leaves_nothing_truncated(
    tmp_path: Path, small_disk: Path
) -> None:
    log = AnswerLog(tmp_path / "answers.sqlite3")
    for n in range(40):
        log.record(Exchange(1, "private", 1, "ann", f"question {n} " + "why " * 3000))
    log.close()
    target = small_disk / "export.csv"
    target.write_text("an older export\n")
    result = CliRunner().invoke(
        cli,
        ["logs", "export", "--format", "csv", "-o", str(target)],
        env={"NEWSDESK_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line == f"Error: could not write {target}: No space left on device"
    assert target.read_text() == "an older export\n"
    assert sorted(p.name for p in small_disk.iterdir()) == ["export.csv"]


def test_an_ingest_that_fills_the_disk_stops_with_one_line(small_disk: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["ingest", "--quiet", str(SAMPLES)],
        env={"NEWSDESK_DATA_DIR": str(small_disk / "data")},
    )
    assert result.exit_code == 3, result.output
    [line] = [ln for ln in result.output.strip().splitlines() if ln.startswith("Error:")]
    assert line.startswith("Error: ingest stopped: ")
    assert "full" in line.lower() or "no space" in line.lower()
    assert "Traceback" not in result.output
