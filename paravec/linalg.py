"""Vector arithmetic shared by evaluation and search: rows scaled to unit length.

Cosine similarity is a dot product of unit rows. A row whose length is zero or not finite (a
vector that was never trained, or one broken by overflow) has no direction: it becomes a zero row,
so it scores 0 against everything instead of spreading NaN through a ranking.

Examples
--------
>>> from typing import Any

import numpy as np
>>> from paravec.linalg import unit_rows
>>> unit_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
[[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["unit_rows"]


def unit_rows(vectors: npt.ArrayLike, dtype: npt.DTypeLike = np.float32) -> npt.NDArray[Any]:
    """Return ``vectors`` (one vector or a matrix of rows) as a new matrix of unit rows.

    ``dtype`` is float32 (the models' own precision) unless a caller needs float64, as TF-IDF
    weights summed over long documents do.
    """
    rows = np.array(vectors, dtype=dtype, copy=True, ndmin=2)
    with np.errstate(invalid="ignore", over="ignore"):
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
    good = np.isfinite(norms) & (norms > 0)
    np.divide(rows, norms, out=rows, where=good)
    rows[~good[:, 0]] = 0.0
    return rows
