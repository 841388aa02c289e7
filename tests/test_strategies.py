"""paravec.strategies.sample_rehearsal on real text (the Lee news corpus)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec import CorpusError, ParameterError
from paravec.strategies import sample_rehearsal


def _is_passage(words: list[str], source: list[str]) -> bool:
    n = len(words)
    return any(source[i:i + n] == words for i in range(len(source) - n + 1))


def test_passages_come_from_their_tagged_documents(lee_background):
    by_tag = {d.tags[0]: d.words for d in lee_background}
    sample = sample_rehearsal(lee_background, 3000, chunk_words=50, seed=1)
    total = sum(len(d.words) for d in sample)
    assert 3000 <= total < 3000 + 50
    assert all(len(d.words) <= 50 for d in sample)
    for doc in sample:
        assert _is_passage(doc.words, by_tag[doc.tags[0]])
    assert len({d.tags[0] for d in sample}) > 30  # many documents, not a few


def test_same_seed_same_sample_other_seed_other_sample(lee_background):
    a = sample_rehearsal(lee_background, 2000, seed=5)
    b = sample_rehearsal(lee_background, 2000, seed=5)
    c = sample_rehearsal(lee_background, 2000, seed=6)
    assert [(d.tags, d.words) for d in a] == [(d.tags, d.words) for d in b]
    assert [(d.tags, d.words) for d in a] != [(d.tags, d.words) for d in c]


def test_long_documents_are_drawn_more_often(lee_background):
    lengths = {d.tags[0]: len(d.words) for d in lee_background}
    sample = sample_rehearsal(lee_background, 60000, chunk_words=20, seed=0)
    counts = {}
    for d in sample:
        counts[d.tags[0]] = counts.get(d.tags[0], 0) + 1
    tags = list(lengths)
    per_doc = np.array([counts.get(t, 0) for t in tags])
    corr = np.corrcoef(per_doc, [lengths[t] for t in tags])[0, 1]
    assert corr > 0.5


def test_small_corpus_is_returned_whole(lee_test):
    total = sum(len(d.words) for d in lee_test)
    sample = sample_rehearsal(lee_test, total + 1)
    assert [(d.tags, d.words) for d in sample] == [(d.tags, d.words) for d in lee_test]
    assert sample[0] is not lee_test[0]


@pytest.mark.parametrize("kwargs", [dict(n_words=0), dict(n_words=1.5), dict(n_words=10, chunk_words=0),
                                    dict(n_words=True)])
def test_bad_sizes_are_rejected(lee_test, kwargs):
    with pytest.raises(ParameterError):
        sample_rehearsal(lee_test, **kwargs)


def test_bad_corpus_is_rejected():
    with pytest.raises(ParameterError, match="sequence"):
        sample_rehearsal(iter([TaggedDocument(["a"], ["t"])]), 10)
    with pytest.raises(CorpusError, match="no base document"):
        sample_rehearsal([TaggedDocument([], ["t"]), TaggedDocument(["a"], [])], 10)


def test_rehearsal_sample_feeds_update_and_keeps_old_doc_vectors(lee_background, lee_test):
    base_docs = lee_background[:150]
    base = paravec.train(base_docs, vector_size=32, epochs=3, min_count=2, seed=2, workers=2)
    old_dv = base.dv.vectors.copy()
    model = copy.deepcopy(base)
    sample = sample_rehearsal(base_docs, 5000, seed=2)
    paravec.update(model, lee_test[:20], freeze=(0.0, 1.0), rehearsal=sample, epochs=2, workers=2)
    assert paravec.check(model) == []
    np.testing.assert_array_equal(model.dv.vectors[: len(old_dv)], old_dv)
    # Rehearsal trained the output layer on base text too: it differs from an update without it.
    plain = copy.deepcopy(base)
    paravec.update(plain, lee_test[:20], freeze=(0.0, 1.0), epochs=2, workers=2)
    assert not np.allclose(plain.syn1neg, model.syn1neg)
