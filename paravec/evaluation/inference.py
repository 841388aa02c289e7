"""Reproducible re-inference and sampling: which documents an evaluation examines, and their vectors.

Inference draws a start vector and negative samples at random, so two unseeded runs on the same
words give different vectors. To make a report repeatable, `infer_vectors` infers with
`paravec.infer` (gensim's ``infer_vector`` arithmetic, batched), whose document ``i`` takes its
randomness from ``(seed, i)`` only; the model is left as it was. Samples of documents are seeded
too (`sample_indices`).

Examples
--------
>>> from gensim.models.doc2vec import Doc2Vec, TaggedDocument
>>> from gensim.test.utils import common_texts
>>> from paravec.evaluation.inference import infer_vectors, sample_indices
>>> docs = [TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)]
>>> model = Doc2Vec(docs, vector_size=8, min_count=1, epochs=5, seed=1, workers=1)
>>> bool((infer_vectors(model, docs[:2], seed=3) == infer_vectors(model, docs[:2], seed=3)).all())
True
>>> sample_indices(9, 3, seed=0).tolist()
[4, 5, 7]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models.doc2vec import TaggedDocument

from paravec.inference import infer
from paravec.inference_kernel import MAX_WORDS

__all__ = ["MAX_DOC_WORDS", "infer_vectors", "sample_indices"]

#: Inference, like gensim's, stops a document after this many kept words.
MAX_DOC_WORDS = MAX_WORDS


def infer_vectors(
    model: Any, documents: Sequence[TaggedDocument], seed: int, epochs: int | None = None
) -> npt.NDArray[np.float32]:
    """The inferred vector of each document's words, seeded per document (`paravec.infer`).

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        Not modified.
    documents : sequence of TaggedDocument
    seed : int
        Document ``i`` takes its randomness from ``(seed, i)``: the same document at the same
        position gets the same vector in any batch.
    epochs : int, optional
        Inference epochs; default the model's own.

    Returns
    -------
    ndarray of shape (len(documents), model.dv.vector_size), float32
    """
    return infer(model, documents, epochs=epochs, seed=seed)


def sample_indices(n: int, sample: int, seed: int) -> npt.NDArray[np.int64]:
    """A seeded sorted sample of ``sample`` positions out of ``n`` (all of them when ``n <= sample``)."""
    if n <= sample:
        return np.arange(n, dtype=np.int64)
    chosen = np.random.default_rng(seed).choice(n, size=sample, replace=False)
    return np.sort(chosen).astype(np.int64)
