"""The store workflow on real text: create, update (gate, texts, index), rollback, delete, gc, lineage."""

from __future__ import annotations

import os

import numpy as np
import pytest

import paravec
from paravec.errors import NotFoundError, StoreError
from paravec.tokenizer import tokenize

# A quick verification (no word benchmarks) and one training thread, so results repeat.
FAST = {"evaluate_options": {"word_benchmarks": False, "sample": 50}, "workers": 1, "seed": 1}


def test_create_keeps_the_base_exactly_and_indexes_its_texts(store, base, base_texts):
    assert store.current == 1
    [info] = store.versions()
    assert (info.number, info.parent, info.kind, info.current, info.indexed) == (1, None, "base", True, True)
    assert info.documents == len(base.dv) and info.software["gensim"]
    model = store.model()
    assert np.array_equal(model.dv.vectors, base.dv.vectors) and np.array_equal(model.syn1neg, base.syn1neg)
    assert store.texts() == base_texts
    index = store.index()
    assert len(index) == len(base_texts)
    hits = index.search("bushfires sydney", mode="keyword", k=3)
    assert hits and "fire" in base_texts[hits[0].tag].lower()


def test_update_publishes_a_verified_version_with_its_lineage(store, batch, batch_texts, base):
    info = store.update(batch, batch_texts, epochs=20, **FAST)
    assert info.number == 2 and info.parent == 1 and store.current == 2 and info.current
    assert info.new_tags == len(batch) and info.new_words > 0 and info.verdict in ("pass", "warn")
    assert info.batch_sha256 and len(info.batch_sha256) == 64
    assert info.options["update"]["epochs"] == 20 and info.figures["sections"]["placement"] in (
        "pass",
        "warn",
    )
    assert {"update", "check", "evaluate", "index", "write_model", "total"} <= set(info.timings)
    model = store.model()
    assert paravec.check(model) == []
    # freeze="all": the base rows are bit-identical, and the base version is untouched
    assert np.array_equal(model.dv.vectors[: len(base.dv)], base.dv.vectors)
    assert np.array_equal(store.model(1).dv.vectors, base.dv.vectors)
    index = store.index()
    assert len(index) == len(base.dv) + len(batch)
    assert len(store.index(1)) == len(base.dv)  # the parent's index is not changed by the sync
    assert store.texts()["lee0"] == batch_texts["lee0"]
    assert store.report(2).verdict == info.verdict
    hit = index.search(batch_texts["lee3"][:200], mode="document", k=1)[0]
    assert hit.tag == "lee3"


def test_failing_verdict_is_stored_as_rejected_and_not_served_unless_forced(store, batch, batch_texts):
    # one epoch on a 50-dimension model: the new documents do not find themselves again -> fail
    info = store.update(batch[:10], batch_texts, epochs=1, **FAST)
    assert info.verdict == "fail" and not info.accepted and not info.current
    assert "verification failed" in info.rejected_reason and store.current == 1
    assert [v.number for v in store.versions()] == [1, 2]
    with pytest.raises(StoreError, match="rejected"):
        store.rollback(2)
    forced = store.update(batch[:10], batch_texts, epochs=1, force=True, **FAST)
    assert forced.forced and forced.current and store.current == 3 and forced.parent == 1


def test_rollback_moves_model_and_index_together(store, batch, batch_texts, base):
    store.update(batch, batch_texts, epochs=20, **FAST)
    info = store.rollback()
    assert info.number == 1 and store.current == 1
    assert len(store.model().dv) == len(base.dv) and len(store.index()) == len(base.dv)
    assert store.rollback(2).number == 2 and len(store.index()) == len(base.dv) + len(batch)
    store.rollback(1)
    with pytest.raises(StoreError, match="base"):
        store.rollback()
    with pytest.raises(StoreError, match="no version 7"):
        store.rollback(7)


def test_drop_old_docs_keeps_older_versions_whole(store, batch, batch_texts, base):
    """Item 7: keep_old_docs=False drops the old documents from the new version only."""
    info = store.update(batch, batch_texts, epochs=20, keep_old_docs=False, **FAST)
    assert info.documents == len(batch) and info.removed_tags == len(base.dv)
    model = store.model()
    assert sorted(model.dv.index_to_key) == sorted(batch_texts)
    assert set(store.texts()) == set(batch_texts)
    assert sorted(store.index().tags) == sorted(batch_texts)
    assert len(store.model(1).dv) == len(base.dv) and len(store.texts(1)) == len(base.dv)
    store.rollback()
    assert store.current == 1 and sorted(store.index().tags) == sorted(base.dv.index_to_key)


def test_delete_removes_vectors_texts_and_index_entries(store, base, base_texts):
    info = store.delete(["bg3", "bg7"])
    assert info.kind == "delete" and info.removed_tags == 2 and store.current == 2
    model = store.model()
    assert "bg3" not in model.dv and "bg7" not in model.dv and paravec.check(model) == []
    assert np.array_equal(model.dv["bg8"], base.dv["bg8"])
    assert "bg3" not in store.texts() and "bg3" not in store.index().tags
    assert "bg3" in store.texts(1)  # the older version still has it
    with pytest.raises(NotFoundError):
        store.delete(["nope"])
    assert store.current == 2


def test_gc_keeps_the_newest_and_the_current_and_frees_their_objects(store, batch, batch_texts):
    for i in range(3):
        store.update(batch[i * 10 : (i + 1) * 10], batch_texts, epochs=20, force=True, **FAST)
    store.rollback(2)
    before = store.disk_usage()["total"]
    removed = store.gc(keep=1)
    assert removed == [1, 3] and [v.number for v in store.versions()] == [2, 4]
    assert store.disk_usage()["total"] < before
    for number in (2, 4):
        model = store.model(number)
        assert paravec.check(model) == [] and len(store.index(number)) == len(model.dv)
    reopened = paravec.Store.open(store.path)
    assert reopened.current == 2


def test_store_texts_come_from_the_words_when_no_text_is_given(store, batch):
    store.update(batch[:5], epochs=20, force=True, **FAST)
    assert store.texts()["lee0"] == " ".join(batch[0].words)
    assert "lee0" in store.index().tags


def test_update_from_a_corpus_keeps_its_raw_texts(tmp_path, store):
    from gensim.test.utils import datapath

    corpus = paravec.read_corpus(datapath("lee.cor"), encoding="latin-1")
    store.update(corpus, epochs=20, force=True, **FAST)
    tag, text = next(corpus.texts())
    assert store.texts()[tag] == text


def test_open_refuses_what_is_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="not a paravec store"):
        paravec.Store.open(tmp_path)
    (tmp_path / "x").write_text("x")
    with pytest.raises(StoreError, match="not an empty folder"):
        paravec.Store.create(tmp_path, _tiny())


def _tiny():
    from gensim.models.doc2vec import TaggedDocument

    return paravec.train(
        [TaggedDocument(tokenize("a b c a b"), ["d0"])], vector_size=4, min_count=1, epochs=1
    )


def test_a_second_writer_fails_with_a_clear_message_while_the_first_holds_the_store(store, batch):
    from paravec.store.layout import Layout
    from paravec.store.lock import StoreLock

    busy = pytest.raises(StoreError, match=rf"process {os.getpid()} running `update`")
    with StoreLock(Layout(store.path), "update", wait=0), busy:
        store.update(batch[:2], wait=0.2, **FAST)
    assert store.current == 1


def test_open_removes_what_a_killed_step_left(store, batch):
    """Leftovers of a step killed at different points are removed by the next open."""
    from paravec.store.layout import Layout
    from paravec.store.objects import ObjectStore
    from paravec.store.referenced import referenced

    layout = Layout(store.path)
    objects = ObjectStore(layout.objects)
    # killed while writing pending.json (seen in benchmarks/store_kills.py): only its temporary file
    (store.path / ".pending.json.abc123.tmp.json").write_text("{")
    paravec.Store.open(store.path)
    assert not any(p.name.startswith(".") for p in store.path.iterdir())
    # killed in the middle of writing a version: pending step, staging folder, unnamed objects
    (store.path / "pending.json").write_text('{"pid": 1, "step": "update"}')
    (layout.versions / ".tmp-000002-999").mkdir()
    orphan = objects.put(b"a chunk of a version that never finished")
    (objects.path(orphan).parent / f".{orphan}.x.tmp").write_bytes(b"half")
    reopened = paravec.Store.open(store.path)
    assert reopened.current == 1 and not layout.pending.exists()
    assert [p.name for p in layout.versions.iterdir()] == ["000001"]
    assert {p.name for p in objects.all()} == referenced(layout)


def test_a_report_that_fails_beside_the_write_stores_nothing_and_leaves_nothing(store, batch, monkeypatch):
    """The report runs in a thread beside the model write and index sync: its error reaches the
    caller after both have stopped, and the half-written version is removed."""
    from paravec.store import changing
    from paravec.store.layout import Layout
    from paravec.store.objects import ObjectStore
    from paravec.store.referenced import referenced

    def broken(*args, **kwargs):
        raise MemoryError("the report ran out of memory")

    monkeypatch.setattr("paravec.store.verify.verify", broken)
    assert changing.verification.__module__ == "paravec.store.verify"
    with pytest.raises(MemoryError, match="ran out of memory"):
        store.update(batch[:3], force=True, workers=1)
    layout = Layout(store.path)
    assert store.current == 1 and layout.numbers() == [1]
    assert [p.name for p in layout.versions.iterdir()] == ["000001"] and not layout.pending.exists()
    assert {p.name for p in ObjectStore(layout.objects).all()} == referenced(layout)
    assert len(store.index()) == 300
