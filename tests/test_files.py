"""paravec.files: atomic writes leave the old file or the whole new one, with ordinary permissions."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from paravec.files import atomic_path, read_json, write_atomic, write_json


def test_write_atomic_replaces_and_sets_umask_permissions(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    old_umask = os.umask(0o022)
    try:
        write_atomic(target, "new ø")
    finally:
        os.umask(old_umask)
    assert target.read_text(encoding="utf-8") == "new ø"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "vectors.npy"
    np.save(target, np.arange(3))

    def killed_half_way() -> None:
        with atomic_path(target) as tmp:
            np.save(tmp, np.arange(5))
            raise RuntimeError("killed half-way")

    with pytest.raises(RuntimeError):
        killed_half_way()
    assert np.load(target).tolist() == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]


def test_atomic_path_keeps_the_suffix_for_numpy(tmp_path):
    target = tmp_path / "vectors.npy"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".npy" and tmp.parent == tmp_path
        np.save(tmp, np.ones(2))  # np.save adds no second .npy
    assert np.load(target).tolist() == [1.0, 1.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.npy"]


def test_json_roundtrip_keeps_non_ascii(tmp_path):
    path = tmp_path / "manifest.json"
    write_json(path, {"tag": "bøker", "n": 2})
    assert read_json(path) == {"tag": "bøker", "n": 2}
    assert "bøker" in path.read_text(encoding="utf-8")
