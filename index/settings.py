"""newsdesk configuration: one `Settings`, read from the environment and `.env`.

Every entry point builds one `Settings` (via `load_settings`) and passes it down; nothing
else reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.errors import ConfigError

# "1,2,3" in the environment, split by the validator below rather than parsed as JSON
IdList = Annotated[list[int], NoDecode]
# "https://a/feed.xml, https://b/rss" in the environment, split like the id lists
UrlList = Annotated[list[str], NoDecode]

EmbedProvider = Literal["onnx-minilm", "fastembed", "huggingface", "openai", "ollama"]
AnswerMode = Literal["extractive", "openai", "openai-like", "ollama", "local"]


class Settings(BaseSettings):
    """All of newsdesk's settings; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_prefix=""
    )

    # storage
    newsdesk_data_dir: Path = Path("./data")
    chroma_host: str | None = None
    chroma_port: int = Field(default=8000, ge=1, le=65535)
    chroma_collection: str = "newsdesk"

    # embeddings
    embed_provider: EmbedProvider = "onnx-minilm"
    embed_model: str = "all-MiniLM-L6-v2"
    embed_base_url: str | None = None
    embed_api_key: SecretStr | None = None
    embed_batch_size: int = Field(default=32, ge=1, le=1024)
    embed_threads: int = Field(default=0, ge=0, le=256)

    # chunking
    chunk_tokens: int = Field(default=200, ge=32, le=8192)
    chunk_overlap_tokens: int = Field(default=0, ge=0, le=512)

    # ingest
    fetch_timeout_s: float = Field(default=15.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, ge=1024)
    fetch_allow_private: bool = False
    fetch_user_agent: str = "newsdesk/0.1 (+https://github.com/newsdesk)"
    max_file_bytes: int = Field(default=5_000_000, ge=1024)

    # feeds polled on a schedule (`newsdesk serve`, `newsdesk ingest --watch`)
    feeds: UrlList = Field(default_factory=list)
    feeds_file: Path | None = None
    feed_poll_minutes: float = Field(default=30.0, gt=0)
    feed_max_backoff_minutes: float = Field(default=360.0, gt=0)

    # retrieval and answering
    answer_mode: AnswerMode = "extractive"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=30.0, gt=0)
    # a generated sentence no source supports: dropped, or kept and marked "(unverified)"
    llm_unsupported: Literal["drop", "mark"] = "drop"
    # show a generated answer while it is written (Telegram edits one message, `chat` prints)
    llm_stream: bool = True
    # ANSWER_MODE=local: a GGUF file or OpenVINO model folder run in-process (default: the
    # SmolLM2-135M-Instruct file of the `local-llm` extra), and its answer length in tokens
    local_llm_path: Path | None = None
    local_llm_max_tokens: int = Field(default=160, ge=16, le=4096)
    retrieve_top_k: int = Field(default=8, ge=1, le=100)
    # relevance (dense cosine or squashed BM25, no recency prior) below which a passage is
    # unrelated; only a coarse first cut: whether the article holds the question's subject
    # decides answering (index/grounding.py); the figures are in docs/benchmarks.md
    relevance_floor: float = Field(default=0.2, ge=0.0, le=1.0)
    # compare the best candidate sentences with the question by meaning (embedding model)
    answer_semantic: bool = True
    max_question_chars: int = Field(default=1000, ge=10)

    # telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_webhook_path: str = "telegram"
    telegram_webhook_secret: SecretStr | None = None
    allowed_chat_ids: IdList = Field(default_factory=list)
    allowed_user_ids: IdList = Field(default_factory=list)
    admin_user_ids: IdList = Field(default_factory=list)
    rate_limit_per_minute: int = Field(default=10, ge=1)
    history_turns: int = Field(default=6, ge=0, le=50)

    # the web admin desk (`newsdesk web`)
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_admin_password: SecretStr | None = None
    # signs the session cookie; unset: a random key kept in the data dir (web_secret.key)
    web_secret_key: SecretStr | None = None
    # the session cookie only over HTTPS (set when a TLS proxy is in front)
    web_secure_cookie: bool = False

    # logging
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @field_validator("allowed_chat_ids", "allowed_user_ids", "admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `1,2,3` as well as JSON `[1,2,3]` for id lists."""
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        """Accept `url1, url2` (or whitespace-separated) as well as a JSON list."""
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @field_validator("telegram_webhook_path", mode="before")
    @classmethod
    def _bare_path(cls, value: object) -> object:
        """`/bot/hook/` and `bot/hook` name the same path."""
        return value.strip().strip("/") if isinstance(value, str) else value

    @field_validator(
        "chroma_host",
        "feeds_file",
        "local_llm_path",
        "embed_base_url",
        "embed_api_key",
        "llm_base_url",
        "llm_api_key",
        "telegram_bot_token",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "web_admin_password",
        "web_secret_key",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def data_dir(self) -> Path:
        return self.newsdesk_data_dir

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def keyword_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def log_db_path(self) -> Path:
        return self.data_dir / "answers.sqlite3"

    @property
    def feed_state_path(self) -> Path:
        return self.data_dir / "feeds.json"

    @property
    def web_secret_path(self) -> Path:
        return self.data_dir / "web_secret.key"


def load_settings(**overrides: object) -> Settings:
    """Build `Settings`, turning validation errors into one readable `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "_".join(str(part) for part in err["loc"]).upper() or "SETTINGS"
            problems.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
