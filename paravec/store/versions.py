"""Writing one version folder: model, texts, index, record; shared with the parent wherever unchanged.

`write_version` is what `paravec.store.Store.create`, ``update`` and ``delete`` call once their
model is ready. The model goes to content-addressed chunks (`paravec.store.format`), the texts
of the batch to one object (`paravec.store.texts`), and the index is the parent's index
hard-linked file by file (tantivy segments and the vector files are never changed in place, only
added and removed; the document vectors are kept in segments, `paravec.search.vectors`) and then
synced to the new model, so only the changed documents cost disk. The sync runs in a thread
beside the model write: both only read the model. Everything is written under
``versions/.tmp-N-PID`` (`stage_version`) and renamed to ``versions/N`` when complete
(`finish_version`), the record last.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.versions import link_tree
>>> src = Path(tempfile.mkdtemp()); _ = (src / "a").write_text("x")
>>> dst = Path(tempfile.mkdtemp()) / "copy"
>>> link_tree(src, dst)
>>> (dst / "a").stat().st_nlink
2
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gensim
import numpy as np
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.errors import StoreError
from paravec.files import write_json
from paravec.store.format import write_model
from paravec.store.layout import Layout, VersionInfo
from paravec.store.objects import ObjectStore
from paravec.store.texts import put_batch, write_text_list

__all__ = ["batch_digest", "finish_version", "link_tree", "software", "stage_version", "write_version"]

# Hidden files are tantivy's lock files (taken with flock: a link would share the lock between
# versions) and temporary files of an unfinished write; only tantivy's file list is state.
_LINKED_HIDDEN = (".managed.json",)


def link_tree(source: Path, target: Path) -> None:
    """Recreate the folder ``source`` at ``target`` with hard links to its files."""
    target.mkdir(parents=True)
    for entry in os.scandir(source):
        if entry.name.startswith(".") and entry.name not in _LINKED_HIDDEN:
            continue
        path = target / entry.name
        if entry.is_dir(follow_symlinks=False):
            link_tree(Path(entry.path), path)
        else:
            try:
                os.link(entry.path, path)
            except OSError:  # a file system without hard links: copy
                shutil.copy2(entry.path, path)


def software() -> dict[str, str]:
    """The versions of what wrote a version."""
    import paravec

    return {
        "paravec": paravec.__version__,
        "gensim": gensim.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def batch_digest(documents: Iterable[TaggedDocument], texts: Mapping[str, str]) -> str:
    """SHA-256 over the batch's tags, words and texts, in order."""
    digest = hashlib.sha256()
    for doc in documents:
        for part in (
            "\x1e".join(map(str, doc.tags)),
            "\x1f".join(doc.words),
            texts.get(str(doc.tags[0]), ""),
        ):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1d")
    return digest.hexdigest()


def write_version(
    layout: Layout,
    info: VersionInfo,
    model: Doc2Vec,
    *,
    batches: list[str],
    new_texts: Mapping[str, str],
    parent_index: Path | None,
    index_options: dict[str, Any],
    report: Any = None,
    update_report: dict[str, Any] | None = None,
) -> Path:
    """Write version ``info.number`` (complete, under its final name) and return its folder.

    ``batches`` are the parent's text batches; ``new_texts`` the texts this version adds. The
    index is the parent's synced to ``model`` when ``parent_index`` is given, else built from all
    the version's texts (when it has any). ``info`` is completed (``indexed``) and written last.
    """
    staging = stage_version(
        layout,
        info,
        model,
        batches=batches,
        new_texts=new_texts,
        parent_index=parent_index,
        index_options=index_options,
    )
    return finish_version(layout, staging, info, report=report, update_report=update_report)


def _sync_index(parent_index: Path, index_dir: Path, model: Doc2Vec, new_texts: Mapping[str, str]) -> float:
    """The parent's index, hard-linked to ``index_dir`` and synced to ``model``; returns seconds."""
    import time

    from paravec.search import SearchIndex
    from paravec.search.embedded import EmbeddedBackend

    started = time.perf_counter()
    link_tree(parent_index, index_dir)
    path = index_dir.resolve()
    # `SearchIndex.open` would fingerprint the model once to compare and `sync` once more to
    # record it; the sync alone does both (it changes nothing but the fingerprint if the model did
    # not change).
    SearchIndex(path, model, EmbeddedBackend.open(path)).sync(model, new_texts)
    return round(time.perf_counter() - started, 3)


def stage_version(
    layout: Layout,
    info: VersionInfo,
    model: Doc2Vec,
    *,
    batches: list[str],
    new_texts: Mapping[str, str],
    parent_index: Path | None,
    index_options: dict[str, Any],
) -> Path:
    """The first half of `write_version`: model, texts and index under ``versions/.tmp-N-PID``.

    Nothing here depends on the verification report, so a store update runs it while the report
    is computed (`paravec.store.changing`); `finish_version` then adds the report and the record.
    """
    import time

    from paravec.search import SearchIndex
    from paravec.store.texts import read_texts

    objects = ObjectStore(layout.objects)
    staging = layout.staging_dir(info.number)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    index_dir = staging / "index"
    syncing: Future[float] | None = None
    pool = ThreadPoolExecutor(1, thread_name_prefix="paravec-store-index")
    if parent_index is not None and parent_index.is_dir():
        # Syncing the parent's index only reads the model: it runs beside writing the model.
        syncing = pool.submit(_sync_index, parent_index, index_dir, model, new_texts)
    started = time.perf_counter()
    try:
        write_json(staging / "model.json", write_model(model, objects), indent=None)
        if new_texts:
            batches = [*batches, put_batch(new_texts, objects)]
        write_text_list(staging, batches)
        info.timings["write_model"] = round(time.perf_counter() - started, 3)
    finally:
        pool.shutdown(wait=True)  # nothing reads the model once this returns
    if syncing is not None:
        info.timings["index"] = syncing.result()
        info.indexed = True
    if syncing is None and batches:
        started = time.perf_counter()
        texts = read_texts(batches, objects, set(map(str, model.dv.index_to_key)))
        if texts:
            SearchIndex.build(
                staging / "model.json", texts, index_dir, model=model, missing="skip", **index_options
            )
            info.indexed = True
        info.timings["index"] = round(time.perf_counter() - started, 3)
    return staging


def finish_version(
    layout: Layout,
    staging: Path,
    info: VersionInfo,
    *,
    report: Any = None,
    update_report: dict[str, Any] | None = None,
) -> Path:
    """The second half of `write_version`: reports, the record (last), then the rename into place."""
    if update_report is not None:
        write_json(staging / "update.json", update_report)
    if report is not None:
        write_json(staging / "report.json", report.to_dict())
        (staging / "report.md").write_text(report.to_markdown(), encoding="utf-8")
    if "total" not in info.timings:  # an update records its wall time (its steps overlap)
        info.timings["total"] = round(sum(info.timings.values()), 3)
    layout.write_version(staging, info)
    final = layout.version_dir(info.number)
    if final.exists():
        raise StoreError(f"{final} exists already; another process wrote version {info.number}")
    os.replace(staging, final)
    return final
