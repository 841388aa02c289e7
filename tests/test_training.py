"""paravec.training (paravec.train): search-friendly defaults and starting from pretrained word vectors."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import Doc2Vec, KeyedVectors
from gensim.test.utils import datapath

import paravec
from paravec import CorpusError, ModelFileError, ParameterError

VEC = datapath("lee_fasttext.vec")  # 1762 words, 10 dimensions, fastText .vec format


def test_defaults_put_words_and_documents_in_one_space(lee_background):
    model = paravec.train(lee_background, vector_size=50, epochs=10, workers=2)
    assert (model.dm, model.dbow_words) == (0, 1)
    assert paravec.check(model) == []
    # a document's nearest words include its own words: one space for both
    hits = 0
    for doc in lee_background[:20]:
        near = {w for w, _ in model.wv.most_similar([model.dv[doc.tags[0]]], topn=20)}
        hits += bool(near & set(doc.words))
    assert hits >= 15


@pytest.mark.parametrize("dm", [0, 1], ids=["dbow", "dm"])
def test_pretrained_vectors_start_and_can_stay_fixed(dm, lee_background, monkeypatch):
    pretrained = KeyedVectors.load_word2vec_format(VEC)
    start = {}
    original_train = Doc2Vec.train

    def spy(self, *args, **kwargs):
        start["wv"] = self.wv.vectors.copy()
        return original_train(self, *args, **kwargs)

    monkeypatch.setattr(Doc2Vec, "train", spy)
    model = paravec.train(
        lee_background,
        vector_size=10,
        epochs=3,
        dm=dm,
        pretrained_vectors=VEC,
        pretrained_lockf=0.0,
        workers=2,
    )
    shared = [w for w in model.wv.index_to_key if w in pretrained.key_to_index]
    others = [w for w in model.wv.index_to_key if w not in pretrained.key_to_index]
    assert len(shared) > 500 and len(others) > 100
    for w in shared[:200]:
        assert np.array_equal(model.wv[w], pretrained[w])
    # gensim's PV-DM kernel reads word locks at the wrong index unless paravec lays them out;
    # the words without pretrained vectors must still learn.
    moved = [not np.array_equal(model.wv[w], start["wv"][model.wv.get_index(w)]) for w in others]
    assert np.mean(moved) > 0.9
    assert paravec.check(model) == []


def test_pretrained_vectors_errors(tmp_path, lee_background):
    with pytest.raises(ParameterError, match="10 wide but vector_size=20"):
        paravec.train(lee_background[:20], vector_size=20, epochs=1, pretrained_vectors=VEC)
    bad = tmp_path / "bad.vec"
    bad.write_text("not vectors at all\n")
    with pytest.raises(ModelFileError, match="neither word2vec text nor binary"):
        paravec.train(lee_background[:20], vector_size=10, epochs=1, pretrained_vectors=bad)
    with pytest.raises(ModelFileError, match="not found"):
        paravec.train(lee_background[:20], vector_size=10, epochs=1, pretrained_vectors=tmp_path / "none.vec")


def test_train_input_errors(lee_background):
    with pytest.raises(CorpusError, match="empty"):
        paravec.train([])
    with pytest.raises(ParameterError, match="vector_size must be a positive integer"):
        paravec.train(lee_background[:5], vector_size=0)
    with pytest.raises(CorpusError, match="min_count"):
        paravec.train(lee_background[:1], min_count=1000)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(epochs=True), "epochs must be a positive integer; got True"),
        (dict(window=0), "window must be a positive integer; got 0"),
        (dict(dm=2), "dm must be one of 0, 1; got 2"),
        (dict(hs=0, negative=0), "either hs=1 or negative > 0 is needed"),
        (dict(negative=-1), "negative must be a non-negative integer; got -1"),
        (dict(pretrained_lockf=1.5), r"pretrained_lockf must be a number in \[0, 1\]; got 1.5"),
        (dict(keep_rare_words=1), "keep_rare_words must be True or False; got 1"),
        (dict(workers=1.5), "workers must be a non-negative integer or None; got 1.5"),
    ],
)
def test_parameters_are_checked_before_training(lee_background, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        paravec.train(lee_background[:5], **kwargs)
