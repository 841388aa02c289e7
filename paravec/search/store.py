"""The files of a search index folder: manifest, document list, generations, atomic writes.

Layout: ``manifest.json`` (written last, atomically) names the current generation of the other
files: ``docs-N.json`` (tag and text digest by slot), ``vectors-N.npy`` (with
``vectors-N-K.npy`` for segment K of a large matrix) / ``live-N.npy`` and ``ann-N.usearch``
(`paravec.search.vectors`), ``forward-0.json`` and ``forward-0-K.npy`` (each text's words
as the model analyses them, kept from the build: `paravec.search.forward`), next to the tantivy
folder ``text/``. A sync
writes generation N+1 beside N, switches the manifest, then deletes N, so a reader or a crash
never sees half a write. File names are read from the manifest only when they match the pattern
above: never a path, so a tampered manifest cannot point a sync outside the folder. Tags are never
used as file names.

Every file is written with `paravec.files` (temporary file, then an atomic rename).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.search.store import read_index_json
>>> read_index_json(Path(tempfile.mkdtemp()) / "manifest.json")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
paravec.errors.IndexStateError: ... is missing; the folder is not a paravec search index ...
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paravec.errors import IndexStateError
from paravec.files import read_json, write_json
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD, VectorStore

__all__ = [
    "FORMAT",
    "MANIFEST",
    "TEXT_DIR",
    "VERSION",
    "Docs",
    "State",
    "check_target",
    "load_state",
    "model_entry",
    "move_into_place",
    "read_index_json",
    "recorded_model_path",
    "remove_files",
    "save_state",
]

FORMAT = "paravec-search-index"
VERSION = 1
MANIFEST = "manifest.json"
TEXT_DIR = "text"
_FILE_NAME = re.compile(r"(vectors|live|docs|ann|forward)-[0-9]{1,12}(-[0-9]{1,9})?\.(npy|json|usearch)")


@dataclass(frozen=True)
class Docs:
    """Which document occupies each slot, and a digest of its text."""

    tags: list[str | None]
    digests: list[str | None]

    def slots(self) -> dict[str, int]:
        """Slot of each live tag."""
        return {tag: slot for slot, tag in enumerate(self.tags) if tag is not None}


@dataclass(frozen=True)
class State:
    """Everything a query reads, swapped as one object so a sync never shows a half state."""

    docs: Docs
    slots: dict[str, int]
    vectors: VectorStore


def read_index_json(path: Path) -> Any:
    """Read one JSON file of an index; `IndexStateError` when it is missing or corrupt."""
    try:
        return read_json(path)
    except FileNotFoundError:
        raise IndexStateError(
            f"{path} is missing; the folder is not a paravec search index "
            "(build one with `paravec index MODEL CORPUS --out FOLDER`)"
        ) from None
    except (OSError, ValueError) as err:
        raise IndexStateError(
            f"{path} is unreadable or corrupt ({err}); rebuild with `paravec index`"
        ) from None


def check_target(target: Path, overwrite: bool) -> None:
    """Refuse to build into ``target`` unless it is new, empty, or an index to overwrite."""
    if not target.exists():
        return
    if not target.is_dir():
        raise IndexStateError(f"{target} exists and is not a folder; choose another --out")
    if not any(target.iterdir()):
        return
    if not (target / MANIFEST).is_file():
        raise IndexStateError(f"{target} is a folder with other files in it; give a new or empty folder")
    if not overwrite:
        raise IndexStateError(
            f"{target} already holds a search index; update it with `paravec index "
            "--sync`, or rebuild it with --force (overwrite=True)"
        )


def move_into_place(staging: Path, target: Path) -> None:
    """Put the finished folder ``staging`` where ``target`` is (replacing an old index)."""
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def model_entry(model_path: Path, index_dir: Path) -> dict[str, str]:
    """The manifest's record of the model file: absolute and relative to the index."""
    try:
        relative = os.path.relpath(model_path, index_dir)
    except ValueError:  # another drive on Windows
        relative = str(model_path)
    return {"path": str(model_path), "relative": relative}


def recorded_model_path(index_dir: Path, manifest: dict[str, Any]) -> Path:
    """The model file the manifest records (the relative path first)."""
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
    """Write generation ``generation`` of the document list and vectors; returns the file names."""
    files = vectors.save(folder, generation)
    name = f"docs-{generation}.json"
    files["docs"] = name
    write_json(folder / name, {"tags": docs.tags, "digests": docs.digests}, indent=None)
    return files


def load_state(folder: Path, manifest: dict[str, Any]) -> State:
    """Read the generation the manifest names; `IndexStateError` if it does not fit."""
    files = manifest.get("files") or {}
    for key, name in files.items():
        # Names come from a file on disk: only plain names of our own pattern, never a path, so a
        # tampered manifest cannot make a sync read or delete files outside the folder.
        if name is not None and (not isinstance(name, str) or not _FILE_NAME.fullmatch(name)):
            raise IndexStateError(
                f"{folder}: the manifest names an unexpected file {name!r} for {key!r}; "
                "rebuild the index with `paravec index`"
            )
    raw = read_index_json(folder / str(files.get("docs")))
    tags, digests = raw.get("tags"), raw.get("digests")
    if not isinstance(tags, list) or not isinstance(digests, list) or len(tags) != len(digests):
        raise IndexStateError(f"{folder}: {files.get('docs')} is corrupt; rebuild with `paravec index`")
    vectors = VectorStore.load(folder, files, int(manifest.get("ann_threshold", DEFAULT_ANN_THRESHOLD)))
    docs = Docs(tags, digests)
    slots = docs.slots()
    if len(vectors.matrix) != len(tags) or int(vectors.live.sum()) != len(slots):
        raise IndexStateError(
            f"{folder}: the document list and the vectors do not match; rebuild with `paravec index`"
        )
    return State(docs, slots, vectors)


def remove_files(folder: Path, old: dict[str, Any], keep: dict[str, Any]) -> None:
    """Delete the files of ``old`` that ``keep`` does not name (a replaced generation)."""
    keep_names = {v for v in keep.values() if v}
    for name in old.values():
        if name and name not in keep_names:
            # A reader on another process may still map it; it is garbage, not state.
            with contextlib.suppress(OSError):
                (folder / name).unlink()
