"""paravec.updating.placement: the rows of the batch's documents, new, replaced and dropped."""

from __future__ import annotations

import gc
import weakref

import numpy as np
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.updating.placement import document_rows, place_documents
from paravec.vocab import init_rows


def test_drop_old_docs_frees_their_memory(lee_background, lee_test, base):
    model = base(lee_background)
    words = model.wv.vectors.copy()
    old_vectors = weakref.ref(model.dv.vectors)
    report = paravec.update(model, lee_test, keep_old_docs=False, epochs=5)
    gc.collect()
    assert old_vectors() is None
    assert report.dropped_tags == 300
    assert model.dv.index_to_key == [d.tags[0] for d in lee_test]
    assert model.dv.vectors.shape == (50, 32)
    assert np.array_equal(model.wv.vectors[: len(words)], words)
    assert paravec.check(model) == []


def test_existing_tag_is_retrained_as_new_version(lee_background, lee_test, base):
    model = base(lee_background)
    before = model.dv.vectors.copy()
    new_text = TaggedDocument(lee_test[0].words, ["bg5"])
    report = paravec.update(model, [new_text], epochs=10)
    assert report.replaced_tags == ["bg5"] and report.new_tags == []
    assert len(model.dv) == 300
    changed = np.flatnonzero(np.any(model.dv.vectors != before, axis=1))
    assert changed.tolist() == [5]
    assert model.dv.get_vecattr("bg5", "word_count") == len(lee_test[0].words)


def test_integer_tagbase(lee_background, lee_test, base):
    int_docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background)]
    model = base(int_docs)
    batch = [TaggedDocument(d.words, [300 + i]) for i, d in enumerate(lee_test[:10])]
    batch.append(TaggedDocument(lee_test[10].words, ["named"]))
    report = paravec.update(model, batch, epochs=5)
    assert paravec.check(model) == []
    assert report.new_tags == [*range(300, 310), "named"]
    assert model.dv.get_index(305) == 305 and model.dv.get_index("named") == 310
    assert model.dv.most_similar(305, topn=1)


def test_placement_reports_rows_new_and_replaced_tags(lee_background, lee_test):
    model = paravec.train(lee_background[:20], vector_size=8, epochs=1, min_count=2, seed=4, workers=1)
    old = model.dv.vectors.copy()
    docs = [TaggedDocument(lee_test[0].words, ["n0"]), TaggedDocument(lee_test[1].words, ["bg3", "n1"])]
    placed = place_documents(model, docs, keep_old_docs=True, seed=7)
    assert placed == ([[20], [3, 21]], ["n0", "n1"], ["bg3"], 0)
    fresh = init_rows(3, 8, 7 + 20)  # new tags first, then replaced ones
    np.testing.assert_array_equal(model.dv.vectors[[20, 21, 3]], fresh)
    untouched = [i for i in range(20) if i != 3]
    np.testing.assert_array_equal(model.dv.vectors[untouched], old[untouched])
    assert model.dv.get_vecattr("bg3", "word_count") == len(lee_test[1].words)
    assert document_rows(model.dv, docs[::-1]) == [[3, 21], [20]]


def test_dropping_old_documents_starts_a_new_dv(lee_background, lee_test):
    model = paravec.train(lee_background[:20], vector_size=8, epochs=1, min_count=2, seed=4, workers=1)
    placed = place_documents(model, lee_test[:3], keep_old_docs=False, seed=7)
    assert placed == ([[0], [1], [2]], ["lee0", "lee1", "lee2"], [], 20)
    np.testing.assert_array_equal(model.dv.vectors, init_rows(3, 8, 7))
    assert [model.dv.get_vecattr(t, "doc_count") for t in ("lee0", "lee2")] == [1, 1]
