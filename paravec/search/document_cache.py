"""What ``mode="document"`` needs of each indexed document, computed once per index version.

Document mode (`paravec.search.similarity`) scores up to a few hundred candidates per query by
TF-IDF cosine and soft cosine (Sidorov et al., 2014). Most of that work depends on the candidate
only: its tokens, its unit TF-IDF row and its soft norm ``sqrt(y·S·y)``, a ``c x c`` product of
its ``c`` distinct words' vectors. `DocumentCache` keeps those per document, and each term's
document frequency and unit word vector, for one index version (`paravec.search.backend.IndexView`)
and one set of word vectors: a sync makes a new view and with it a new cache, so nothing stale
is ever used. What is left per query is the query's own row and norm, one ``q x u`` product of
the query's words with the candidates' words, and sums over each candidate's terms; and for a
query that wants the ``k`` best only (`DocumentCache.best`), the product covers only the words of
the candidates that can still reach them: a soft cosine is at most 1, so a candidate whose score
with a soft cosine of 1 falls below the ``k``-th best already computed is left out (the
bound-and-prune of top-k retrieval, as in Broder et al., "Efficient query evaluation using a
two-level retrieval process", CIKM 2003). All of a query's scoring is one compiled call
(`paravec.search.soft_kernels.soft_best`): as numpy calls from Python, the calls cost more than
their arithmetic.

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
>>> found = cache.candidates([0, 1])
>>> [round(float(s), 2) for s in cache.measures(query, found, np.zeros(2))[1]]
[0.99, 0.0]
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from gensim.models.keyedvectors import KeyedVectors

from paravec.linalg import unit_rows
from paravec.search.similarity import SOFT_THRESHOLD, Calibration
from paravec.search.soft_kernels import soft_best, soft_norms
from paravec.tokenizer import tokenize

__all__ = ["Candidates", "DocumentCache", "DocumentCaches", "TermRow"]

# Documents kept per index version; beyond it the cache starts afresh but for the warmed ones
# (12 bytes per distinct word of a document: 1.4 kB for one of 115 words).
_MAX_DOCUMENTS = 200_000
# Words whose document frequency is kept; beyond it those memos start afresh.
_MAX_WORDS = 1_000_000
_THRESHOLD = np.float32(SOFT_THRESHOLD)
# A slot's row in `DocumentCache._row_of` before it is computed, and for a slot without text.
_UNKNOWN = -1
_NO_TEXT = -2
# A batch of rows: their terms, their weights, the offset of each row's first (and the end).
_Weighted = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]
# Documents `DocumentCache.warm` computes at most: the rest of the cache is for later documents.
_WARM_DOCUMENTS = _MAX_DOCUMENTS * 3 // 4
# Documents whose rows `DocumentCache.warm` computes under one hold of the lock.
_WARM_CHUNK = 2_000


class _Source(Protocol):
    """What the cache reads of an index version (a subset of `paravec.search.backend.IndexView`)."""

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]: ...

    def texts(self, tags: Sequence[str]) -> dict[str, str]: ...

    def tag(self, slot: int) -> str | None: ...

    def tags(self) -> list[str]: ...

    def slot(self, tag: str) -> int | None: ...


@dataclass
class TermRow:
    """A document's unit TF-IDF row, sparse, and its soft norm.

    ``ids`` are term ids of the cache, in the order of the terms' strings (the column order of
    `paravec.search.similarity.tfidf_rows`); ``weights`` the unit TF-IDF weights. ``norm`` is
    NaN until a soft cosine needs it: most candidates never get one (`DocumentCache.best`).
    """

    ids: npt.NDArray[np.integer[Any]]
    weights: npt.NDArray[np.float64]
    norm: float


@dataclass
class Candidates:
    """The rows of some documents, gathered from the cache for one query.

    ``slots`` are the documents that have a row (a slot without text has none), in the order
    asked; document ``i``'s terms are ``ids[starts[i]:starts[i + 1]]`` with ``weights`` there,
    as in `TermRow`; ``norms`` their soft norms, NaN where not computed yet. ``rows`` are their
    places in the cache, ``epoch`` the cache's when they were gathered: a norm computed for them
    is kept in the cache unless it has been emptied since (`DocumentCache.keep_norms`).
    """

    slots: list[int]
    rows: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    ids: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float64]
    norms: npt.NDArray[np.float64]
    epoch: int

    def __len__(self) -> int:
        return len(self.slots)

    def row(self, i: int) -> TermRow:
        """Document ``i``'s row, as a `TermRow` (copies)."""
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return TermRow(self.ids[a:b].copy(), self.weights[a:b].copy(), float(self.norms[i]))


class DocumentCache:
    """Term rows and soft norms of one index version's documents, computed on first use.

    The rows of all documents are kept one after another in flat arrays (the terms and weights
    of row ``r`` at ``_starts[r]:_starts[r + 1]``), so a query gathers its few hundred
    candidates with a few array operations. Thread-safe: concurrent queries share it.
    """

    def __init__(
        self, view: _Source, wv: KeyedVectors, analyse: Callable[[str], list[str]] = tokenize
    ) -> None:
        self.view = view
        self.wv = wv
        self.analyse = analyse  # the model's recorded text analysis: texts become its words
        self._lock = threading.Lock()
        self._df: dict[str, int] = {}
        self._n_documents: int | None = None
        self._ids: dict[str, int] = {}
        self._idf = np.zeros(1024)
        self._vectors = np.zeros((1024, wv.vector_size), dtype=np.float32)
        # Each slot's row: its place in the flat arrays, or _UNKNOWN, or _NO_TEXT.
        self._row_of = np.full(0, _UNKNOWN, dtype=np.int64)
        self._starts = np.zeros(1025, dtype=np.int64)
        self._terms = np.zeros(1024 * 128, dtype=np.int32)  # term ids: a version has far fewer than 2**31
        self._weights = np.zeros(1024 * 128)
        self._norms = np.full(1024, np.nan)
        self._n_rows = 0
        self._epoch = 0  # counts the times the cache was emptied (to `_pinned` rows)
        self._pinned = 0  # the first rows, kept when the cache is full (`warm`'s)
        self.retired = False  # set when a newer version's cache replaces this one
        # The index's kept words (`paravec.search.forward`), when they are this analysis's: each
        # kept word's term id here (-1 until first met).
        forward = getattr(view, "forward", None)
        self._forward = forward if forward is not None and forward.serves(analyse) else None
        self._from_forward = np.full(len(self._forward.terms) if self._forward else 0, -1, dtype=np.int64)

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """The view's `document_frequencies`, each word asked of the index once per version."""
        with self._lock:
            return self._frequencies(words)

    def _frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        wanted = list(dict.fromkeys(words))
        missing = [w for w in wanted if w not in self._df]
        if missing or self._n_documents is None:
            if len(self._df) + len(missing) > _MAX_WORDS:
                self._df = {w: self._df[w] for w in self._ids}  # terms stay: their ids use them
            found, self._n_documents = self.view.document_frequencies(missing)
            self._df.update((w, found.get(w, 0)) for w in missing)
        return {w: self._df[w] for w in wanted}, self._n_documents

    def _add_terms(self, words: Iterable[str]) -> None:
        new = [w for w in words if w not in self._ids]
        if not new:
            return
        df, n_documents = self._frequencies(new)
        start = len(self._ids)
        stop = start + len(new)
        if stop > len(self._idf):
            size = max(stop, 2 * len(self._idf))
            self._idf = np.resize(self._idf, size)
            grown = np.zeros((size, self._vectors.shape[1]), dtype=np.float32)
            grown[:start] = self._vectors[:start]
            self._vectors = grown
        known = self.wv.key_to_index
        for i, word in enumerate(new, start=start):
            self._ids[word] = i
            f = df[word]
            self._idf[i] = math.log2(n_documents / f) if 0 < f <= n_documents else 0.0
        pairs = [(i, known[w]) for i, w in enumerate(new, start=start) if w in known]
        self._vectors[start:stop] = 0.0
        if pairs:
            at, rows = map(list, zip(*pairs, strict=True))
            self._vectors[at] = unit_rows(self.wv.vectors[rows])

    def _counted(self, documents: Sequence[Sequence[str]]) -> _Weighted:
        """The weighted rows of token lists, all at once (the caller holds the lock)."""
        # Terms in the order of their strings, as `paravec.search.similarity.tfidf_rows` has its
        # columns: every sum runs in the same order as the reference's, whatever was seen before.
        items = [sorted(Counter(words).items()) for words in documents]
        flat = list(chain.from_iterable(items))
        self._add_terms(dict.fromkeys(term for term, _count in flat))
        ids = np.fromiter((self._ids[term] for term, _count in flat), np.int64, len(flat))
        tf = np.fromiter((count for _term, count in flat), np.float64, len(flat))
        return self._weighted(ids, tf, np.fromiter(map(len, items), np.int64, len(items)))

    def _kept(
        self, kept: npt.NDArray[np.int32], counts: npt.NDArray[Any], sizes: npt.NDArray[np.int64]
    ) -> _Weighted:
        """The weighted rows of documents from their kept word ids and counts (`sizes` of them
        each, one document after another; the caller holds the lock)."""
        assert self._forward is not None
        new = np.unique(kept[self._from_forward[kept] < 0])
        if len(new):
            terms = self._forward.terms
            self._add_terms(terms[i] for i in new.tolist())
            self._from_forward[new] = [self._ids[terms[i]] for i in new.tolist()]
        # Kept ids ascend in the order of the words' strings: the reference's column order.
        return self._weighted(self._from_forward[kept], counts.astype(np.float64), sizes)

    def _weighted(
        self, ids: npt.NDArray[np.int64], tf: npt.NDArray[np.float64], sizes: npt.NDArray[np.int64]
    ) -> _Weighted:
        """Unit TF-IDF rows of documents given as their terms' ids and counts, ``sizes`` each:
        their terms, weights and offsets."""
        owner = np.repeat(np.arange(len(sizes)), sizes)
        weights = tf * self._idf[ids]
        keep = weights > 0  # a term in every document weighs 0 and is left out, as in gensim
        ids, owner, weights = ids[keep], owner[keep], weights[keep]
        sizes = np.bincount(owner, minlength=len(sizes))
        starts = np.concatenate([[0], np.cumsum(sizes)])
        weights = weights / np.sqrt(np.bincount(owner, weights * weights, minlength=len(sizes)))[owner]
        return ids, weights, starts

    def query_row(self, words: Sequence[str]) -> TermRow:
        """The row and soft norm of a query's tokens (not kept: a query is asked once)."""
        with self._lock:
            ids, weights, starts = self._counted([words])
            vectors = self._vectors
        return TermRow(ids, weights, float(soft_norms(vectors, ids, weights, starts, _THRESHOLD)[0]))

    def candidates(self, slots: Iterable[int]) -> Candidates:
        """The rows of ``slots``, computed for those met for the first time (a slot whose text
        the index does not hold has no row and is left out)."""
        wanted = np.fromiter(slots, np.int64)
        with self._lock:
            if len(wanted) and int(wanted.max()) >= len(self._row_of):
                grown = np.full(max(int(wanted.max()) + 1, 2 * len(self._row_of)), _UNKNOWN, np.int64)
                grown[: len(self._row_of)] = self._row_of
                self._row_of = grown
            missing = np.unique(wanted[self._row_of[wanted] == _UNKNOWN])
            if len(missing) and self._n_rows + len(missing) > _MAX_DOCUMENTS:
                # The rows `warm` made stay (they came first); the later ones start afresh.
                self._row_of[self._row_of >= self._pinned] = _UNKNOWN
                self._n_rows = self._pinned
                self._epoch += 1
                missing = np.unique(wanted[self._row_of[wanted] == _UNKNOWN])
            if len(missing):
                self._compute(missing.tolist())
            rows = self._row_of[wanted]
            has = rows >= 0
            rows = rows[has]
            entries, starts = _entries(self._starts, rows)
            return Candidates(
                wanted[has].tolist(),
                rows,
                starts,
                self._terms[entries],
                self._weights[entries],
                self._norms[rows],
                self._epoch,
            )

    def rows(self, slots: Iterable[int]) -> dict[int, TermRow]:
        """The row of each of ``slots`` whose text the index holds, as `TermRow` (copies): for
        looking at; queries use `candidates`."""
        found = self.candidates(slots)
        return {slot: found.row(i) for i, slot in enumerate(found.slots)}

    def _compute(self, missing: list[int]) -> None:
        """Compute and keep the rows of ``missing`` (the caller holds the lock)."""
        self._row_of[missing] = _NO_TEXT
        # Words kept at the build need no text and no analysis; the others are analysed.
        if self._forward is not None:
            kept, ids, counts, sizes = self.view.kept_words(missing)  # type: ignore[attr-defined]
            if kept:
                self._append(kept, self._kept(ids, counts, sizes))
                done = set(kept)
                missing = [slot for slot in missing if slot not in done]
        if missing:
            tags = {slot: self.view.tag(slot) for slot in missing}
            texts = self.view.texts([tag for tag in tags.values() if tag is not None])
            found = [slot for slot in missing if texts.get(tags[slot] or "") is not None]
            if found:
                self._append(found, self._counted([self.analyse(texts[tags[slot] or ""]) for slot in found]))

    def _append(self, slots: list[int], weighted: _Weighted) -> None:
        """Keep the rows of ``slots`` after the others (the caller holds the lock)."""
        ids, weights, starts = weighted
        first, n = self._n_rows, len(slots)
        at = int(self._starts[first])
        if first + n + 1 > len(self._starts):
            size = max(first + n + 1, len(self._starts) * 3 // 2)
            self._starts = np.resize(self._starts, size)
            self._norms = np.resize(self._norms, size - 1)
        if at + len(ids) > len(self._terms):
            size = max(at + len(ids), len(self._terms) * 3 // 2)
            self._terms = np.resize(self._terms, size)
            self._weights = np.resize(self._weights, size)
        self._terms[at : at + len(ids)] = ids
        self._weights[at : at + len(ids)] = weights
        self._starts[first + 1 : first + n + 1] = at + starts[1:]
        self._norms[first : first + n] = np.nan
        self._row_of[slots] = np.arange(first, first + n)
        self._n_rows = first + n

    def keep_norms(
        self, found: Candidates, which: npt.NDArray[np.int64], norms: npt.NDArray[np.float64]
    ) -> None:
        """Keep the soft norms of ``found``'s documents ``which`` for later queries, unless the
        cache was emptied since they were gathered (their rows may hold others' now)."""
        with self._lock:
            if found.epoch == self._epoch:
                self._norms[found.rows[which]] = norms

    def warm(self, limit: int = _WARM_DOCUMENTS, chunk: int = _WARM_CHUNK) -> int:
        """Compute the rows and soft norms of the version's documents now, so no query waits for
        them: the first ``limit`` documents in slot order (a larger index keeps the rest for their
        first query; the warmed rows stay when the cache fills up). Runs ``chunk`` documents at a
        time and lets queries in between; stops early once the cache is retired (`DocumentCaches`
        made a newer version's). Returns the number of documents whose rows and norms are cached."""
        tags = self.view.tags()
        slots = sorted(s for s in map(self.view.slot, tags[:limit]) if s is not None)
        done = 0
        for first in range(0, len(slots), chunk):
            if self.retired:
                break
            found = self.candidates(slots[first : first + chunk])
            todo = np.flatnonzero(np.isnan(found.norms))
            if len(todo):
                with self._lock:  # the term table may grow while a query reads it
                    vectors = self._vectors
                entries, starts = _entries(found.starts, todo)
                norms = soft_norms(vectors, found.ids[entries], found.weights[entries], starts, _THRESHOLD)
                self.keep_norms(found, todo, norms)
            done += len(found)
        with self._lock:
            self._pinned = min(self._n_rows, _WARM_DOCUMENTS)
        return done

    def measures(
        self, query: TermRow, found: Candidates, doc2vec_cosines: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """TF-IDF, soft and Doc2Vec cosine of ``query`` with each of ``found``: ``(3, len(found))``,
        as `paravec.search.similarity.similarities` returns them."""
        return self._scored(query, found, doc2vec_cosines, Calibration(), len(found))[2]

    def best(
        self,
        query: TermRow,
        found: Candidates,
        doc2vec_cosines: npt.ArrayLike,
        calibration: Calibration,
        k: int,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The candidates among which the ``k`` best scores surely are, and their scores
        (`paravec.search.similarity.Calibration.z` of their `measures`).

        The soft cosine, the costly measure, is computed only for candidates that can still
        reach the ``k`` best: a soft cosine is at most 1, so one whose score with a soft cosine
        of 1 is below the ``k``-th best score already computed cannot enter the ``k`` best.
        Candidates go best bound first, ``2 k`` of them, then the rest whose bound reaches the
        ``k``-th best of those (`paravec.search.soft_kernels.soft_best`). Each score returned is
        its candidate's score from `measures`, computed the same way; the word cosines come from
        float32 matrix products whose rounding may depend on how many candidates go into one
        (OpenBLAS's AVX2 kernels), so the two agree to about 1e-7, not always bit for bit, and
        by more where a word pair's cosine rounds to either side of the soft cosine's threshold.
        """
        kept, scores, _values = self._scored(query, found, doc2vec_cosines, calibration, k)
        return kept, scores

    def _scored(
        self,
        query: TermRow,
        found: Candidates,
        doc2vec_cosines: npt.ArrayLike,
        calibration: Calibration,
        k: int,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """`soft_best` of ``found``; the soft norms it computed are kept for later queries."""
        with self._lock:  # the term table may grow while another query reads it
            vectors = self._vectors
        norms = found.norms.copy()  # NaN: not computed yet
        kept, scores, values, computed = soft_best(
            query.ids,
            query.weights,
            query.norm,
            vectors,
            found.starts,
            found.ids,
            found.weights,
            norms,
            np.asarray(doc2vec_cosines, dtype=np.float64).reshape(len(found)),
            np.asarray(calibration.mean, dtype=np.float64),
            np.asarray(calibration.sd, dtype=np.float64),
            k,
            _THRESHOLD,
        )
        if computed.any():
            which = np.flatnonzero(computed)
            self.keep_norms(found, which, norms[which])  # the same value whichever query computes it first
        return kept, scores, values


def _entries(
    starts: npt.NDArray[np.int64], which: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The positions of rows ``which`` (offsets ``starts``) one after another, and their offsets."""
    lengths = starts[which + 1] - starts[which]
    ends = np.cumsum(lengths)
    entries = np.repeat(starts[which] - ends + lengths, lengths) + np.arange(
        int(ends[-1]) if len(ends) else 0
    )
    return entries, np.concatenate([[0], ends]).astype(np.int64)


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
                if self._cached is not None:
                    self._cached[2].retired = True  # a warm-up of the old version stops
                self._cached = (view, wv, DocumentCache(view, wv, analyse))
            return self._cached[2]
