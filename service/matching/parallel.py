"""Normalising a large index's names in other processes while this one reads and gathers.

Building the index of a million names spends about a third of its time normalising them, one
name at a time, on one core. `keyed_in_parallel` sends the names in batches to a pool of
processes, which give back each name's keys (`index.name_keys`: plain strings and flags,
cheap to send), while this process goes on reading names and adding the keys that came back.

The pool's processes are started fresh ("spawn"), not forked: a build may run in a threaded
server worker, and a forked child could inherit a lock another thread held. Where no pool
can be started, or it breaks (a process killed for memory), the names are normalised here:
slower, never lost.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from service.matching.index import IndexedName, NameKeys, names_keys

log = logging.getLogger(__name__)

# Names per batch: large enough that sending a batch costs little beside normalising it.
BATCH_NAMES = 5_000
# Batches waiting per process: enough to keep each busy, few enough to bound memory.
BATCHES_AHEAD = 3

_Pending = tuple[list[IndexedName], "Future[list[NameKeys | None]] | None"]


def keyed_in_parallel(names: Iterable[IndexedName], workers: int
                      ) -> Iterator[tuple[IndexedName, NameKeys | None]]:
    """Gives each name with its keys, in the order of `names`, normalised by `workers`
    processes (or here, when they cannot be had)."""
    iterator = iter(names)
    try:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, ImportError) as error:  # no process pool on this system
        log.warning("index build on one core: no process pool (%s)", error)
        pool = None
    pending: deque[_Pending] = deque()
    try:
        while batch := list(islice(iterator, BATCH_NAMES)):
            pending.append((batch, _submitted(pool, batch)))
            if len(pending) > BATCHES_AHEAD * workers:
                yield from _received(pending.popleft())
        while pending:
            yield from _received(pending.popleft())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _submitted(pool: ProcessPoolExecutor | None, batch: list[IndexedName]
               ) -> Future[list[NameKeys | None]] | None:
    if pool is None:
        return None
    try:
        return pool.submit(names_keys, [(name.name, name.kind) for name in batch])
    except BrokenProcessPool:
        return None


def _received(pending: _Pending) -> Iterator[tuple[IndexedName, NameKeys | None]]:
    batch, keys = pending
    try:
        found = keys.result() if keys is not None else None
    except BrokenProcessPool as error:
        log.warning("index build: a normalising process failed (%s); going on here", error)
        found = None
    if found is None:
        found = names_keys([(name.name, name.kind) for name in batch])
    return zip(batch, found, strict=True)
