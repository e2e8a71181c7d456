"""Merging a delta into its generation in a process of its own, at the lowest CPU priority.

An addition that makes a large coverage's delta outgrow ``store.MERGE_PASSAGES`` writes the
delta as any addition does and starts this process (``start_merge``), so neither the addition
nor the questions waiting for a core pay for the merge: at a million passages it rewrites
every array, 4-5 s of CPU. The process runs at nice 19, writes the merged generation beside
the live one without the maintenance lock (``write_merged`` holds it for moments), and takes
the lock to make it live (``merge_live``); an addition made meanwhile wins, and the merge
starts again from it. Run by hand: ``python -m index.storage.background INDEX_DIR``.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from index.storage.locking import maintenance_lock
from index.storage.store import StoreError, write_merged

log = logging.getLogger(__name__)
#: The niceness the merge runs at: it gets a core only when nothing else wants it.
NICENESS = 19
#: Times a merge starts again when an addition made it out of date.
MERGE_ATTEMPTS = 3


def start_merge(index_dir: Path) -> subprocess.Popen[bytes]:
    """Start merging ``index_dir``'s live delta in the background; returns at once.

    The process outlives the one starting it (a CLI ``add`` returns without waiting) and
    reports problems on the inherited standard error, unless that is a pipe: whoever reads
    a pipe to its end (``$(coverage-bot add …)``, a script capturing the output) would wait
    for the merge too.
    """
    return subprocess.Popen(
        [sys.executable, "-m", __name__, str(index_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if _is_pipe(sys.stderr) else None,
        start_new_session=True,  # a Ctrl-C meant for the bot or the CLI does not cut it short
    )


def _is_pipe(stream: TextIO) -> bool:
    """Whether ``stream`` writes into a pipe (or cannot tell: then it is treated as one)."""
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return True


def merge_live(index_dir: Path) -> bool:
    """Merge the live delta into a new generation; True once that generation is live.

    The merge is written without the lock, so additions and questions go on; it is made
    live under the lock only if nothing changed meanwhile, else merged again from what
    changed (``MERGE_ATTEMPTS`` times). Run by the background merge process.
    """
    for _ in range(MERGE_ATTEMPTS):
        merged = write_merged(index_dir)
        if merged is None:
            return False  # no delta: a rebuild or another merge made one generation
        with maintenance_lock(index_dir):
            if merged.publish():
                return True
    return False


def main(argv: list[str]) -> int:
    """Merge the delta of the index folder ``argv[1]``; 0 when merged or nothing to merge."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.nice(NICENESS)
    index_dir = Path(argv[1])
    try:
        if merge_live(index_dir):
            log.info("merged the delta of %s into a new generation", index_dir)
    except StoreError as exc:
        log.warning("could not merge the delta of %s: %s", index_dir, exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
