"""paravec.linalg: unit rows for cosine similarity."""

from __future__ import annotations

import numpy as np

from paravec.linalg import unit_rows


def test_unit_rows_scale_and_copy():
    data = np.array([[3.0, 4.0], [1.0, 0.0]], dtype=np.float64)
    rows = unit_rows(data)
    assert rows.dtype == np.float32
    np.testing.assert_allclose(rows, [[0.6, 0.8], [1.0, 0.0]], rtol=1e-6)
    assert data[0, 0] == 3.0  # the input is not modified


def test_zero_and_non_finite_rows_have_no_direction():
    rows = unit_rows(np.array([[0.0, 0.0], [np.nan, 1.0], [np.inf, 1.0], [1e30, 1e30]]))
    assert rows[:3].tolist() == [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    # float32 overflow of the norm makes the row directionless too, instead of NaN.
    assert np.all(np.isfinite(rows))


def test_one_vector_becomes_one_row():
    assert unit_rows([0.0, 2.0]).tolist() == [[0.0, 1.0]]
