"""Per-chat conversation memory in SQLite: the last few turns, citations included.

Stored next to the answer log so a restarted bot still knows what "it" and "[2]" refer to.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from bot.answer_log import now_text
from bot.migrations import connect
from index.models import Citation, Turn


class ConversationMemory:
    """The last `max_turns` turns of each chat."""

    def __init__(self, path: Path | str, *, max_turns: int) -> None:
        self._db = connect(path)
        self._lock = threading.Lock()
        self.max_turns = max_turns

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def history(self, chat_id: int) -> list[Turn]:
        """The chat's remembered turns, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT question, answer, citations_json FROM conversation_turns"
                " WHERE chat_id = ? ORDER BY id DESC LIMIT ?",
                (chat_id, self.max_turns),
            ).fetchall()
        return [
            Turn(
                question=q,
                answer=a,
                citations=[Citation.model_validate(c) for c in json.loads(cites)],
            )
            for q, a, cites in reversed(rows)
        ]

    def remember(self, chat_id: int, turn: Turn, *, exchange_id: int | None = None) -> None:
        """Add a turn and forget the chat's turns beyond `max_turns`."""
        if self.max_turns <= 0:
            return
        cites = json.dumps([c.model_dump(mode="json") for c in turn.citations])
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO conversation_turns (chat_id, created_at, question, answer,"
                " citations_json, exchange_id) VALUES (?,?,?,?,?,?)",
                (chat_id, now_text(), turn.question, turn.answer, cites, exchange_id),
            )
            self._db.execute(
                "DELETE FROM conversation_turns WHERE chat_id = ? AND id NOT IN (SELECT id FROM"
                " conversation_turns WHERE chat_id = ? ORDER BY id DESC LIMIT ?)",
                (chat_id, chat_id, self.max_turns),
            )

    def last_exchange_id(self, chat_id: int) -> int | None:
        """The answer-log id of the chat's latest remembered turn (for its source buttons)."""
        with self._lock:
            row = self._db.execute(
                "SELECT exchange_id FROM conversation_turns WHERE chat_id = ?"
                " ORDER BY id DESC LIMIT 1",
                (chat_id,),
            ).fetchone()
        return row[0] if row else None

    def forget(self, chat_id: int) -> int:
        """Forget the chat's conversation; returns how many turns were dropped."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM conversation_turns WHERE chat_id = ?", (chat_id,)
            )
        return cursor.rowcount
