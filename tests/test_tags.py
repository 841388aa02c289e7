"""paravec.tags: one rule for "does the model have this tag, and in which row" (gensim's int tags)."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.tags import describe_tags, has_tag, tag_hint, tag_row, uses_int_tags


@pytest.fixture(scope="module")
def string_model(lee_background):
    return Doc2Vec(lee_background[:30], vector_size=8, min_count=2, epochs=1, seed=1, workers=1)


@pytest.fixture(scope="module")
def int_model(lee_background):
    docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background[:30])]
    return Doc2Vec(docs, vector_size=8, min_count=2, epochs=1, seed=1, workers=1)


def test_string_tags(string_model):
    dv = string_model.dv
    assert not uses_int_tags(dv)
    assert tag_row(dv, "bg7") == dv.key_to_index["bg7"]
    assert has_tag(dv, "bg29") and not has_tag(dv, "bg30")
    # gensim's own get_index would read an int as a row position even here; paravec does not.
    assert dv.get_index(3) == 3
    assert tag_row(dv, 3) is None and not has_tag(dv, np.int64(3)) and tag_row(dv, "3") is None


def test_int_tags_are_rows_and_may_be_named_by_their_digits(int_model):
    dv = int_model.dv
    assert uses_int_tags(dv)
    assert tag_row(dv, 5) == 5 and tag_row(dv, np.int64(29)) == 29
    assert tag_row(dv, "12") == 12  # a search index keeps tags as strings
    assert tag_row(dv, 30) is None and tag_row(dv, -1) is None and tag_row(dv, "30") is None
    assert not has_tag(dv, True)  # a bool is not an int tag
    assert not has_tag(dv, "١٢")  # non-ASCII digits are not a tag's digits


def test_tag_hint_names_the_tag_a_text_file_really_gives(string_model, int_model):
    tags = ["old:1", "old:2", *[f"new:{i}" for i in range(1, 11)]]
    # the file's name with its suffix and lines counted from 0: the document is 'new:1'
    assert tag_hint("new.txt:0", tags).startswith("did you mean 'new:1'?")
    assert tag_hint("new:0", tags).startswith("did you mean 'new:1'?")
    assert "lines counted from 1" in tag_hint("new.txt:0", tags)
    # a misspelt tag gets its nearest spellings, always real tags
    hint = tag_hint("bg_7", string_model.dv.index_to_key)
    assert "'bg7'" in hint and "'bg0', 'bg1', ..., 'bg29'" in hint
    assert "did you mean" not in tag_hint("zzzz", int_model.dv.index_to_key)
    assert describe_tags(int_model.dv.index_to_key) == "0, 1, ..., 29"
    assert describe_tags(tags).endswith("('<file stem>:<line>', lines counted from 1)")
