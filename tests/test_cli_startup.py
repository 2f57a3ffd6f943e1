"""The command starts light: help and completion import no command module, heavy libraries
load only in the commands that use them, and the shared options (-h, -v) work everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import COMMANDS, cli
from tests.conftest import SAMPLES

NEWSDESK = str(Path(sys.executable).parent / "newsdesk")
HEAVY = (
    "llama_index",
    "chromadb",
    "openvino",
    "onnxruntime",
    "bm25s",
    "trafilatura",
    "telegram",
    "starlette",
    "uvicorn",
)


def loaded_after(code: str, tmp_path: Path, **env: str) -> dict[str, object]:
    """Run `code` in a fresh interpreter; which heavy packages it imported, and its output."""
    script = (
        "import json, sys, io, contextlib\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
        "    try:\n"
        + "".join(f"        {line}\n" for line in code.splitlines())
        + "    except SystemExit:\n        pass\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps({'heavy': heavy, 'out': out.getvalue()}))\n"
    )
    environment = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path / "data"), **env}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_cli(args: list[str]) -> str:
    return f"from cli.main import cli\ncli.main({args!r}, prog_name='newsdesk')"


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["ask", "--help"],
        ["ingest", "-h"],
        ["serve", "--help"],
        ["logs", "list", "-h"],
        ["web", "--help"],
    ],
)
def test_help_imports_no_heavy_library(args: list[str], tmp_path: Path) -> None:
    found = loaded_after(run_cli(args), tmp_path)
    assert found["heavy"] == []
    assert "Usage: newsdesk" in str(found["out"])


def test_completion_lists_commands_without_importing_them(tmp_path: Path) -> None:
    code = (
        "from click.shell_completion import BashComplete\n"
        "from cli.main import cli\n"
        "comp = BashComplete(cli, {}, 'newsdesk', '_NEWSDESK_COMPLETE')\n"
        "print([item.value for item in comp.get_completions([], 'a')])\n"
        "import sys\n"
        "print(sorted(m for m in sys.modules if m.endswith('_cmd')))"
    )
    found = loaded_after(code, tmp_path)
    assert found["heavy"] == []
    assert str(found["out"]).splitlines() == ["['articles', 'ask']", "[]"]


def test_a_config_error_needs_no_heavy_library(tmp_path: Path) -> None:
    found = loaded_after(run_cli(["ask", "hello?"]), tmp_path, CHROMA_PORT="eighty")
    assert found["heavy"] == []
    assert "CHROMA_PORT" in str(found["out"])


def test_listing_articles_opens_the_catalog_only(tmp_path: Path) -> None:
    found = loaded_after(run_cli(["articles", "list"]), tmp_path)
    assert found["heavy"] == []
    assert "no articles stored in" in str(found["out"])


@pytest.mark.slow
def test_asking_with_the_default_model_does_not_import_llama_index(
    sample_settings: object, tmp_path: Path
) -> None:
    data = str(sample_settings.data_dir)  # type: ignore[attr-defined]
    question = ["ask", "--no-log", "How many troops are at the border now?"]
    found = loaded_after(run_cli(question), tmp_path, NEWSDESK_DATA_DIR=data)
    assert "5,000" in str(found["out"])
    assert "llama_index" not in found["heavy"] and "chromadb" in found["heavy"]


def test_the_command_table_matches_each_commands_own_help() -> None:
    ctx = click.Context(cli)
    for name, lazy in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.help is not None
        assert command.help.splitlines()[0] == lazy.summary, name


def test_every_command_has_h_and_an_example() -> None:
    runner = CliRunner()
    ctx = click.Context(cli)
    paths = [[name] for name in COMMANDS]
    for name in ("logs", "articles"):
        group = cli.get_command(ctx, name)
        assert isinstance(group, click.Group)
        paths += [[name, sub] for sub in group.list_commands(ctx)]
    for path in [[], *paths]:
        result = runner.invoke(cli, [*path, "-h"])
        assert result.exit_code == 0, (path, result.output)
        assert "Example" in result.output, path


def test_verbose_logs_what_ingest_reads(tmp_path: Path) -> None:
    article = SAMPLES / "2024-05-25-riverton-cup-final.md"
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path / "data")}
    command = [NEWSDESK, "ingest", "--quiet", str(article)]
    quiet = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert "INFO" not in quiet.stderr
    verbose = [NEWSDESK, "-v", "ingest", "--quiet", str(article)]
    loud = subprocess.run(verbose, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert loud.returncode == 0, loud.stderr
    assert f"INFO ingest.sources: reading {article}" in loud.stderr
    debug = [NEWSDESK, "--log-level", "debug", "articles", "list"]
    logged = subprocess.run(debug, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert "1 of 1 articles shown" in logged.stdout
