"""paravec.vocab: growing a trained vocabulary, and the tables it shares with gensim."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.vocab import add_words, cum_table, hs_arrays, init_rows, refresh_sampling

NEW = {"xxyfg": 5, "qqzzr": 9, "kkwvv": 5, "jjpqt": 1}


def _model(docs: list[TaggedDocument], **params: object) -> Doc2Vec:
    settings: dict[str, object] = dict(vector_size=16, min_count=2, epochs=1, seed=1, workers=1)
    return Doc2Vec(docs, **{**settings, **params})


@pytest.fixture(scope="module")
def hs_model(lee_background: list[TaggedDocument]) -> Doc2Vec:
    return _model(lee_background, dm=0, hs=1, negative=0)


@pytest.fixture(scope="module")
def neg_model(lee_background: list[TaggedDocument]) -> Doc2Vec:
    return _model(lee_background, dm=1, hs=0, negative=5)


def test_init_rows_are_uniform_in_the_gensim_range_and_seeded() -> None:
    rows = init_rows(500, 20, seed=3)
    assert rows.shape == (500, 20)
    assert rows.dtype == np.float32
    assert rows.min() >= -1 / 20
    assert rows.max() < 1 / 20
    assert rows.min() < -0.049  # the whole range is used
    assert rows.max() > 0.049
    np.testing.assert_array_equal(rows, init_rows(500, 20, seed=3))
    assert not np.array_equal(rows, init_rows(500, 20, seed=4))


def test_add_words_appends_new_words_by_descending_count_and_leaves_old_rows(neg_model: Doc2Vec) -> None:
    model = copy.deepcopy(neg_model)
    n_old = len(model.wv)
    old_keys = list(model.wv.index_to_key)
    old_vectors = model.wv.vectors.copy()
    old_syn1neg = model.syn1neg.copy()

    added = add_words(model, NEW, seed=0)

    assert added == ["qqzzr", "kkwvv", "xxyfg", "jjpqt"]  # count descending, ties by the word
    assert model.wv.index_to_key == old_keys + added
    assert [model.wv.key_to_index[w] for w in added] == list(range(n_old, n_old + 4))
    assert [model.wv.get_vecattr(w, "count") for w in added] == [9, 5, 5, 1]
    np.testing.assert_array_equal(model.wv.vectors[:n_old], old_vectors)
    np.testing.assert_array_equal(model.wv.vectors[n_old:], init_rows(4, 16, seed=0))
    np.testing.assert_array_equal(model.syn1neg[:n_old], old_syn1neg)
    assert model.syn1neg.shape == (n_old + 4, model.layer1_size)
    assert not model.syn1neg[n_old:].any()


def test_add_words_with_nothing_new_changes_nothing(neg_model: Doc2Vec) -> None:
    model = copy.deepcopy(neg_model)
    assert add_words(model, {}, seed=0) == []
    assert model.wv.index_to_key == neg_model.wv.index_to_key
    np.testing.assert_array_equal(model.wv.vectors, neg_model.wv.vectors)


def test_huffman_graft_keeps_every_old_code_but_the_anchors(hs_model: Doc2Vec) -> None:
    model = copy.deepcopy(hs_model)
    wv = model.wv
    n_old = len(wv)
    old_codes = [wv.get_vecattr(i, "code").tolist() for i in range(n_old)]
    old_points = [wv.get_vecattr(i, "point").tolist() for i in range(n_old)]
    old_syn1 = model.syn1.copy()
    n_nodes = max(max(p) for p in old_points) + 1

    added = add_words(model, NEW, seed=0)

    # The branch is grafted at the rarest old word (deepest on ties): that leaf moves one level
    # down (bit 0 below a fresh inner node); every other pretrained code and point is unchanged.
    counts = [wv.get_vecattr(i, "count") for i in range(n_old)]
    anchor = min(range(n_old), key=lambda i: (counts[i], -len(old_codes[i]), -i))
    codes = [wv.get_vecattr(i, "code").tolist() for i in range(n_old)]
    points = [wv.get_vecattr(i, "point").tolist() for i in range(n_old)]
    assert [c for i, c in enumerate(codes) if i != anchor] == [
        c for i, c in enumerate(old_codes) if i != anchor
    ]
    assert [p for i, p in enumerate(points) if i != anchor] == [
        p for i, p in enumerate(old_points) if i != anchor
    ]
    assert codes[anchor] == [*old_codes[anchor], 0]
    assert points[anchor] == [*old_points[anchor], n_nodes]
    np.testing.assert_array_equal(model.syn1[: len(old_syn1)], old_syn1)
    new_codes = [wv.get_vecattr(w, "code").tolist() for w in added]
    new_points = [wv.get_vecattr(w, "point").tolist() for w in added]
    for code, pts in zip(new_codes, new_points, strict=True):
        assert code[: len(old_codes[anchor]) + 1] == [*old_codes[anchor], 1]
        assert pts[: len(old_points[anchor]) + 1] == points[anchor]
        # the nodes below the anchor are fresh rows of syn1, zero as gensim starts them
        assert all(n_nodes <= p < len(model.syn1) for p in pts[len(old_points[anchor]) :])
        assert len(code) == len(pts)
    # The new words' paths form a Huffman tree of their own: prefix-free, the most frequent shortest.
    tails = [c[len(old_codes[anchor]) + 1 :] for c in new_codes]
    assert all(b[: len(a)] != a for a in tails for b in tails if a is not b)
    assert len(tails[0]) <= min(len(t) for t in tails)
    assert not model.syn1[len(old_syn1) :].any()


def test_huffman_probabilities_sum_to_one_after_growth(hs_model: Doc2Vec) -> None:
    """A full binary tree again: the words' probabilities sum to 1 for any context (issue 17)."""
    model = copy.deepcopy(hs_model)
    add_words(model, NEW, seed=0)
    rng = np.random.default_rng(0)
    model.syn1[:] = rng.normal(size=model.syn1.shape)  # any node weights, as after training
    context = rng.normal(size=(5, model.layer1_size)) / 4
    total = np.zeros(len(context))
    for code, points in zip(model.wv.expandos["code"], model.wv.expandos["point"], strict=True):
        f = context @ model.syn1[points].T
        total += np.prod(1.0 / (1.0 + np.exp(-(1.0 - 2.0 * code) * f)), axis=1)
    np.testing.assert_allclose(total, 1.0, rtol=1e-9)


def test_a_single_new_word_gets_a_path_of_its_own(hs_model: Doc2Vec) -> None:
    model = copy.deepcopy(hs_model)
    codes = [model.wv.get_vecattr(i, "code").tolist() for i in range(len(model.wv))]
    add_words(model, {"xxyfg": 2}, seed=0)
    new = model.wv.get_vecattr("xxyfg", "code").tolist()
    assert new not in codes
    assert len(new) == max(len(c) for c in codes if c == new[: len(c)]) + 1


@pytest.mark.parametrize("sample", [1e-3, 1e-5, 0, 3])
def test_refresh_sampling_reproduces_gensims_sample_int(
    lee_background: list[TaggedDocument], sample: float
) -> None:
    model = _model(lee_background, sample=sample, negative=5)
    gensim_sample_int = model.wv.expandos["sample_int"].copy()
    model.wv.expandos["sample_int"][:] = 0
    refresh_sampling(model)
    np.testing.assert_array_equal(model.wv.expandos["sample_int"], gensim_sample_int)
    if sample == 1e-5:
        assert (gensim_sample_int < 2**32 - 1).sum() > 100  # downsampling really is at work


def test_refresh_sampling_counts_the_added_words(neg_model: Doc2Vec) -> None:
    model = copy.deepcopy(neg_model)
    add_words(model, {"xxyfg": 10**6}, seed=0)
    refresh_sampling(model)
    expected = copy.deepcopy(model)
    expected.make_cum_table()
    # a word with a million occurrences is downsampled hard and drawn as a negative most of the time
    assert model.wv.get_vecattr("xxyfg", "sample_int") < 2**32 // 10
    np.testing.assert_array_equal(model.cum_table, expected.cum_table)
    assert model.cum_table[-1] - model.cum_table[-2] > (2**31 - 1) // 2


@pytest.mark.parametrize("ns_exponent", [0.75, 0.5, 0.0, 1.0])
def test_cum_table_is_gensims_make_cum_table(neg_model: Doc2Vec, ns_exponent: float) -> None:
    model = copy.deepcopy(neg_model)
    model.ns_exponent = ns_exponent
    model.make_cum_table()
    ours = cum_table(model.wv.expandos["count"], ns_exponent)
    assert ours.dtype == np.uint32
    np.testing.assert_array_equal(ours, model.cum_table)


def test_cum_table_of_no_words_is_empty() -> None:
    assert cum_table(np.zeros(0, np.int64), 0.75).shape == (0,)


def test_hs_arrays_flatten_every_code_and_point(hs_model: Doc2Vec) -> None:
    model = copy.deepcopy(hs_model)
    add_words(model, NEW, seed=0)
    points, codes, starts = hs_arrays(model)
    assert (points.dtype, codes.dtype, starts.dtype) == (
        np.dtype(np.uint32),
        np.dtype(np.uint8),
        np.dtype(np.int64),
    )
    assert len(starts) == len(model.wv) + 1
    for i in range(len(model.wv)):
        np.testing.assert_array_equal(codes[starts[i] : starts[i + 1]], model.wv.get_vecattr(i, "code"))
        np.testing.assert_array_equal(points[starts[i] : starts[i + 1]], model.wv.get_vecattr(i, "point"))


def test_hs_arrays_without_hs_are_empty_paths(neg_model: Doc2Vec) -> None:
    points, codes, starts = hs_arrays(neg_model)
    assert len(points) == len(codes) == 0
    np.testing.assert_array_equal(starts, np.zeros(len(neg_model.wv) + 1, np.int64))
