"""paravec.documents: the one check of a TaggedDocument batch, on real Lee text."""

from __future__ import annotations

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.documents import validate_documents
from paravec.errors import CorpusError


@pytest.fixture(scope="module")
def model(lee_background):
    return Doc2Vec(lee_background[:20], vector_size=8, min_count=2, epochs=1, seed=1, workers=1)


def test_a_good_batch_comes_back_as_a_list(lee_test):
    docs = validate_documents(iter(lee_test))
    assert docs == list(lee_test)


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ("jav python", "got a string"),
        (42, "got int"),
        ([], "is empty"),
        ([("a", "b")], "not a TaggedDocument"),
        ([TaggedDocument("jav python", ["E0"])], "string as words"),
        ([TaggedDocument(["jav"], "E0")], "tags must be a list"),
        ([TaggedDocument(["jav"], [])], "has no tag"),
        ([TaggedDocument([], ["E0"])], "'E0' \\(#0\\) has no words"),
        ([TaggedDocument(["jav", 3], ["E0"])], "word of type int"),
        ([TaggedDocument(["jav"], [1.5])], "tag of type float"),
        ([TaggedDocument(["jav"], [7])], "integer tag 7"),
        ([TaggedDocument(["jav"], ["E0"]), TaggedDocument(["ruby"], ["E0"])], "#0 and #1"),
    ],
)
def test_bad_batches_name_the_document_and_the_fix(batch, message):
    with pytest.raises(CorpusError, match=message):
        validate_documents(batch)


def test_options_and_names(model):
    assert validate_documents([], allow_empty_batch=True) == []
    assert len(validate_documents([TaggedDocument([], ["E0"])], allow_empty_words=True)) == 1
    with pytest.raises(CorpusError, match="rehearsal document #0 has no tag"):
        validate_documents([TaggedDocument(["jav"], [])], name="rehearsal", model=model)


def test_int_tags_follow_the_model(lee_background):
    int_docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background[:20])]
    int_model = Doc2Vec(int_docs, vector_size=8, min_count=2, epochs=1, seed=1, workers=1)
    assert validate_documents([TaggedDocument(["fire"], [20])], model=int_model)[0].tags == [20]
    with pytest.raises(CorpusError, match="negative tag -1"):
        validate_documents([TaggedDocument(["fire"], [-1])], model=int_model)


def test_dm_concat_needs_its_tag_count(lee_background):
    concat = Doc2Vec(lee_background[:20], dm=1, dm_concat=1, vector_size=8, min_count=2, epochs=1, workers=1)
    with pytest.raises(CorpusError, match="needs exactly 1 per document"):
        validate_documents([TaggedDocument(["fire"], ["a", "b"])], model=concat)
