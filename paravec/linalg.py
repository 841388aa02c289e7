"""Vector arithmetic shared by evaluation and search: rows scaled to unit length.

Cosine similarity is a dot product of unit rows. A row whose length is zero or not finite (a
vector that was never trained, or one broken by overflow) has no direction: it becomes a zero row,
so it scores 0 against everything instead of spreading NaN through a ranking.

Examples
--------
>>> import numpy as np
>>> from paravec.linalg import unit_rows
>>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
[[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["limited_blas", "unit_rows"]

_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter: Any = None
_blas_controller: Any = None


def unit_rows(vectors: npt.ArrayLike, dtype: npt.DTypeLike = np.float32) -> npt.NDArray[Any]:
    """Return ``vectors`` (one vector or a matrix of rows) as a new matrix of unit rows.

    ``dtype`` is float32 (the models' own precision) unless a caller needs float64, as TF-IDF
    weights summed over long documents do.
    """
    rows = np.array(vectors, dtype=dtype, copy=True, ndmin=2)
    with np.errstate(invalid="ignore", over="ignore"):
        # np.linalg.norm's own arithmetic for real rows, without its checks (queries call this often)
        norms = np.sqrt(np.add.reduce(rows * rows, axis=1, keepdims=True))
    good = np.isfinite(norms) & (norms > 0)
    if good.all():
        rows /= norms
        return rows
    np.divide(rows, norms, out=rows, where=good)
    rows[~good[:, 0]] = 0.0
    return rows


@contextmanager
def limited_blas(threads: int | None = 1) -> Iterator[None]:
    """Run the block with BLAS (numpy's matrix products) on at most ``threads`` threads.

    Many small products (search ranks with them) gain nothing from a BLAS thread pool, and on a
    busy machine its threads wait for cores and spin: with OpenBLAS's default pool a
    document-mode query took seconds instead of milliseconds. The limit is process-wide
    (threadpoolctl), so it is set when the first of concurrent blocks enters and lifted when the
    last one leaves. ``threads=None`` leaves BLAS as it is.
    """
    global _blas_users, _blas_limiter
    if threads is None:
        yield
        return
    with _blas_lock:
        if _blas_users == 0:
            pools = _blas_pools()
            _blas_limiter = [(pool, pool.get_num_threads()) for pool in pools]
            for pool in pools:
                pool.set_num_threads(threads)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                for pool, original in _blas_limiter or ():
                    pool.set_num_threads(original)
                _blas_limiter = None


def _blas_pools() -> list[Any]:
    global _blas_controller
    if _blas_controller is None:
        # Finding the loaded BLAS libraries takes a millisecond or two: once per process.
        from threadpoolctl import ThreadpoolController

        _blas_controller = ThreadpoolController().select(user_api="blas")
    return list(_blas_controller.lib_controllers)
