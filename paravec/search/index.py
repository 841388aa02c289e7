"""A search index over a gensim Doc2Vec model and its documents' texts: keyword, vector, hybrid.

What it does
------------
:class:`SearchIndex` lives in a folder (next to the model, embedded, no server) and ranks the
model's documents for a query three ways:

``"keyword"``
    BM25 over the texts, with tantivy (:mod:`paravec.search.text`).
``"vector"``
    the query is inferred into the model's space (``model.infer_vector``) and the documents with
    the nearest vectors are returned: exact cosine search, or a usearch ANN graph above
    ``ann_threshold`` documents (:mod:`paravec.search.vectors`).
``"hybrid"`` (default)
    both rankings fused by a convex combination of their scores (Bruch, Gai & Ingber, "An Analysis
    of Fusion Functions for Hybrid Retrieval", ACM TOIS 42(1), 2023):
    ``score = (keyword_weight * bm25 / best_bm25 + vector_weight * cosine) / (keyword_weight +
    vector_weight)``, BM25 scaled by the query's best BM25 and the cosine kept as it is (both
    scales are fixed, unlike a min-max over whatever the candidates happen to score). A candidate
    of only one ranking gets its exact cosine from the stored vectors, or BM25 0 when the keyword
    ranking did not retrieve it. Defaults 0.7 : 0.3, chosen with
    ``benchmarks/search_quality.py`` (the only setting measured there that beats both single
    rankings on every measure). ``fusion="rrf"`` uses weighted reciprocal-rank fusion instead
    (Cormack, Clarke & Büttcher, 2009): ``keyword_weight / (rrf_k + keyword_rank) + vector_weight
    / (rrf_k + vector_rank)``, which looks at ranks only.
``"document"``
    for a query that is a whole document (an article, a post): the candidates of both rankings
    are scored by their TF-IDF cosine, soft cosine (related words count, by their ``model.wv``
    similarity) and Doc2Vec cosine with the query, each as a z-score against pairs of the index's
    own documents, averaged (:mod:`paravec.search.similarity`). A score of 0 is as alike as a
    typical pair of indexed documents. Slower than hybrid (it reads and compares the candidates'
    texts), and closer to people's judgments of how alike two articles are
    (``benchmarks/update_strategies.py``, ``benchmarks/search_quality.py``); for finding posts
    of the same newsgroup from a whole post, hybrid does as well or slightly better.

``expand=True`` adds the nearest words of the query words (``model.wv.most_similar``) to the
keyword query with a lower weight. Exploration of the joint word/document space:
:meth:`~SearchIndex.words_near_document`, :meth:`~SearchIndex.documents_near_word`,
:meth:`~SearchIndex.words_near_word`, :meth:`~SearchIndex.documents_like`,
:meth:`~SearchIndex.text_to_words`, :meth:`~SearchIndex.text_to_documents`.

The index follows the model: after :func:`paravec.update`, :meth:`~SearchIndex.sync` indexes new
documents, re-indexes replaced ones and drops removed ones, touching nothing else. The manifest
records a fingerprint of the model (:mod:`paravec.search.fingerprint`); opening the index with
another version of the model raises :class:`~paravec.errors.IndexStateError` (or syncs, if asked),
so the index never ranks with vectors of two model versions.

Folder layout: ``manifest.json`` (written last, atomically; names the current generation of the
other files), ``text/`` (tantivy), ``vectors-N.npy`` and ``live-N.npy`` (unit document vectors by
slot), ``docs-N.json`` (tag and text digest by slot), ``ann-N.usearch`` (only above the
threshold). Tags are never used as file names.

Example
-------
>>> import os, tempfile, paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.search import SearchIndex
>>> from paravec.tokenize import tokenize
>>> texts = [("d0", "The shuttle launch to the space station was delayed."),
...          ("d1", "Apples, pears and plums are fruit."),
...          ("d2", "The station crew waits for the next launch.")]
>>> model = paravec.train([TaggedDocument(tokenize(t), [tag]) for tag, t in texts],
...                       vector_size=16, min_count=1, epochs=5, seed=1)
>>> folder = tempfile.mkdtemp()
>>> paravec.save(model, os.path.join(folder, "m.model"))
>>> idx = SearchIndex.build(os.path.join(folder, "m.model"), texts, os.path.join(folder, "m.index"))
>>> [hit.tag for hit in idx.search("shuttle launch", mode="keyword", k=2)]
['d0', 'd2']
>>> len(SearchIndex.open(os.path.join(folder, "m.index")))
3
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np
from gensim.models import Doc2Vec

from paravec.errors import CorpusError, IndexStateError, ModelFileError, ParameterError
from paravec.search.fingerprint import describe_difference, model_fingerprint
from paravec.search.similarity import Calibration, document_scores, pair_samples
from paravec.search.text import TextStore, clean_text
from paravec.search.store import (
    FORMAT,
    MANIFEST,
    TEXT_DIR,
    VERSION,
    Docs,
    State,
    check_target,
    load_state,
    model_entry,
    move_into_place,
    read_json,
    recorded_model_path,
    remove_files,
    save_state,
    write_json,
)
from paravec.search.types import Hit, Neighbor, NotFoundError, SyncReport
from paravec.search.validate import (
    MAX_K,
    MAX_KEY_CHARS,
    MAX_QUERY_CHARS,
    MAX_TEXT_CHARS,
    check_k,
    check_key,
    check_text,
    check_titles,
    check_weight,
    text_pairs,
)
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD, VectorStore

__all__ = [
    "SearchIndex",
    "MODES",
    "FUSIONS",
    "MAX_QUERY_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_KEY_CHARS",
    "MAX_K",
    "MAX_QUERY_TERMS",
]

logger = logging.getLogger(__name__)

MODES = ("hybrid", "keyword", "vector", "document")
"""Ranking modes of :meth:`SearchIndex.search`."""

FUSIONS = ("convex", "rrf")
"""How hybrid mode fuses the keyword and the vector ranking."""

KEYWORD_WEIGHT = 0.7
"""Default weight of the keyword ranking in hybrid mode (see the module docstring)."""

VECTOR_WEIGHT = 0.3
"""Default weight of the vector ranking in hybrid mode."""

MAX_QUERY_TERMS = 64
"""Most distinct query words sent to the keyword ranking; a longer query keeps its highest tf x idf words."""

_BATCH = 2_000
# Documents whose pairs calibrate mode="document" (64 give 4,032 ordered pairs, a second or two).
_CALIBRATION_SAMPLE = 64

ProgressCallback = Callable[[str, int, int], None]
SyncMode = Literal["refuse", "rebuild"]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()










def _tokenize(text: str) -> list[str]:
    from paravec.tokenize import tokenize

    return tokenize(text)






def _load_model(path: Path) -> Doc2Vec:
    from paravec.model_io import load

    return load(path, mmap="r")


def _uses_int_tags(model: Doc2Vec) -> bool:
    keys = model.dv.index_to_key
    return bool(keys) and isinstance(keys[0], (int, np.integer))


def _model_row(model: Doc2Vec, tag: str) -> int | None:
    """Row of ``tag`` in ``model.dv``; tags are strings in the index, ints in some models."""
    dv = model.dv
    index = dv.key_to_index.get(tag)
    if index is None and tag.isascii() and tag.isdigit() and _uses_int_tags(model):
        key = int(tag)
        index = dv.key_to_index.get(key)
        # Plain int tags are their own row numbers; gensim leaves key_to_index empty for them.
        if index is None and not dv.key_to_index and key < len(dv.index_to_key):
            index = key
    return index


# ------------------------------------------------------------------------------------------------
# the index
# ------------------------------------------------------------------------------------------------


class SearchIndex:
    """Keyword, vector and hybrid search over a Doc2Vec model's documents, plus exploration.

    Build one with :meth:`build`, reopen it with :meth:`open`. See the module docstring.

    Attributes
    ----------
    path : pathlib.Path
        The index folder.
    model : gensim.models.Doc2Vec
        The model the index belongs to (loaded memory-mapped from the manifest's path by default).
    rrf_k : float
        The constant of reciprocal-rank fusion (default 60, as in Cormack et al.).
    candidates : int
        How many documents each ranking contributes to the fusion (at least ``k``).
    infer_epochs : int or None
        Epochs of ``infer_vector`` for queries; None uses the model's ``epochs``.
    expand_topn : int
        Nearest words added per query word with ``expand=True``.
    expand_weight : float
        Weight of an expansion word in the keyword query, relative to a query word.
    """

    rrf_k: float = 60.0
    candidates: int = 100
    infer_epochs: int | None = None
    expand_topn: int = 3
    expand_weight: float = 0.5

    def __init__(self, path: Path, model: Doc2Vec, manifest: dict, text: TextStore, state: State) -> None:
        self.path = path
        self.model = model
        self._manifest = manifest
        self._text = text
        self._state = state
        self._write_lock = threading.RLock()
        self._infer_lock = threading.Lock()
        self._calibration_lock = threading.Lock()
        self._calibration: tuple[State, Calibration] | None = None
        self._model_path: Path | None = None
        self.last_sync: SyncReport | None = None

    def __len__(self) -> int:
        return len(self._state.slots)

    def __repr__(self) -> str:
        return f"SearchIndex({str(self.path)!r}, documents={len(self)}, ann={self.uses_ann})"

    @property
    def uses_ann(self) -> bool:
        """True when vector search goes through the usearch ANN graph."""
        return self._state.vectors.ann is not None

    @property
    def model_path(self) -> Path:
        """The model file this index searches with: the one it was opened with, else the one
        the manifest records (relative to the index folder first, so a copied index and model
        pair points at the copy, never at the original)."""
        if self._model_path is not None:
            return self._model_path
        return recorded_model_path(self.path, self._manifest)

    @property
    def tags(self) -> list[str]:
        """Tags of the indexed documents, in slot order."""
        return [t for t in self._state.docs.tags if t is not None]

    # -- building and opening --------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        model_path: str | os.PathLike,
        texts: Iterable[tuple[str, str]],
        index_dir: str | os.PathLike,
        *,
        titles: Mapping[str, str] | None = None,
        progress: ProgressCallback | None = None,
        model: Doc2Vec | None = None,
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        overwrite: bool = False,
        missing: Literal["error", "skip"] = "error",
    ) -> SearchIndex:
        """Build an index of ``texts`` over the model saved at ``model_path``.

        Parameters
        ----------
        model_path : str or path-like
            The model file (written by ``Doc2Vec.save`` / :func:`paravec.save`); recorded in the
            manifest so :meth:`open` can load it.
        texts : iterable of (str, str)
            ``(tag, text)`` of each document to index, e.g. :func:`paravec.corpus.read_texts`.
            Every tag must be a document of the model.
        index_dir : str or path-like
            Folder to create. It is built in a temporary sibling folder and moved into place, so
            an interrupted build leaves nothing half-written under this name.
        titles : mapping of str to str, optional
            Display titles by tag (searched too, with a boost); without one a hit's title is its tag.
        progress : callable, optional
            Called as ``progress(step, done, total)``; steps ``"text"`` (total 0 when unknown)
            and ``"vectors"``.
        model : gensim.models.Doc2Vec, optional
            The model already loaded from ``model_path`` (saves loading it again).
        ann_threshold : int, default 50,000
            Above this many documents vector search uses a usearch ANN graph.
        overwrite : bool, default False
            Replace an existing index in ``index_dir`` (only a folder holding a paravec index).
        missing : {"error", "skip"}, default "error"
            What to do with texts whose tag the model does not have.

        Returns
        -------
        SearchIndex

        Raises
        ------
        ModelFileError
            The model cannot be loaded.
        IndexStateError
            ``index_dir`` exists and is not empty (and ``overwrite`` is false or it is not an index).
        CorpusError
            No texts, a duplicate tag, or (``missing="error"``) tags the model does not have.
        ParameterError
            A bad parameter, tag or text type.
        """
        if isinstance(ann_threshold, bool) or not isinstance(ann_threshold, int) or ann_threshold < 0:
            raise ParameterError(f"ann_threshold must be an integer >= 0, got {ann_threshold!r}")
        if missing not in ("error", "skip"):
            raise ParameterError(f"missing must be 'error' or 'skip', got {missing!r}")
        model_path = Path(model_path).resolve()
        target = Path(index_dir).resolve()
        check_target(target, overwrite)
        if model is None:
            model = _load_model(model_path)
        elif not model_path.is_file():
            raise ModelFileError(f"model file not found: {model_path}; save the model there first "
                                 "(paravec.save), the index records where to load it from")
        elif not isinstance(model, Doc2Vec):
            raise ParameterError(f"model must be a gensim Doc2Vec, got {type(model).__name__}")
        titles = check_titles(titles)

        total = len(texts) if isinstance(texts, (list, tuple, Mapping)) else 0
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            text = TextStore.create(staging / TEXT_DIR)
            tags: list[str] = []
            digests: list[str] = []
            rows: list[int] = []
            skipped: list[str] = []
            seen: set[str] = set()
            batch: list[tuple[int, str, str, str]] = []

            def flush() -> None:
                text.add(batch)
                batch.clear()
                if progress is not None:
                    progress("text", len(tags) + len(skipped), total)

            for i, (tag, body) in enumerate(text_pairs(texts)):
                if tag in seen:
                    raise CorpusError(f"tag {tag!r} appears twice in the texts (second at #{i}); "
                                      "give every document one tag")
                seen.add(tag)
                row = _model_row(model, tag)
                if row is None:
                    skipped.append(tag)
                    continue
                body = clean_text(body)
                batch.append((len(tags), tag, titles.get(tag, ""), body))
                tags.append(tag)
                digests.append(_digest(body))
                rows.append(row)
                if len(batch) >= _BATCH:
                    flush()
            if batch:
                flush()
            if skipped and missing == "error":
                raise CorpusError(
                    f"{len(skipped)} of {len(skipped) + len(tags)} texts have tags the model does not "
                    f"have (e.g. {skipped[0]!r}); index the corpus the model was trained or updated "
                    "with, or pass missing='skip' (--skip-missing)"
                )
            if not tags:
                raise CorpusError("no texts to index; give (tag, text) pairs of the model's documents")
            if skipped:
                logger.warning("skipped %d texts whose tags are not in the model (e.g. %r)", len(skipped), skipped[0])
            if progress is not None:
                progress("vectors", 0, 1)
            vectors = VectorStore.from_rows(model.dv.vectors[np.asarray(rows)], ann_threshold=ann_threshold)
            if progress is not None:
                progress("vectors", 1, 1)
            now = _now()
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "generation": 0,
                "created": now,
                "updated": now,
                "model": model_entry(model_path, target),
                "fingerprint": model_fingerprint(model),
                "ann_threshold": ann_threshold,
                "documents": len(tags),
                "files": {},
            }
            docs = Docs(list(tags), list(digests))
            manifest["files"] = save_state(staging, 0, docs, vectors)
            write_json(staging / MANIFEST, manifest)
            move_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls.open(target, model=model)

    @classmethod
    def open(
        cls,
        index_dir: str | os.PathLike,
        *,
        model: Doc2Vec | str | os.PathLike | None = None,
        sync: SyncMode = "refuse",
        texts: Iterable[tuple[str, str]] = (),
        titles: Mapping[str, str] | None = None,
    ) -> SearchIndex:
        """Open an index folder written by :meth:`build`.

        Parameters
        ----------
        index_dir : str or path-like
        model : gensim.models.Doc2Vec or path, optional
            The model to search with; by default the file recorded in the manifest, loaded
            memory-mapped (read-only).
        sync : {"refuse", "rebuild"}, default "refuse"
            When the model is not the version the index was built for: ``"refuse"`` raises
            :class:`IndexStateError`; ``"rebuild"`` brings the index up to date with
            :meth:`sync` (re-reading changed vectors, dropping removed documents; documents new
            to the model need their texts: pass them as ``texts``). The report is kept in
            :attr:`last_sync`.
        texts : iterable of (str, str), optional
            With ``sync="rebuild"``: texts of new and replaced documents (see :meth:`sync`).
        titles : mapping of str to str, optional
            With ``sync="rebuild"``: their titles.

        Returns
        -------
        SearchIndex

        Raises
        ------
        IndexStateError
            Not an index, a corrupt index, or an index of another model version (``"refuse"``).
        ModelFileError
            The model file cannot be loaded.
        """
        if sync not in ("refuse", "rebuild"):
            raise ParameterError(f"sync must be 'refuse' or 'rebuild', got {sync!r}")
        path = Path(index_dir).resolve()
        if not path.is_dir():
            raise IndexStateError(f"{path} is not a folder; build an index with "
                                  "`paravec index MODEL CORPUS --out FOLDER`")
        manifest = read_json(path / MANIFEST)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise IndexStateError(f"{path / MANIFEST} is not a paravec search index manifest")
        if manifest.get("version") != VERSION:
            raise IndexStateError(f"{path} was written by an index format version {manifest.get('version')}; "
                                  f"this paravec reads version {VERSION}: rebuild with `paravec index`")
        model_path: Path | None = None
        opened_from: Path | None = None
        if model is None:
            opened_from = recorded_model_path(path, manifest)
            model = _load_model(opened_from)
        elif isinstance(model, (str, os.PathLike)):
            model_path = opened_from = Path(model).resolve()
            model = _load_model(model_path)
        elif not isinstance(model, Doc2Vec):
            raise ParameterError(f"model must be a gensim Doc2Vec or a path, got {type(model).__name__}")
        text = TextStore.open(path / TEXT_DIR)
        state = load_state(path, manifest)
        if len(text) != len(state.slots):
            raise IndexStateError(
                f"{path}: the text index holds {len(text)} documents but the vectors {len(state.slots)} "
                "(an interrupted sync?); rebuild with `paravec index MODEL CORPUS --out INDEX --force`"
            )
        index = cls(path, model, manifest, text, state)
        index._model_path = opened_from
        current = model_fingerprint(model)
        if current != manifest["fingerprint"]:
            if sync == "refuse":
                raise IndexStateError(
                    f"{path} was built for another version of the model "
                    f"({describe_difference(manifest['fingerprint'], current)}); run "
                    f"`paravec index MODEL CORPUS --out {path} --sync` to bring it up to date "
                    "(or open it with sync='rebuild')"
                )
            index.last_sync = index.sync(model, texts, titles=titles, model_path=model_path)
            logger.info("index synced to the model on open: %s", index.last_sync.summary())
        return index

    # -- keeping up with the model ----------------------------------------------------------------

    def sync(
        self,
        model: Doc2Vec | str | os.PathLike,
        texts: Iterable[tuple[str, str]] = (),
        *,
        titles: Mapping[str, str] | None = None,
        model_path: str | os.PathLike | None = None,
        progress: ProgressCallback | None = None,
    ) -> SyncReport:
        """Bring the index up to date with ``model``, changing only what changed.

        * indexed documents the model no longer has are removed (tantivy delete, ANN remove);
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
        """
        started = time.perf_counter()
        if isinstance(model, (str, os.PathLike)):
            model_path = model
            model = _load_model(Path(model))
        if not isinstance(model, Doc2Vec):
            raise ParameterError(f"model must be a gensim Doc2Vec or a path, got {type(model).__name__}")
        if model.vector_size != self._state.vectors.matrix.shape[1]:
            raise IndexStateError(
                f"the model has {model.vector_size} dimensions but the index {self._state.vectors.matrix.shape[1]}; "
                "it is another model: build a new index with `paravec index`"
            )
        titles = check_titles(titles)
        given: dict[str, str] = {}
        for i, (tag, body) in enumerate(text_pairs(texts)):
            if tag in given:
                raise CorpusError(f"tag {tag!r} appears twice in the texts (second at #{i})")
            given[tag] = clean_text(body)

        with self._write_lock:
            state = self._state
            docs, slots = state.docs, state.slots
            report = SyncReport()
            removed = [tag for tag in slots if _model_row(model, tag) is None]
            removed_set = set(removed)
            new_rows: dict[int, int] = {}  # slot -> model row
            text_rows: list[tuple[int, str, str, str]] = []
            delete_text: list[str] = []
            tags, digests = list(docs.tags), list(docs.digests)
            next_slot = len(tags)
            for tag, body in given.items():
                row = _model_row(model, tag)
                if row is None:
                    report.skipped.append(tag)
                    continue
                slot = slots.get(tag)
                if slot is None:
                    slot, next_slot = next_slot, next_slot + 1
                    tags.append(tag)
                    digests.append(None)
                    report.added.append(tag)
                elif digests[slot] == _digest(body) and tag not in titles:
                    continue
                else:
                    delete_text.append(tag)
                    report.replaced.append(tag)
                digests[slot] = _digest(body)
                new_rows[slot] = row
                text_rows.append((slot, tag, titles.get(tag, ""), body))
            # Vectors that changed without new text (e.g. a replaced document whose text was not
            # passed, or weights that learnt with freeze="none").
            kept = [(tag, slot) for tag, slot in slots.items() if tag not in removed_set and slot not in new_rows]
            if kept:
                kept_slots = np.fromiter((s for _t, s in kept), dtype=np.int64, count=len(kept))
                kept_rows = np.fromiter((_model_row(model, t) for t, _s in kept), dtype=np.int64, count=len(kept))
                fresh = _unit(model.dv.vectors[kept_rows])
                stale = np.any(np.abs(fresh - state.vectors.matrix[kept_slots]) > 1e-6, axis=1)
                for j in np.flatnonzero(stale):
                    new_rows[int(kept_slots[j])] = int(kept_rows[j])
                    report.replaced.append(kept[j][0])
            for tag in removed:
                slot = slots[tag]
                tags[slot] = None
                digests[slot] = None
            report.removed = removed
            report.unchanged = len(slots) - len(removed) - len(set(report.replaced))
            indexed = len(slots) - len(removed) + len(report.added)
            report.unindexed = max(0, len(model.dv.index_to_key) - indexed)

            fingerprint = model_fingerprint(model)
            manifest = dict(self._manifest)
            if model_path is not None:
                manifest["model"] = model_entry(Path(model_path).resolve(), self.path)
            if report.changed or fingerprint != manifest["fingerprint"] or model_path is not None:
                if progress is not None:
                    progress("text", 0, len(text_rows))
                if text_rows or removed:
                    self._text.add(text_rows, delete_first=delete_text + removed)
                if progress is not None:
                    progress("text", len(text_rows), len(text_rows))
                    progress("vectors", 0, 1)
                changed = {slot: model.dv.vectors[row] for slot, row in new_rows.items()}
                vectors = state.vectors.updated(changed, [slots[t] for t in removed])
                generation = int(manifest["generation"]) + 1
                new_docs = Docs(tags, digests)
                old_files = dict(manifest["files"])
                manifest.update(
                    generation=generation, updated=_now(), fingerprint=fingerprint,
                    documents=len(new_docs.slots()), files=save_state(self.path, generation, new_docs, vectors),
                )
                write_json(self.path / MANIFEST, manifest)
                remove_files(self.path, old_files, keep=manifest["files"])
                self._manifest = manifest
                self._state = State(new_docs, new_docs.slots(), vectors)
                if model_path is not None:
                    self._model_path = Path(model_path).resolve()
                if progress is not None:
                    progress("vectors", 1, 1)
            self.model = model
        report.seconds = time.perf_counter() - started
        return report

    def add_documents(
        self,
        texts: Iterable[tuple[str, str]],
        *,
        model_path: str | os.PathLike | None = None,
        titles: Mapping[str, str] | None = None,
        **update_kwargs: Any,
    ) -> SyncReport:
        """Train new or replaced documents into the model, save it, and sync the index.

        The model is loaded from the index's model file (fully, not memory-mapped, since it
        learns), updated with :func:`paravec.update` on the documents tokenized with
        :func:`paravec.tokenize.tokenize`, saved atomically to ``model_path`` (default: the same
        file), and the index is synced. If the update fails nothing on disk has changed.

        Parameters
        ----------
        texts : iterable of (str, str)
            ``(tag, text)``; an existing tag replaces that document.
        model_path : path, optional
            Where to save the updated model (default: over the index's model file).
        titles : mapping of str to str, optional
            Titles of the documents.
        **update_kwargs
            Passed to :func:`paravec.update` (``freeze``, ``epochs``, ``min_count``, ...).

        Returns
        -------
        SyncReport

        Raises
        ------
        ParameterError, CorpusError, ModelBrokenError
            From validating the texts or from :func:`paravec.update`.
        """
        from gensim.models.doc2vec import TaggedDocument

        from paravec.model_io import load, save
        from paravec.update import update

        pairs = []
        seen: set[str] = set()
        for i, (tag, body) in enumerate(text_pairs(texts)):
            if tag in seen:
                raise CorpusError(f"tag {tag!r} appears twice in the texts (second at #{i})")
            seen.add(tag)
            pairs.append((tag, clean_text(body)))
        if not pairs:
            raise CorpusError("no documents to add; give (tag, text) pairs")
        target = Path(model_path).resolve() if model_path is not None else self.model_path
        with self._write_lock:
            model = load(self.model_path)
            int_tags = _uses_int_tags(model)
            documents = []
            for tag, body in pairs:
                words = _tokenize(body)
                if not words:
                    raise CorpusError(f"document {tag!r} has no words (letters or digits); give it some text")
                key: str | int = int(tag) if int_tags and tag.isdigit() else tag
                documents.append(TaggedDocument(words, [key]))
            update(model, documents, **update_kwargs)
            save(model, target)
            # The synced index reads the saved file memory-mapped, like a fresh open would.
            return self.sync(_load_model(target), pairs, titles=titles, model_path=target)

    # -- searching -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        mode: Literal["hybrid", "keyword", "vector", "document"] = "hybrid",
        k: int = 10,
        expand: bool = False,
        keyword_weight: float = KEYWORD_WEIGHT,
        vector_weight: float = VECTOR_WEIGHT,
        fusion: Literal["convex", "rrf"] = "convex",
    ) -> list[Hit]:
        """Rank the indexed documents for ``query``.

        Parameters
        ----------
        query : str
            Words to search for; at most :data:`MAX_QUERY_CHARS` characters (:data:`MAX_TEXT_CHARS`
            with ``mode="document"``).
        mode : {"hybrid", "keyword", "vector", "document"}, default "hybrid"
            See the module docstring. ``"document"`` is for a query that is a whole document
            (an article, a post): documents like it.
        k : int, default 10
            Number of results (1 to :data:`MAX_K`).
        expand : bool, default False
            Add the nearest words of each query word to the keyword query (weight
            :attr:`expand_weight`).
        keyword_weight, vector_weight : float, default 0.7 and 0.3
            Weights of the two rankings in hybrid fusion (>= 0, not both 0); only their ratio
            matters for ``"convex"``.
        fusion : {"convex", "rrf"}, default "convex"
            How hybrid mode fuses: ``"convex"`` a weighted mean of BM25 / best BM25 and the
            cosine (keeps how much better one document scored than the next); ``"rrf"``
            reciprocal-rank fusion (uses ranks only).

        Returns
        -------
        list of Hit
            Best first; fewer than ``k`` (possibly none) when fewer documents match.

        Raises
        ------
        ParameterError
            Empty, blank or overlong query, a query without words, a bad mode, k or weight;
            ``mode="vector"`` with no query word in the model's vocabulary.
        """
        if mode not in MODES:
            raise ParameterError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
        if fusion not in FUSIONS:
            raise ParameterError(f"fusion must be one of {', '.join(map(repr, FUSIONS))}, got {fusion!r}")
        k = check_k(k)
        keyword_weight = check_weight("keyword_weight", keyword_weight)
        vector_weight = check_weight("vector_weight", vector_weight)
        if mode == "hybrid" and keyword_weight == 0 and vector_weight == 0:
            raise ParameterError("keyword_weight and vector_weight are both 0; make at least one positive")
        words = _tokenize(check_text("query", query, MAX_TEXT_CHARS if mode == "document" else MAX_QUERY_CHARS))
        if not words:
            raise ParameterError("the query has no words (letters or digits); type at least one word")
        terms = self._text.key_terms(words, MAX_QUERY_TERMS)
        state = self._state
        n = max(k, self.candidates) if mode in ("hybrid", "document") else k
        expansions = self._expansions(terms) if expand else {}

        keyword: list[tuple[int, float]] = []
        vector: list[tuple[int, float]] = []
        query_vector: np.ndarray | None = None
        if mode in ("keyword", "document") or (mode == "hybrid" and keyword_weight > 0):
            # A sync commits tantivy just before it swaps the state: keep to slots this state knows.
            tags = state.docs.tags
            keyword = [(slot, score) for slot, score in self._text.search(terms, expansions, n)
                       if slot < len(tags) and tags[slot] is not None]
        if mode in ("vector", "document") or (mode == "hybrid" and vector_weight > 0):
            known = [w for w in words if w in self.model.wv.key_to_index]
            if known:
                query_vector = self._infer(words)
                vector = state.vectors.search(query_vector, n)
            elif mode == "vector":
                raise ParameterError(
                    f"none of the query's words is in the model's vocabulary ({_shown(words)}); "
                    "vector search needs known words: try other words or mode='keyword'"
                )

        kw_rank = {slot: r for r, (slot, _s) in enumerate(keyword, start=1)}
        vec_rank = {slot: r for r, (slot, _s) in enumerate(vector, start=1)}
        if mode == "keyword":
            ranked = keyword
        elif mode == "vector":
            ranked = vector
        elif mode == "document":
            scored = self._document_scores(words, keyword, vector, query_vector, state)
            ranked = sorted(scored.items(), key=lambda item: (-item[1], kw_rank.get(item[0], n + 1)))
        else:
            fused: dict[int, float] = {}
            if fusion == "rrf":
                for slot, r in kw_rank.items():
                    fused[slot] = keyword_weight / (self.rrf_k + r)
                for slot, r in vec_rank.items():
                    fused[slot] = fused.get(slot, 0.0) + vector_weight / (self.rrf_k + r)
            else:
                fused = _convex(keyword, vector, query_vector, state.vectors, keyword_weight, vector_weight)
            ranked = sorted(fused.items(), key=lambda item: (-item[1], kw_rank.get(item[0], n + 1)))
        ranked = ranked[:k]
        tags = [state.docs.tags[slot] for slot, _s in ranked]
        snippets = self._text.snippets(tags, terms, expansions)
        hits = []
        for (slot, score), tag, (title, snippet, spans) in zip(ranked, tags, snippets, strict=True):
            kr, vr = kw_rank.get(slot), vec_rank.get(slot)
            why = "both" if kr is not None and vr is not None else ("keyword" if kr is not None else "vector")
            hits.append(Hit(tag=tag, title=title or tag, snippet=snippet, highlights=spans,
                            score=float(score), keyword_rank=kr, vector_rank=vr, why=why))
        return hits

    def _infer(self, words: list[str]) -> np.ndarray:
        """The query's vector, the same for the same words on every call.

        ``infer_vector`` draws its downsampling and negative samples from ``model.random``, so an
        unseeded call gives a slightly different vector, and different scores, each time the same
        query is asked. The generator is seeded from the words for the call and put back after;
        the lock keeps concurrent queries from seeing each other's generator.
        """
        words = words[:10_000]
        epochs = self.infer_epochs or self.model.epochs
        seed = zlib.crc32("\x1f".join(words).encode("utf-8")) ^ int(getattr(self.model, "seed", 0) or 0)
        with self._infer_lock:
            saved = self.model.random
            self.model.random = np.random.RandomState(seed % 2**32)
            try:
                return self.model.infer_vector(words, epochs=epochs)
            finally:
                self.model.random = saved

    def _document_scores(self, words: list[str], keyword: list[tuple[int, float]], vector: list[tuple[int, float]],
                         query_vector: np.ndarray | None, state: State) -> dict[int, float]:
        """Mean z-score of TF-IDF, soft and Doc2Vec cosine with the query, for each candidate of both rankings."""
        slots = list(dict.fromkeys([slot for slot, _s in keyword] + [slot for slot, _s in vector]))
        texts = self._text.texts([state.docs.tags[slot] for slot in slots])
        # A document tantivy has dropped but this state still lists has no text: leave it out.
        slots = [slot for slot in slots if state.docs.tags[slot] in texts]
        if not slots:
            return {}
        candidate_words = [_tokenize(texts[state.docs.tags[slot]]) for slot in slots]
        df, n_documents = self._text.doc_freqs(words + [w for c in candidate_words for w in c])
        cosines = np.zeros(len(slots))
        if query_vector is not None:
            cosines = np.asarray(state.vectors.matrix[slots]) @ _unit(query_vector[None, :])[0]
        scores = document_scores(words, candidate_words, cosines, df, n_documents, self.model.wv,
                                 self._calibrated(state))
        return dict(zip(slots, scores.tolist(), strict=True))

    def _calibrated(self, state: State) -> Calibration:
        """How the three measures of mode="document" spread over pairs of this state's documents.

        Measured once per state (a sync makes a new one) on up to ``_CALIBRATION_SAMPLE``
        documents spread evenly over the slots, each inferred as a query is.
        """
        with self._calibration_lock:
            if self._calibration is not None and self._calibration[0] is state:
                return self._calibration[1]
            live = [slot for slot, tag in enumerate(state.docs.tags) if tag is not None]
            spread = np.linspace(0, len(live) - 1, min(len(live), _CALIBRATION_SAMPLE)).round().astype(int)
            picked = sorted({live[i] for i in spread})
            texts = self._text.texts([state.docs.tags[slot] for slot in picked])
            picked = [slot for slot in picked if state.docs.tags[slot] in texts]
            words = [_tokenize(texts[state.docs.tags[slot]]) for slot in picked]
            if len(picked) < 2:
                calibration = Calibration()
            else:
                inferred = np.vstack([self._infer(w) for w in words])
                df, n_documents = self._text.doc_freqs([w for doc in words for w in doc])
                calibration = Calibration.from_samples(pair_samples(
                    words, inferred, np.asarray(state.vectors.matrix[picked]), df, n_documents, self.model.wv))
            self._calibration = (state, calibration)
            return calibration

    def _expansions(self, words: list[str]) -> dict[str, float]:
        wv = self.model.wv
        query = set(words)
        out: dict[str, float] = {}
        for word in words:
            if word not in wv.key_to_index:
                continue
            for near, sim in wv.most_similar(word, topn=self.expand_topn):
                if near not in query and sim > 0:
                    out[near] = max(out.get(near, 0.0), self.expand_weight * float(sim))
        return out

    # -- exploration -----------------------------------------------------------------------------

    def _slot(self, tag: Any, state: State) -> int:
        tag = check_key("tag", tag)
        slot = state.slots.get(tag)
        if slot is None:
            raise NotFoundError(f"no document tagged {tag!r} in the index ({len(self)} documents); "
                                "check the tag, or add the document")
        return slot

    def _word(self, word: Any) -> str:
        word = check_key("word", word)
        wv = self.model.wv
        if word in wv.key_to_index:
            return word
        tokens = _tokenize(word)
        if len(tokens) == 1 and tokens[0] in wv.key_to_index:
            return tokens[0]
        if len(tokens) > 1:
            raise ParameterError(f"{word!r} is {len(tokens)} words; give one word, or use text_to_words")
        raise NotFoundError(f"the word {word!r} is not in the model's vocabulary ({len(wv)} words); "
                            "check the spelling, or add documents that use it")

    def _neighbors_docs(self, found: list[tuple[int, float]], state: State) -> list[Neighbor]:
        tags = state.docs.tags
        return [Neighbor(tags[slot], score) for slot, score in found]

    def _words_by_vector(self, vector: np.ndarray, k: int, exclude: str | None = None) -> list[Neighbor]:
        found = self.model.wv.similar_by_vector(vector, topn=k + (exclude is not None))
        return [Neighbor(str(w), float(s)) for w, s in found if w != exclude][:k]

    def words_near_document(self, tag: str, k: int = 10) -> list[Neighbor]:
        """Words whose vectors are nearest to the document's vector (cosine).

        Meaningful when words and documents share one space: PV-DBOW trained with
        ``dbow_words=1`` or PV-DM. Raises :class:`NotFoundError` for an unknown tag.
        """
        k = check_k(k)
        state = self._state
        return self._words_by_vector(state.vectors.vector(self._slot(tag, state)), k)

    def documents_near_word(self, word: str, k: int = 10) -> list[Neighbor]:
        """Indexed documents whose vectors are nearest to the word's vector.

        Raises :class:`NotFoundError` for a word not in the vocabulary.
        """
        k = check_k(k)
        vector = self.model.wv.get_vector(self._word(word), norm=True)
        state = self._state
        return self._neighbors_docs(state.vectors.search(vector, k), state)

    def words_near_word(self, word: str, k: int = 10) -> list[Neighbor]:
        """The word's nearest words (``model.wv.most_similar``)."""
        k = check_k(k)
        found = self.model.wv.most_similar(self._word(word), topn=k)
        return [Neighbor(str(w), float(s)) for w, s in found]

    def documents_like(self, tag: str, k: int = 10) -> list[Neighbor]:
        """Indexed documents nearest to the document ``tag`` (itself left out)."""
        k = check_k(k)
        state = self._state
        slot = self._slot(tag, state)
        return self._neighbors_docs(state.vectors.search(state.vectors.vector(slot), k, exclude=slot), state)

    def _text_vector(self, text: Any) -> np.ndarray:
        words = _tokenize(check_text("text", text, MAX_TEXT_CHARS))
        if not words:
            raise ParameterError("the text has no words (letters or digits)")
        if not any(w in self.model.wv.key_to_index for w in words):
            raise ParameterError(f"none of the text's words is in the model's vocabulary ({_shown(words)})")
        return self._infer(words)

    def text_to_words(self, text: str, k: int = 10) -> list[Neighbor]:
        """Words nearest to the vector ``infer_vector`` gives the text."""
        k = check_k(k)
        return self._words_by_vector(self._text_vector(text), k)

    def text_to_documents(self, text: str, k: int = 10) -> list[Neighbor]:
        """Indexed documents nearest to the vector ``infer_vector`` gives the text."""
        k = check_k(k)
        vector = self._text_vector(text)
        state = self._state
        return self._neighbors_docs(state.vectors.search(vector, k), state)

    def document(self, tag: str) -> dict[str, str]:
        """Return ``{"tag", "title", "text"}`` of an indexed document (title defaults to the tag).

        Raises :class:`NotFoundError` for an unknown tag.
        """
        tag = check_key("tag", tag)
        self._slot(tag, self._state)
        doc = self._text.document(tag)
        if doc is None:
            raise NotFoundError(f"no document tagged {tag!r} in the text index")
        doc["title"] = doc["title"] or tag
        return doc


# ------------------------------------------------------------------------------------------------
# private helpers
# ------------------------------------------------------------------------------------------------


def _convex(keyword: list[tuple[int, float]], vector: list[tuple[int, float]], query_vector: np.ndarray | None,
            vectors: VectorStore, keyword_weight: float, vector_weight: float) -> dict[int, float]:
    """Weighted mean of BM25 / best BM25 and cosine over the union of both rankings' candidates.

    A keyword candidate the vector ranking did not return still has a cosine: it is computed from
    the stored unit vectors, so the vector side never guesses. A vector candidate the keyword
    ranking did not return scores BM25 0 (its true BM25 is at most the last keyword candidate's,
    often 0: it shares no query word).
    """
    total = keyword_weight + vector_weight
    best = keyword[0][1] if keyword and keyword[0][1] > 0 else 1.0
    fused = {slot: keyword_weight * score / best / total for slot, score in keyword}
    cosines = dict(vector)
    missing = [slot for slot, _score in keyword if slot not in cosines]
    if query_vector is not None and missing:
        # One matrix product for all of them: this runs on every hybrid query.
        q = _unit(query_vector[None, :])[0]
        cosines.update(zip(missing, (np.asarray(vectors.matrix[missing]) @ q).tolist()))
    for slot, cosine in cosines.items():
        fused[slot] = fused.get(slot, 0.0) + vector_weight * cosine / total
    return fused


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def _shown(words: list[str]) -> str:
    shown = ", ".join(repr(w) for w in words[:5])
    return shown + (", ..." if len(words) > 5 else "")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


















