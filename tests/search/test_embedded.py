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
