"""Second-order similarity of document vectors: how alike two texts' similarities to the collection are.

Two documents are alike at second order when they are alike to the same indexed documents
(second-order representations: Schütze, "Automatic Word Sense Discrimination", Computational
Linguistics 24(1), 1998). For unit vectors ``q`` and ``d`` and the indexed documents' unit vectors
``A`` (one row each), the Pearson correlation of the two cosine profiles ``A q`` and ``A d`` is

    q' S d / sqrt(q' S q * d' S d),    S = covariance of the rows of A,

a cosine in the metric ``S``. It weights each direction of the space by how much the indexed
documents vary along it: the directions that tell this collection's documents apart count, those
in which they all agree (the model's general directions, and the noise of a small model's many
dimensions) hardly do. ``S`` is measured once per index version on up to `MAX_SAMPLE` documents
spread over the index, and shrunk a little towards a multiple of the identity (`SHRINKAGE`), so an
index of few documents, whose ``S`` has low rank, still ranks in every direction.

Search uses it in place of the plain cosine on the vector side (`paravec.search.ranking`,
``similarity="second_order"``; the default in document mode). Measured in ``benchmarks/keyword_gain.py`` (``benchmarks/README.md``,
"What the joint space adds to keyword search").

Examples
--------
>>> import numpy as np
>>> from paravec.linalg import unit_rows
>>> from paravec.search.second_order import CollectionMetric
>>> docs = unit_rows(np.random.default_rng(0).normal(size=(50, 8)))
>>> metric = CollectionMetric.of_vectors(docs, shrinkage=0.0)
>>> q = docs[0]
>>> profiles = docs @ docs[[0, 1, 2]].T   # each column: one document's cosines with all 50
>>> centred = profiles - profiles.mean(axis=0)
>>> pearson = (centred[:, 0] @ centred[:, 1:]) / (
...     np.linalg.norm(centred[:, 0]) * np.linalg.norm(centred[:, 1:], axis=0))
>>> bool(np.allclose(metric.similarities(q, docs[[1, 2]]), pearson, atol=1e-5))
True
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.linalg import unit_rows
from paravec.search.backend import IndexView

__all__ = ["MAX_SAMPLE", "SHRINKAGE", "SIMILARITIES", "CollectionMetric", "MetricCache"]

SIMILARITIES = ("cosine", "second_order")
"""How search compares the query's vector with a document's (`paravec.search.ranking`)."""

MAX_SAMPLE = 10_000
"""Most document vectors the covariance is measured on (a 300-dimension covariance is settled well before)."""

SHRINKAGE = 0.1
"""Weight of the identity (times the covariance's mean eigenvalue) added to the covariance."""


@dataclass(frozen=True)
class CollectionMetric:
    """The square root ``R`` of a collection's covariance ``S`` (shrunk towards the identity).

    Second-order similarity is the cosine of ``R q`` and ``R d`` (``R R = S``). ``root`` is None
    for a collection of fewer than two documents (nothing varies): `transform` then only scales
    rows to unit length, and similarities are plain cosines.
    """

    root: npt.NDArray[np.float32] | None
    documents: int

    @classmethod
    def of_vectors(cls, vectors: npt.ArrayLike, shrinkage: float = SHRINKAGE) -> CollectionMetric:
        """The metric of the rows of ``vectors`` (made unit length first)."""
        rows = unit_rows(vectors, dtype=np.float64)
        if len(rows) < 2:
            return cls(None, len(rows))
        centred = rows - rows.mean(axis=0)
        cov = centred.T @ centred / len(rows)
        scale = float(np.trace(cov)) / cov.shape[0]
        if not scale > 0:
            return cls(None, len(rows))
        values, vectors_ = np.linalg.eigh(cov)
        values = np.clip(values, 0.0, None) + shrinkage * scale
        # float32, the vectors' own precision: a query maps its candidates with one product.
        return cls(((vectors_ * np.sqrt(values)) @ vectors_.T).astype(np.float32), len(rows))

    def transform(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Rows mapped so that their dot products are second-order similarities (unit length)."""
        rows = np.asarray(vectors, dtype=np.float32).reshape(-1, self._width(vectors))
        return unit_rows(rows if self.root is None else rows @ self.root)

    def similarities(self, query: npt.ArrayLike, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Second-order similarity (in [-1, 1]) of ``query`` with each row of ``vectors``."""
        # Each side made unit length first, as the collection's vectors were.
        q = self.transform(unit_rows(query))[0]
        result: npt.NDArray[np.float32] = self.transform(unit_rows(vectors)) @ q
        return result

    @staticmethod
    def _width(vectors: npt.ArrayLike) -> int:
        shape = np.shape(vectors)
        return int(shape[-1]) if shape else 1


class MetricCache:
    """The `CollectionMetric` of a view's document vectors, measured on first use and kept per view."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[IndexView, CollectionMetric] | None = None

    def get(self, view: IndexView) -> CollectionMetric:
        """The metric of ``view`` (a sync makes a new view, so a new metric)."""
        with self._lock:
            if self._cached is not None and self._cached[0] is view:
                return self._cached[1]
            metric = CollectionMetric.of_vectors(_sample(view))
            self._cached = (view, metric)
            return metric


def _sample(view: IndexView) -> npt.NDArray[Any]:
    tags = view.tags()
    if not tags:
        return np.zeros((0, 1), dtype=np.float32)
    picks = np.linspace(0, len(tags) - 1, min(len(tags), MAX_SAMPLE)).round().astype(int)
    slots = [view.slot(tags[i]) for i in sorted(set(picks.tolist()))]
    return view.unit_vectors([s for s in slots if s is not None])
