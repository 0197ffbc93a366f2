"""The machine's index files: one folder per set of list versions, built once, mapped by all.

Every server worker, job runner and CLI run of a machine screens against the same names, so
the index of a set of versions is written once into `<index directory>/<key>/` (the key is a
digest of the versions and their content) and memory-mapped by each process: the pages are
shared, and a process is ready as soon as it has mapped the arrays.

Each key has a lock file beside its folder (`<key>.lock`, flock):

- a process building the folder holds it exclusively, so a machine builds a key once while
  the others wait for it; the folder appears whole (built under a temporary name, then
  renamed);
- a process that maps the folder holds it shared for as long as it uses it;
- a folder is removed only when its lock can be taken exclusively without waiting, that is
  when no process maps it, and it is not brand new (an import builds the next folder before
  the server's processes switch to it). A new version set therefore gets a new folder beside
  the old one, processes switch when theirs is complete, and the old one goes when its last
  user is done.

Several machines on one database each build (or copy in) their own folders: nothing here is
shared beyond the machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from service.matching.algorithm import MATCHER
from service.matching.index import HEADER_FILE, STORAGE_FORMAT, NameIndex

log = logging.getLogger(__name__)

# An unused folder younger than this (s) is kept (`remove_unused`).
UNUSED_GRACE_SECONDS = 600.0

# The processes' open folders, by path: one mapping per folder and process.
_OPEN: weakref.WeakValueDictionary[Path, SharedIndex] = weakref.WeakValueDictionary()
_OPEN_LOCK = threading.Lock()


class SharedIndex:
    """An index folder mapped by this process, marked in use by a shared lock until closed."""

    def __init__(self, key: str, folder: Path, index: NameIndex, lock_fd: int) -> None:
        self.key = key
        self.folder = folder
        self.index = index
        self._lock_fd: int | None = lock_fd
        # The lock goes with the last reference to this object (an index a request still
        # screens with stays marked in use).
        self._finalizer = weakref.finalize(self, os.close, lock_fd)

    def close(self) -> None:
        """Marks the folder no longer used by this process (its pages stay mapped until the
        index object goes)."""
        self._finalizer()


# What the folders' contents depend on beyond the versions, the storage format and the
# matcher: raised when the build changes what it writes (the order of the lists, say).
BUILD_REVISION = 3


def version_set_key(versions: Sequence[tuple[str, int, str | None]]) -> str:
    """Gives the folder name of the index of these (list, version id, content digest)
    versions, for this storage format, build and matcher."""
    described = json.dumps([STORAGE_FORMAT, BUILD_REVISION, MATCHER.describe(), sorted(
        [list_id, version, digest or ""] for list_id, version, digest in versions)])
    return hashlib.sha256(described.encode()).hexdigest()[:24]


def open_or_build(directory: Path, key: str, build: Callable[[], NameIndex]) -> SharedIndex:
    """Gives the index folder `key` mapped, building it first (once per machine) if missing."""
    folder = directory / key
    with _OPEN_LOCK:
        held = _OPEN.get(folder)
        if held is not None:
            return held
    directory.mkdir(parents=True, exist_ok=True)
    lock_fd = os.open(directory / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_SH)
        if not (folder / HEADER_FILE).exists():
            # Exclusive while building: the other processes of the machine wait, then map it.
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            if not (folder / HEADER_FILE).exists():
                _build_folder(directory, key, build)
            fcntl.flock(lock_fd, fcntl.LOCK_SH)
        index = NameIndex.open(folder)
    except BaseException:
        os.close(lock_fd)
        raise
    shared = SharedIndex(key, folder, index, lock_fd)
    with _OPEN_LOCK:
        _OPEN[folder] = shared
    remove_unused(directory, keep={key})
    return shared


def _build_folder(directory: Path, key: str, build: Callable[[], NameIndex]) -> None:
    folder = directory / key
    temporary = directory / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)  # a folder left incomplete by a crash
    build().save(temporary)
    os.rename(temporary, folder)  # the folder appears whole or not at all


def remove_unused(directory: Path, keep: Collection[str] = (),
                  grace_seconds: float = UNUSED_GRACE_SECONDS) -> list[str]:
    """Removes the index folders no process maps (and builds a crash left behind), except
    the `keep` ones and those written in the last `grace_seconds`; gives their keys.

    The grace period keeps a folder an import has just built, before the server's processes
    switch to it, and the last one used when every process has stopped for a moment.
    """
    removed: list[str] = []
    if not directory.exists():
        return removed
    now = time.time()
    for lock_path in sorted(directory.glob("*.lock")):
        key = lock_path.stem
        folder = directory / key
        if key in keep or (folder.exists() and now - folder.stat().st_mtime < grace_seconds):
            continue
        try:
            lock_fd = os.open(lock_path, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            continue  # mapped (or being built) somewhere on this machine
        try:
            leftovers = [directory / key, *directory.glob(f".{key}.*.tmp")]
            if any(path.exists() for path in leftovers):
                for path in leftovers:
                    shutil.rmtree(path, ignore_errors=True)
                removed.append(key)
                log.info("removed the unused index folder %s", key)
        finally:
            os.close(lock_fd)  # the lock file stays: another process may be about to lock it
    return removed
