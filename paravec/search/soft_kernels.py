"""Compiled scoring of document mode: the soft cosine (Sidorov et al., 2014) and the top k.

`paravec.search.document_cache` scores a whole-document query against its few dozen candidates
on every query. Each step is small (a candidate has a hundred or so words), so run as numpy
calls from Python it cost more in the calls than in the arithmetic. Here it runs in one compiled
call per query, with the word cosines from BLAS (numba's ``np.dot``):

- `soft_norms`: ``sqrt(y·S·y)`` of many documents, each from its own ``c x c`` word cosines;
- `soft_best`: the TF-IDF, soft and Doc2Vec cosine of a query with its candidates, the soft
  cosine only for those that can still be among the ``k`` best (a soft cosine is at most 1:
  the bound-and-prune of top-k retrieval, Broder et al., CIKM 2003), and their scores.

The word similarity is the cosine squared at or above `paravec.search.similarity.SOFT_THRESHOLD`,
else 0; a word is itself (1) whether or not the model knows it. Cosines stay float32 (the models'
precision) and are squared in float32, as `paravec.search.similarity.soft_similarity` does; the
sums are float64 and run in the order of the reference's (``tests/search/test_document_cache.py``).

Examples
--------
Two documents over three words whose unit vectors are the rows of ``vectors``:

>>> import numpy as np
>>> from paravec.search.soft_kernels import soft_norms
>>> vectors = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]], dtype=np.float32)
>>> ids, weights = np.array([0, 1, 2]), np.array([0.6, 0.8, 1.0])
>>> starts = np.array([0, 2, 3])  # document 0 is words 0 and 1, document 1 is word 2
>>> [round(float(x), 4) for x in soft_norms(vectors, ids, weights, starts, np.float32(0.4))]
[1.2706, 1.0]

That is ``sqrt(0.36 + 0.64 + 2 x 0.6 x 0.8 x 0.8²)`` for the first: its words' cosine is 0.8.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["soft_best", "soft_norms"]

_F32 = npt.NDArray[np.float32]
_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_Bool = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def _soft_norm(vectors: _F32, ids: npt.NDArray[Any], weights: _F64, threshold: np.float32) -> float:
    # sqrt(max(y·S·y, 0)) of one document: its c words' cosines in one product, then the sums.
    c = len(ids)
    if c == 0:
        return 0.0
    v = np.empty((c, vectors.shape[1]), dtype=np.float32)
    for i in range(c):
        v[i] = vectors[ids[i]]
    block = np.dot(v, v.T)
    # The word similarities first, without a branch a pair (see `_soft_of`); a word is itself
    # (1). Adding 0 for a pair below the threshold leaves the sums as skipping it would.
    for i in range(c):
        for j in range(c):
            s = block[i, j]
            block[i, j] = s * s if s >= threshold else np.float32(0.0)
        block[i, i] = 1.0
    total = 0.0
    for i in range(c):
        row = 0.0
        for j in range(c):
            row += np.float64(block[i, j]) * weights[j]
        total += weights[i] * row
    return float(np.sqrt(max(total, 0.0)))


@njit(cache=True, nogil=True)
def soft_norms(
    vectors: _F32, ids: npt.NDArray[Any], weights: _F64, starts: _I64, threshold: np.float32
) -> _F64:
    """``sqrt(max(y·S·y, 0))`` of each document ``d``: its terms are ``ids[starts[d]:starts[d + 1]]``
    (rows of ``vectors``, unit length) with ``weights`` there."""
    n = len(starts) - 1
    out = np.zeros(n)
    for d in range(n):
        a, b = starts[d], starts[d + 1]
        out[d] = _soft_norm(vectors, ids[a:b], weights[a:b], threshold)
    return out


@njit(cache=True, nogil=True)
def _z(values: _F64, d: int, mean: _F64, sd: _F64) -> float:
    # `paravec.search.similarity.Calibration.z` of column d: the mean of the three z-scores.
    z0 = (values[0, d] - mean[0]) / sd[0]
    z1 = (values[1, d] - mean[1]) / sd[1]
    return float((z0 + z1 + (values[2, d] - mean[2]) / sd[2]) / 3.0)


@njit(cache=True, nogil=True)
def _soft_of(
    which: _I64,
    can_be_soft: _Bool,
    starts: _I64,
    ids: npt.NDArray[Any],
    weights: _F64,
    at: _I64,
    norms: _F64,
    computed: _Bool,
    vectors: _F32,
    union: _I64,
    q_vectors: _F32,
    q_weights: _F64,
    q_row: _I64,
    q_norm: float,
    weighted: _F64,
    done: _Bool,
    values: _F64,
    threshold: np.float32,
) -> None:
    # Fill in the soft cosine of the candidates `which` (those that can have one): their norms
    # where unknown, x·S for each of their columns not met before (one product), then the sums.
    new = np.zeros(len(union), dtype=np.bool_)
    count = 0
    for d in which:
        if not can_be_soft[d]:
            continue
        a, b = starts[d], starts[d + 1]
        if np.isnan(norms[d]):
            norms[d] = _soft_norm(vectors, ids[a:b], weights[a:b], threshold)
            computed[d] = True
        for e in range(a, b):
            col = at[e]
            if not done[col] and not new[col]:
                new[col] = True
                count += 1
    if count:
        columns = np.flatnonzero(new)
        v = np.empty((count, vectors.shape[1]), dtype=np.float32)
        for j in range(count):
            v[j] = vectors[union[columns[j]]]
        cross = np.dot(q_vectors, v.T)
        for j in range(count):
            i = q_row[columns[j]]
            if i >= 0:
                cross[i, j] = 1.0  # a word the model does not know is still itself
        sums = np.zeros(count)
        similar = np.empty(count, dtype=np.float32)
        for i in range(cross.shape[0]):
            x = q_weights[i]
            # Two passes without a branch, which the compiler vectorises (a branch per pair kept
            # the loop scalar). The row's similarities go to a buffer that stays in cache, not
            # back to `cross`.
            for j in range(count):
                c = cross[i, j]
                similar[j] = c * c if c >= threshold else np.float32(0.0)
            for j in range(count):
                sums[j] += x * np.float64(similar[j])
        for j in range(count):
            weighted[columns[j]] = sums[j]
            done[columns[j]] = True
    for d in which:
        if not can_be_soft[d]:
            continue
        dot = 0.0
        for e in range(starts[d], starts[d + 1]):
            dot += weights[e] * weighted[at[e]]
        values[1, d] = min(max(dot / (q_norm * norms[d]), 0.0), 1.0)


@njit(cache=True, nogil=True)
def soft_best(
    q_ids: npt.NDArray[Any],
    q_weights: _F64,
    q_norm: float,
    vectors: _F32,
    starts: _I64,
    ids: npt.NDArray[Any],
    weights: _F64,
    norms: _F64,
    doc2vec: _F64,
    mean: _F64,
    sd: _F64,
    k: int,
    threshold: np.float32,
) -> tuple[_I64, _F64, _F64, _Bool]:
    """The candidates among which a query's ``k`` best surely are, with their scores and measures.

    Parameters
    ----------
    q_ids, q_weights, q_norm
        The query's terms (rows of ``vectors``), unit TF-IDF weights and soft norm.
    vectors : float32 array (terms x dimensions)
        Each term's unit word vector (zeros for a word the model does not know).
    starts, ids, weights, norms
        The candidates: candidate ``d``'s terms are ``ids[starts[d]:starts[d + 1]]`` with
        ``weights`` there, its soft norm ``norms[d]`` (NaN: not computed yet; filled in here).
    doc2vec : float64 array
        Each candidate's Doc2Vec (vector-side) similarity with the query.
    mean, sd : float64 arrays of 3
        The calibration: a score is the mean of the three measures' z-scores.
    k : int
        How many best are wanted; ``k >= len(candidates)`` computes every soft cosine.
    threshold : float32
        `paravec.search.similarity.SOFT_THRESHOLD`.

    Returns
    -------
    kept : int64 array
        The candidates whose scores were computed: the ``2 k`` of highest bound (their score with
        a soft cosine of 1), then the others whose bound reaches the ``k``-th best of those.
    scores : float64 array
        Their scores, in that order.
    values : float64 array (3 x candidates)
        TF-IDF, soft and Doc2Vec cosine of each candidate (soft 0 where not computed).
    computed : bool array
        The candidates whose soft norm was computed here (to keep for later queries).
    """
    n = len(starts) - 1
    size = vectors.shape[0]
    # The union of the terms, in id order, and each term's column in it.
    mark = np.zeros(size, dtype=np.bool_)
    for e in range(len(ids)):
        mark[ids[e]] = True
    for e in range(len(q_ids)):
        mark[q_ids[e]] = True
    union = np.flatnonzero(mark)
    column = np.empty(size, dtype=np.int64)
    for j in range(len(union)):
        column[union[j]] = j
    at = np.empty(len(ids), dtype=np.int64)
    for e in range(len(ids)):
        at[e] = column[ids[e]]
    q_dense = np.zeros(len(union))
    q_row = np.full(len(union), -1, dtype=np.int64)
    q_vectors = np.empty((len(q_ids), vectors.shape[1]), dtype=np.float32)
    for i in range(len(q_ids)):
        q_dense[column[q_ids[i]]] = q_weights[i]
        q_row[column[q_ids[i]]] = i
        q_vectors[i] = vectors[q_ids[i]]
    values = np.zeros((3, n))
    can_be_soft = np.zeros(n, dtype=np.bool_)
    ceiling = np.zeros(n)
    for d in range(n):
        tfidf = 0.0
        for e in range(starts[d], starts[d + 1]):
            tfidf += weights[e] * q_dense[at[e]]
        values[0, d] = tfidf
        values[2, d] = doc2vec[d]
        # A row with a term has a soft norm of at least 1 (each word is itself), one without none.
        can_be_soft[d] = starts[d + 1] > starts[d] and len(q_ids) > 0 and q_norm != 0
        values[1, d] = 1.0 if can_be_soft[d] else 0.0
        ceiling[d] = _z(values, d, mean, sd)
        values[1, d] = 0.0
    order = np.argsort(-ceiling, kind="mergesort")
    weighted = np.zeros(len(union))  # x·S of each column, where done
    done = np.zeros(len(union), dtype=np.bool_)
    computed = np.zeros(n, dtype=np.bool_)
    kept = order[: 2 * k]
    batch = kept
    scores = np.empty(0)
    for step in range(2):
        if step == 1:
            # Then the rest whose bound reaches the k-th best so far: the others cannot be among
            # the k best.
            batch = order[2 * k :]
            if len(batch) and len(kept) >= k:
                kth = np.sort(scores)[len(scores) - k]
                batch = batch[ceiling[batch] >= kth]
            if not len(batch):
                break
            kept = np.concatenate((kept, batch))
        _soft_of(
            batch,
            can_be_soft,
            starts,
            ids,
            weights,
            at,
            norms,
            computed,
            vectors,
            union,
            q_vectors,
            q_weights,
            q_row,
            q_norm,
            weighted,
            done,
            values,
            threshold,
        )
        more = np.empty(len(batch))
        for i in range(len(batch)):
            more[i] = _z(values, batch[i], mean, sd)
        scores = np.concatenate((scores, more))
    return kept.astype(np.int64), scores, values, computed
