"""Threads for batched inference: a batch cut into shares of about equal work, run in parallel.

`paravec.infer`'s compiled loops release the GIL, so a batch is inferred by several threads at
once (the batch is cut into contiguous ranges of documents and each thread takes ranges until
none is left; results do not depend on the cut). Two costs matter for short documents, where a
document takes tens of microseconds: a thread's first call into numba's compiled code costs
hundreds of microseconds (once per thread), and each range costs a dispatch. So helper threads
are kept between calls (idle, blocked, until the next call that asks for them), the calling
thread takes ranges too (a call with ``workers=n`` runs on at most ``n`` threads, the caller
included), and a batch too small to repay a handoff is not cut at all. How much it gains:
``benchmarks/README.md``.

Examples
--------
>>> import numpy as np
>>> from paravec.inference_threads import run_shares, shares
>>> starts = np.arange(0, 3001, 300)  # ten documents of 300 words each
>>> shares(starts, workers=2, epochs=20)
[(0, 1), (1, 2), (2, 3), (3, 5), (5, 6), (6, 7), (7, 8), (8, 10)]
>>> shares(np.array([0, 5, 12]), workers=2, epochs=20)  # two short ones: not worth a second thread
[(0, 2)]
>>> done = []
>>> run_shares(shares(starts, workers=2, epochs=20), lambda lo, hi: done.append(hi - lo), workers=2)
>>> sum(done)
10
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

__all__ = ["run_shares", "shares"]

# Ranges per thread and call: a few per thread even out documents of unequal length and threads
# slowed by other work on the machine.
_SHARES_PER_WORKER = 4

# The least work (word-epochs: a document's words, plus one for its start vector, times epochs)
# worth a range of its own: about 0.5 ms at 300 dimensions, 0.2 ms at 100, against tens of
# microseconds to hand a range to another thread.
_MIN_SHARE = 2_000

_POOL_LOCK = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def shares(doc_starts: npt.NDArray[np.int64], workers: int, epochs: int) -> list[tuple[int, int]]:
    """Contiguous ranges ``(lo, hi)`` of documents with about equal numbers of words.

    At most ``4 * workers`` ranges, each with at least ``_MIN_SHARE`` word-epochs of work (one
    range when the whole batch has less); none for an empty batch.
    """
    n_docs = len(doc_starts) - 1
    if n_docs <= 1 or workers == 1:
        return [(0, n_docs)] if n_docs > 0 else []
    cost = np.cumsum(np.diff(doc_starts) + 1)
    n_shares = min(n_docs, workers * _SHARES_PER_WORKER, int(cost[-1]) * epochs // _MIN_SHARE)
    if n_shares <= 1:
        return [(0, n_docs)]
    bounds = np.searchsorted(cost, np.linspace(0, cost[-1], n_shares + 1)[1:-1], side="right")
    edges = [0, *sorted({int(b) for b in bounds} - {0, n_docs}), n_docs]
    return list(itertools.pairwise(edges))


def run_shares(ranges: list[tuple[int, int]], run: Callable[[int, int], None], workers: int) -> None:
    """Call ``run(lo, hi)`` for every range, on the calling thread and up to ``workers - 1`` helpers.

    Each thread takes the next range until none is left. Helpers that have not started when the
    caller runs out of ranges are called off, so a call never waits on another call's work.

    Raises
    ------
    BaseException
        The first exception a range raised (the thread that raised it takes no more ranges).
    """
    pending = iter(ranges)  # shared: next() on a list iterator is atomic under the GIL
    failed: list[BaseException] = []

    def work() -> None:
        try:
            for lo, hi in pending:
                run(lo, hi)
        except BaseException as err:  # re-raised in the calling thread
            failed.append(err)

    n_helpers = min(workers, len(ranges)) - 1
    jobs = [_helpers(n_helpers).submit(work) for _ in range(n_helpers)] if n_helpers > 0 else []
    work()
    for job in jobs:
        if not job.cancel():
            job.result()
    if failed:
        raise failed[0]


def _helpers(n: int) -> ThreadPoolExecutor:
    # One pool for all calls, grown to the most helpers a call has asked for; its threads start
    # when first needed and then wait for work.
    global _pool, _pool_size
    with _POOL_LOCK:
        if _pool is None or _pool_size < n:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool, _pool_size = ThreadPoolExecutor(max_workers=n, thread_name_prefix="paravec-infer"), n
        return _pool


def _forget_pool() -> None:
    # A forked child has the pool's objects but not its threads.
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
