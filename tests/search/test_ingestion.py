"""Adding documents through the index: the model file is updated and saved, the index synced."""

from __future__ import annotations

import pytest

import paravec
from paravec.errors import CorpusError
from paravec.search import SearchIndex


def test_add_documents_updates_model_file_and_index(tmp_path, model, texts, new_texts):
    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", texts, tmp_path / "idx")
    report = index.add_documents(new_texts[3:5], titles={"lee3": "An article"}, epochs=10)
    assert report.added == ["lee3", "lee4"]
    on_disk = paravec.load(tmp_path / "m.model")
    assert "lee3" in on_disk.dv and len(on_disk.dv) == len(texts) + 2
    reopened = SearchIndex.open(tmp_path / "idx")
    assert reopened.document("lee3")["title"] == "An article"
    assert "lee4" in [h.tag for h in reopened.search(new_texts[4][1], k=5)]
    with pytest.raises(CorpusError):
        index.add_documents([("empty", "!!!")])
    assert len(paravec.load(tmp_path / "m.model").dv) == len(texts) + 2


def test_a_copied_index_and_model_write_to_the_copy_never_the_original(built, new_texts, tmp_path):
    # Regression: model_path used to return the manifest's absolute path, so adding documents to a
    # copied index saved the updated model over the original file.
    import hashlib
    import shutil

    original = built.path.parent
    copy_dir = tmp_path / "copy"
    shutil.copytree(original, copy_dir)
    digest = hashlib.sha256((original / "lee.model").read_bytes()).hexdigest()

    copied = SearchIndex.open(copy_dir / "lee.index")
    assert copied.model_path == (copy_dir / "lee.model").resolve()
    report = copied.add_documents(new_texts[:3], epochs=5)
    assert report.added == [tag for tag, _ in new_texts[:3]]
    assert hashlib.sha256((original / "lee.model").read_bytes()).hexdigest() == digest
    assert len(SearchIndex.open(built.path)) == len(built)
    assert len(paravec.load(copy_dir / "lee.model").dv) == len(built) + 3
