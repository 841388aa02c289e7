"""The files of a search index folder: manifest, document list, generations, atomic writes.

Layout: ``manifest.json`` (written last, atomically) names the current generation of the other
files: ``docs-N.json`` (tag and text digest by slot), ``vectors-N.npy`` / ``live-N.npy`` and
``ann-N.usearch`` (:mod:`paravec.search.vectors`), next to the tantivy folder ``text/``. A sync
writes generation N+1 beside N, switches the manifest, then deletes N, so a reader or a crash
never sees half a write. File names are read from the manifest only when they match the pattern
above: never a path, so a tampered manifest cannot point a sync outside the folder. Tags are never
used as file names.

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.search.store import read_json, write_json
>>> folder = Path(tempfile.mkdtemp())
>>> write_json(folder / "x.json", {"a": 1})
>>> read_json(folder / "x.json")
{'a': 1}
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paravec.errors import IndexStateError
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD, VectorStore

__all__ = [
    "FORMAT",
    "VERSION",
    "MANIFEST",
    "TEXT_DIR",
    "Docs",
    "State",
    "write_json",
    "read_json",
    "check_target",
    "move_into_place",
    "model_entry",
    "recorded_model_path",
    "save_state",
    "load_state",
    "remove_files",
]

FORMAT = "paravec-search-index"
VERSION = 1
MANIFEST = "manifest.json"
TEXT_DIR = "text"
_FILE_NAME = re.compile(r"(vectors|live|docs|ann)-[0-9]{1,12}\.(npy|json|usearch)")


@dataclass(frozen=True)
class Docs:
    """Which document occupies each slot, and a digest of its text."""

    tags: list[str | None]
    digests: list[str | None]

    def slots(self) -> dict[str, int]:
        return {tag: slot for slot, tag in enumerate(self.tags) if tag is not None}


@dataclass(frozen=True)
class State:
    """Everything a query reads, swapped as one object so a sync never shows a half state."""

    docs: Docs
    slots: dict[str, int]
    vectors: VectorStore


def write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise IndexStateError(f"{path} is missing; the folder is not a paravec search index "
                              "(build one with `paravec index MODEL CORPUS --out FOLDER`)") from None
    except (OSError, ValueError) as err:
        raise IndexStateError(f"{path} is unreadable or corrupt ({err}); rebuild with `paravec index`") from None


def check_target(target: Path, overwrite: bool) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise IndexStateError(f"{target} exists and is not a folder; choose another --out")
    if not any(target.iterdir()):
        return
    if not (target / MANIFEST).is_file():
        raise IndexStateError(f"{target} is a folder with other files in it; give a new or empty folder")
    if not overwrite:
        raise IndexStateError(f"{target} already holds a search index; update it with `paravec index "
                              "--sync`, or rebuild it with --force (overwrite=True)")


def move_into_place(staging: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def model_entry(model_path: Path, index_dir: Path) -> dict[str, str]:
    try:
        relative = os.path.relpath(model_path, index_dir)
    except ValueError:  # another drive on Windows
        relative = str(model_path)
    return {"path": str(model_path), "relative": relative}


def recorded_model_path(index_dir: Path, manifest: dict) -> Path:
    entry = manifest.get("model") or {}
    # The relative path first: an index moved together with its model still finds it.
    for candidate in (entry.get("relative"), entry.get("path")):
        if candidate:
            path = Path(candidate) if os.path.isabs(candidate) else (index_dir / candidate)
            if path.exists():
                return path.resolve()
    raise IndexStateError(
        f"{index_dir}: the model file {entry.get('path')!r} recorded in the manifest is gone; "
        "pass the model explicitly (SearchIndex.open(..., model=PATH))"
    )


def save_state(folder: Path, generation: int, docs: Docs, vectors: VectorStore) -> dict[str, str | None]:
    files = vectors.save(folder, generation)
    files["docs"] = f"docs-{generation}.json"
    write_json(folder / files["docs"], {"tags": docs.tags, "digests": docs.digests})
    return files


def load_state(folder: Path, manifest: dict) -> State:
    files = manifest.get("files") or {}
    for key, name in files.items():
        # Names come from a file on disk: only plain names of our own pattern, never a path, so a
        # tampered manifest cannot make a sync read or delete files outside the folder.
        if name is not None and (not isinstance(name, str) or not _FILE_NAME.fullmatch(name)):
            raise IndexStateError(f"{folder}: the manifest names an unexpected file {name!r} for {key!r}; "
                                  "rebuild the index with `paravec index`")
    raw = read_json(folder / str(files.get("docs")))
    tags, digests = raw.get("tags"), raw.get("digests")
    if not isinstance(tags, list) or not isinstance(digests, list) or len(tags) != len(digests):
        raise IndexStateError(f"{folder}: {files.get('docs')} is corrupt; rebuild with `paravec index`")
    vectors = VectorStore.load(folder, files, int(manifest.get("ann_threshold", DEFAULT_ANN_THRESHOLD)))
    docs = Docs(tags, digests)
    slots = docs.slots()
    if len(vectors.matrix) != len(tags) or int(vectors.live.sum()) != len(slots):
        raise IndexStateError(f"{folder}: the document list and the vectors do not match; "
                              "rebuild with `paravec index`")
    return State(docs, slots, vectors)


def remove_files(folder: Path, old: dict, keep: dict) -> None:
    keep_names = {v for v in keep.values() if v}
    for name in old.values():
        if name and name not in keep_names:
            try:
                (folder / name).unlink()
            except OSError:
                pass  # a reader on another process may still map it; it is garbage, not state
