"""SearchIndex, the facade: building, opening, syncing, following its model file (real text: the Lee corpora)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.errors import CorpusError, IndexStateError
from paravec.search import NotFoundError, SearchIndex
from paravec.search.fingerprint import model_fingerprint
from paravec.tokenizer import tokenize


def test_build_writes_a_folder_that_reopens_with_the_recorded_model(built, idx, texts, text_of):
    assert len(built) == len(idx) == len(texts)
    manifest = json.loads((built.path / "manifest.json").read_text())
    assert manifest["documents"] == len(texts)
    assert Path(manifest["model"]["path"]).name == "lee.model"
    assert manifest["fingerprint"] == model_fingerprint(idx.model)
    assert idx.document("bg7") == {"tag": "bg7", "title": "bg7", "text": text_of("bg7")}
    assert not idx.uses_ann


def test_build_refuses_an_existing_index_and_foreign_folders(built, model, texts, tmp_path):
    with pytest.raises(IndexStateError, match="--sync"):
        SearchIndex.build(built.model_path, texts, built.path, model=model)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(IndexStateError, match="other files"):
        SearchIndex.build(built.model_path, texts, foreign, model=model, overwrite=True)
    assert (foreign / "cat.jpg").read_bytes() == b"\xff\xd8"


def test_build_rejects_texts_the_model_does_not_have(built, model, texts, tmp_path):
    extra = [*texts[:5], ("not-in-model", "Some text about bushfires.")]
    with pytest.raises(CorpusError, match="not-in-model"):
        SearchIndex.build(built.model_path, extra, tmp_path / "x", model=model)
    assert not (tmp_path / "x").exists()
    skipping = SearchIndex.build(built.model_path, extra, tmp_path / "y", model=model, missing="skip")
    assert len(skipping) == 5
    with pytest.raises(CorpusError, match="twice"):
        SearchIndex.build(built.model_path, texts[:3] + texts[:1], tmp_path / "z", model=model)


def test_open_refuses_what_is_not_an_index(tmp_path):
    with pytest.raises(IndexStateError):
        SearchIndex.open(tmp_path / "missing")
    with pytest.raises(IndexStateError, match="manifest"):
        SearchIndex.open(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(IndexStateError, match="corrupt"):
        SearchIndex.open(tmp_path)


def test_tags_that_look_like_paths_never_touch_files(tmp_path, model, texts):
    evil = ["../../evil", "/etc/passwd", "a/../../b", "..", "con:\x00"]
    renamed = [(evil[i] if i < len(evil) else tag, t) for i, (tag, t) in enumerate(texts)]
    doctags = [TaggedDocument(tokenize(t), [tag]) for tag, t in renamed]
    m = paravec.train(doctags, vector_size=16, epochs=2, min_count=2, seed=1, workers=1)
    folder = tmp_path / "deep" / "er"
    folder.mkdir(parents=True)
    paravec.save(m, folder / "m.model")
    before = sorted(p for p in tmp_path.rglob("*"))
    index = SearchIndex.build(folder / "m.model", renamed, folder / "m.index")
    created = sorted(p for p in tmp_path.rglob("*") if p not in before)
    assert all(p == folder / "m.index" or (folder / "m.index") in p.parents for p in created)
    assert index.document("../../evil")["text"] == texts[0][1]
    assert "/etc/passwd" not in [n.key for n in index.documents_like("/etc/passwd", k=5)]


def test_sync_indexes_new_and_replaced_documents_only(tmp_path, model, texts, new_texts, updated):
    paravec.save(model, tmp_path / "v1.model")
    index = SearchIndex.build(tmp_path / "v1.model", texts, tmp_path / "idx")
    old_vectors = index.backend.view().unit_vectors(list(range(len(index))))

    replacement = ("bg0", "Astronauts repaired the zorbly telescope during a long spacewalk.")
    batch = [*new_texts[:3], replacement]
    v2 = updated(batch)
    paravec.save(v2, tmp_path / "v2.model")
    with pytest.raises(IndexStateError, match="--sync"):
        SearchIndex.open(tmp_path / "idx", model=tmp_path / "v2.model")

    report = index.sync(v2, batch, model_path=tmp_path / "v2.model")
    assert report.added == ["lee0", "lee1", "lee2"]
    assert report.replaced == ["bg0"]
    assert report.removed == [] and report.skipped == []
    assert report.unchanged == len(texts) - 1
    assert len(index) == len(texts) + 3
    # unchanged documents keep their vectors bit for bit (tantivy may merge their segments in the
    # background, so its files are not compared)
    unchanged = [s for s in range(len(texts)) if s != 0]
    assert np.array_equal(index.backend.view().unit_vectors(unchanged), old_vectors[unchanged])
    # the replaced document answers with its new text only
    assert index.document("bg0")["text"] == replacement[1]
    assert [h.tag for h in index.search("zorbly", mode="keyword")] == ["bg0"]
    old_word = next(w for w in tokenize(texts[0][1]) if sum(w in tokenize(t) for _, t in texts) == 1)
    assert "bg0" not in [h.tag for h in index.search(old_word, mode="keyword")]
    unique = next(
        w for w in tokenize(new_texts[1][1]) if not any(w in tokenize(t) for _, t in texts + new_texts[:1])
    )
    assert "lee1" in [h.tag for h in index.search(unique, mode="keyword")]
    assert "lee2" in [n.key for n in index.text_to_documents(new_texts[2][1], k=5)]
    # the folder holds one generation of files and the words kept at the build (a sync keeps
    # them: they stay true for every unchanged text), and reopens with the new model
    names = sorted(p.name for p in (tmp_path / "idx").iterdir())
    kept = ["forward-0-1.npy", "forward-0-2.npy", "forward-0-3.npy", "forward-0-4.npy", "forward-0.json"]
    assert names == ["docs-1.json", *kept, "live-1.npy", "manifest.json", "text", "vectors-1.npy"]
    reopened = SearchIndex.open(tmp_path / "idx")
    assert reopened.model_path == (tmp_path / "v2.model").resolve()
    assert len(reopened) == len(texts) + 3
    again = reopened.sync(v2, batch)
    assert not again.changed and again.unchanged == len(texts) + 3


def test_sync_removes_documents_the_model_dropped(tmp_path, model, texts, new_texts, updated):
    paravec.save(model, tmp_path / "v1.model")
    SearchIndex.build(tmp_path / "v1.model", texts, tmp_path / "idx")
    v2 = updated(new_texts[:5], keep_old_docs=False)
    paravec.save(v2, tmp_path / "v2.model")
    index = SearchIndex.open(tmp_path / "idx", model=tmp_path / "v2.model", sync="rebuild")
    assert index.last_sync is not None and len(index.last_sync.removed) == len(texts)
    assert len(index) == 0
    report = index.sync(v2, [*new_texts[:5], ("bg1", texts[1][1])])
    assert report.added == [f"lee{i}" for i in range(5)] and report.skipped == ["bg1"]
    assert {h.tag for h in index.search(new_texts[0][1], k=10)} <= {f"lee{i}" for i in range(5)}
    with pytest.raises(NotFoundError):
        index.document("bg1")


def test_int_tags_of_plain_gensim_models(tmp_path, texts):
    docs = [TaggedDocument(tokenize(t), [i]) for i, (_tag, t) in enumerate(texts[:60])]
    m = paravec.train(docs, vector_size=16, epochs=5, min_count=1, seed=1, workers=1)
    paravec.save(m, tmp_path / "int.model")
    index = SearchIndex.build(
        tmp_path / "int.model", [(i, t) for i, (_tag, t) in enumerate(texts[:60])], tmp_path / "int.index"
    )
    assert index.document("7")["text"] == texts[7][1]
    assert index.documents_like(7, k=3)[0].key in {str(i) for i in range(60)}
