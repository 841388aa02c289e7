"""Tests of paravec.evaluation.inference: re-inference is reproducible and leaves the model as it was."""

from __future__ import annotations

import numpy as np

from paravec.evaluation.inference import MAX_DOC_WORDS, infer_vectors, sample_indices
from paravec.inference import infer


def test_inference_is_seeded_per_document_and_restores_the_model(base, batch) -> None:
    state = base.random.get_state()[1].copy()
    a = infer_vectors(base, batch[:4], seed=1)
    b = infer_vectors(base, batch[:4], seed=1)
    c = infer_vectors(base, batch[:4], seed=2)
    assert a.dtype == np.float32 and a.shape == (4, base.vector_size)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # the seed is per position: document 0 alone gets the same vector as in the batch
    assert np.array_equal(infer_vectors(base, batch[:1], seed=1)[0], a[0])
    assert np.array_equal(base.random.get_state()[1], state)


def test_vectors_are_paravec_infer_of_the_positions(base, batch) -> None:
    # One inference path for reports, queries and indexing; its arithmetic (gensim's, and the cut
    # after MAX_DOC_WORDS kept words) is tested in tests/test_inference.py.
    assert MAX_DOC_WORDS == 10_000
    assert np.array_equal(
        infer_vectors(base, batch[:6], seed=5, epochs=3), infer(base, batch[:6], seed=5, epochs=3)
    )


def test_samples_are_seeded_sorted_and_whole_when_small() -> None:
    assert sample_indices(5, 10, seed=0).tolist() == [0, 1, 2, 3, 4]
    s = sample_indices(1000, 20, seed=3)
    assert len(set(s.tolist())) == 20 and s.tolist() == sorted(s.tolist())
    assert np.array_equal(s, sample_indices(1000, 20, seed=3))
