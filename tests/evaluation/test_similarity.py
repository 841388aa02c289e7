"""Tests of paravec.evaluation.similarity: the block-wise cosine scan against a brute-force answer."""

from __future__ import annotations

import numpy as np

from paravec.evaluation.similarity import broken_rows, cosine_scan, row_cosines


def _brute(matrix: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    m = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    return np.argsort(-(q @ m.T), axis=1, kind="stable")[:, :k]


def test_scan_in_blocks_finds_the_brute_force_neighbours(base) -> None:
    matrix = base.wv.vectors
    queries = matrix[[5, 50, 500]]
    _, top, sims = cosine_scan(matrix, queries, k=10, chunk=257)
    assert np.array_equal(top, _brute(matrix, queries, 10))
    assert np.all(np.diff(sims, axis=1) <= 0)
    assert top[:, 0].tolist() == [5, 50, 500]  # each row is nearest to itself


def test_ranks_count_strictly_closer_rows(base) -> None:
    matrix = base.dv.vectors
    queries = matrix[[0, 1]]
    ranks, _, _ = cosine_scan(matrix, queries, targets=np.array([0, 2]))
    order = _brute(matrix, queries[1:], len(matrix))[0]
    assert ranks is not None and ranks[0] == 0
    assert ranks[1] == int(np.flatnonzero(order == 2)[0])


def test_rows_and_exclude_address_candidate_positions(base) -> None:
    rows = np.array([7, 3, 9, 1], dtype=np.int64)
    _, top, _ = cosine_scan(base.wv.vectors, base.wv.vectors[[3]], k=2, rows=rows, exclude=np.array([1]))
    assert 1 not in top[0] and set(top[0]) <= {0, 2, 3}


def test_broken_rows_are_never_neighbours_and_broken_targets_rank_last() -> None:
    matrix = np.array([[1.0, 0.0], [np.nan, 0.0], [0.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert broken_rows(matrix).tolist() == [False, True, True, False]
    ranks, top, _ = cosine_scan(matrix, np.array([[1.0, 0.2]]), k=4, targets=np.array([1]))
    assert ranks is not None and ranks[0] == len(matrix)
    assert top[0][-1] == 1  # the NaN row scores -inf, below the zero row's 0


def test_row_cosines_of_a_vector_without_direction_are_zero() -> None:
    a = np.array([[1.0, 0.0], [0.0, 0.0], [np.inf, 1.0]])
    assert row_cosines(a, np.array([[2.0, 0.0], [1.0, 1.0], [1.0, 1.0]])).tolist() == [1.0, 0.0, 0.0]
