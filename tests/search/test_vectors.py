"""The vector store: the usearch ANN graph agrees with exact search and follows syncs."""

from __future__ import annotations

import numpy as np
import pytest

import paravec
from paravec.search import SearchIndex
from paravec.tokenizer import tokenize


def test_ann_index_agrees_with_exact_search_and_follows_syncs(tmp_path, model, texts, new_texts, updated):
    paravec.save(model, tmp_path / "v1.model")
    index = SearchIndex.build(tmp_path / "v1.model", texts, tmp_path / "idx", ann_threshold=100)
    assert index.uses_ann and any(p.suffix == ".usearch" for p in (tmp_path / "idx").iterdir())
    view = index.backend.view()
    recall = []
    for _tag, text in texts[::15]:
        query = index.model.infer_vector(tokenize(text))
        approx = {s for s, _ in view.vector_candidates(query, 10)}
        exact = {s for s, _ in view.vector_candidates(query, 10, exact=True)}
        recall.append(len(approx & exact) / 10)
    assert np.mean(recall) >= 0.9
    v2 = updated([*new_texts[:2], ("bg5", new_texts[10][1])])
    paravec.save(v2, tmp_path / "v2.model")
    index.sync(v2, [*new_texts[:2], ("bg5", new_texts[10][1])], model_path=tmp_path / "v2.model")
    reopened = SearchIndex.open(tmp_path / "idx")
    assert reopened.uses_ann
    assert "lee1" in [n.key for n in reopened.text_to_documents(new_texts[1][1], k=3)]
    assert "bg5" in [n.key for n in reopened.text_to_documents(new_texts[10][1], k=3)]


def test_segments_gather_rows_from_every_segment_as_one_matrix_would():
    from paravec.search.vectors import Segments

    rng = np.random.default_rng(3)
    whole = rng.standard_normal((23, 5)).astype(np.float32)
    segments = Segments([whole[i : i + 6] for i in range(0, 23, 6)], [None] * 4, 5)
    slots = rng.integers(0, 23, 40)
    np.testing.assert_array_equal(segments[slots], whole[slots])
    np.testing.assert_array_equal(segments[slots.reshape(8, 5)], whole[slots.reshape(8, 5)])
    many = rng.integers(-23, 23, 300)  # past the row-by-row gather's limit: grouped by segment
    np.testing.assert_array_equal(segments[many], whole[many])
    np.testing.assert_array_equal(segments[[-1, 0, -23, 5, 6]], whole[[-1, 0, -23, 5, 6]])
    np.testing.assert_array_equal(segments[4:20:3], whole[4:20:3])
    np.testing.assert_array_equal(segments[7], whole[7])
    assert segments[np.zeros(0, dtype=np.int64)].shape == (0, 5)
    with pytest.raises(IndexError, match="out of range"):
        segments[[0, 23]]
