"""The answer log's spool: entries that could not be written yet, kept until they can be.

When the answer log is locked past the retry budget, or its disk is full, an entry is
appended (one JSON object per line, flushed and fsynced) to a file beside the log, and
replayed into the log by the next write that succeeds. If even the spool cannot be
written (the same full disk), entries wait in memory and go to the spool or the log at
the next chance. Each entry carries a unique key, so a replay interrupted after the
database commit and before the spool is cleared writes nothing twice.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
# entries held in memory when the spool file cannot be written either
MEMORY_LIMIT = 10_000


class Spool:
    """An append-only JSON Lines file of pending entries, with an in-memory overflow."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: list[dict[str, Any]] = []

    def append(self, entry: dict[str, Any]) -> None:
        """Keep `entry` (on disk if possible, else in memory)."""
        with self._lock:
            self._memory.append(entry)
            self._flush_memory()

    def pending(self) -> list[dict[str, Any]]:
        """Every kept entry, oldest first (file, then memory)."""
        with self._lock:
            return [*self._read_file(), *self._memory]

    def __len__(self) -> int:
        return len(self.pending())

    def is_empty(self) -> bool:
        with self._lock:
            return not self._memory and not _has_content(self.path)

    def clear(self, written: list[dict[str, Any]]) -> None:
        """Forget `written` (now in the log); entries added meanwhile are kept."""
        keys = {entry["key"] for entry in written}
        with self._lock:
            rest = [e for e in self._read_file() if e["key"] not in keys]
            self._memory = [e for e in self._memory if e["key"] not in keys]
            self._memory = rest + self._memory
            try:
                self.path.unlink(missing_ok=True)
            except OSError as exc:
                logger.warning("could not remove the answer log spool %s: %s", self.path, exc)
            self._flush_memory()

    def _flush_memory(self) -> None:
        if not self._memory:
            return
        try:
            with self.path.open("a", encoding="utf-8") as out:
                out.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self._memory))
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            if len(self._memory) > MEMORY_LIMIT:
                dropped = self._memory.pop(0)
                logger.error("answer log spool full in memory; dropped entry %s", dropped["key"])
            logger.warning(
                "answer log spool %s not writable (%s); %d entries kept in memory",
                self.path,
                exc.strerror or exc,
                len(self._memory),
            )
            return
        self._memory = []

    def _read_file(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        entries = []
        for number, line in enumerate(lines, start=1):
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:  # a write cut short by a crash: the rest is intact
                logger.warning(
                    "answer log spool %s: line %d is damaged; skipped", self.path, number
                )
        return entries


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False
