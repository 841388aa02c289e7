"""The embedded backend: a folder that refuses to open when it is not a sound index of its model."""

from __future__ import annotations

import json

import pytest

from paravec.errors import IndexStateError
from paravec.search import SearchIndex


def test_a_tampered_or_orphaned_index_is_refused(built, tmp_path):
    import shutil

    copy_dir = tmp_path / "copy.index"
    shutil.copytree(built.path, copy_dir)
    manifest = json.loads((copy_dir / "manifest.json").read_text())
    manifest["model"] = {"path": str(tmp_path / "gone.model"), "relative": "../gone.model"}
    (copy_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError, match="model file"):
        SearchIndex.open(copy_dir)
    assert len(SearchIndex.open(copy_dir, model=built.model_path)) == len(built)
    manifest["files"]["vectors"] = "../../../etc/passwd"
    (copy_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexStateError, match="unexpected file"):
        SearchIndex.open(copy_dir, model=built.model_path)


def test_a_build_writes_one_text_segment(tmp_path, model, texts, monkeypatch):
    # A query reads each of its words' postings once per tantivy segment: a build commits once.
    import paravec
    from paravec.search import SearchIndex, embedded

    monkeypatch.setattr(embedded, "_BATCH", 70)  # progress every 70 documents
    seen: list[int] = []
    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(
        tmp_path / "m.model",
        texts,
        tmp_path / "i",
        progress=lambda step, done, total: seen.append(done) if step == "text" else None,
    )
    assert index.backend.view()._searcher.num_segments == 1
    assert seen[-1] == len(texts) and 70 in seen
    assert [h.tag for h in index.search(texts[5][1], mode="document", k=1)] == [texts[5][0]]
