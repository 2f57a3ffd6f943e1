"""Settings: `.env.example` documents everything; bad values fail with the variable's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from index.errors import ConfigError
from index.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    documented = {}
    for i, line in enumerate(lines):
        match = re.match(r"^([A-Z_]+)=", line)
        if match:
            documented[match.group(1)] = lines[i - 1].startswith("#")
    expected = {name.upper() for name in Settings.model_fields}
    assert set(documented) == expected
    assert all(documented.values()), "every setting has a comment line above it"


def test_env_example_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    from_example = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert from_example == Settings(_env_file=None)  # type: ignore[call-arg]


def test_id_lists_accept_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", "11, 22")
    monkeypatch.setenv("ALLOWED_CHAT_IDS", "")
    settings = load_settings(_env_file=None)
    assert settings.admin_user_ids == [11, 22] and settings.allowed_chat_ids == []


def test_secrets_are_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN")
    settings = load_settings(_env_file=None)
    assert "SECRET-TOKEN" not in repr(settings)
    assert settings.telegram_bot_token is not None
    assert settings.telegram_bot_token.get_secret_value() == "123456:SECRET-TOKEN"


def test_bad_value_is_a_clean_cli_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["articles", "list"], env={"CHROMA_PORT": "eighty"})
    assert result.exit_code == 1
    assert "CHROMA_PORT" in result.output and "valid integer" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(ConfigError, match="FETCH_TIMEOUT_S"):
        load_settings(_env_file=None, fetch_timeout_s=-1)
