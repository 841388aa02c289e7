"""paravec.delete on a bare model: the documents go, everything else stays bit-identical."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.errors import NotFoundError, ParameterError


@pytest.fixture
def model(lee_background):
    return paravec.train(lee_background[:80], vector_size=16, epochs=2, seed=1, workers=1)


def test_delete_removes_rows_and_keeps_the_rest(model):
    words, syn1neg = model.wv.vectors.copy(), model.syn1neg.copy()
    kept = {t: model.dv[t].copy() for t in ("bg0", "bg2", "bg79")}
    counts = model.dv.get_vecattr("bg2", "word_count")
    assert paravec.delete(model, ["bg1", "bg40"]) == ["bg1", "bg40"]
    assert len(model.dv) == 78 and "bg1" not in model.dv and "bg40" not in model.dv
    assert all(np.array_equal(model.dv[t], v) for t, v in kept.items())
    assert model.dv.get_vecattr("bg2", "word_count") == counts
    assert np.array_equal(model.wv.vectors, words) and np.array_equal(model.syn1neg, syn1neg)
    assert paravec.check(model) == []
    assert [t for t, _ in model.dv.most_similar("bg2", topn=78)].count("bg1") == 0
    # the model still learns: an update after a delete works and passes the check
    paravec.update(model, [TaggedDocument(["fire", "police", "sydney"], ["new"])], workers=1)
    assert paravec.check(model) == [] and "new" in model.dv


def test_delete_refuses_unknown_tags_and_empty_results(model):
    with pytest.raises(NotFoundError, match="no document tagged 'nope'"):
        paravec.delete(model, ["bg1", "nope"])
    assert len(model.dv) == 80  # nothing was deleted
    assert paravec.delete(model, ["nope"], missing="skip") == []
    with pytest.raises(ParameterError, match="without any"):
        paravec.delete(model, list(model.dv.index_to_key))


def test_delete_with_int_tags(lee_background):
    docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background[:30])]
    model = paravec.train(docs, vector_size=8, epochs=1, seed=1, workers=1)
    assert paravec.delete(model, [3]) == [3]
    assert 3 not in model.dv.key_to_index and len(model.dv) == 29 and paravec.check(model) == []
