"""What an index must change to follow its model: the documents to index, add, re-index and drop.

`indexable` turns ``(tag, text)`` pairs into the documents a new index holds (each with its
row in ``model.dv``); `plan_sync` compares an index's current view with a model after
`paravec.update` and returns the `paravec.search.backend.Changes` a backend applies
in one step, with the `paravec.search.types.SyncReport` that says what they are. Both work
through `paravec.search.backend.IndexView` only, so every backend syncs the same way:

* indexed documents the model no longer has are removed;
* texts whose tag the model has but the index does not are added;
* indexed documents whose text (by its digest) or title changed, or whose vector in the model
  changed, are re-indexed; the others are not touched.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.search.syncing import indexable
>>> model = paravec.train([TaggedDocument(["a", "b"], ["d0"])], vector_size=4, min_count=1, epochs=1)
>>> skipped: list[str] = []
>>> [(doc.tag, row) for doc, row in indexable(model, [("d0", "A b."), ("d9", "C.")], {}, skipped, "skip")]
[('d0', 0)]
>>> skipped
['d9']
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec

import paravec
from paravec.errors import CorpusError, IndexStateError
from paravec.linalg import unit_rows
from paravec.params import InstanceOf, validate
from paravec.search.backend import Changes, IndexBackend, IndexedText, IndexView, ProgressCallback
from paravec.search.fingerprint import model_fingerprint
from paravec.search.text import clean_text
from paravec.search.types import SyncReport
from paravec.search.validate import check_titles, text_pairs
from paravec.tags import tag_row

__all__ = ["Syncing", "digest", "given_texts", "indexable", "plan_sync"]

logger = logging.getLogger(__name__)

# A stored unit vector further than this (in any component) from the model's is re-indexed.
_STALE = 1e-6
# Rows compared at a time: bounded memory on a model of millions of documents.
_STALE_BLOCK = 65_536


def digest(text: str) -> str:
    """A short digest of a document's text, to see later whether the text changed."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def given_texts(texts: Iterable[tuple[Any, str]] | Mapping[Any, str]) -> dict[str, str]:
    """The checked, cleaned texts by tag; `CorpusError` for a tag given twice."""
    given: dict[str, str] = {}
    for i, (tag, body) in enumerate(text_pairs(texts)):
        if tag in given:
            raise CorpusError(f"tag {tag!r} appears twice in the texts (second at #{i})")
        given[tag] = clean_text(body)
    return given


def indexable(
    model: Doc2Vec,
    texts: Iterable[tuple[Any, str]] | Mapping[Any, str],
    titles: Mapping[str, str],
    skipped: list[str],
    missing: Literal["error", "skip"],
) -> Iterator[tuple[IndexedText, int]]:
    """Yield each text the model has a vector for, with its row in ``model.dv``.

    Tags the model does not have go to ``skipped``. When the texts run out, raises
    `CorpusError` if a tag came twice, if there were skipped tags and ``missing`` is
    ``"error"``, or if nothing was indexable, so a backend building from this generator stops
    before it writes anything.
    """
    seen: set[str] = set()
    for i, (tag, body) in enumerate(text_pairs(texts)):
        if tag in seen:
            raise CorpusError(
                f"tag {tag!r} appears twice in the texts (second at #{i}); give every document one tag"
            )
        seen.add(tag)
        row = tag_row(model.dv, tag)
        if row is None:
            skipped.append(tag)
            continue
        text = clean_text(body)
        yield IndexedText(tag, titles.get(tag, ""), text, digest(text)), row
    indexed = len(seen) - len(skipped)
    if skipped and missing == "error":
        raise CorpusError(
            f"{len(skipped)} of {len(seen)} texts have tags the model does not have (e.g. {skipped[0]!r}); "
            "index the corpus the model was trained or updated with, or pass missing='skip' (--skip-missing)"
        )
    if not indexed:
        raise CorpusError("no texts to index; give (tag, text) pairs of the model's documents")
    if skipped:
        logger.warning("skipped %d texts whose tags are not in the model (e.g. %r)", len(skipped), skipped[0])


def plan_sync(
    view: IndexView, model: Doc2Vec, given: Mapping[str, str], titles: Mapping[str, str]
) -> tuple[Changes, SyncReport]:
    """What ``view`` must change to follow ``model``, given new or replaced ``texts``.

    Parameters
    ----------
    view : IndexView
        The index as it is.
    model : gensim.models.Doc2Vec
        The model after the update.
    given : mapping of str to str
        Cleaned texts by tag (`given_texts`): new and replaced documents at least; an
        unchanged text is recognised by its digest and left alone.
    titles : mapping of str to str
        Titles of given documents; a given title re-indexes its document.

    Returns
    -------
    (Changes, SyncReport)
        The changes (with the model's fingerprint) and the report of what they are.
    """
    report = SyncReport()
    tags = view.tags()
    digests = view.digests()
    rows = _rows_of(model, tags)
    removed = [tag for tag, row in zip(tags, rows.tolist(), strict=True) if row < 0]
    texts: list[IndexedText] = []
    vectors: dict[str, Any] = {}
    for tag, body in given.items():
        row = tag_row(model.dv, tag)
        if row is None:
            report.skipped.append(tag)
            continue
        text_digest = digest(body)
        if tag not in digests:
            report.added.append(tag)
        elif digests[tag] == text_digest and tag not in titles:
            continue
        else:
            report.replaced.append(tag)
        texts.append(IndexedText(tag, titles.get(tag, ""), body, text_digest))
        vectors[tag] = model.dv.vectors[row]
    # Vectors that changed without new text (a replaced document whose text was not passed, or
    # weights that learnt with freeze="none"): every kept document's stored unit vector is
    # compared with the model's, in blocks of rows, without a Python step per document.
    keep = rows >= 0
    if report.replaced:  # those got their vector above (added tags are not in ``tags``)
        again = set(report.replaced)
        keep &= np.fromiter((tag not in again for tag in tags), dtype=bool, count=len(tags))
    kept = np.flatnonzero(keep)
    if len(kept):
        if view.slot(tags[0]) == 0 and view.slot(tags[-1]) == len(tags) - 1:
            # ``tags`` are in slot order, so n distinct slots from 0 to n - 1 are the positions.
            slots = kept
        else:
            slot_of = view.slot
            slots = np.fromiter((slot_of(tags[i]) for i in kept.tolist()), dtype=np.int64, count=len(kept))
        for j in _stale(model.dv.vectors, rows[kept], view, slots):
            tag = tags[int(kept[j])]
            vectors[tag] = model.dv.vectors[rows[kept[j]]]
            report.replaced.append(tag)
    report.removed = removed
    report.unchanged = len(tags) - len(removed) - len(set(report.replaced))
    indexed = len(tags) - len(removed) + len(report.added)
    report.unindexed = max(0, len(model.dv.index_to_key) - indexed)
    changes = Changes(texts=texts, vectors=vectors, removed=removed, fingerprint=model_fingerprint(model))
    return changes, report


def _rows_of(model: Doc2Vec, tags: list[str]) -> npt.NDArray[np.int64]:
    """The row in ``model.dv`` of each tag (-1: the model has no such tag)."""
    keys = model.dv.index_to_key
    if len(keys) >= len(tags) and keys[: len(tags)] == tags:
        # A store's index lists the model's documents in the model's order: no lookup at all.
        return np.arange(len(tags), dtype=np.int64)
    get = model.dv.key_to_index.get
    found = [get(tag) for tag in tags]
    for i in [i for i, row in enumerate(found) if row is None]:
        found[i] = tag_row(model.dv, tags[i])  # int tags named by strings of digits
    return np.fromiter((-1 if row is None else row for row in found), dtype=np.int64, count=len(found))


def _stale(
    vectors: npt.NDArray[Any], rows: npt.NDArray[np.int64], view: IndexView, slots: npt.NDArray[np.int64]
) -> Iterator[int]:
    """Positions ``j`` whose model row ``rows[j]`` no longer gives the unit vector at ``slots[j]``."""
    for start in range(0, len(rows), _STALE_BLOCK):
        part_rows, part_slots = rows[start : start + _STALE_BLOCK], slots[start : start + _STALE_BLOCK]
        first = int(part_rows[0])
        if int(part_rows[-1]) - first == len(part_rows) - 1 and np.all(np.diff(part_rows) == 1):
            fresh = unit_rows(vectors[first : first + len(part_rows)])  # a slice: no gather
        else:
            fresh = unit_rows(vectors[part_rows])
        stored = view.unit_vectors(cast(Sequence[int], part_slots))  # any backend takes an array too
        stale = np.any(np.abs(fresh - stored) > _STALE, axis=1)
        yield from (start + int(j) for j in np.flatnonzero(stale))


_MODEL_OR_PATH = InstanceOf((Doc2Vec, str, os.PathLike), "a gensim Doc2Vec or a path")


class Syncing:
    """`paravec.search.SearchIndex.sync`: the index follows its model after an update."""

    backend: IndexBackend
    model: Doc2Vec
    _write_lock: threading.RLock
    _model_path: Path | None

    @validate(model=_MODEL_OR_PATH)
    def sync(
        self,
        model: Doc2Vec | str | os.PathLike[str],
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str] = (),
        *,
        titles: Mapping[Any, str] | None = None,
        model_path: str | os.PathLike[str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> SyncReport:
        """Bring the index up to date with ``model``, changing only what changed.

        * indexed documents the model no longer has are removed;
        * texts whose tag the model has but the index does not are added;
        * indexed documents whose text (from ``texts``) or vector (in ``model``) changed are
          re-indexed; the others are not touched.

        Parameters
        ----------
        model : gensim.models.Doc2Vec or path
            The model after the update. A path is loaded memory-mapped and recorded as the
            index's model file.
        texts : iterable of (str, str), optional
            Texts of new and replaced documents at least (passing the whole corpus is fine:
            unchanged texts are recognised by their digest and left alone).
        titles : mapping of str to str, optional
            Titles of the given documents.
        model_path : path, optional
            Record this file as the index's model (when ``model`` is an object saved there).
        progress : callable, optional
            Called as ``progress(step, done, total)``.

        Returns
        -------
        SyncReport

        Raises
        ------
        ParameterError, CorpusError
            Bad texts (wrong types, a duplicate tag).
        IndexStateError
            A model of another vector size.
        """
        started = time.perf_counter()
        if not isinstance(model, Doc2Vec):
            model_path = model
            model = paravec.load(Path(model), mmap="r")
        if model.vector_size != self.backend.dimensions:
            raise IndexStateError(
                f"the model has {model.vector_size} dimensions but the index {self.backend.dimensions}; "
                "it is another model: build a new index with `paravec index`"
            )
        checked_titles = check_titles(titles)
        given = given_texts(texts)
        with self._write_lock:
            changes, report = plan_sync(self.backend.view(), model, given, checked_titles)
            recorded = Path(model_path).resolve() if model_path is not None else None
            changes.model_path = recorded
            if report.changed or changes.fingerprint != self.backend.fingerprint or recorded is not None:
                self.backend.apply(changes, progress=progress)
                if recorded is not None:
                    self._model_path = recorded
            self.model = model
        report.seconds = time.perf_counter() - started
        return report
