"""Cosine scans over large vector matrices: ranks of a known answer, and nearest neighbours.

Every section of `paravec.evaluate` asks one of two questions of a matrix of vectors
(``model.dv.vectors`` or ``model.wv.vectors``, possibly memory-mapped and millions of rows long):
how many rows are closer to a query than its expected answer (the rank of a document's own vector,
as in gensim's re-inference sanity check after Le & Mikolov 2014), and which ``k`` rows are nearest.
`cosine_scan` answers both in one pass, block by block, so a large matrix is never copied
whole. A row that is not finite (a vector broken by overflow) is never anyone's neighbour.

Examples
--------
>>> import numpy as np
>>> from paravec.evaluation.similarity import cosine_scan
>>> matrix = np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]])
>>> ranks, nearest, _ = cosine_scan(matrix, np.array([[1.0, 0.1]]), k=2, targets=np.array([2]))
>>> ranks.tolist(), nearest.tolist()
([1], [[0, 2]])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.linalg import unit_rows

__all__ = ["broken_rows", "cosine_scan", "row_cosines"]

# A candidate ties with the target unless it is closer by more than float32 rounding.
_TIE = 1e-6


def broken_rows(vectors: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """Which rows of ``vectors`` are not usable: a non-finite value, or all zeros."""
    rows = np.asarray(vectors, dtype=np.float32)
    if rows.ndim != 2 or len(rows) == 0:
        return np.zeros(len(rows), dtype=bool)
    broken: npt.NDArray[np.bool_] = ~np.isfinite(rows).all(axis=1) | ~np.any(rows != 0, axis=1)
    return broken


def row_cosines(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Cosine of each row of ``a`` with the same row of ``b`` (0 where either has no direction)."""
    cosines: npt.NDArray[np.float32] = np.sum(unit_rows(a) * unit_rows(b), axis=1)
    return cosines


def cosine_scan(
    matrix: Any,
    queries: npt.ArrayLike,
    *,
    k: int = 0,
    targets: npt.ArrayLike | None = None,
    rows: npt.NDArray[np.int64] | None = None,
    exclude: npt.NDArray[np.int64] | None = None,
    chunk: int = 65536,
) -> tuple[npt.NDArray[np.int64] | None, npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Cosine scan of ``queries`` over (``rows`` of) ``matrix``, block by block.

    Parameters
    ----------
    matrix : array-like of shape (n, d)
        The candidates (a NumPy array or a memory map).
    queries : array-like of shape (q, d)
    k : int, default 0
        How many nearest candidates to return per query (0: none).
    targets : array-like of int, optional
        Per query, the row of ``matrix`` that is its expected answer, for ``ranks``.
    rows : array of int, optional
        Scan only these rows of ``matrix``, in this order; positions returned are into ``rows``.
    exclude : array of int, optional
        Per query, a candidate position (or -1) never returned for that query (the query itself).
    chunk : int, default 65536
        Rows per block.

    Returns
    -------
    ranks : array of int or None
        Per query, how many candidates are strictly closer than its target (0 = the target is
        nearest); a target that is broken (see `broken_rows`) ranks last. ``None`` without
        ``targets``.
    top_pos, top_sim : arrays of shape (q, k)
        The ``k`` nearest candidates as positions in the candidate list, nearest first.
    """
    q = unit_rows(queries)
    nq = len(q)
    n = len(rows) if rows is not None else len(matrix)
    ranks: npt.NDArray[np.int64] | None = None
    if targets is not None:
        target_vectors = np.asarray(matrix[np.asarray(targets)], dtype=np.float32)
        target_sim = np.sum(q * unit_rows(target_vectors), axis=1)
        bad_target = broken_rows(target_vectors)
        ranks = np.zeros(nq, dtype=np.int64)
    top_pos = np.zeros((nq, 0), dtype=np.int64)
    top_sim = np.zeros((nq, 0), dtype=np.float32)
    for start in range(0, n, chunk):
        end = min(n, start + chunk)
        block = np.asarray(
            matrix[rows[start:end]] if rows is not None else matrix[start:end], dtype=np.float32
        )
        sims = q @ unit_rows(block).T
        sims[:, ~np.isfinite(block).all(axis=1)] = -np.inf
        if exclude is not None:
            excluded = np.asarray(exclude)
            hit = (excluded >= start) & (excluded < end)
            sims[np.flatnonzero(hit), excluded[hit] - start] = -np.inf
        if ranks is not None:
            ranks += np.sum(sims > target_sim[:, None] + _TIE, axis=1)
        if k:
            top_pos, top_sim = _merge_top(top_pos, top_sim, sims, start, k)
    if k:
        order = np.argsort(-top_sim, axis=1, kind="stable")
        top_pos = np.take_along_axis(top_pos, order, axis=1)
        top_sim = np.take_along_axis(top_sim, order, axis=1)
    if ranks is not None:
        ranks[bad_target] = n
    return ranks, top_pos, top_sim


def _merge_top(
    top_pos: npt.NDArray[np.int64],
    top_sim: npt.NDArray[np.float32],
    sims: npt.NDArray[np.float32],
    start: int,
    k: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Fold one block's similarities into the running top ``k`` (positions offset by ``start``)."""
    nq, width = sims.shape
    kk = min(k, width)
    if kk < width:
        part = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
    else:
        part = np.tile(np.arange(width), (nq, 1))
    top_pos = np.concatenate([top_pos, part + start], axis=1)
    top_sim = np.concatenate([top_sim, np.take_along_axis(sims, part, axis=1)], axis=1)
    if top_pos.shape[1] > k:
        keep = np.argsort(-top_sim, axis=1, kind="stable")[:, :k]
        top_pos = np.take_along_axis(top_pos, keep, axis=1)
        top_sim = np.take_along_axis(top_sim, keep, axis=1)
    return top_pos, top_sim
