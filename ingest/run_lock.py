"""Knowing whether this ingest is the only one writing to the store.

Collecting orphan vectors deletes every vector the catalog does not know, which would
include another live run's written-but-not-yet-committed round. So a run collects them
only while it holds an exclusive advisory lock beside the catalog; the kernel drops the
lock when its holder dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def sole_writer(path: Path) -> Iterator[bool]:
    """Hold the lock at `path` for the block if nobody else does; yields whether it was taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)  # closing releases the lock
