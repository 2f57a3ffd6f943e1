"""Domain errors. Front ends turn these into a clean message; no traceback for bad input."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.models import ClaimCheck


class NewsdeskError(Exception):
    """Base class for every error newsdesk reports to a user."""


class ConfigError(NewsdeskError):
    """A setting is missing or has a bad value."""


class ModelMismatchError(NewsdeskError):
    """The store was built with another embedding model than the configured one."""


class ArticleNotFoundError(NewsdeskError):
    """No stored article has the given id."""


class SourceError(NewsdeskError):
    """One ingest source could not be read; the batch carries on without it."""


class QuestionError(NewsdeskError):
    """A question is empty or too long."""


class LLMError(NewsdeskError):
    """The configured LLM failed or timed out."""


class LLMUnusableError(LLMError):
    """The LLM answered, but no sentence of its answer held up against the sources."""

    def __init__(self, message: str, *, claims: list[ClaimCheck] | None = None) -> None:
        super().__init__(message)
        self.claims = claims or []


class EmptyStoreError(NewsdeskError):
    """Nothing has been ingested into the configured data directory yet."""
