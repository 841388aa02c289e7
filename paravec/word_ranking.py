"""Ranking the words around a document, a text or a word: the one place every caller ranks words.

A vector of the joint space (a document's, ``infer_vector``'s, a word's input vector) meets words
two ways in PV-DBOW with word training (Le & Mikolov 2014, "Distributed Representations of
Sentences and Documents"): by the cosine with their input vectors (``model.wv``, gensim's
``most_similar``: words used *alike*), and through the output layer, ``vector . syn1neg[w]``, the
logit training pushes up for the words a document holds or a word is used *with*. With negative
sampling that logit approaches ``log P(w | d) - log(k Pn(w))`` (Levy & Goldberg 2014): a lift over
the noise distribution ``Pn ∝ count^0.75``, which favours rare words, whose output rows are the
least trained. Words rank by the sum of the cosine and the output score corrected part of the way
towards ``log P(w | d)`` (plus a quarter of the word's log count), each standardised over the
vocabulary. After an update that keeps pretrained weights frozen, the cosine alone puts few of a
new document's own words first, the output score alone lets a pretrained word's old relatives in
(E0's "python" brings "leto", "hera") or, on a short settled document, the batch's rare names. On
the seed scenario the sum keeps "jav python ruby xxyfg" as E0's top 4 and jav, python, ruby as
xxyfg's top 3 in every demo update measured (``benchmarks/README.md``, "words around a
document"). With hierarchical softmax only (no ``syn1neg``), by cosine.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> from paravec.word_ranking import nearest_words, words_near_word
>>> docs = [TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)]
>>> model = paravec.train(docs, vector_size=8, min_count=1, epochs=5, seed=1, workers=1)
>>> [len(nearest_words(model, model.dv["c0"], 3)), len(words_near_word(model, "graph", 3))]
[3, 3]
>>> "graph" in [w for w, _ in words_near_word(model, "graph", 11)]
False
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.linalg import unit_rows

__all__ = [
    "LOG_COUNT_WEIGHT",
    "WordRanker",
    "nearest_words",
    "nearest_words_many",
    "word_scores",
    "words_near_word",
]

# Scores of several vectors are computed a block of columns at a time, each block at most this
# many floats (vocabulary x vectors), so a vocabulary of millions does not need gigabytes.
_BLOCK_FLOATS = 8_000_000
# Weight of log(count) added to the output score: 0.75 would make it log P(w | d) (the noise
# distribution's exponent); a quarter of the way corrects the rare-word lift without letting the
# most frequent words in (benchmarks/README.md, "words around a document").
LOG_COUNT_WEIGHT = 0.25


def _top(scores: npt.NDArray[Any], k: int, exclude: int | None) -> list[int]:
    scores = np.asarray(scores, dtype=np.float64)
    if exclude is not None:
        scores = scores.copy()
        scores[exclude] = -np.inf
    k = min(k, len(scores) - (exclude is not None))
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in part[np.argsort(-scores[part], kind="stable")]]


def word_scores(model: Any, vector: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The score of every word of ``model.wv`` around ``vector`` (see the module docstring).

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    vector : array of shape (vector_size,)
        A document vector, ``infer_vector``'s, or a word's input vector.

    Returns
    -------
    numpy.ndarray of shape (len(model.wv),)
        Standardised cosine with ``model.wv`` plus standardised
        ``vector . syn1neg[w] + LOG_COUNT_WEIGHT * log(count[w])`` (the cosine alone for a model
        without negative sampling).
    """
    v = np.asarray(vector, dtype=np.float64)
    vectors = model.wv.vectors
    cosine = np.asarray(unit_rows(vectors) @ unit_rows(v, dtype=np.float64)[0], dtype=np.float64)
    if not getattr(model, "negative", 0):
        return cosine
    output = np.asarray(model.syn1neg[: len(vectors)] @ v, dtype=np.float64)
    return _z(cosine) + _z(output + _log_counts(model, len(vectors)))


def _log_counts(model: Any, n: int) -> npt.NDArray[np.float64]:
    """``LOG_COUNT_WEIGHT * log(count)`` of the first ``n`` words (counts below 1 read as 1)."""
    counts = np.asarray(model.wv.expandos["count"][:n], dtype=np.float64)
    return np.asarray(LOG_COUNT_WEIGHT * np.log(np.maximum(counts, 1.0)))


def _z(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray((x - x.mean()) / max(float(x.std()), 1e-12), dtype=np.float64)


def nearest_words(
    model: Any, vector: npt.ArrayLike, k: int = 10, *, exclude: str | None = None
) -> list[tuple[str, float]]:
    """The ``k`` words around a document, text or word vector, ranked by `word_scores`.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    vector : array of shape (vector_size,)
        A document vector (``model.dv[tag]``, a stored index vector) or ``infer_vector``'s.
    k : int, default 10
    exclude : str, optional
        A word to leave out.

    Returns
    -------
    list of (str, float)
        Words and their `word_scores`, highest first.
    """
    scores = word_scores(model, vector)
    skip = model.wv.key_to_index.get(exclude) if exclude is not None else None
    keys = model.wv.index_to_key
    return [(str(keys[i]), float(scores[i])) for i in _top(scores, k, skip)]


def nearest_words_many(
    model: Any, vectors: npt.ArrayLike, k: int = 10, *, exclude: list[str | None] | None = None
) -> list[list[tuple[str, float]]]:
    """`nearest_words` of each row of ``vectors``, scoring the vocabulary once per block of rows.

    One call per document or word normalised the whole vocabulary again each time (a report over
    100 new documents and words did it 100 times); here the word matrix is normalised once and
    a block of rows is scored by one matrix product, in float32 (the model's own precision), so
    the scores agree with `word_scores` to about 1e-5 and the ranking can differ only between
    words that tie to that precision. A caller ranking several sets of vectors against one model
    keeps a `WordRanker` instead, which prepares the vocabulary once for all of them.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    vectors : array of shape (n, vector_size)
    k : int, default 10
    exclude : list of str or None, optional
        One word to leave out per row (None for none).

    Returns
    -------
    list of list of (str, float)
        Per row, its words and scores, highest first.
    """
    return WordRanker(model).nearest(vectors, k, exclude=exclude)


class WordRanker:
    """`nearest_words_many` for one model, its vocabulary prepared once for many calls.

    The unit word vectors, the output rows and the log-count prior are taken when the ranker is
    made: a ranker belongs to one state of the model and must not outlive an update of it.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    """

    def __init__(self, model: Any) -> None:
        words = model.wv.vectors
        # Scores are products with the raw word vectors scaled by one over their norms in the
        # compiled pass: no unit copy of the vocabulary for each ranker.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            inv_norm = 1.0 / np.linalg.norm(words, axis=1)
        self._words = words
        self._inv_norm = np.where(np.isfinite(inv_norm), inv_norm, 0.0).astype(np.float32)
        negative = bool(getattr(model, "negative", 0))
        self._output = model.syn1neg[: len(words)] if negative else None
        self._prior = _log_counts(model, len(words)).astype(np.float32) if negative else None
        self._keys, self._key_to_index = model.wv.index_to_key, model.wv.key_to_index

    def nearest(
        self, vectors: npt.ArrayLike, k: int = 10, *, exclude: list[str | None] | None = None
    ) -> list[list[tuple[str, float]]]:
        """The ``k`` nearest words of each row of ``vectors``: see `nearest_words_many`."""
        from paravec.word_ranking_kernel import top_of_sum  # numba: only when words are ranked

        rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        skips = exclude if exclude is not None else [None] * len(rows)
        if len(skips) != len(rows):
            raise ValueError(f"exclude has {len(skips)} entries for {len(rows)} vectors")
        if not len(rows):
            return []
        words, output = self._words, self._output
        skip_rows = np.array(
            [self._key_to_index.get(w, -1) if w is not None else -1 for w in skips], dtype=np.int64
        )
        block = max(1, _BLOCK_FLOATS // max(len(words), 1))
        out: list[list[tuple[str, float]]] = []
        keys = self._keys
        for start in range(0, len(rows), block):
            part = rows[start : start + block]
            cos = unit_rows(part) @ words.T  # one row of scores per vector, contiguous
            logits = part @ output.T if output is not None else None
            index, value = top_of_sum(
                cos, logits, self._inv_norm, self._prior, skip_rows[start : start + len(part)], k
            )
            out.extend(
                [(str(keys[i]), v) for i, v in zip(row, vals, strict=True) if i >= 0]
                for row, vals in zip(index.tolist(), value.tolist(), strict=True)
            )
        return out


def words_near_word(model: Any, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` nearest words of a vocabulary word (itself left out), ranked by `word_scores`.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    word : str
        A word of ``model.wv``.
    k : int, default 10

    Returns
    -------
    list of (str, float)
        Words and their `word_scores` around the word's input vector, highest first.
    """
    return nearest_words(model, model.wv.vectors[model.wv.key_to_index[word]], k, exclude=word)
