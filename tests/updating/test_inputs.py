"""paravec.updating.inputs: the model, the batch and the rehearsal are checked before anything changes."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec import CorpusError, ModelBrokenError, ParameterError
from paravec.updating.inputs import ensure_intact, validate_rehearsal


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([], "empty"),
        ([TaggedDocument([], ["x"])], "no words"),
        ([TaggedDocument(["a"], ["x"]), TaggedDocument(["b"], ["x"])], "appears in documents #0 and #1"),
        ([TaggedDocument("a text", ["x"])], "tokenize"),
        ([TaggedDocument(["a"], "x")], "must be a list"),
        ([TaggedDocument(["a"], [])], "no tag"),
        (["just a string"], "not a TaggedDocument"),
    ],
)
def test_bad_batches_are_refused_without_change(batch, message, lee_background, base):
    model = base(lee_background)
    before = copy.deepcopy(model)
    with pytest.raises(CorpusError, match=message):
        paravec.update(model, batch)
    assert np.array_equal(model.wv.vectors, before.wv.vectors) and len(model.dv) == len(before.dv)


def test_integer_tags_refused_on_string_model(lee_background, lee_test, base):
    model = base(lee_background)
    with pytest.raises(CorpusError, match="integer tag 7"):
        paravec.update(model, [TaggedDocument(lee_test[0].words, [7])])


def test_broken_model_is_refused(lee_background, lee_test, base):
    model = base(lee_background)
    model.build_vocab(lee_test, update=True)  # gensim's own update breaks Doc2Vec
    with pytest.raises(ModelBrokenError, match="paravec check"):
        paravec.update(model, lee_test)


@pytest.fixture(scope="module")
def small(lee_background):
    return paravec.train(lee_background[:60], vector_size=8, epochs=1, min_count=3, seed=4, workers=1)


def test_passages_of_one_document_may_repeat_its_tags(small, lee_background, lee_test):
    passages = [TaggedDocument(lee_background[3].words[i : i + 20], ["bg3"]) for i in range(0, 100, 20)]
    assert validate_rehearsal(small, iter(passages), lee_test[:2], keep_old_docs=True) == passages
    assert validate_rehearsal(small, None, lee_test[:2], keep_old_docs=True) == []
    assert validate_rehearsal(small, [], lee_test[:2], keep_old_docs=True) == []


@pytest.mark.parametrize(
    ("rehearsal", "error", "message"),
    [
        ("bg1 bg2", CorpusError, "rehearsal must be an iterable of TaggedDocument, got a string"),
        (
            [TaggedDocument(["fire"], ["bg1"])] * 3 + [TaggedDocument("fire", ["bg1"])],
            CorpusError,
            r"rehearsal document #3 has a string as words",
        ),
        (
            [TaggedDocument(["fire"], ["bg1"]), TaggedDocument(["fire"], [])],
            CorpusError,
            "rehearsal document #1 has no tag",
        ),
        ([TaggedDocument(["fire"], [5])], CorpusError, "rehearsal document #0 has the integer tag 5"),
        (
            [TaggedDocument(["fire"], ["bg1"]), TaggedDocument(["fire"], ["bg99"])],
            CorpusError,
            "#1 has tag 'bg99', which the model does not have",
        ),
        ([TaggedDocument(["fire"], ["bg2"])], CorpusError, "rehearsal document #0 has a tag of the batch"),
    ],
)
def test_bad_rehearsal_is_named_by_its_position(small, lee_test, rehearsal, error, message):
    batch = [TaggedDocument(lee_test[0].words, ["bg2"])]  # a new version of bg2
    with pytest.raises(error, match=message):
        validate_rehearsal(small, rehearsal, batch, keep_old_docs=True)


def test_rehearsal_needs_the_old_documents(small, lee_background, lee_test):
    with pytest.raises(ParameterError, match="use it with keep_old_docs=True"):
        validate_rehearsal(small, lee_background[:2], lee_test[:1], keep_old_docs=False)


def test_an_inconsistent_model_is_named_with_its_problems(lee_background, lee_test):
    model = paravec.train(lee_background[:60], vector_size=8, epochs=1, min_count=3, seed=4, workers=1)
    model.build_vocab(lee_test, update=True)
    problems = paravec.check(model)
    with pytest.raises(ModelBrokenError) as caught:
        ensure_intact(model)
    assert str(caught.value) == (
        f"the model is inconsistent ({problems[0]}; {len(problems) - 1} more problems); "
        "run `paravec check MODEL` and start from an intact copy"
    )
