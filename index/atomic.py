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
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Suffix of every temporary file written here; ``index check`` reports leftovers.
TMP_SUFFIX = ".tmp"


def _default_mode() -> int:
    """What ``open(path, "w")`` would give a new file: 0o666 less the process's umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


#: Permissions of new files, read once (the umask can only be read by setting it).
DEFAULT_MODE = _default_mode()


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one.

    The file keeps its permissions (a new one gets the usual ones for this process).
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = DEFAULT_MODE
    with _synced_temporary(path.parent, path.name, data, mode) as temporary:
        os.replace(temporary, path)


def claim_new(candidates: Iterable[Path], data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` under the first of ``candidates`` that does not exist yet; return it.

    The new file gets ``mode`` (default: what a plain write would give).

    The name is claimed by ``os.link``, which fails atomically when the name exists, so two
    processes writing articles with the same id at the same moment get two different files.
    """
    iterator = iter(candidates)
    first = next(iterator)
    chosen = DEFAULT_MODE if mode is None else mode
    with _synced_temporary(first.parent, first.name, data, chosen) as temporary:
        for path in itertools.chain([first], iterator):
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue
            return path
    raise FileExistsError(f"every name for {first.name} is taken")


@contextlib.contextmanager
def _synced_temporary(folder: Path, name: str, data: bytes, mode: int) -> Iterator[Path]:
    """A fully written and fsynced temporary file in ``folder``, removed afterwards if left.

    ``mkstemp`` makes files readable by their owner only; ``mode`` restores what a plain
    write would give, so the bot and the CLI can run as different users.
    """
    descriptor, raw = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=TMP_SUFFIX)
    temporary = Path(raw)
    try:
        os.fchmod(descriptor, mode)
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
