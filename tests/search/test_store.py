"""paravec.search.store: the files of an index folder, its manifest, and how they are replaced."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from paravec.errors import IndexStateError
from paravec.linalg import unit_rows
from paravec.search.forward import KEYS
from paravec.search.store import (
    FORMAT,
    MANIFEST,
    VERSION,
    Docs,
    check_target,
    load_state,
    model_entry,
    move_into_place,
    read_index_json,
    recorded_model_path,
    remove_files,
    save_state,
)
from paravec.search.vectors import VectorStore


def test_a_built_folder_has_the_documented_manifest_and_files(built, texts):
    manifest = json.loads((built.path / MANIFEST).read_text())
    assert (manifest["format"], manifest["version"], FORMAT, VERSION) == (
        "paravec-search-index",
        1,
        "paravec-search-index",
        1,
    )
    assert manifest["generation"] == 0 and manifest["documents"] == len(texts) == 300
    kept = ["forward-0.json", "forward-0-1.npy", "forward-0-2.npy", "forward-0-3.npy", "forward-0-4.npy"]
    assert manifest["files"] == {
        "vectors": "vectors-0.npy",
        "live": "live-0.npy",
        "ann": None,
        "docs": "docs-0.json",
        **dict(zip(KEYS, kept, strict=True)),
    }
    assert manifest["model"] == {"path": str(built.path.parent / "lee.model"), "relative": "../lee.model"}
    assert sorted(p.name for p in built.path.iterdir()) == sorted(
        ["docs-0.json", *kept, "live-0.npy", "manifest.json", "text", "vectors-0.npy"]
    )
    docs = json.loads((built.path / "docs-0.json").read_text())
    assert docs["tags"] == [tag for tag, _ in texts]


def test_state_round_trips_through_save_and_load(tmp_path, model):
    docs = Docs(["bg0", None, "bg2"], ["d0", None, "d2"])
    assert docs.slots() == {"bg0": 0, "bg2": 2}
    vectors = VectorStore.from_rows(model.dv.vectors[:3], live=[True, False, True])
    files = save_state(tmp_path, 4, docs, vectors)
    assert files == {"vectors": "vectors-4.npy", "live": "live-4.npy", "ann": None, "docs": "docs-4.json"}
    state = load_state(tmp_path, {"files": files})
    assert state.docs == docs and state.slots == {"bg0": 0, "bg2": 2}
    assert np.array_equal(state.vectors.matrix[[0, 2]], unit_rows(model.dv.vectors[[0, 2]]))
    assert state.vectors.live.tolist() == [True, False, True]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "vectors-0.npy/x", "notes.txt", 5])
def test_a_manifest_naming_files_outside_the_pattern_is_refused(tmp_path, name):
    with pytest.raises(IndexStateError) as info:
        load_state(tmp_path, {"files": {"docs": "docs-0.json", "vectors": name}})
    assert str(info.value) == (
        f"{tmp_path}: the manifest names an unexpected file {name!r} for 'vectors'; "
        "rebuild the index with `paravec index`"
    )


def test_a_document_list_that_disagrees_with_its_vectors_is_refused(tmp_path, model):
    files = save_state(tmp_path, 0, Docs(["a", "b"], ["x", "y"]), VectorStore.from_rows(model.dv.vectors[:3]))
    with pytest.raises(IndexStateError) as info:
        load_state(tmp_path, {"files": files})
    assert str(info.value) == (
        f"{tmp_path}: the document list and the vectors do not match; rebuild with `paravec index`"
    )
    (tmp_path / "docs-0.json").write_text(json.dumps({"tags": ["a"], "digests": []}))
    with pytest.raises(IndexStateError, match=r"docs-0\.json is corrupt"):
        load_state(tmp_path, {"files": files})


def test_read_index_json_says_missing_or_corrupt(tmp_path):
    with pytest.raises(IndexStateError) as info:
        read_index_json(tmp_path / MANIFEST)
    assert str(info.value) == (
        f"{tmp_path / MANIFEST} is missing; the folder is not a paravec search index "
        "(build one with `paravec index MODEL CORPUS --out FOLDER`)"
    )
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(IndexStateError, match=r"is unreadable or corrupt .*; rebuild with `paravec index`$"):
        read_index_json(tmp_path / MANIFEST)
    (tmp_path / MANIFEST).write_text('{"format": "paravec-search-index"}')
    assert read_index_json(tmp_path / MANIFEST) == {"format": "paravec-search-index"}


def test_check_target_accepts_new_or_empty_folders_and_an_index_only_with_overwrite(tmp_path, built):
    check_target(tmp_path / "new", overwrite=False)
    (tmp_path / "empty").mkdir()
    check_target(tmp_path / "empty", overwrite=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(IndexStateError) as info:
        check_target(tmp_path / "file", overwrite=True)
    assert str(info.value) == f"{tmp_path / 'file'} exists and is not a folder; choose another --out"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(IndexStateError) as info:
        check_target(tmp_path / "other", overwrite=True)
    assert (
        str(info.value)
        == f"{tmp_path / 'other'} is a folder with other files in it; give a new or empty folder"
    )
    with pytest.raises(IndexStateError) as info:
        check_target(built.path, overwrite=False)
    assert str(info.value) == (
        f"{built.path} already holds a search index; update it with `paravec index --sync`, "
        "or rebuild it with --force (overwrite=True)"
    )
    check_target(built.path, overwrite=True)


def test_move_into_place_puts_the_new_folder_there_and_leaves_nothing_else(tmp_path):
    staging, target = tmp_path / ".staging", tmp_path / "index"
    staging.mkdir()
    (staging / "manifest.json").write_text("new")
    move_into_place(staging, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]
    assert (target / "manifest.json").read_text() == "new"
    staging.mkdir()
    (staging / "manifest.json").write_text("newer")
    (target / "stale.npy").write_text("old")
    move_into_place(staging, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json"]
    assert (target / "manifest.json").read_text() == "newer"


def test_remove_files_deletes_only_the_replaced_generation(tmp_path):
    for name in ("vectors-0.npy", "live-0.npy", "docs-0.json", "vectors-1.npy", "live-1.npy", "docs-1.json"):
        (tmp_path / name).write_text(name)
    old = {"vectors": "vectors-0.npy", "live": "live-0.npy", "ann": None, "docs": "docs-0.json"}
    keep = {"vectors": "vectors-1.npy", "live": "live-0.npy", "ann": None, "docs": "docs-1.json"}
    remove_files(tmp_path, old, keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "docs-1.json",
        "live-0.npy",
        "live-1.npy",
        "vectors-1.npy",
    ]
    remove_files(tmp_path, old, keep)  # already gone: no error
    assert len(list(tmp_path.iterdir())) == 4


def test_the_recorded_model_is_found_relative_first_so_a_moved_pair_still_opens(tmp_path):
    (tmp_path / "a" / "idx").mkdir(parents=True)
    (tmp_path / "a" / "m.model").write_bytes(b"")
    entry = model_entry(tmp_path / "a" / "m.model", tmp_path / "a" / "idx")
    assert entry == {"path": str(tmp_path / "a" / "m.model"), "relative": "../m.model"}
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert (
        recorded_model_path(tmp_path / "b" / "idx", {"model": entry})
        == (tmp_path / "b" / "m.model").resolve()
    )
    (tmp_path / "b" / "m.model").unlink()
    assert (
        recorded_model_path(tmp_path / "b" / "idx", {"model": entry})
        == (tmp_path / "a" / "m.model").resolve()
    )
    (tmp_path / "a" / "m.model").unlink()
    with pytest.raises(IndexStateError) as info:
        recorded_model_path(tmp_path / "b" / "idx", {"model": entry})
    assert str(info.value) == (
        f"{tmp_path / 'b' / 'idx'}: the model file {str(tmp_path / 'a' / 'm.model')!r} recorded in the "
        "manifest is gone; pass the model explicitly (SearchIndex.open(..., model=PATH))"
    )
