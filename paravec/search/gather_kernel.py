"""The compiled gather of `paravec.search.vectors.Segments`: rows of a matrix kept in segments.

A search view's document vectors live in memory-mapped segment files of equal height, so a
query's few hundred candidate rows come from many segments. In numpy that is one fancy index per
segment touched; here it is one pass over the rows, each copied from its segment.

Examples
--------
>>> import numpy as np
>>> from numba import typed
>>> from paravec.search.gather_kernel import gather_rows
>>> parts = typed.List([np.arange(4, dtype=np.float32).reshape(2, 2), np.full((2, 2), 9, np.float32)])
>>> gather_rows(parts, 2, np.array([3, 0]), np.empty((2, 2), np.float32)).tolist()
[[9.0, 9.0], [0.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["gather_rows"]


@njit(cache=True, nogil=True)
def gather_rows(
    parts: Any, height: int, rows: npt.NDArray[np.int64], out: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """``out[i] = row rows[i]`` of the matrix whose segments of ``height`` rows are ``parts``
    (rows already checked to be in range and not negative); returns ``out``."""
    for i in range(len(rows)):
        part = parts[rows[i] // height]
        out[i, :] = part[rows[i] % height]
    return out
