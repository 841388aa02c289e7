"""The seam between ranking and storage: what an index backend provides.

`IndexBackend` is what `paravec.search.SearchIndex` asks of the place its documents
live, and `IndexView` one consistent version of them, which is all a query reads. Ranking
(`paravec.search.ranking`), exploration (`paravec.search.exploration`) and syncing
(`paravec.search.syncing`) talk to storage only through these two protocols, so a second
backend (PostgreSQL with pgvector and full-text search, say) fills them without touching ranking.
The embedded default, a folder with tantivy and usearch, is `paravec.search.embedded`.

A backend keeps, for each document, a *slot* (an integer id it chooses; a row of a vector
matrix, a serial key), its tag, title, text and a digest of the text, and its unit vector. It
answers keyword candidates with its engine's ranking (tantivy's BM25, after Robertson & Zaragoza,
"The Probabilistic Relevance Framework: BM25 and Beyond", 2009, in the embedded backend), vector
candidates by cosine (exact or approximate), and document frequencies for TF-IDF. A sync hands it
one `Changes`, which it applies atomically: a reader sees the old view or the new one.

Examples
--------
>>> from paravec.search.backend import Changes, IndexedText
>>> changes = Changes(texts=[IndexedText("d1", "", "A new text.", "9f0c")], vectors={}, removed=["d0"])
>>> changes.texts[0].tag, changes.removed
('d1', ['d0'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["Changes", "IndexBackend", "IndexView", "IndexedText", "ProgressCallback", "Snippet"]

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` while building or syncing."""

Snippet = tuple[str, str, list[tuple[int, int]]]
"""``(title, snippet, highlights)`` of a document: highlights are character spans in the snippet."""


@dataclass(frozen=True)
class IndexedText:
    """A document's text as an index stores it: tag, display title ("" for none), text, digest."""

    tag: str
    title: str
    text: str
    digest: str


@dataclass
class Changes:
    """Everything one sync changes, applied by `IndexBackend.apply` in one atomic step.

    Attributes
    ----------
    texts : list of IndexedText
        Documents to add (a tag the index lacks) or whose text or title to replace, in order.
    vectors : dict of str to numpy.ndarray
        The new vector (not yet unit length) of every added document and of every document whose
        vector changed, by tag, in order.
    removed : list of str
        Tags to drop.
    fingerprint : dict, optional
        The model's fingerprint to record (`paravec.search.fingerprint.model_fingerprint`).
    model_path : pathlib.Path, optional
        A new model file to record, when the index follows another file.
    """

    texts: list[IndexedText]
    vectors: dict[str, npt.NDArray[Any]]
    removed: list[str]
    fingerprint: dict[str, Any] = field(default_factory=dict)
    model_path: Path | None = None


class IndexView(Protocol):
    """One consistent version of an index's documents: what a single query reads.

    A view never changes; a sync makes a new one. Slots are the backend's integer ids.
    """

    def __len__(self) -> int:
        """Number of documents."""
        ...

    def tags(self) -> list[str]:
        """Tags of the documents, in slot order."""
        ...

    def slot(self, tag: str) -> int | None:
        """Slot of ``tag``, or None when the view has no such document."""
        ...

    def tag(self, slot: int) -> str | None:
        """Tag of ``slot``, or None for a slot this view does not hold."""
        ...

    def digests(self) -> Mapping[str, str | None]:
        """Digest of each document's text (as `IndexedText` gave it), by tag."""
        ...

    def keyword_candidates(
        self, words: Sequence[str], expansions: Mapping[str, float], n: int
    ) -> list[tuple[int, float]]:
        """Up to ``n`` ``(slot, score)`` of documents with any of ``words`` (or an expansion word,
        weighted), best first, by the backend's keyword ranking; scores are > 0."""
        ...

    def vector_candidates(
        self, query: npt.NDArray[Any], n: int, *, exclude: int | None = None, exact: bool = False
    ) -> list[tuple[int, float]]:
        """Up to ``n`` ``(slot, cosine)`` nearest to ``query``, best first; ``exclude`` a slot to
        leave out; ``exact`` forces exact search where an approximate index exists."""
        ...

    def unit_vectors(self, slots: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored unit vectors of ``slots``, one row each."""
        ...

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """Number of documents whose text has each word, and the number of documents (TF-IDF)."""
        ...

    def texts(self, tags: Sequence[str]) -> dict[str, str]:
        """The text of each of ``tags`` the backend holds."""
        ...

    def snippets(
        self,
        tags: Sequence[str],
        words: Sequence[str],
        expansions: Mapping[str, float],
        *,
        as_written: bool = False,
    ) -> list[Snippet]:
        """A `Snippet` per tag, in order: the passage with most of ``words`` (or the start of
        the text when it has none), with the matched words' spans. The words match as the
        keyword ranking matches them, or, with ``as_written``, as written
        (`paravec.search.snippets.passage`, which document mode uses)."""
        ...

    def document(self, tag: str) -> dict[str, str] | None:
        """``{"tag", "title", "text"}`` of a document (title "" when none), or None."""
        ...


class IndexBackend(Protocol):
    """Where an index's documents, texts, vectors and manifest live.

    Creating one (a new folder, a new schema) is the backend's own classmethod; this is what an
    open index provides.
    """

    @property
    def location(self) -> str:
        """Where the index is (a folder, a DSN without its password), for messages."""
        ...

    @property
    def fingerprint(self) -> dict[str, Any]:
        """The fingerprint of the model version the index was last synced with."""
        ...

    @property
    def dimensions(self) -> int:
        """Length of the stored vectors."""
        ...

    @property
    def uses_ann(self) -> bool:
        """True when vector candidates come from an approximate (ANN) index."""
        ...

    def recorded_model_path(self) -> Path:
        """The model file the manifest records; `paravec.errors.IndexStateError` if gone."""
        ...

    def view(self) -> IndexView:
        """The current version of the documents."""
        ...

    def apply(self, changes: Changes, *, progress: ProgressCallback | None = None) -> None:
        """Apply ``changes`` in one atomic step: readers see the old view or the new one."""
        ...
