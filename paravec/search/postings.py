"""BM25 over the kept words, term at a time: the keyword candidates of a whole-document query.

What it does
------------
`Postings` is an inverted index in memory of the words each document's text holds, as the
model's analysis gives them: the forward index kept with an embedded index
(`paravec.search.forward`), transposed once per index version, plus the documents a sync added
or re-texted since (analysed from their texts). `Postings.top` ranks documents for a weighted
set of words by BM25 (Robertson & Zaragoza, "The probabilistic relevance framework: BM25 and
beyond", 2009), each word's score times its weight, summed: what
`paravec.search.text.TextStore.search_weighted` asks of tantivy, for the words of a whole-document
query (`paravec.search.ranking.document_terms`).

Approach
--------
A whole-document query sends dozens of words of middling frequency, and their posting lists
together cover much of the index. Tantivy scores document at a time, merging the lists in a heap,
and its block-max WAND can skip little when no word dominates. Here the scores are accumulated
term at a time (Turtle & Flood, "Query evaluation: strategies and optimizations", 1995): each
word's list is one sequential pass adding into an array of one score per document, in one
compiled call. Each posting holds the word's BM25 term-frequency part in its document, the
document's length norm folded in (an impact, as in Anh & Moffat's impact-ordered indexes), so a
posting costs one random access. The ``n`` best are then read off that array block by block:
only the blocks of slots whose largest score can reach the ``n`` best are scanned one by one.
Memory: 8 bytes a posting (a slot and an impact). BM25 is tantivy's (``k1`` 1.2,
``b`` 0.75, idf ``log(1 + (N - df + 0.5) / (df + 0.5))``) over the live documents, except that a
document's length is its exact number of words (tantivy keeps it in one byte) and only its text
counts (tantivy's ``exact`` field holds the title too): the words document mode's TF-IDF counts.

Examples
--------
>>> import numpy as np
>>> from paravec.search.postings import Postings
>>> words = [["shuttle", "launch", "shuttle"], ["apple", "pear"], ["launch", "window"]]
>>> postings = Postings.of_words(words)
>>> [(slot, round(score, 3)) for slot, score in postings.top({"shuttle": 1.0, "launch": 0.5}, 2)]
[(0, 1.459), (2, 0.25)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["BM25_B", "BM25_K1", "Postings", "bm25_idf", "count_words"]

BM25_K1 = 1.2
"""BM25's term-frequency saturation, tantivy's (and Lucene's) default."""

BM25_B = 0.75
"""BM25's length normalisation, tantivy's (and Lucene's) default."""

# Slots whose largest score `_top` compares before it looks at their scores one by one.
_BLOCK = 64
_I32 = npt.NDArray[np.int32]
_I64 = npt.NDArray[np.int64]


def bm25_idf(df: Any, n_documents: int) -> Any:
    """BM25's idf as tantivy and Lucene compute it, ``log(1 + (N - df + 0.5) / (df + 0.5))``, of a
    document frequency or an array of them."""
    df = np.asarray(df, dtype=np.float64)
    return np.log1p((n_documents - df + 0.5) / (df + 0.5))


@njit(cache=True, nogil=True)
def _transpose(
    n_terms: int,
    slots: _I64,
    firsts: _I64,
    lasts: _I64,
    ids: npt.NDArray[Any],
    counts: npt.NDArray[Any],
    norms: npt.NDArray[np.float32],
) -> tuple[_I64, _I32, npt.NDArray[np.float32]]:
    # Document d (slot slots[d]) holds entries firsts[d]:lasts[d] of ids and counts. A counting
    # sort by term keeps each list in the order of the documents (ascending slots).
    starts = np.zeros(n_terms + 1, dtype=np.int64)
    for d in range(len(slots)):
        for e in range(firsts[d], lasts[d]):
            starts[ids[e] + 1] += 1
    for t in range(n_terms):
        starts[t + 1] += starts[t]
    fill = starts[:-1].copy()
    docs = np.empty(starts[n_terms], dtype=np.int32)
    impacts = np.empty(starts[n_terms], dtype=np.float32)
    for d in range(len(slots)):
        for e in range(firsts[d], lasts[d]):
            at = fill[ids[e]]
            docs[at] = slots[d]
            tf = np.float32(counts[e])
            # BM25's term-frequency part, its length norm folded in: one random read a posting.
            impacts[at] = tf / (tf + norms[slots[d]])
            fill[ids[e]] = at + 1
    return starts, docs, impacts


@njit(cache=True, nogil=True)
def _top(
    terms: _I64,
    weights: npt.NDArray[np.float32],
    starts: _I64,
    docs: _I32,
    impacts: npt.NDArray[np.float32],
    n_slots: int,
    n: int,
) -> tuple[_I64, npt.NDArray[np.float32]]:
    # weights[j]: the query's weight of term j times its idf times (k1 + 1).
    scores = np.zeros(n_slots, dtype=np.float32)
    for j in range(len(terms)):
        w = weights[j]
        for p in range(starts[terms[j]], starts[terms[j] + 1]):
            scores[docs[p]] += w * impacts[p]
    # The n best: a document among them lies in a block of _BLOCK slots whose largest score is
    # at least the n-th largest of the blocks' largest (n documents in n blocks reach that), so
    # only those blocks are scanned, in slot order, into a sorted buffer of n (the weakest last).
    n_blocks = (len(scores) + _BLOCK - 1) // _BLOCK
    peaks = np.zeros(n_blocks, dtype=np.float32)
    for b in range(n_blocks):
        m = np.float32(0.0)
        for d in range(b * _BLOCK, min((b + 1) * _BLOCK, len(scores))):
            m = max(m, scores[d])
        peaks[b] = m
    floor = np.float32(0.0)
    if n_blocks > n:
        floor = np.partition(-peaks, n - 1)[n - 1] * np.float32(-1.0)
    best = np.full(n, -1, dtype=np.int64)
    top = np.zeros(n, dtype=np.float32)
    found = 0
    for b in range(n_blocks):
        if peaks[b] <= 0.0 or peaks[b] < floor:
            continue
        for d in range(b * _BLOCK, min((b + 1) * _BLOCK, len(scores))):
            s = scores[d]
            if s <= 0.0 or (found == n and s <= top[n - 1]):
                continue  # ties keep the lower slot, as the scan meets it first
            i = found if found < n else n - 1
            while i > 0 and top[i - 1] < s:
                top[i] = top[i - 1]
                best[i] = best[i - 1]
                i -= 1
            top[i] = s
            best[i] = d
            found = min(found + 1, n)
    return best[:found], top[:found]


def count_words(
    documents: Sequence[Sequence[str]], terms: Sequence[str] = ()
) -> tuple[list[str], _I32, _I32, _I64]:
    """Each word list's distinct words and their counts, one document after another.

    Words are numbered as in ``terms``, a word not there numbered after them. Returns the terms
    (``terms`` and the new words), each entry's term number and count, and each document's
    number of entries, as `Postings.build` takes them.
    """
    number = {term: i for i, term in enumerate(terms)}
    ids: list[int] = []
    counts: list[int] = []
    sizes: list[int] = []
    for words in documents:
        counted = Counter(words)
        ids.extend(number.setdefault(word, len(number)) for word in counted)
        counts.extend(counted.values())
        sizes.append(len(counted))
    return (
        list(number),
        np.array(ids, dtype=np.int32),
        np.array(counts, dtype=np.int32),
        np.array(sizes, dtype=np.int64),
    )


@dataclass(frozen=True)
class Postings:
    """Each word's documents and what it adds to their BM25 sums.

    ``starts[t]:starts[t + 1]`` are word ``t``'s (``ids[word] == t``) entries of ``docs``
    (slots) and ``impacts``: ``tf / (tf + k1 x (1 - b + b x length / mean length))`` of the
    word in that document, what BM25 multiplies by the word's idf x (k1 + 1);
    ``n_slots`` one more than the largest slot; ``n_documents`` the documents counted.
    """

    ids: dict[str, int]
    starts: _I64
    docs: _I32
    impacts: npt.NDArray[np.float32]
    n_slots: int
    n_documents: int

    @classmethod
    def build(
        cls,
        terms: Sequence[str],
        slots: _I64,
        firsts: _I64,
        lasts: _I64,
        ids: npt.NDArray[Any],
        counts: npt.NDArray[Any],
        n_slots: int,
    ) -> Postings:
        """The postings of documents ``slots`` (ascending, distinct): document ``d``'s words are
        ``terms[ids[e]]``, each ``counts[e]`` times, for ``e`` in ``firsts[d]:lasts[d]``, each
        word once; ``n_slots``: one more than the largest slot that may be asked about."""
        lengths = np.zeros(n_slots, dtype=np.float64)
        if len(ids):
            cum = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
            lengths[slots] = cum[lasts] - cum[firsts]
        mean = float(lengths[slots].mean()) if len(slots) else 1.0
        norms = (BM25_K1 * (1.0 - BM25_B + BM25_B * lengths / max(mean, 1e-9))).astype(np.float32)
        starts, docs, impacts = _transpose(len(terms), slots, firsts, lasts, ids, counts, norms)
        return cls({term: i for i, term in enumerate(terms)}, starts, docs, impacts, n_slots, len(slots))

    @classmethod
    def of_words(cls, documents: Sequence[Sequence[str]]) -> Postings:
        """The postings of word lists, slot ``i`` being ``documents[i]`` (for tests and examples)."""
        terms, ids, counts, sizes = count_words(documents)
        ends = np.cumsum(sizes)
        return cls.build(
            terms, np.arange(len(documents), dtype=np.int64), ends - sizes, ends, ids, counts, len(documents)
        )

    def __len__(self) -> int:
        return self.n_documents

    def document_frequency(self, word: str) -> int:
        """How many of the documents hold ``word``."""
        t = self.ids.get(word)
        return 0 if t is None else int(self.starts[t + 1] - self.starts[t])

    def top(self, weights: Mapping[str, float], n: int) -> list[tuple[int, float]]:
        """Up to ``n`` ``(slot, score)``, best first (ties: lower slot first): BM25 of each word
        of ``weights`` times its weight, summed; documents with none of the words left out."""
        found = [(self.ids[w], float(x)) for w, x in weights.items() if x > 0 and w in self.ids]
        if not found or n <= 0:
            return []
        terms = np.array([t for t, _x in found], dtype=np.int64)
        df = (self.starts[terms + 1] - self.starts[terms]).astype(np.float64)
        idf = bm25_idf(df, self.n_documents)
        scaled = (np.array([x for _t, x in found]) * idf * (BM25_K1 + 1.0)).astype(np.float32)
        slots, scores = _top(terms, scaled, self.starts, self.docs, self.impacts, self.n_slots, n)
        return list(zip(slots.tolist(), scores.tolist(), strict=True))
