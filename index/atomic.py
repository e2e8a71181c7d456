"""Crash- and race-safe file writes, shared by the seeds folder and the index.

Two rules keep several processes from breaking each other: temporary files get unique names
(``mkstemp``), never a fixed ``.name.tmp`` another writer may be using; and a new file is
*claimed* with a hard link, which fails when the name is taken, so two writers can never end
up with one file between them. A crash leaves only a hidden ``.tmp`` file, never half a file
under a real name.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Suffix of every temporary file written here; ``index check`` reports leftovers.
TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one."""
    with _synced_temporary(path.parent, path.name, data) as temporary:
        os.replace(temporary, path)


def claim_new(candidates: Iterable[Path], data: bytes) -> Path:
    """Write ``data`` under the first of ``candidates`` that does not exist yet; return it.

    The name is claimed by ``os.link``, which fails atomically when the name exists, so two
    processes writing articles with the same id at the same moment get two different files.
    """
    iterator = iter(candidates)
    first = next(iterator)
    with _synced_temporary(first.parent, first.name, data) as temporary:
        for path in itertools.chain([first], iterator):
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue
            return path
    raise FileExistsError(f"every name for {first.name} is taken")


@contextlib.contextmanager
def _synced_temporary(folder: Path, name: str, data: bytes) -> Iterator[Path]:
    """A fully written and fsynced temporary file in ``folder``, removed afterwards if left."""
    descriptor, raw = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TMP_SUFFIX)
    temporary = Path(raw)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def fsync_tree(folder: Path) -> None:
    """Flush every file in ``folder`` and the folder itself to disk."""
    for child in folder.iterdir():
        with child.open("rb") as handle:
            os.fsync(handle.fileno())
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
