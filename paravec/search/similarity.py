"""Document-to-document similarity for ``mode="document"`` search: TF-IDF, soft cosine, Doc2Vec.

What it does
------------
`document_scores` scores candidate documents against a query document by three cosines,
each good at something the others miss:

- **TF-IDF cosine** (Salton & Buckley, 1988): the same rare words;
- **soft cosine** (Sidorov, Gelbukh, Gómez-Adorno & Pinto, "Soft Similarity and Soft Cosine
  Measure", Computación y Sistemas 18(3), 2014), over the same TF-IDF weights: related words count
  too, by how near their vectors are in ``model.wv``;
- **Doc2Vec cosine**: the query's inferred vector against the documents' vectors.

The three live on different scales, and the scales depend on the model (a small model's word
vectors are all alike, so its soft cosines are all high), so each is first turned into a z-score:
how many standard deviations above the typical pair of indexed documents (`Calibration`,
measured on a sample of the index's own documents). The score is the mean of the three z-scores:
0 is a typical pair, 2 is far more alike than most. On the Lee corpus this fusion tracks human
judgments better than any of the three alone, and better than a plain mean of the cosines, which
lets the widest-spread measure dominate (``tests/test_document_similarity.py``; the search mode in
``benchmarks/update_strategies.py`` and ``benchmarks/search_quality.py``).

The term weights follow gensim's ``TfidfModel`` defaults (raw term frequency times
``log2(N / df)``, unit length), with ``N`` and ``df`` counted over the indexed documents. The word
similarity follows gensim's ``WordEmbeddingSimilarityIndex`` (cosine squared), except that pairs
below `SOFT_THRESHOLD` count 0 instead of keeping each word's 100 nearest words: the cost of
a query then depends on the words of the query and its candidates only, never on the size of the
model's vocabulary (a Wikipedia model has millions of words). The threshold was chosen among
0-0.6 on gensim's mini_newsgroup posts (a sweep not kept in the repository), not on the Lee corpus
the benchmarks report.

Examples
--------
>>> import numpy as np
>>> from gensim.models import KeyedVectors
>>> from paravec.search.similarity import tfidf_rows, soft_cosines
>>> wv = KeyedVectors(2)
>>> wv.add_vectors(["car", "auto", "fruit"], np.array([[1.0, 0.1], [0.9, 0.2], [0.0, 1.0]]))
>>> terms, rows = tfidf_rows([["car"], ["auto"], ["fruit"]], {"car": 1, "auto": 1, "fruit": 1}, 3)
>>> [round(float(s), 2) for s in soft_cosines(rows[0], rows[1:], terms, wv)]
[0.99, 0.0]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from gensim.models.keyedvectors import KeyedVectors

from paravec.linalg import unit_rows

__all__ = [
    "MEASURES",
    "SOFT_THRESHOLD",
    "Calibration",
    "document_scores",
    "pair_samples",
    "similarities",
    "soft_cosines",
    "soft_similarity",
    "tfidf_rows",
]

SOFT_THRESHOLD = 0.4
"""Word pairs whose vectors' cosine is below this count as unrelated in the soft cosine."""

MEASURES = ("tfidf", "soft", "doc2vec")
"""The three similarities, in the order of `similarities`' rows and `Calibration`."""


@dataclass(frozen=True)
class Calibration:
    """Mean and standard deviation of each measure over pairs of indexed documents.

    ``pairs`` is how many pairs they were measured on; with fewer than two (an index of one
    document) the identity (mean 0, sd 1) is used and scores are plain means of the cosines.
    """

    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sd: tuple[float, float, float] = (1.0, 1.0, 1.0)
    pairs: int = 0

    @classmethod
    def from_samples(cls, samples: np.ndarray) -> Calibration:
        """From a ``(3, n_pairs)`` array of the measures over document pairs."""
        samples = np.asarray(samples, dtype=np.float64).reshape(len(MEASURES), -1)
        if samples.shape[1] < 2:
            return cls(pairs=samples.shape[1])
        mean = samples.mean(axis=1)
        sd = samples.std(axis=1)
        # A measure that does not vary over the sample cannot be scaled; leave it unscaled.
        sd = np.where(sd > 1e-9, sd, 1.0)
        m0, m1, m2 = (float(v) for v in mean)
        s0, s1, s2 = (float(v) for v in sd)
        return cls((m0, m1, m2), (s0, s1, s2), int(samples.shape[1]))

    def z(self, values: np.ndarray) -> np.ndarray:
        """Z-scores of a ``(3, n)`` array of measures; the mean over the measures, per column."""
        mean = np.asarray(self.mean)[:, None]
        sd = np.asarray(self.sd)[:, None]
        z: np.ndarray = ((np.asarray(values, dtype=np.float64) - mean) / sd).mean(axis=0)
        return z


def tfidf_rows(
    documents: Sequence[Sequence[str]], df: Mapping[str, int], n_documents: int
) -> tuple[list[str], np.ndarray]:
    """Unit TF-IDF rows of ``documents`` over the terms they share with the index.

    Parameters
    ----------
    documents : sequence of token lists
        One row each, in order.
    df : mapping
        Number of indexed documents that contain each term; a term missing or at 0 is not in the
        index and is left out (it cannot match an indexed document), as gensim's dictionary
        leaves out unknown words. A term in every document weighs 0, as in gensim.
    n_documents : int
        Number of indexed documents.

    Returns
    -------
    terms : list of str
        The columns.
    rows : numpy.ndarray
        ``(len(documents), len(terms))``, each row of unit length (or all zero).
    """
    idf = {t: math.log2(n_documents / f) for t, f in df.items() if 0 < f <= n_documents}
    counts = [Counter(t for t in doc if idf.get(t, 0.0) > 0) for doc in documents]
    terms = sorted({t for c in counts for t in c})
    column = {t: i for i, t in enumerate(terms)}
    rows = np.zeros((len(documents), len(terms)), dtype=np.float64)
    for r, c in enumerate(counts):
        for t, tf in c.items():
            rows[r, column[t]] = tf * idf[t]
    return terms, unit_rows(rows, dtype=np.float64)


def _term_vectors(terms: Sequence[str], wv: KeyedVectors) -> np.ndarray:
    """Unit word vectors of ``terms`` (a zero row for a word the model does not know)."""
    out = np.zeros((len(terms), wv.vector_size), dtype=np.float32)
    known = [(i, wv.key_to_index[t]) for i, t in enumerate(terms) if t in wv.key_to_index]
    if known:
        at, rows = map(list, zip(*known, strict=True))
        out[at] = unit_rows(wv.vectors[rows])
    return out


def soft_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Word similarity: cosine squared at or above the threshold, else 0."""
    s: np.ndarray = a @ b.T
    s[s < SOFT_THRESHOLD] = 0.0
    s *= s
    return s


def _soft_norms(rows: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """``sqrt(x·S·x)`` of each row, using only the columns the row has."""
    out = np.zeros(len(rows))
    for r, row in enumerate(rows):
        c = np.flatnonzero(row)
        if len(c):
            # One array for both sides: numpy then multiplies it by its transpose with syrk,
            # half the work of a general product (paravec.search.document_cache does the same).
            v = vectors[c]
            s = soft_similarity(v, v)
            np.fill_diagonal(s, 1.0)  # a word the model does not know is still itself
            out[r] = math.sqrt(max(float(row[c] @ s @ row[c]), 0.0))
    return out


def _soft(
    query: np.ndarray, q_norm: float, rows: np.ndarray, norms: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    """Soft cosine of one row with each of ``rows`` whose norms are known."""
    out = np.zeros(len(rows))
    q = np.flatnonzero(query)
    if not len(q) or q_norm == 0:
        return out
    cross = soft_similarity(vectors[q], vectors)
    cross[np.arange(len(q)), q] = 1.0
    weighted = query[q] @ cross  # x·S, for every column at once
    clipped: np.ndarray = np.clip(
        np.divide(rows @ weighted, q_norm * norms, out=out, where=norms > 0), 0.0, 1.0
    )
    return clipped


def soft_cosines(
    query: np.ndarray, candidates: np.ndarray, terms: Sequence[str], wv: KeyedVectors
) -> np.ndarray:
    """Soft cosine of the TF-IDF row ``query`` with each row of ``candidates``.

    ``x·S·y / sqrt(x·S·x · y·S·y)`` with ``S`` the word similarity (cosine squared of the words'
    ``wv`` vectors, 0 below `SOFT_THRESHOLD`, 1 for a word with itself). Only the columns
    a row uses are multiplied, so the cost grows with the words of the query and of each
    candidate, not with the number of columns.

    Returns
    -------
    numpy.ndarray
        One value per candidate in [0, 1] (0 for an empty row).
    """
    vectors = _term_vectors(terms, wv)
    q_norm = float(_soft_norms(query[None, :], vectors)[0])
    return _soft(query, q_norm, candidates, _soft_norms(candidates, vectors), vectors)


def similarities(
    query_words: Sequence[str],
    candidate_words: Sequence[Sequence[str]],
    doc2vec_cosines: np.ndarray,
    df: Mapping[str, int],
    n_documents: int,
    wv: KeyedVectors,
) -> np.ndarray:
    """The three measures of each candidate: a ``(3, n_candidates)`` array, rows as `MEASURES`.

    Parameters
    ----------
    query_words : sequence of str
        The query document's tokens.
    candidate_words : sequence of token lists
        Each candidate's tokens.
    doc2vec_cosines : numpy.ndarray
        Cosine of each candidate's document vector with the query's inferred vector.
    df, n_documents
        Document frequencies and size of the index (see `tfidf_rows`).
    wv : gensim.models.KeyedVectors
        The model's word vectors, for the soft cosine.
    """
    terms, rows = tfidf_rows([query_words, *candidate_words], df, n_documents)
    vectors = _term_vectors(terms, wv)
    norms = _soft_norms(rows, vectors)
    tfidf = rows[1:] @ rows[0]
    soft = _soft(rows[0], float(norms[0]), rows[1:], norms[1:], vectors)
    return np.vstack([tfidf, soft, np.asarray(doc2vec_cosines, dtype=np.float64)])


def pair_samples(
    words: Sequence[Sequence[str]],
    inferred: np.ndarray,
    stored: np.ndarray,
    df: Mapping[str, int],
    n_documents: int,
    wv: KeyedVectors,
) -> np.ndarray:
    """The three measures over every ordered pair of different documents of a sample.

    Document ``i`` plays the query (its ``inferred`` vector), document ``j`` the candidate (its
    ``stored`` unit vector), as in a search. Returns a ``(3, n * (n - 1))`` array for
    `Calibration.from_samples`.
    """
    n = len(words)
    terms, rows = tfidf_rows(words, df, n_documents)
    vectors = _term_vectors(terms, wv)
    norms = _soft_norms(rows, vectors)
    unit = unit_rows(inferred, dtype=np.float64)
    doc2vec = unit @ np.asarray(stored, dtype=np.float64).T
    tfidf = rows @ rows.T
    soft = np.vstack([_soft(rows[i], float(norms[i]), rows, norms, vectors) for i in range(n)])
    off = ~np.eye(n, dtype=bool)
    return np.vstack([tfidf[off], soft[off], doc2vec[off]])


def document_scores(
    query_words: Sequence[str],
    candidate_words: Sequence[Sequence[str]],
    doc2vec_cosines: np.ndarray,
    df: Mapping[str, int],
    n_documents: int,
    wv: KeyedVectors,
    calibration: Calibration,
) -> np.ndarray:
    """Mean z-score of TF-IDF, soft and Doc2Vec cosine for each candidate (see the module docstring).

    Parameters are those of `similarities`, plus the index's `Calibration`.
    """
    return calibration.z(similarities(query_words, candidate_words, doc2vec_cosines, df, n_documents, wv))
