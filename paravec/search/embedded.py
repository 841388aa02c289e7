"""The embedded index backend: a folder with tantivy for texts and BM25, numpy/usearch for vectors.

`EmbeddedBackend` fills `paravec.search.backend.IndexBackend` with the files of one
folder (`paravec.search.store`): tantivy keeps the texts and ranks by BM25 (Robertson &
Zaragoza, 2009; `paravec.search.text`), the unit document vectors are a memory-mapped
matrix searched exactly, or through a usearch HNSW graph above ``ann_threshold`` documents
(`paravec.search.vectors`). No server: the index is next to the model.

A sync writes generation N+1 of the document list and vectors beside N, commits tantivy, writes
the manifest last (atomically), then deletes N; the in-memory view is swapped as one object, so a
query never sees half a sync.

Examples
--------
>>> import tempfile, numpy as np
>>> from pathlib import Path
>>> from paravec.search.backend import IndexedText
>>> from paravec.search.embedded import EmbeddedBackend
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "m.model").write_bytes(b"")
0
>>> docs = [(IndexedText("a", "", "The shuttle launch.", "x"), 0), (IndexedText("b", "", "Apples.", "y"), 1)]
>>> backend = EmbeddedBackend.create(folder / "i", docs, np.eye(2, dtype=np.float32),
...                                  fingerprint={}, model_path=folder / "m.model",
...                                  analyzer={"stemmer": "english", "stop_words": False, "compounds": False})
>>> view = backend.view()
>>> len(view), view.keyword_candidates(["launches"], {}, 5)[0][0], view.vector_candidates(np.array([0.0, 1.0]), 1)
(2, 0, [(1, 1.0)])
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.analysis import Analysis
from paravec.errors import IndexStateError, ParameterError
from paravec.files import write_json
from paravec.search.analyzer import COMPOUNDS_FILE, LEGACY, KeywordAnalyzer, decompounder_for
from paravec.search.backend import Changes, IndexedText, ProgressCallback, Snippet
from paravec.search.forward import KEYS as FORWARD_KEYS
from paravec.search.forward import ForwardBuilder, ForwardIndex
from paravec.search.postings import Postings, count_words
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
    read_index_json,
    recorded_model_path,
    remove_files,
    save_state,
)
from paravec.search.text import TextStore
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD, VectorStore

__all__ = ["EmbeddedBackend", "EmbeddedView", "check_target"]

# Texts between two progress reports while building.
_BATCH = 2_000


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _as_written(analysis: Mapping[str, Any]) -> bool:
    # Kept words that are paravec's lowercased tokens, nothing removed or lemmatized: the words
    # as written that document mode's keyword side weighs.
    try:
        pipeline = Analysis.from_dict(analysis)
    except ParameterError:
        return False
    return pipeline == Analysis(language=pipeline.language)


def _keyword_analyzer(path: Path, manifest: dict[str, Any]) -> KeywordAnalyzer:
    """The analyzer the index was built with (an index from before records none: `LEGACY`)."""
    settings = manifest.get("analyzer")
    if settings is None:
        return KeywordAnalyzer(LEGACY)
    if not isinstance(settings, dict):
        raise IndexStateError(f"{path / MANIFEST}: 'analyzer' is not a dict; rebuild with `paravec index`")
    dictionary: list[str] = []
    if settings.get("compounds") == "split" and (path / COMPOUNDS_FILE).exists():
        loaded = read_index_json(path / COMPOUNDS_FILE)
        if not isinstance(loaded, list) or not all(isinstance(w, str) for w in loaded):
            raise IndexStateError(f"{path / COMPOUNDS_FILE} is corrupt; rebuild with `paravec index`")
        dictionary = loaded
    return KeywordAnalyzer(settings, dictionary)


class EmbeddedView:
    """One generation of an embedded index: its document list, vectors and texts.

    It reads tantivy through the searcher taken when it was made, so a query that holds a view
    sees the texts of that view's generation even while a sync commits the next one.
    """

    def __init__(self, state: State, text: TextStore, forward: ForwardIndex | None = None) -> None:
        self.state = state
        self._text = text
        self._searcher = text.searcher()
        self.forward = forward
        # Per slot of the kept words: 0 not compared yet, 1 the text is the one kept, 2 it changed.
        self._kept_known = np.zeros(len(forward) if forward is not None else 0, dtype=np.int8)
        self._postings: Postings | None = None
        self._postings_lock = threading.Lock()
        # Decided once per view: whether the kept words are the words document mode's keyword side matches.
        self._serves_postings = forward is not None and text.exact_forms and _as_written(forward.analysis)

    def postings(self) -> Postings | None:
        """The kept words of every live document, transposed (`paravec.search.postings`), made
        on first use; None when the index keeps no words or keeps them otherwise than as the
        keyword side of document mode matches them (lowercased tokens, as written)."""
        forward = self.forward
        if forward is None or not self._serves_postings:
            return None
        if self._postings is None:
            with self._postings_lock:
                if self._postings is None:
                    self._postings = self._build_postings(forward)
        return self._postings

    def _build_postings(self, forward: ForwardIndex) -> Postings:
        # Live slots whose text is the one analysed at the build take their kept words; the
        # others (added or re-texted by a sync since) are analysed from their texts.
        docs = self.state.docs
        live = [slot for slot, tag in enumerate(docs.tags) if tag is not None]
        kept = [slot for slot in live if slot < len(forward) and forward.matches(slot, docs.digests[slot])]
        self._kept_known[kept] = 1
        kept_set = set(kept)
        others = [slot for slot in live if slot not in kept_set]
        slots = np.array(kept, dtype=np.int64)
        firsts, lasts = forward.offsets[slots], forward.offsets[slots + 1]
        terms, ids, counts = forward.terms, forward.ids, forward.counts
        if others:
            analysis = Analysis.from_dict(forward.analysis)
            texts: dict[str, str] = {}
            for start in range(0, len(others), _BATCH):  # one search per batch of tags
                texts.update(self.texts([docs.tags[slot] or "" for slot in others[start : start + _BATCH]]))
            words = [analysis(texts.get(docs.tags[slot] or "", "")) for slot in others]
            terms, more_ids, more_counts, sizes = count_words(words, terms)
            ends = len(ids) + np.cumsum(sizes)
            ids = np.concatenate((ids, more_ids))
            counts = np.concatenate((counts.astype(np.int32), more_counts))
            slots = np.concatenate((slots, np.array(others, dtype=np.int64)))
            firsts = np.concatenate((firsts, ends - sizes))
            lasts = np.concatenate((lasts, ends))
        return Postings.build(terms, slots, firsts, lasts, ids, counts, len(docs.tags))

    def kept_words(
        self, slots: Sequence[int]
    ) -> tuple[list[int], npt.NDArray[np.int32], npt.NDArray[Any], npt.NDArray[np.int64]]:
        """The kept words (`paravec.search.forward`) of those of ``slots`` whose text is still
        the one analysed at the build: the slots, their word ids and counts one after another,
        and how many words each has."""
        forward, digests = self.forward, self.state.docs.digests
        if forward is None:
            return [], np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int64)
        known = self._kept_known
        for slot in slots:  # each slot's digest is compared once per view
            if 0 <= slot < len(known) and not known[slot]:
                known[slot] = 1 if slot < len(digests) and forward.matches(slot, digests[slot]) else 2
        kept = [slot for slot in slots if 0 <= slot < len(known) and known[slot] == 1]
        return kept, *forward.gather(np.asarray(kept, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.state.slots)

    def tags(self) -> list[str]:
        return [t for t in self.state.docs.tags if t is not None]

    def slot(self, tag: str) -> int | None:
        return self.state.slots.get(tag)

    def tag(self, slot: int) -> str | None:
        tags = self.state.docs.tags
        return tags[slot] if 0 <= slot < len(tags) else None

    def digests(self) -> Mapping[str, str | None]:
        docs = self.state.docs
        return {tag: docs.digests[slot] for tag, slot in self.state.slots.items()}

    def keyword_candidates(
        self, words: Sequence[str], expansions: Mapping[str, float], n: int
    ) -> list[tuple[int, float]]:
        tags = self.state.docs.tags
        found = self._text.search(words, dict(expansions), n, self._searcher)
        return [(slot, score) for slot, score in found if slot < len(tags) and tags[slot] is not None]

    def document_candidates(self, weights: Mapping[str, float], n: int) -> list[tuple[int, float]]:
        """Keyword candidates of a whole-document query (`paravec.search.ranking`'s document mode):
        BM25 over the words as written, each term weighted: term at a time over the kept words
        (`postings`) where the index keeps them so, else tantivy's (`TextStore.search_weighted`)."""
        postings = self.postings()
        if postings is not None:
            lowered: dict[str, float] = {}
            for word, weight in weights.items():  # the kept words are lowercased
                lowered[word.lower()] = max(weight, lowered.get(word.lower(), 0.0))
            return postings.top(lowered, n)
        tags = self.state.docs.tags
        found = self._text.search_weighted(weights, n, self._searcher)
        return [(slot, score) for slot, score in found if slot < len(tags) and tags[slot] is not None]

    def vector_candidates(
        self, query: npt.NDArray[Any], n: int, *, exclude: int | None = None, exact: bool = False
    ) -> list[tuple[int, float]]:
        return self.state.vectors.search(query, n, exclude=exclude, exact=exact)

    def unit_vectors(self, slots: Sequence[int]) -> npt.NDArray[np.float32]:
        return np.asarray(self.state.vectors.matrix[np.asarray(slots, dtype=np.int64)])

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        return self._text.doc_freqs(words, self._searcher)

    def texts(self, tags: Sequence[str]) -> dict[str, str]:
        return self._text.texts(tags, self._searcher)

    def snippets(
        self,
        tags: Sequence[str],
        words: Sequence[str],
        expansions: Mapping[str, float],
        *,
        as_written: bool = False,
    ) -> list[Snippet]:
        return self._text.snippets(tags, words, dict(expansions), self._searcher, as_written=as_written)

    def document(self, tag: str) -> dict[str, str] | None:
        return self._text.document(tag, self._searcher)


class EmbeddedBackend:
    """An index in a folder: see the module docstring. Create with `create`, open with `open`."""

    def __init__(
        self,
        path: Path,
        manifest: dict[str, Any],
        text: TextStore,
        state: State,
        forward: ForwardIndex | None = None,
    ) -> None:
        self.path = path
        self._manifest = manifest
        self._text = text
        self._view = EmbeddedView(state, text, forward)

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def fingerprint(self) -> dict[str, Any]:
        fingerprint: dict[str, Any] = self._manifest["fingerprint"]
        return fingerprint

    @property
    def dimensions(self) -> int:
        return int(self._view.state.vectors.matrix.shape[1])

    @property
    def uses_ann(self) -> bool:
        return self._view.state.vectors.ann is not None

    def recorded_model_path(self) -> Path:
        return recorded_model_path(self.path, self._manifest)

    def view(self) -> EmbeddedView:
        return self._view

    # -- creating and opening ----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        target: Path,
        documents: Iterable[tuple[IndexedText, int]],
        source_vectors: npt.NDArray[Any],
        *,
        fingerprint: dict[str, Any],
        model_path: Path,
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        total: int = 0,
        analyzer: dict[str, Any] | None = None,
        dictionary: list[str] | None = None,
        analysis: Analysis | None = None,
    ) -> EmbeddedBackend:
        """Write a new index folder at ``target`` from ``(text, row)`` pairs.

        ``analyzer`` and ``dictionary`` are the keyword analyzer's settings and compound dictionary
        (`paravec.search.analyzer`), recorded in the folder; None gives the plain lowercased
        tokens of indexes built before analyzers were recorded. ``analysis``, the model's text
        analysis, has each text's words kept for document mode (`paravec.search.forward`).
        ``row`` is the document's row in ``source_vectors`` (the model's ``dv.vectors``). The
        folder is built in a temporary sibling and moved into place, so an interrupted build
        (or an error raised by ``documents``) leaves nothing half-written under ``target``.
        """
        check_target(target, overwrite)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            if dictionary:
                write_json(staging / COMPOUNDS_FILE, dictionary, indent=None)
            settings = analyzer or LEGACY
            text = TextStore.create(
                staging / TEXT_DIR, KeywordAnalyzer(settings, dictionary or ()), decompounder_for(settings)
            )
            tags: list[str | None] = []
            digests: list[str | None] = []
            rows: list[int] = []
            words = ForwardBuilder(analysis) if analysis is not None else None

            def texts() -> Iterator[tuple[int, str, str, str]]:
                for doc, row in documents:
                    yield len(tags), doc.tag, doc.title, doc.text
                    if words is not None:
                        words.add(doc.text, doc.digest)
                    tags.append(doc.tag)
                    digests.append(doc.digest)
                    rows.append(row)
                    if progress is not None and len(tags) % _BATCH == 0:
                        progress("text", len(tags), total)

            # One writer and one commit for the whole build: tantivy then writes few segments
            # (one at 100k documents, against ten from a commit per batch), and a query reads
            # each of its words' postings once per segment.
            text.add(texts())
            if progress is not None and len(tags) % _BATCH:
                progress("text", len(tags), total)
            if progress is not None:
                progress("vectors", 0, 1)
            vectors = VectorStore.from_rows(source_vectors[np.asarray(rows)], ann_threshold=ann_threshold)
            if progress is not None:
                progress("vectors", 1, 1)
            files = save_state(staging, 0, Docs(tags, digests), vectors)
            if words is not None:
                files.update(words.finish().save(staging, 0))
            now = _now()
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "generation": 0,
                "created": now,
                "updated": now,
                "model": model_entry(model_path, target),
                "fingerprint": fingerprint,
                "ann_threshold": ann_threshold,
                "documents": len(tags),
                "files": files,
            }
            if analyzer is not None:
                manifest["analyzer"] = analyzer
            write_json(staging / MANIFEST, manifest, indent=None)
            move_into_place(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls.open(target)

    @classmethod
    def open(cls, path: Path) -> EmbeddedBackend:
        """Open the index folder ``path``; `IndexStateError` if it is not a sound index."""
        if not path.is_dir():
            raise IndexStateError(
                f"{path} is not a folder; build an index with `paravec index MODEL CORPUS --out FOLDER`"
            )
        manifest = read_index_json(path / MANIFEST)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise IndexStateError(f"{path / MANIFEST} is not a paravec search index manifest")
        if manifest.get("version") != VERSION:
            raise IndexStateError(
                f"{path} was written by an index format version {manifest.get('version')}; "
                f"this paravec reads version {VERSION}: rebuild with `paravec index`"
            )
        analyzer = _keyword_analyzer(path, manifest)
        text = TextStore.open(path / TEXT_DIR, analyzer, decompounder_for(analyzer.settings))
        state = load_state(path, manifest)
        forward = ForwardIndex.load(path, manifest["files"])
        if len(text) != len(state.slots):
            raise IndexStateError(
                f"{path}: the text index holds {len(text)} documents but the vectors {len(state.slots)} "
                "(an interrupted sync?); rebuild with `paravec index MODEL CORPUS --out INDEX --force`"
            )
        return cls(path, manifest, text, state, forward)

    # -- syncing -------------------------------------------------------------------------------------

    def apply(self, changes: Changes, *, progress: ProgressCallback | None = None) -> None:
        """Apply ``changes``: tantivy commit, new generation of files, manifest, then the view swap."""
        state = self._view.state
        slots = state.slots
        tags, digests = list(state.docs.tags), list(state.docs.digests)
        text_rows: list[tuple[int, str, str, str]] = []
        retexted: list[str] = []
        new_slots: dict[str, int] = {}
        for doc in changes.texts:
            slot = slots.get(doc.tag)
            if slot is None:
                slot = new_slots[doc.tag] = len(tags)
                tags.append(doc.tag)
                digests.append(doc.digest)
            else:
                retexted.append(doc.tag)
                digests[slot] = doc.digest
            text_rows.append((slot, doc.tag, doc.title, doc.text))
        for tag in changes.removed:
            tags[slots[tag]] = None
            digests[slots[tag]] = None
        if progress is not None:
            progress("text", 0, len(text_rows))
        if text_rows or changes.removed:
            self._text.add(text_rows, delete_first=retexted + changes.removed)
        if progress is not None:
            progress("text", len(text_rows), len(text_rows))
            progress("vectors", 0, 1)
        changed = {
            (slots[tag] if tag in slots else new_slots[tag]): vector
            for tag, vector in changes.vectors.items()
        }
        vectors = state.vectors.updated(changed, [slots[t] for t in changes.removed])
        manifest = dict(self._manifest)
        if changes.model_path is not None:
            manifest["model"] = model_entry(changes.model_path, self.path)
        generation = int(manifest["generation"]) + 1
        docs = Docs(tags, digests)
        old_files = dict(manifest["files"])
        files = save_state(self.path, generation, docs, vectors)
        # The kept words stay true for every text unchanged since the build (their digests say which).
        files.update((key, old_files[key]) for key in FORWARD_KEYS if old_files.get(key))
        manifest.update(
            generation=generation,
            updated=_now(),
            fingerprint=changes.fingerprint or manifest["fingerprint"],
            documents=len(docs.slots()),
            files=files,
        )
        write_json(self.path / MANIFEST, manifest, indent=None)
        remove_files(self.path, old_files, keep=manifest["files"])
        self._manifest = manifest
        self._view = EmbeddedView(State(docs, docs.slots(), vectors), self._text, self._view.forward)
        if progress is not None:
            progress("vectors", 1, 1)
