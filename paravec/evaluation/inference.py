"""Reproducible re-inference and sampling: which documents an evaluation examines, and their vectors.

gensim's ``Doc2Vec.infer_vector`` draws its starting vector and its negative samples from
``model.random``, so two calls on the same words give different vectors. To make a report
repeatable, `infer_vectors` seeds ``model.random`` per document from ``(seed, position)`` and
restores the model's own generator afterwards: the model is left as it was. Samples of documents
are seeded the same way (`sample_indices`).

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

__all__ = ["MAX_DOC_WORDS", "infer_vectors", "sample_indices"]

#: gensim's compiled code cuts a document at this many words anyway.
MAX_DOC_WORDS = 10000


def infer_vectors(
    model: Any, documents: Sequence[TaggedDocument], seed: int, epochs: int | None = None
) -> npt.NDArray[np.float32]:
    """``model.infer_vector`` of each document's words, seeded per document.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        Its ``random`` is replaced during the call and restored afterwards.
    documents : sequence of TaggedDocument
    seed : int
        Document ``i`` is inferred with ``RandomState((seed * 1_000_003 + i) % 2**32)``.
    epochs : int, optional
        Inference epochs; default the model's own.

    Returns
    -------
    ndarray of shape (len(documents), model.dv.vector_size), float32
    """
    out = np.zeros((len(documents), model.dv.vector_size), dtype=np.float32)
    saved = model.random
    try:
        for i, doc in enumerate(documents):
            model.random = np.random.RandomState((seed * 1_000_003 + i) % (2**32))
            out[i] = model.infer_vector(list(doc.words)[:MAX_DOC_WORDS], epochs=epochs)
    finally:
        model.random = saved
    return out


def sample_indices(n: int, sample: int, seed: int) -> npt.NDArray[np.int64]:
    """A seeded sorted sample of ``sample`` positions out of ``n`` (all of them when ``n <= sample``)."""
    if n <= sample:
        return np.arange(n, dtype=np.int64)
    chosen = np.random.default_rng(seed).choice(n, size=sample, replace=False)
    return np.sort(chosen).astype(np.int64)
