"""paravec.rehearsal.sample_rehearsal on real text (the Lee news corpus)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec import CorpusError, ParameterError
from paravec.rehearsal import sample_rehearsal


def _is_passage(words: list[str], source: list[str]) -> bool:
    n = len(words)
    return any(source[i : i + n] == words for i in range(len(source) - n + 1))


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


@pytest.mark.parametrize(
    "kwargs", [dict(n_words=0), dict(n_words=1.5), dict(n_words=10, chunk_words=0), dict(n_words=True)]
)
def test_bad_sizes_are_rejected(lee_test, kwargs):
    with pytest.raises(ParameterError):
        sample_rehearsal(lee_test, **kwargs)


def test_bad_corpus_is_rejected():
    with pytest.raises(ParameterError, match="sequence"):
        sample_rehearsal(iter([TaggedDocument(["a"], ["t"])]), 10)
    with pytest.raises(CorpusError, match="no base document"):
        sample_rehearsal([TaggedDocument([], ["t"]), TaggedDocument(["a"], [])], 10)


def test_a_corpus_on_disk_is_sampled_in_two_passes(tmp_path):
    """read_corpus's corpus gives the same sample as the list of its documents, without being a list."""
    path = tmp_path / "base.txt"
    path.write_text(Path(datapath("lee_background.cor")).read_text(encoding="utf-8"), encoding="utf-8")
    corpus = paravec.read_corpus(path)
    sample = sample_rehearsal(corpus, 4000, chunk_words=100, seed=4)
    assert sample == sample_rehearsal(list(corpus), 4000, chunk_words=100, seed=4)
    assert sum(len(d.words) for d in sample) >= 4000 and all(t in corpus.tags for d in sample for t in d.tags)


def test_a_corpus_that_changes_between_readings_is_refused(lee_test):
    class Shrinking:
        def __init__(self):
            self.readings = 0

        def __iter__(self):  # a generator, like paravec's Corpus: reading starts at the first next()
            self.readings += 1
            yield from lee_test if self.readings == 1 else lee_test[:5]

    with pytest.raises(CorpusError, match="changed between"):
        sample_rehearsal(Shrinking(), 2000, chunk_words=50)


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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(n_words=0), "n_words must be a positive integer; got 0"),
        (dict(n_words=10, chunk_words=True), "chunk_words must be a positive integer; got True"),
        (dict(n_words=10, seed=-1), "seed must be a non-negative integer; got -1"),
    ],
)
def test_size_and_seed_messages(lee_test, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        sample_rehearsal(lee_test, **kwargs)
