"""Normalising a large index's names in other processes while this one reads and gathers.

Building the index of a million names spends about a third of its time normalising them, one
name at a time, on one core. `keyed_in_parallel` sends the names in batches to a pool of
processes, which give back each name's keys (`index.name_keys`: plain strings and flags,
cheap to send), while this process goes on reading names and adding the keys that came back.

The pool's processes are started fresh ("spawn"), not forked: a build may run in a threaded
server worker, and a forked child could inherit a lock another thread held.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from service.matching.index import IndexedName, NameKeys, names_keys

# Names per batch: large enough that sending a batch costs little beside normalising it.
BATCH_NAMES = 5_000
# Batches waiting per process: enough to keep each busy, few enough to bound memory.
BATCHES_AHEAD = 3

_Pending = tuple[list[IndexedName], "Future[list[NameKeys | None]]"]


def keyed_in_parallel(names: Iterable[IndexedName], workers: int
                      ) -> Iterator[tuple[IndexedName, NameKeys | None]]:
    """Gives each name with its keys, in the order of `names`, normalised by `workers`
    processes."""
    iterator = iter(names)
    pending: deque[_Pending] = deque()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        while batch := list(islice(iterator, BATCH_NAMES)):
            pending.append((batch, pool.submit(names_keys,
                                               [(name.name, name.kind) for name in batch])))
            if len(pending) > BATCHES_AHEAD * workers:
                yield from _received(pending.popleft())
        while pending:
            yield from _received(pending.popleft())


def _received(pending: _Pending) -> Iterator[tuple[IndexedName, NameKeys | None]]:
    batch, keys = pending
    return zip(batch, keys.result(), strict=True)
