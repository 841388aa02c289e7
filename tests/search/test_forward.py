"""The words of each document kept at the build (`paravec.search.forward`), on the Lee corpus."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

import paravec
from paravec.analysis import Analysis, of_model
from paravec.errors import IndexStateError
from paravec.search import SearchIndex
from paravec.search.document_cache import DocumentCache, DocumentCaches
from paravec.search.forward import KEYS


@pytest.fixture
def small_index(tmp_path, model, texts):
    paravec.save(model, tmp_path / "m.model")
    return SearchIndex.build(tmp_path / "m.model", texts[:40], tmp_path / "idx", model=model)


def _kept(view, slot):
    kept, ids, counts, _sizes = view.kept_words([slot])
    assert kept == [slot]
    return {view.forward.terms[i]: int(c) for i, c in zip(ids.tolist(), counts.tolist(), strict=True)}


def test_a_build_keeps_each_documents_words_as_the_models_analysis_makes_them(small_index, model, texts):
    view = small_index.backend.view()
    analysis = of_model(model)
    assert view.forward is not None and view.forward.serves(analysis)
    for slot in (0, 17, 39):
        _kept_slots, ids, _counts, _sizes = view.kept_words([slot])
        assert np.all(np.diff(ids) > 0)  # ascending ids: the words in the order of their strings
        assert _kept(view, slot) == Counter(analysis(texts[slot][1]))


def test_document_mode_from_kept_words_equals_analysing_the_texts(
    small_index, new_texts, assert_same_ranking
):
    view = small_index.backend.view()
    asked: list[int] = []
    texts_of = view.texts
    view.texts = lambda tags: (asked.append(len(tags)), texts_of(tags))[1]  # type: ignore[method-assign]
    queries = [text for _tag, text in new_texts[:6]]
    small_index.search(queries[0], mode="document")  # measures the calibration (64 texts at most)
    small_index._documents = DocumentCaches()
    asked.clear()
    kept = [small_index.search(q, mode="document", k=5) for q in queries]
    assert sum(asked) == 0  # no candidate's text was fetched to be analysed
    view.forward = None
    small_index._documents = DocumentCaches()
    analysed = [small_index.search(q, mode="document", k=5) for q in queries]
    assert sum(asked) > 0
    for a, b in zip(kept, analysed, strict=True):
        assert_same_ranking([(h.tag, h.score) for h in a], [(h.tag, h.score) for h in b])


def test_a_sync_keeps_the_words_and_changed_or_new_texts_are_analysed(small_index, model, texts):
    changed = "Rugby league players swapped their boots for paint brushes in Sydney."
    report = small_index.sync(model, [("bg0", changed), *texts[40:42]])
    assert report.added == ["bg40", "bg41"]
    files = json.loads((small_index.path / "manifest.json").read_text())["files"]
    assert all(files.get(key) for key in KEYS)
    reopened = SearchIndex.open(small_index.path)
    view = reopened.backend.view()
    kept, ids, _counts, sizes = view.kept_words([0, 1, 39, 40, 41])
    assert kept == [1, 39] and len(ids) == sizes.sum()  # bg0 re-texted, bg40 and bg41 new
    cache = DocumentCache(view, model.wv, of_model(model))
    rows = cache.rows([0, 1, 40])
    words_of_0 = {w for w, i in cache._ids.items() if i in set(rows[0].ids.tolist())}
    assert {"rugby", "boots", "paint"} <= words_of_0
    assert set(rows) == {0, 1, 40}


def test_words_kept_by_another_analysis_are_not_used(small_index, model):
    view = small_index.backend.view()
    assert DocumentCache(view, model.wv, of_model(model))._forward is view.forward
    other = Analysis(lowercase=False)
    cache = DocumentCache(view, model.wv, other)
    assert cache._forward is None
    row = cache.rows([3])[3]
    assert len(row.ids) and any(not word.islower() for word in cache._ids)


def test_corrupt_kept_words_are_refused_with_a_rebuild_hint(small_index):
    files = json.loads((small_index.path / "manifest.json").read_text())["files"]
    (small_index.path / files["forward.ids"]).write_bytes(b"not an array")
    with pytest.raises(IndexStateError, match=r"kept document words.*paravec index"):
        SearchIndex.open(small_index.path)
