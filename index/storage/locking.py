"""The maintenance lock: one process at a time changes an index folder (and its seeds).

A file lock in the index folder, held by ``Maintainer`` for a whole change and by a background
merge only to make its generation live. Readers take none (see ``store``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

#: The lock file in the index folder; its presence means nothing, only holding it does.
LOCK_NAME = ".maintenance.lock"
#: Seconds a change waits for another process's change to finish (a 1M-passage build: ~45 s).
LOCK_WAIT_SECONDS = 600.0


@contextlib.contextmanager
def maintenance_lock(index_dir: Path) -> Iterator[None]:
    """Hold ``index_dir``'s maintenance lock; wait (saying so) while another process holds it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir / LOCK_NAME)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("another process is changing the coverage; waiting for it")
        lock.acquire(timeout=LOCK_WAIT_SECONDS)
    try:
        yield
    finally:
        lock.release()
