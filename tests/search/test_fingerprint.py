"""The model fingerprint an index records."""

from __future__ import annotations

import copy

from paravec.search.fingerprint import model_fingerprint


def test_fingerprint_sees_a_single_changed_vector(model):
    other = copy.deepcopy(model)
    assert model_fingerprint(other) == model_fingerprint(model)
    other.dv.vectors[123, 7] += 1e-3
    assert model_fingerprint(other) != model_fingerprint(model)
