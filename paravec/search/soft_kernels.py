"""Compiled inner loops of the soft cosine (Sidorov et al., 2014) for document mode.

`paravec.search.document_cache` scores a query against a few hundred candidates per call. The
word cosines come from BLAS (one matrix product); what follows them, the word similarity
(cosine squared at or above `paravec.search.similarity.SOFT_THRESHOLD`, else 0) and its weighted
sums, runs here in one pass each, with no temporary matrices and no Python loop per candidate:

- `soft_weighted`: ``x·S`` for every column of a query-by-terms cosine matrix;
- `soft_norms`: ``sqrt(y·S·y)`` of many documents at once, from their word-cosine blocks.

Cosines stay float32 (the models' precision) and are squared in float32, as
`paravec.search.similarity.soft_similarity` does; the sums are float64, as the reference's are.

Examples
--------
>>> import numpy as np
>>> from paravec.search.soft_kernels import soft_norms, soft_weighted
>>> cosines = np.array([[1.0, 0.5, 0.2]], dtype=np.float32)
>>> soft_weighted(cosines, np.array([2.0]), np.float32(0.4)).tolist()  # 2 x (1, 0.25, 0)
[2.0, 0.5, 0.0]
>>> block = np.array([1.0, 0.5, 0.5, 1.0], dtype=np.float32)  # one document of two words
>>> round(float(soft_norms(block, np.array([0, 4]), np.array([0.6, 0.8]), np.array([0, 2]),
...                        np.float32(0.4))[0]), 4)  # sqrt(1 + 2 x 0.6 x 0.8 x 0.25)
1.1136
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["soft_norms", "soft_weighted"]


@njit(cache=True, nogil=True)
def soft_weighted(
    cosines: npt.NDArray[np.float32], weights: npt.NDArray[np.float64], threshold: np.float32
) -> npt.NDArray[np.float64]:
    """``sum_i weights[i] * s(cosines[i, j])`` for each column ``j``; ``s(c) = c * c`` if
    ``c >= threshold`` else 0 (so a cosine set to 1 counts 1)."""
    rows, columns = cosines.shape
    out = np.zeros(columns)
    for i in range(rows):
        x = weights[i]
        for j in range(columns):
            c = cosines[i, j]
            if c >= threshold:
                out[j] += x * np.float64(c * c)
    return out


@njit(cache=True, nogil=True)
def soft_norms(
    blocks: npt.NDArray[np.float32],
    block_starts: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    starts: npt.NDArray[np.int64],
    threshold: np.float32,
) -> npt.NDArray[np.float64]:
    """``sqrt(max(y·S·y, 0))`` of each document ``d``: its weights are
    ``weights[starts[d]:starts[d + 1]]`` (``c`` of them) and its words' cosines the ``c x c``
    block at ``blocks[block_starts[d]:]``, row-major. A word is itself (``S = 1``) on the diagonal."""
    n = len(starts) - 1
    out = np.zeros(n)
    for d in range(n):
        first = starts[d]
        c = starts[d + 1] - first
        at = block_starts[d]
        total = 0.0
        for i in range(c):
            row = 0.0
            for j in range(c):
                if i == j:
                    row += weights[first + j]
                else:
                    s = blocks[at + i * c + j]
                    if s >= threshold:
                        row += np.float64(s * s) * weights[first + j]
            total += weights[first + i] * row
        out[d] = np.sqrt(max(total, 0.0))
    return out
