"""Pseudo-relevance feedback through document vectors: the query's vector moved towards its top hits.

Rocchio's relevance feedback (Rocchio, "Relevance Feedback in Information Retrieval", in *The SMART
Retrieval System*, 1971) adds the centroid of documents judged relevant to the query vector; with
pseudo-relevance feedback the top hits of a first ranking are taken as relevant. Here the first
ranking is BM25 and the vectors are the index's Doc2Vec document vectors, which the model trained
on each document's full text: a short query's inferred vector knows a few words, the top keyword
hits' vectors know their documents. The vector side of hybrid search then ranks by the cosine with

    unit(query vector) + weight x unit(mean of the top hits' unit vectors)

and is fused with BM25 as before; a query none of whose words the model knows gets a vector from
its hits alone. ``benchmarks/keyword_gain.py`` measures it against BM25, the plain hybrid and a
BM25 + all-MiniLM-L6-v2 mix, and chose the constants below (``benchmarks/README.md``, "what the
joint space adds to keyword search": with a whole document as the query, and second-order
similarity, it helped on news and Usenet posts and was level on technical docstrings, so document
mode feeds back the top 10 hits by default; in hybrid search it helped on news, not on
docstrings, so hybrid and vector search use it only when asked).

Examples
--------
>>> import numpy as np
>>> from paravec.search.feedback import rocchio_vector
>>> query = np.array([1.0, 0.0, 0.0])
>>> hits = np.array([[0.0, 1.0, 0.0], [0.0, 0.6, 0.8]])
>>> rocchio_vector(query, hits, 1.0).round(3).tolist()
[0.707, 0.632, 0.316]
>>> rocchio_vector(query, hits[:0], 1.0).tolist()  # no hits: the query's own direction
[1.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.linalg import unit_rows

__all__ = ["FEEDBACK_DOCUMENTS", "FEEDBACK_WEIGHT", "rocchio_vector"]

FEEDBACK_DOCUMENTS = 10
"""Top keyword hits to feed back: document mode's default (hybrid and vector search: 0, off)."""

FEEDBACK_WEIGHT = 2.0
"""Weight of the hits' mean direction against the query's own (both unit length)."""


def rocchio_vector(
    query: npt.ArrayLike, hits: npt.ArrayLike, weight: float = FEEDBACK_WEIGHT
) -> npt.NDArray[np.float64]:
    """The unit query vector plus ``weight`` x the unit mean of ``hits``' unit vectors, unit length.

    Parameters
    ----------
    query : array of shape (d,)
        The query's vector (any length; all zeros when no query word is known).
    hits : array of shape (m, d)
        Vectors of the top hits of the first ranking (m may be 0).
    weight : float, default `FEEDBACK_WEIGHT`
        >= 0.

    Returns
    -------
    numpy.ndarray of shape (d,)
        Unit length (all zeros when both are zero).
    """
    q = np.asarray(query, dtype=np.float64)
    h: npt.NDArray[Any] = np.asarray(hits, dtype=np.float64).reshape(-1, q.shape[0])
    moved = _unit(q)
    if len(h):
        moved = moved + weight * _unit(unit_rows(h, dtype=np.float64).mean(axis=0))
    return _unit(moved)


def _unit(vector: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # `unit_rows`' arithmetic for one vector, without its matrix's checks (every document query
    # calls this): all zeros when it has no direction.
    norm = float(np.sqrt(np.add.reduce(vector * vector)))
    return vector / norm if 0 < norm < math.inf else np.zeros_like(vector)
