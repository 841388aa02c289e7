"""What ``mode="document"`` needs of each indexed document, computed once per index version.

Document mode (`paravec.search.similarity`) scores up to a few hundred candidates per query by
TF-IDF cosine and soft cosine (Sidorov et al., 2014). Most of that work depends on the candidate
only: its tokens, its unit TF-IDF row and its soft norm ``sqrt(y·S·y)``, a ``c x c`` product of
its ``c`` distinct words' vectors. `DocumentCache` keeps those per document, and each term's
document frequency and unit word vector, for one index version (`paravec.search.backend.IndexView`)
and one set of word vectors: a sync makes a new view and with it a new cache, so nothing stale
is ever used. What is left per query is the query's own row and norm, one ``q x u`` product of
the query's words with the candidates' words, and sums over each candidate's terms.

The arithmetic is `paravec.search.similarity`'s: the same weights, the same norm products over
the same columns, so scores equal those of `paravec.search.similarity.similarities` up to the
last bits of floating-point sums (``tests/search/test_document_cache.py``).

Examples
--------
>>> import numpy as np
>>> from gensim.models import KeyedVectors
>>> from paravec.search.document_cache import DocumentCache
>>> class View:  # the two things the cache reads of an index version
...     def document_frequencies(self, words):
...         df = {"car": 1, "auto": 1, "fruit": 1}
...         return {w: df.get(w, 0) for w in words}, 3
...     def texts(self, tags):
...         return {"a": "auto", "f": "fruit"}
...     def tag(self, slot):
...         return "af"[slot]
>>> wv = KeyedVectors(2)
>>> wv.add_vectors(["car", "auto", "fruit"], np.array([[1.0, 0.1], [0.9, 0.2], [0.0, 1.0]]))
>>> cache = DocumentCache(View(), wv)
>>> query = cache.query_row(["car"])
>>> rows = cache.rows([0, 1])
>>> [round(float(s), 2) for s in cache.measures(query, [rows[0], rows[1]], np.zeros(2))[1]]
[0.99, 0.0]
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from gensim.models.keyedvectors import KeyedVectors

from paravec.linalg import unit_rows
from paravec.search.similarity import soft_similarity
from paravec.tokenizer import tokenize

__all__ = ["DocumentCache", "DocumentCaches", "TermRow"]

# Documents kept per index version; beyond it the cache starts afresh (~1.5 kB per document).
_MAX_DOCUMENTS = 200_000


class _Source(Protocol):
    """What the cache reads of an index version (a subset of `paravec.search.backend.IndexView`)."""

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]: ...

    def texts(self, tags: Sequence[str]) -> dict[str, str]: ...

    def tag(self, slot: int) -> str | None: ...


@dataclass(frozen=True)
class TermRow:
    """A document's unit TF-IDF row, sparse, and its soft norm.

    ``ids`` are term ids of the cache, in the order of the terms' strings (the column order of
    `paravec.search.similarity.tfidf_rows`); ``weights`` the unit TF-IDF weights.
    """

    ids: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    norm: float


class DocumentCache:
    """Term rows and soft norms of one index version's documents, computed on first use.

    Thread-safe: concurrent queries share it.
    """

    def __init__(
        self, view: _Source, wv: KeyedVectors, analyse: Callable[[str], list[str]] = tokenize
    ) -> None:
        self.view = view
        self.wv = wv
        self.analyse = analyse  # the model's recorded text analysis: texts become its words
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {}
        self._idf = np.zeros(1024)
        self._vectors = np.zeros((1024, wv.vector_size), dtype=np.float32)
        self._rows: dict[int, TermRow | None] = {}
        self._n_documents: int | None = None

    def _add_terms(self, words: Iterable[str]) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self._ids]
        if not new:
            return
        df, n_documents = self.view.document_frequencies(new)
        self._n_documents = n_documents
        start = len(self._ids)
        stop = start + len(new)
        if stop > len(self._idf):
            size = max(stop, 2 * len(self._idf))
            self._idf = np.resize(self._idf, size)
            grown = np.zeros((size, self._vectors.shape[1]), dtype=np.float32)
            grown[:start] = self._vectors[:start]
            self._vectors = grown
        for i, word in enumerate(new, start=start):
            self._ids[word] = i
            f = df.get(word, 0)
            self._idf[i] = math.log2(n_documents / f) if 0 < f <= n_documents else 0.0
        known = [
            (i, self.wv.key_to_index[w]) for i, w in enumerate(new, start=start) if w in self.wv.key_to_index
        ]
        self._vectors[start:stop] = 0.0
        if known:
            at, rows = map(list, zip(*known, strict=True))
            self._vectors[at] = unit_rows(self.wv.vectors[rows])

    def _row(self, words: Sequence[str]) -> TermRow:
        counts = Counter(words)
        self._add_terms(counts)
        terms = sorted(t for t in counts if self._idf[self._ids[t]] > 0)
        ids = np.array([self._ids[t] for t in terms], dtype=np.int64)
        weights = unit_rows(
            np.array([counts[t] * float(self._idf[i]) for t, i in zip(terms, ids.tolist(), strict=True)]),
            dtype=np.float64,
        )[0]
        norm = 0.0
        if len(ids):
            s = soft_similarity(self._vectors[ids], self._vectors[ids])
            np.fill_diagonal(s, 1.0)  # a word the model does not know is still itself
            norm = math.sqrt(max(float(weights @ s @ weights), 0.0))
        return TermRow(ids, weights, norm)

    def query_row(self, words: Sequence[str]) -> TermRow:
        """The row and soft norm of a query's tokens (not kept: a query is asked once)."""
        with self._lock:
            return self._row(words)

    def rows(self, slots: Sequence[int]) -> dict[int, TermRow]:
        """The row of each of ``slots`` whose text the index holds (a slot without text is left out)."""
        with self._lock:
            missing = [slot for slot in dict.fromkeys(slots) if slot not in self._rows]
            if missing:
                if len(self._rows) + len(missing) > _MAX_DOCUMENTS:
                    self._rows.clear()
                tags = {slot: self.view.tag(slot) for slot in missing}
                texts = self.view.texts([tag for tag in tags.values() if tag is not None])
                for slot in missing:
                    text = texts.get(tags[slot] or "")
                    self._rows[slot] = None if text is None else self._row(self.analyse(text))
            found = {slot: self._rows.get(slot) for slot in slots}
            return {slot: row for slot, row in found.items() if row is not None}

    def measures(
        self, query: TermRow, rows: Sequence[TermRow], doc2vec_cosines: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """TF-IDF, soft and Doc2Vec cosine of ``query`` with each row: ``(3, len(rows))``, as
        `paravec.search.similarity.similarities` returns them."""
        n = len(rows)
        doc2vec = np.asarray(doc2vec_cosines, dtype=np.float64).reshape(n)
        lengths = np.array([len(r.ids) for r in rows], dtype=np.int64)
        ids = np.concatenate([r.ids for r in rows]) if n else np.zeros(0, dtype=np.int64)
        weights = np.concatenate([r.weights for r in rows]) if n else np.zeros(0)
        norms = np.array([r.norm for r in rows], dtype=np.float64)
        with self._lock:  # the term table may grow while another query reads it
            vectors = self._vectors
            size = len(self._ids)
        # The union of the terms, in id order, and each term's column in it: ids are small
        # integers, so marks in an array beat sorting and searching.
        mark = np.zeros(size, dtype=bool)
        mark[ids] = True
        mark[query.ids] = True
        union = np.flatnonzero(mark)
        column = np.empty(size, dtype=np.int64)
        column[union] = np.arange(len(union))
        at = column[ids]
        q_at = column[query.ids]
        owner = np.repeat(np.arange(n), lengths)
        q_dense = np.zeros(len(union))
        q_dense[q_at] = query.weights
        tfidf = np.bincount(owner, weights * q_dense[at], minlength=n)
        soft = np.zeros(n)
        if len(query.ids) and query.norm != 0:
            cross = soft_similarity(vectors[query.ids], vectors[union])
            cross[np.arange(len(q_at)), q_at] = 1.0
            weighted = query.weights @ cross  # x·S, for every column at once
            dots = np.bincount(owner, weights * weighted[at], minlength=n)
            np.divide(dots, query.norm * norms, out=soft, where=norms > 0)
            np.clip(soft, 0.0, 1.0, out=soft)
        return np.vstack([tfidf, soft, doc2vec])


class DocumentCaches:
    """The `DocumentCache` of the current index version and word vectors; a new version replaces it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: tuple[Any, KeyedVectors, DocumentCache] | None = None

    def get(
        self, view: _Source, wv: KeyedVectors, analyse: Callable[[str], list[str]] = tokenize
    ) -> DocumentCache:
        """The cache of ``view`` with ``wv`` (texts analysed by ``analyse``), made on first use."""
        with self._lock:
            if self._cached is None or self._cached[0] is not view or self._cached[1] is not wv:
                self._cached = (view, wv, DocumentCache(view, wv, analyse))
            return self._cached[2]
