"""The compiled part of `paravec.word_ranking`: standardise two score matrices, add them, keep the top k.

Ranking the vocabulary around many vectors is two matrix products (BLAS) and then, per row, two
standardisations over the vocabulary, a sum and a top-k selection. In numpy those are a dozen
passes over the score matrix plus ``argpartition``, which costs more than the products at a few
hundred rows (a store update's report ranks every new document and new word). Here the scores
are read three times (the means, the variances, the selection) without a temporary matrix, and
the k best of a row are kept by insertion as the row is read: most scores fall below the
current k-th and cost one comparison.

Means and variances are accumulated in float64 over float32 scores, as `word_scores` computes
them for one vector, so both paths agree beyond the model's float32 precision.

Examples
--------
>>> import numpy as np
>>> from paravec.word_ranking_kernel import top_of_sum
>>> cos = np.array([[0.1, 0.9, 0.5]], dtype=np.float32)
>>> index, value = top_of_sum(cos, None, np.ones(3, np.float32), None, np.array([-1]), 2)
>>> index.tolist()
[[1, 2]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["top_of_sum"]


# fmt: off
@njit(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def _top_rows(cos, out, inv_norm, prior, exclude, k, standardise, index, value):  # type: ignore[no-untyped-def]
    n, size = cos.shape
    for r in range(n):
        # Pass 1 and 2: mean and standard deviation of both score rows (float64, two passes: no
        # cancellation when the mean is large against the spread).
        s_cos = 0.0
        s_out = 0.0
        for j in range(size):
            s_cos += cos[r, j] * inv_norm[j]
            if standardise:
                s_out += out[r, j] + prior[j]
        m_cos = s_cos / size
        m_out = s_out / size
        a_cos = 1.0
        a_out = 0.0
        if standardise:
            v_cos = 0.0
            v_out = 0.0
            for j in range(size):
                d = cos[r, j] * inv_norm[j] - m_cos
                v_cos += d * d
                e = out[r, j] + prior[j] - m_out
                v_out += e * e
            a_cos = 1.0 / max(np.sqrt(v_cos / size), 1e-12)
            a_out = 1.0 / max(np.sqrt(v_out / size), 1e-12)
        else:
            m_cos = 0.0
        # Pass 3: the k best, kept sorted (best first) by insertion; a later equal score stays behind.
        filled = 0
        skip = exclude[r]
        for j in range(size):
            if j == skip:
                continue
            score = (cos[r, j] * inv_norm[j] - m_cos) * a_cos
            if standardise:
                score += (out[r, j] + prior[j] - m_out) * a_out
            if not np.isfinite(score):
                continue
            if filled == k and not score > value[r, k - 1]:
                continue
            at = filled if filled < k else k - 1
            while at > 0 and score > value[r, at - 1]:
                value[r, at] = value[r, at - 1]
                index[r, at] = index[r, at - 1]
                at -= 1
            value[r, at] = score
            index[r, at] = j
            if filled < k:
                filled += 1
        for i in range(filled, k):
            index[r, i] = -1
# fmt: on


def top_of_sum(
    cos: npt.NDArray[np.float32],
    out: npt.NDArray[np.float32] | None,
    inv_norm: npt.NDArray[np.float32],
    prior: npt.NDArray[np.float32] | None,
    exclude: npt.NDArray[np.int64],
    k: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The ``k`` best columns of each row of ``z(cos * inv_norm) + z(out + prior)``, best first.

    Parameters
    ----------
    cos : array of shape (n, V), float32
        Products of unit query rows with the (not normalised) word vectors.
    out : array of shape (n, V), float32, or None
        Output-layer scores; None ranks by cosine alone (not standardised).
    inv_norm : array of shape (V,), float32
        One over each word vector's norm (0 for a zero or non-finite one).
    prior : array of shape (V,), float32, or None
        Added to ``out`` before standardising (required with ``out``).
    exclude : array of shape (n,), int64
        A column to leave out per row, -1 for none (still counted in the mean and spread).
    k : int
        How many to keep; rows with fewer finite scores end in index -1.

    Returns
    -------
    (index, value) : arrays of shape (n, k), int64 and float64
    """
    n = cos.shape[0]
    k = max(0, min(k, cos.shape[1]))
    index = np.full((n, k), -1, dtype=np.int64)
    value = np.full((n, k), -np.inf, dtype=np.float64)
    if n and k:
        standardise = out is not None
        empty: Any = np.zeros((1, 1), dtype=np.float32)
        _top_rows(
            np.ascontiguousarray(cos, dtype=np.float32),
            np.ascontiguousarray(out, dtype=np.float32) if standardise else empty,
            np.ascontiguousarray(inv_norm, dtype=np.float32),
            np.ascontiguousarray(prior, dtype=np.float32) if standardise else inv_norm,
            np.ascontiguousarray(exclude, dtype=np.int64),
            k,
            standardise,
            index,
            value,
        )
    return index, value
