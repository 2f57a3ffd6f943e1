"""Questions asked in the terminal go to the same answer log as the bot's, marked as such.

`newsdesk logs list` then shows what was asked in `ask` and `chat` next to the Telegram
questions (chat type `terminal`, user = the login name), unless `--no-log` is given.
"""

from __future__ import annotations

import getpass
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.answer_log import AnswerLog
    from index.models import Answer
    from index.settings import Settings

logger = logging.getLogger(__name__)

TERMINAL = "terminal"


def _user_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container user without passwd entry)
        return None


class TerminalLog:
    """Records terminal exchanges in the answer log; a no-op when logging is off."""

    def __init__(self, settings: Settings, *, enabled: bool) -> None:
        self._log: AnswerLog | None = None
        if enabled:
            from bot.answer_log import AnswerLog

            self._log = AnswerLog(settings.log_db_path)
        self._user = _user_name()

    def record(
        self, question: str, *, answer: Answer | None = None, error: str | None = None
    ) -> int | str | None:
        """Store one exchange; its id, its spool key while the log is busy, None when off."""
        if self._log is None:
            return None
        from bot.answer_log import Exchange

        exchange = Exchange(
            chat_id=0,
            chat_type=TERMINAL,
            user_id=None,
            user_name=self._user,
            question=question,
            answer=answer,
            error=error,
        )
        return self._log.record(exchange)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
