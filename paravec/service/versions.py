"""Versions of an index as the service serves them: fixed snapshots, and where new ones come from.

A `ServedVersion` is one version of the index frozen for the requests: the model and one
`paravec.search.backend.IndexView` (a view never changes; a sync makes a new one). A request
takes the current `ServedVersion` when it starts and answers from it to the end, so a write or
a switch to another version never changes what a request in flight reads. This is read-copy-update
(McKenney & Slingwine, 1998): readers take no lock, the writer builds the next version aside
and publishes it with one reference assignment.

Two sources make versions:

* `FolderSource`: an index folder (``paravec serve INDEX``). A write trains the documents into
  the model file and syncs the index (`paravec.search.SearchIndex.add_documents`), then
  pins the new view; versions count the writes since the service started (1 = as opened).
* `StoreSource`: a `paravec.Store` (``paravec serve STORE``). Versions are the store's; a
  write is ``store.update`` in a child process (`paravec.service.writer`), so the texts live in
  the store, and `StoreSource.poll` notices
  when another process publishes or rolls back.

Examples
--------
>>> import os, tempfile, paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.search import SearchIndex
>>> from paravec.service.versions import FolderSource
>>> texts = [("d0", "The shuttle launch was delayed."), ("d1", "Bushfires burned near Sydney."),
...          ("d2", "The shuttle crew landed safely.")]
>>> model = paravec.train([TaggedDocument(t.lower().split(), [tag]) for tag, t in texts],
...                       vector_size=8, min_count=1, epochs=2, seed=1)
>>> folder = tempfile.mkdtemp()
>>> paravec.save(model, os.path.join(folder, "m.model"))
>>> source = FolderSource(SearchIndex.build(os.path.join(folder, "m.model"), texts, os.path.join(folder, "m.index")))
>>> first = source.load()
>>> first.version, first.info()["documents"], first.title("d1")
(1, 3, 'Bushfires burned near Sydney.')
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from paravec.errors import CorpusError, IndexStateError, ParavecError
from paravec.search import SearchIndex, SyncReport
from paravec.search.backend import IndexBackend, IndexView
from paravec.search.ingestion import documents_to_add
from paravec.service.writer import DEFAULT_OPTIONS, run_update
from paravec.tags import uses_int_tags
from paravec.tokenizer import tokenize

__all__ = ["FolderSource", "ServedVersion", "Source", "StoreSource", "Written"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

# A title made from the start of a text (line-based corpora have no titles) stops after this many
# characters, at a word boundary.
_LEAD_CHARS = 80
# Example queries shown on the page: how many, from how many documents, words per query.
_EXAMPLES = 3
_EXAMPLE_WORDS = 2


class _PinnedBackend:
    """A backend whose `view` is always the one it was given: a version that never moves."""

    def __init__(self, backend: IndexBackend, view: IndexView) -> None:
        self._backend = backend
        self._view = view

    def view(self) -> IndexView:
        return self._view

    def apply(self, changes: Any, *, progress: Any = None) -> None:
        raise ParavecError("a served version is read-only; writes go through the service's source")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def _pin(index: SearchIndex) -> SearchIndex:
    """A `SearchIndex` over ``index``'s current model and view that later syncs do not change."""
    backend: Any = _PinnedBackend(index.backend, index.backend.view())
    pinned = SearchIndex(index.path, index.model, backend)
    pinned._model_path = index._model_path
    for name in SearchIndex.SETTINGS:
        setattr(pinned, name, getattr(index, name))
    return pinned


class ServedVersion:
    """One version of the index, as every request that started on it reads it to the end.

    Parameters
    ----------
    version : int
        The number named in each answer's ``Paravec-Version`` header.
    index : SearchIndex
        The index of this version; the service never changes it.
    name : str
        What the page calls the index (the folder's name).
    """

    def __init__(self, version: int, index: SearchIndex, name: str) -> None:
        self.version = version
        self.index = index
        self.name = name
        self._info: dict[str, Any] | None = None
        self._info_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ServedVersion({self.version}, {self.name!r}, documents={len(self.index)})"

    def read(self, call: Callable[[SearchIndex], _T]) -> _T:
        """Return ``call(index)``; no lock: nothing changes this version."""
        return call(self.index)

    def title(self, tag: str, title: str | None = None) -> str:
        """What to show for a document: its title, else the start of its text, else ``""``.

        Parameters
        ----------
        tag : str
            The document's tag.
        title : str, optional
            The title already at hand (a hit's); looked up when not given. A title equal to the
            tag is how the index says "no title".
        """
        try:
            if title is None:
                doc = self.index.document(tag)
                title = str(doc.get("title") or "")
                text = str(doc.get("text") or "")
            else:
                text = ""
            if title and title != tag:
                return title
            if not text:
                text = self.index.backend.view().texts([tag]).get(tag, "")
        except ParavecError:
            return title if title and title != tag else ""
        return _lead(text)

    def warm(self, documents: bool = True) -> None:
        """Compute what document mode computes once per version, so no request waits for it.

        One document query of an example (the readers, the compiled kernels); then the
        collection's second-order metric and the calibration of the three measures; then, with
        ``documents``, each document's row and soft norm (`SearchIndex.warm`), which takes a
        while on a large index: a service switches to a version it polled only after all of
        it, and to a version it wrote after the rest, computing the documents beside it
        (`warm_in_background`) so the writer is answered at once.
        """
        examples = self.info()["examples"]
        with contextlib.suppress(ParavecError):
            if examples:
                self.index.search(examples[0], mode="document", k=1)
            self.index.warm(documents=None if documents else 0)

    def warm_in_background(self) -> threading.Thread:
        """`warm` the documents on a thread of their own (queries go on meanwhile); the thread."""

        def run() -> None:
            try:
                self.index.warm()
            except Exception:  # a warm-up only saves time: a failure must not take the service down
                logger.warning("warming version %d's documents failed", self.version, exc_info=True)

        thread = threading.Thread(target=run, name=f"paravec-warm-{self.version}", daemon=True)
        thread.start()
        return thread

    def info(self) -> dict[str, Any]:
        """Name, version, size and a few example queries drawn from the index (computed once)."""
        with self._info_lock:
            if self._info is None:
                model = self.index.model
                self._info = {
                    "name": self.name,
                    "version": self.version,
                    "documents": len(self.index),
                    "words": len(model.wv.index_to_key),
                    "vector_size": int(model.vector_size),
                    "examples": _example_queries(self.index),
                }
            return dict(self._info)


def _lead(text: str) -> str:
    """The start of ``text`` as a title: whole words, at most `_LEAD_CHARS` characters."""
    text = " ".join(text.split())
    if len(text) <= _LEAD_CHARS:
        return text
    cut = text[:_LEAD_CHARS].rsplit(" ", 1)[0] or text[:_LEAD_CHARS]
    return cut.rstrip(",;:.-") + "…"


def _example_queries(index: SearchIndex) -> list[str]:
    """A few queries that find something: from documents spread over the index, each its two
    rarest words that still occur in more than one document and that the model knows."""
    view = index.backend.view()
    tags = view.tags()
    if not tags:
        return []
    picked = [tags[(i * len(tags)) // _EXAMPLES + len(tags) // (2 * _EXAMPLES)] for i in range(_EXAMPLES)]
    texts = view.texts(sorted(set(picked)))
    vocabulary = index.model.wv.key_to_index
    examples: list[str] = []
    for tag in picked:
        words = list(dict.fromkeys(w for w in tokenize(texts.get(tag, "")) if len(w) > 3 and w in vocabulary))
        if not words:
            continue
        df, _ = view.document_frequencies(words)
        shared = sorted((df.get(w, 0), w) for w in words if df.get(w, 0) > 1)
        query = " ".join(w for _, w in shared[:_EXAMPLE_WORDS])
        if query and query not in examples:
            examples.append(query)
    return examples


class Written:
    """What a write through the service did: the sync report and the version that holds it."""

    def __init__(self, report: SyncReport, version: ServedVersion) -> None:
        self.report = report
        self.version = version


class Source(Protocol):
    """Where the service's versions come from (`FolderSource`, `StoreSource`)."""

    #: What the start-up line and the page call it.
    description: str

    def load(self) -> ServedVersion:
        """The version to serve first."""
        ...

    def poll(self, served: ServedVersion) -> ServedVersion | None:
        """A newer current version than ``served`` if another process made one, else None."""
        ...

    def write(
        self, texts: Sequence[tuple[str, str]], titles: dict[str, str], served: ServedVersion
    ) -> Written:
        """Add or replace documents; return the new version (not yet served); ``served`` is
        the version served now, which the report compares with."""
        ...


class FolderSource:
    """Versions of one index folder: the index as opened, then one per write through the service.

    Parameters
    ----------
    index : SearchIndex
        The open index (its model file is updated in place by writes, atomically).
    """

    def __init__(self, index: SearchIndex) -> None:
        self._live = index
        self._version = 0
        self.description = (
            f"index {_name(index.path)}" if not isinstance(index.path, Path) else f"index {index.path}"
        )

    def load(self) -> ServedVersion:
        self._version += 1
        return ServedVersion(self._version, _pin(self._live), _name(self._live.path))

    def poll(self, served: ServedVersion) -> ServedVersion | None:
        return None  # an index folder has one writer: this service

    def write(
        self, texts: Sequence[tuple[str, str]], titles: dict[str, str], served: ServedVersion
    ) -> Written:
        # Trains into the model file (saved atomically: the served version keeps its memory map
        # of the old file) and syncs the live index, whose new view only the next version pins.
        if titles:
            report = self._live.add_documents(list(texts), titles=titles)
        else:
            report = self._live.add_documents(list(texts))
        return Written(report, self.load())


class _Store(Protocol):
    """What `StoreSource` uses of `paravec.Store`."""

    path: Path

    @property
    def current(self) -> int: ...

    def index(self, version: int | None = None) -> SearchIndex: ...

    def model(self, version: int | None = None) -> Any: ...

    def update(self, documents: Any, texts: Any = None, **options: Any) -> Any: ...


class PostgresSource(FolderSource):
    """An index in PostgreSQL, which other processes sync too (replicas, ``paravec index --sync``).

    A sync commits a new generation of the index in one transaction; `poll` serves it, with the
    model the index now records, once it is there. An index a `paravec.Store` publishes
    (`paravec.store.publishing`) is served under the store's version numbers, the same in every
    replica, and takes no writes (they go to the store).
    """

    def load(self) -> ServedVersion:
        served = super().load()
        published = _store_version(self._live)
        if published is not None:
            served.version = published
        return served

    def poll(self, served: ServedVersion) -> ServedVersion | None:
        if self._live.backend.view() is served.index.backend.view():
            return None
        self._live.follow_model()
        newer = self.load()
        if newer.version == served.version:
            # The same store version again (published away and back between two polls): the same
            # documents in a newer generation. Serve that one under the same number: the next
            # sync deletes rows the older generation still reads.
            served.index = newer.index
            return None
        return newer

    def write(
        self, texts: Sequence[tuple[str, str]], titles: dict[str, str], served: ServedVersion
    ) -> Written:
        if _store_version(self._live) is not None:
            store = _source(self._live).get("store")
            raise IndexStateError(
                f"this index is published by the store {store}: add documents to the store "
                f"(`paravec store update`, or `paravec serve {store} --token-env ...`)"
            )
        return super().write(texts, titles, served)


def _source(index: SearchIndex) -> dict[str, Any]:
    """What the manifest of a PostgreSQL index says it holds (`paravec.store.publishing`)."""
    source = getattr(index.backend.view(), "manifest", {}).get("source")
    return source if isinstance(source, dict) else {}


def _store_version(index: SearchIndex) -> int | None:
    """The store version a PostgreSQL index holds, when a store publishes it."""
    source = _source(index)
    version = source.get("version") if source.get("kind") == "paravec-store" else None
    return version if isinstance(version, int) else None


class StoreSource:
    """Versions of a `paravec.Store`: its current version, followed as it changes.

    Parameters
    ----------
    store : paravec.Store
        The open store. Only its pickle-free models are loaded (`paravec.Store.index`).
    **update_options
        Passed to ``store.update`` by every write (``evaluate``, ``force``, ``epochs``, ...;
        JSON values, since the update runs in a child process); default ``workers=1``.
    """

    def __init__(self, store: _Store, **update_options: Any) -> None:
        self.store = store
        self.update_options = {**DEFAULT_OPTIONS, **update_options}
        self.description = f"store {store.path}"

    def _open(self, version: int) -> ServedVersion:
        return ServedVersion(version, self.store.index(version), Path(self.store.path).name)

    def load(self) -> ServedVersion:
        return self._open(self.store.current)

    def poll(self, served: ServedVersion) -> ServedVersion | None:
        current = self.store.current
        if current == served.version:
            return None
        return self._open(current)

    def write(
        self, texts: Sequence[tuple[str, str]], titles: dict[str, str], served: ServedVersion
    ) -> Written:
        # Checked here, so bad input is a quick 422; the update runs in a child process
        # (`paravec.service.writer`) so that it takes no CPU time or lock from the readers.
        pairs = documents_to_add(texts)
        for tag, body in pairs:
            if not tokenize(body):
                raise CorpusError(f"document {tag!r} has no words (letters or digits); give it some text")
        before = served
        result = run_update(
            Path(self.store.path),
            pairs,
            self.update_options,
            int_tags=uses_int_tags(before.index.model.dv),
        )
        if not result["current"]:
            raise IndexStateError(
                f"the documents were stored as version {result['number']} but not published: "
                f"{result.get('rejected_reason') or 'rejected'}; version {before.version} stays current "
                f"(see `paravec store versions {self.store.path}`; publish it anyway with "
                f"`paravec store rollback {self.store.path} {result['number']} --force`, or start the "
                "service with --force to publish every write)"
            )
        after = self._open(int(result["number"]))
        return Written(_difference(before, after, [tag for tag, _ in pairs]), after)


def _difference(before: ServedVersion, after: ServedVersion, given: list[str]) -> SyncReport:
    """What a store update changed in the index, in the terms of a `SyncReport`."""
    old, new = set(before.index.tags), set(after.index.tags)
    report = SyncReport()
    report.added = [tag for tag in given if tag in new and tag not in old]
    report.replaced = [tag for tag in given if tag in new and tag in old]
    report.skipped = [tag for tag in given if tag not in new]
    report.removed = sorted(old - new)
    report.unchanged = len(old & new) - len(report.replaced)
    report.unindexed = max(0, len(after.index.model.dv.index_to_key) - len(new))
    return report


def _name(path: Path | str) -> str:
    """The name an index is shown by: its folder's name, or the schema of a PostgreSQL index."""
    if isinstance(path, Path):
        return path.name
    schema = [v for k, v in parse_qsl(urlsplit(path).query) if k == "schema"]
    return schema[0] if schema else path
