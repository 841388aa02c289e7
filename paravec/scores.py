"""Cosine scores put in context: how a similarity compares with those of random pairs.

A raw cosine means little on its own: in a model trained on a small corpus with many dimensions,
every pair of documents can score between 0.98 and 0.999 (benchmarks/README.md, "Small corpus"),
so 0.99 is no evidence of anything. The same cosine read against the cosines of random pairs of
the same vectors says how unusual it is, whatever the model: the share of random pairs that score
lower (an empirical percentile, as one calibrates any score against its null distribution).

Examples
--------
>>> import numpy as np
>>> from gensim.models import KeyedVectors
>>> from paravec.scores import RandomPairs
>>> kv = KeyedVectors(4)
>>> kv.add_vectors([f"d{i}" for i in range(50)], np.random.default_rng(0).normal(size=(50, 4)))
>>> pairs = RandomPairs.of(kv, seed=0)
>>> pairs.percentile(1.0), pairs.percentile(-1.0)
(1.0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.linalg import unit_rows
from paravec.params import Integer, validate

__all__ = ["RandomPairs"]


@dataclass(frozen=True)
class RandomPairs:
    """The sorted cosines of random pairs of distinct rows of one set of vectors.

    Attributes
    ----------
    cosines : ndarray
        Sorted ascending.
    """

    cosines: npt.NDArray[np.float64]

    @classmethod
    @validate(pairs=Integer(min=1), seed=Integer())
    def of(cls, kv: Any, pairs: int = 20_000, seed: int = 0) -> RandomPairs:
        """Draw ``pairs`` random pairs of distinct rows of ``kv`` (gensim ``KeyedVectors``).

        Parameters
        ----------
        kv : gensim KeyedVectors
            ``model.dv`` or ``model.wv``; needs at least two rows.
        pairs : int, default 20000
        seed : int, default 0

        Returns
        -------
        RandomPairs
            Empty (every percentile ``nan``) when ``kv`` has fewer than two rows.
        """
        n = len(kv)
        if n < 2:
            return cls(np.empty(0))
        rng = np.random.default_rng(seed)
        a = rng.integers(0, n, size=pairs)
        b = (a + rng.integers(1, n, size=pairs)) % n  # never the row itself
        vectors = kv.vectors
        sims = np.einsum("ij,ij->i", unit_rows(vectors[a]), unit_rows(vectors[b]), dtype=np.float64)
        return cls(np.sort(sims))

    @property
    def mean(self) -> float:
        """Mean cosine of the random pairs."""
        return float(self.cosines.mean()) if self.cosines.size else float("nan")

    def quantile(self, q: float) -> float:
        """The cosine below which a share ``q`` of random pairs lies."""
        return float(np.quantile(self.cosines, q)) if self.cosines.size else float("nan")

    def percentile(self, cosine: float) -> float:
        """Share of random pairs whose cosine is below ``cosine`` (0 to 1)."""
        if not self.cosines.size:
            return float("nan")
        return float(np.searchsorted(self.cosines, cosine, side="left") / self.cosines.size)
