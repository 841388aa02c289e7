"""Settling the batch's document vectors: extra passes that move only them, every weight fixed.

A new document's vector gets as many updates in an update as it has words times epochs; a short
document (the seed scenario's ``"jav python ruby xxyfg"``: 4 words x 10 epochs) ends far from
where the trained weights would put it, so its nearest words are noise, while ``infer_vector``
with enough passes puts it among its own words. Settling continues a short document's training
from where the update left it, exactly as gensim's ``infer_vector`` trains (Le & Mikolov 2014:
at inference, the word and output weights are fixed and only the paragraph vector learns), until
it has had `MIN_WORD_UPDATES` word updates in all, in at most ``epochs`` passes. Documents the
update already trained that often (a 25-word document at 40 epochs) are left alone; every weight
is untouched, so it changes nothing but the batch's short documents' vectors. The price: a settled
vector is far from what ``infer_vector`` with few epochs gives for the same text, so
`paravec.update` settles only when asked (``settle_epochs``). ``benchmarks/README.md`` ("words
around a document") says what it did on the seed scenario.

Examples
--------
>>> import numpy as np, paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> from paravec.updating.settling import settle_documents
>>> model = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                       vector_size=8, min_count=1, epochs=2, seed=1, workers=1)
>>> words = model.wv.vectors.copy()
>>> settle_documents(model, [TaggedDocument(common_texts[0], ["c0"])], [[0]], epochs=5, seed=1)
>>> bool(np.array_equal(model.wv.vectors, words))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gensim.models.doc2vec_inner import train_document_dbow, train_document_dm, train_document_dm_concat

__all__ = ["MIN_WORD_UPDATES", "SETTLE_EPOCHS", "settle_documents"]

SETTLE_EPOCHS = 100
"""Most settling passes; ``infer_vector`` reaches its own words on the seed scenario at about 100."""
MIN_WORD_UPDATES = 1000
"""Word updates (words x epochs) below which a new document is settled."""


def settle_documents(
    model: Any,
    documents: Sequence[Any],
    rows: Sequence[Sequence[int]],
    epochs: int,
    seed: int,
    *,
    trained_epochs: int = 0,
) -> None:
    """Train short documents' vectors at ``rows`` for up to ``epochs`` more passes, weights fixed.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The updated model; only ``model.dv.vectors[rows]`` change.
    documents : sequence of TaggedDocument
        The documents, one per row.
    rows : sequence of sequences of int
        The rows of each document's tags in ``model.dv.vectors``.
    epochs : int
        Most passes (0: nothing changes).
    seed : int
        Seed of the negative sampling draws.
    trained_epochs : int, default 0
        Passes the update made: a document gets the passes that bring its word updates
        (words x passes) to `MIN_WORD_UPDATES`, at most ``epochs``.
    """
    if epochs <= 0 or not len(rows):
        return
    # gensim's training draws from model.random: a seeded one for these passes, the model's own after.
    saved, model.random = model.random, np.random.RandomState(seed)
    work = np.zeros(model.layer1_size, dtype=np.float32)
    neu1 = np.zeros(model.layer1_size, dtype=np.float32)
    vectors = model.dv.vectors
    for doc, doc_rows in zip(documents, rows, strict=True):
        words, tags = list(doc.words), list(range(len(doc_rows)))
        missing = MIN_WORD_UPDATES - len(words) * trained_epochs
        passes = min(epochs, -(-missing // max(len(words), 1)))
        if passes <= 0:
            continue
        delta = (model.alpha - model.min_alpha) / max(passes - 1, 1)
        vector = np.array(vectors[list(doc_rows)], dtype=np.float32)
        common = dict(
            learn_words=False,
            learn_hidden=False,
            doctag_vectors=vector,
            doctags_lockf=np.ones(len(tags), dtype=np.float32),
        )
        alpha = model.alpha
        for _ in range(passes):
            if not model.dm:
                train_document_dbow(model, words, tags, alpha, work, **common)
            elif model.dm_concat:
                train_document_dm_concat(model, words, tags, alpha, work, neu1, **common)
            else:
                train_document_dm(model, words, tags, alpha, work, neu1, **common)
            alpha -= delta
        vectors[list(doc_rows)] = vector
    model.random = saved
