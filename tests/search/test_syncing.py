"""paravec.search.syncing: what an index must change to follow its model, on the Lee corpus."""

from __future__ import annotations

import copy
import hashlib
import json

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.errors import CorpusError, IndexStateError, ParameterError
from paravec.search import SearchIndex
from paravec.search.backend import IndexedText
from paravec.search.fingerprint import model_fingerprint
from paravec.search.syncing import digest, given_texts, indexable, plan_sync
from paravec.tokenizer import tokenize


def test_digest_is_a_stable_blake2b_of_the_utf8_text():
    assert digest("The shuttle launch was delayed.") == digest("The shuttle launch was delayed.")
    assert digest("The shuttle launch was delayed.") == (
        hashlib.blake2b(b"The shuttle launch was delayed.", digest_size=12).hexdigest()
    )
    assert len(digest("x")) == 24
    assert digest("The shuttle launch was delayed.") != digest("The shuttle launch was delayed!")
    # a lone surrogate (possible in a str) does not make digesting fail
    assert digest("a\ud800") != digest("a\ufffd")


def test_given_texts_are_cleaned_keyed_by_str_tag_and_a_tag_twice_is_refused(texts):
    assert given_texts({3: "Cafe\u0301", "bg0": texts[0][1]}) == {"3": "Caf\u00e9", "bg0": texts[0][1]}
    with pytest.raises(CorpusError) as info:
        given_texts([texts[0], texts[1], texts[0]])
    assert str(info.value) == "tag 'bg0' appears twice in the texts (second at #2)"


def test_indexable_yields_the_models_documents_with_their_rows_and_skips_the_rest(model, texts, new_texts):
    skipped: list[str] = []
    given = [texts[2], new_texts[0], texts[7]]
    out = list(indexable(model, given, {"bg7": "Fire season"}, skipped, "skip"))
    assert out == [
        (IndexedText("bg2", "", texts[2][1], digest(texts[2][1])), 2),
        (IndexedText("bg7", "Fire season", texts[7][1], digest(texts[7][1])), 7),
    ]
    assert skipped == ["lee0"]


def test_indexable_stops_on_missing_tags_duplicates_and_nothing_to_index(model, texts, new_texts):
    with pytest.raises(CorpusError) as info:
        list(indexable(model, [texts[0], new_texts[0], new_texts[1]], {}, [], "error"))
    assert str(info.value).startswith("2 of 3 texts have tags the model does not have (e.g. 'lee0'); ")
    with pytest.raises(CorpusError) as info:
        list(indexable(model, [texts[0], texts[1], texts[0]], {}, [], "skip"))
    assert str(info.value) == (
        "tag 'bg0' appears twice in the texts (second at #2); give every document one tag"
    )
    with pytest.raises(CorpusError) as info:
        list(indexable(model, new_texts[:2], {}, [], "skip"))
    assert str(info.value) == "no texts to index; give (tag, text) pairs of the model's documents"


def test_plan_sync_of_an_unchanged_model_changes_nothing(idx, model, texts):
    changes, report = plan_sync(idx.backend.view(), model, given_texts(texts), {})
    assert (changes.texts, changes.vectors, changes.removed) == ([], {}, [])
    assert changes.fingerprint == model_fingerprint(model)
    assert report.to_dict() == {
        "added": [],
        "removed": [],
        "replaced": [],
        "skipped": [],
        "unchanged": 300,
        "unindexed": 0,
        "seconds": 0.0,
    }
    assert not report.changed


def test_a_text_changed_only_in_its_title_is_reindexed(idx, model, texts):
    tag, body = texts[5]
    changes, report = plan_sync(idx.backend.view(), model, {tag: body}, {tag: "Bushfire season"})
    assert changes.texts == [IndexedText("bg5", "Bushfire season", body, digest(body))]
    assert list(changes.vectors) == ["bg5"]
    assert np.array_equal(changes.vectors["bg5"], model.dv.vectors[5])
    assert report.replaced == ["bg5"] and report.added == [] and report.unchanged == 299


def test_plan_sync_after_an_update_plans_exactly_the_replaced_and_new_documents(
    idx, model, texts, new_texts, updated
):
    replacements = [("bg0", new_texts[10][1]), ("bg1", new_texts[11][1]), ("bg2", new_texts[12][1])]
    batch = [*replacements, new_texts[0], new_texts[1]]
    v2 = updated(batch)
    changes, report = plan_sync(idx.backend.view(), v2, given_texts(batch), {})
    assert report.added == ["lee0", "lee1"]
    assert report.replaced == ["bg0", "bg1", "bg2"]
    assert report.removed == [] and report.skipped == []
    assert report.unchanged == 297 and report.unindexed == 0
    assert [t.tag for t in changes.texts] == ["bg0", "bg1", "bg2", "lee0", "lee1"]
    assert [t.text for t in changes.texts] == [body for _tag, body in batch]
    assert list(changes.vectors) == ["bg0", "bg1", "bg2", "lee0", "lee1"]
    for tag in changes.vectors:
        assert np.array_equal(changes.vectors[tag], v2.dv[tag])
    assert changes.removed == [] and changes.fingerprint == model_fingerprint(v2)
    # the model the index was built from is not what v2 is
    assert changes.fingerprint != idx.backend.fingerprint


def test_a_vector_that_changed_without_new_text_is_reindexed(idx, model):
    moved = copy.deepcopy(model)
    moved.dv.vectors[42] = -moved.dv.vectors[42]
    changes, report = plan_sync(idx.backend.view(), moved, {}, {})
    assert report.replaced == ["bg42"] and report.unchanged == 299
    assert changes.texts == [] and list(changes.vectors) == ["bg42"]
    assert np.array_equal(changes.vectors["bg42"], moved.dv.vectors[42])


def test_documents_the_model_dropped_are_removed_and_unknown_texts_skipped(idx, texts, new_texts, updated):
    v2 = updated(new_texts[:2], keep_old_docs=False)
    assert list(v2.dv.index_to_key) == ["lee0", "lee1"]
    changes, report = plan_sync(idx.backend.view(), v2, given_texts([new_texts[0], texts[3]]), {})
    assert changes.removed == [f"bg{i}" for i in range(300)] == report.removed
    assert report.added == ["lee0"] and report.skipped == ["bg3"]
    assert report.unchanged == 0 and report.unindexed == 1


@pytest.fixture
def small_index(tmp_path, model, texts):
    paravec.save(model, tmp_path / "m.model")
    return SearchIndex.build(tmp_path / "m.model", texts[:30], tmp_path / "idx", model=model)


def _generation(index: SearchIndex) -> int:
    return int(json.loads((index.path / "manifest.json").read_text())["generation"])


def test_sync_without_changes_writes_nothing_and_a_new_model_path_is_recorded(
    small_index, model, texts, tmp_path
):
    report = small_index.sync(model, texts[:30])
    assert not report.changed and report.unchanged == 30 and report.unindexed == 270
    assert _generation(small_index) == 0
    paravec.save(model, tmp_path / "copy.model")
    again = small_index.sync(model, model_path=tmp_path / "copy.model")
    assert not again.changed and _generation(small_index) == 1
    assert small_index.model_path == (tmp_path / "copy.model").resolve()


def test_sync_adds_the_texts_the_model_has(small_index, model, texts):
    report = small_index.sync(model, texts[30:33], titles={"bg31": "Title"})
    assert report.added == ["bg30", "bg31", "bg32"] and report.unchanged == 30
    assert len(small_index) == 33 and _generation(small_index) == 1
    assert small_index.document("bg31") == {"tag": "bg31", "title": "Title", "text": texts[31][1]}


def test_sync_refuses_a_model_of_another_size_and_what_is_not_a_model(small_index, texts):
    other = paravec.train(
        [TaggedDocument(tokenize(t), [tag]) for tag, t in texts[:20]], vector_size=8, epochs=1, min_count=1
    )
    with pytest.raises(IndexStateError) as info:
        small_index.sync(other)
    assert str(info.value) == (
        "the model has 8 dimensions but the index 50; it is another model: build a new index with `paravec index`"
    )
    with pytest.raises(ParameterError, match=r"^model must be a gensim Doc2Vec or a path"):
        small_index.sync(42)
    assert _generation(small_index) == 0


def test_rows_are_found_by_tag_when_the_model_no_longer_lists_the_index_in_order(idx, model):
    # Deleting bg5 shifts every later row by one: slots and rows differ from there on.
    moved = copy.deepcopy(model)
    paravec.delete(moved, ["bg5"])
    moved.dv.vectors[moved.dv.key_to_index["bg42"]] *= -1
    changes, report = plan_sync(idx.backend.view(), moved, {}, {})
    assert report.removed == ["bg5"] == changes.removed
    assert report.replaced == ["bg42"] and list(changes.vectors) == ["bg42"]
    assert report.unchanged == 298
    assert np.array_equal(changes.vectors["bg42"], moved.dv["bg42"])


def test_a_moved_vector_is_found_in_an_index_with_a_removed_slot(small_index, model):
    # After bg5 is removed, slots (bg29 at 29) are no longer positions in the tag list (28).
    fewer = copy.deepcopy(model)
    paravec.delete(fewer, ["bg5"])
    small_index.sync(fewer)
    view = small_index.backend.view()
    assert view.slot("bg29") == 29 and len(view.tags()) == 29
    moved = copy.deepcopy(fewer)
    moved.dv.vectors[moved.dv.key_to_index["bg20"]] *= -1
    changes, report = plan_sync(view, moved, {}, {})
    assert report.replaced == ["bg20"] and list(changes.vectors) == ["bg20"]
    assert report.removed == [] and report.unchanged == 28
