"""paravec.scores: cosines read against the cosines of random pairs, on real trained vectors."""

from __future__ import annotations

import numpy as np
from gensim.models import KeyedVectors

import paravec
from paravec.scores import RandomPairs


def test_random_pairs_match_the_full_cosine_distribution(lee_background):
    model = paravec.train(lee_background[:120], vector_size=24, epochs=5, seed=1, workers=1)
    pairs = RandomPairs.of(model.dv, pairs=50_000, seed=2)
    unit = model.dv.vectors / np.linalg.norm(model.dv.vectors, axis=1, keepdims=True)
    all_pairs = (unit @ unit.T)[np.triu_indices(len(unit), 1)]
    assert abs(pairs.mean - all_pairs.mean()) < 0.01
    for q in (0.05, 0.5, 0.95):
        assert abs(pairs.quantile(q) - np.quantile(all_pairs, q)) < 0.02
    # no pair is a row with itself (that would add cosines of exactly 1)
    assert pairs.percentile(0.9999) == 1.0 or np.max(all_pairs) > 0.9999
    assert (
        pairs.percentile(pairs.quantile(0.5)) == np.searchsorted(pairs.cosines, pairs.quantile(0.5)) / 50_000
    )


def test_too_few_rows_give_nan():
    kv = KeyedVectors(3)
    kv.add_vectors(["only"], np.ones((1, 3)))
    pairs = RandomPairs.of(kv)
    assert np.isnan(pairs.mean) and np.isnan(pairs.percentile(0.5))
