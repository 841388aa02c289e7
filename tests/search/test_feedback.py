"""paravec/search/feedback.py and ``search(..., feedback=m)``: the query's vector moved towards its top hits."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from paravec.errors import ParameterError
from paravec.search.feedback import FEEDBACK_WEIGHT, rocchio_vector
from paravec.tokenizer import tokenize


def test_rocchio_vector_is_the_unit_sum_of_unit_directions():
    rng = np.random.default_rng(0)
    query, hits = rng.normal(size=8) * 3.0, rng.normal(size=(4, 8))
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    centre = unit(np.mean([unit(h) for h in hits], axis=0))
    assert np.allclose(rocchio_vector(query, hits, 2.0), unit(unit(query) + 2.0 * centre))
    assert np.allclose(rocchio_vector(query, hits, 0.0), unit(query))
    assert np.allclose(rocchio_vector(np.zeros(8), hits, 1.0), centre)  # no known query word
    assert not np.any(rocchio_vector(np.zeros(8), hits[:0], 1.0))


def test_vector_side_ranks_by_the_moved_vector(idx):
    query = "bushfires near sydney"
    view = idx.backend.view()
    keyword = idx.search(query, mode="keyword", k=5)
    hits = view.unit_vectors([view.slot(h.tag) for h in keyword])
    moved = rocchio_vector(idx._infer(tokenize(query)), hits, FEEDBACK_WEIGHT)
    expected = [view.tag(s) for s, _ in view.vector_candidates(moved.astype(np.float32), 10, exact=True)]
    found = idx.search(query, mode="vector", k=10, feedback=5, similarity="cosine")
    assert [h.tag for h in found] == expected
    assert [h.tag for h in found] != [
        h.tag for h in idx.search(query, mode="vector", k=10, similarity="cosine")
    ]
    # Vector mode shows the vector ranking only: the keyword hits fed the vector, not the ranks.
    assert all(h.keyword_rank is None and h.why == "vector" for h in found)


def test_document_mode_feeds_back_ten_hits_by_default(idx, texts):
    article = texts[5][1]
    default = [(h.tag, h.score) for h in idx.search(article, mode="document", k=10)]
    assert default == [(h.tag, h.score) for h in idx.search(article, mode="document", k=10, feedback=10)]
    assert default != [(h.tag, h.score) for h in idx.search(article, mode="document", k=10, feedback=0)]
    # Hybrid search feeds back only when asked.
    hybrid = [(h.tag, h.score) for h in idx.search("bushfires near sydney", k=10)]
    assert hybrid == [(h.tag, h.score) for h in idx.search("bushfires near sydney", k=10, feedback=0)]


def test_feedback_finds_by_vector_what_the_model_has_no_word_for(idx, texts):
    counts = Counter(w for _tag, text in texts for w in tokenize(text))
    rare = next(w for w, c in counts.items() if c == 1 and w.isalpha() and len(w) > 6)
    assert rare not in idx.model.wv.key_to_index  # below the model's min_count
    with pytest.raises(ParameterError, match="none of the query's words is in the model's vocabulary"):
        idx.search(rare, mode="vector")
    found = idx.search(rare, mode="vector", k=3, feedback=1)
    holder = idx.search(rare, mode="keyword", k=1)[0].tag
    assert found[0].tag == holder  # the one document with the word, then its neighbours


def test_keyword_mode_ignores_feedback_and_bad_values_are_refused(idx):
    query = "cricket test match"
    plain = [(h.tag, h.score) for h in idx.search(query, mode="keyword")]
    assert [(h.tag, h.score) for h in idx.search(query, mode="keyword", feedback=5)] == plain
    with pytest.raises(ParameterError, match="feedback"):
        idx.search(query, feedback=-1)
    with pytest.raises(ParameterError, match="feedback_weight"):
        idx.search(query, feedback=3, feedback_weight=-0.5)
