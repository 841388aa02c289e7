"""The ways users add documents to a trained gensim Doc2Vec without paravec, re-implemented for the benchmark.

``seed_workaround``
    The published workaround of the seed scenario ("Retraining a doc2vec-model",
    /work/shared/seed/retraining-a-doc2vec-model.md), line for line from its description: a
    throw-away ``Doc2Vec()`` (gensim defaults, so ``vector_size=100`` whatever the real model has)
    builds a vocabulary of the batch; the real model runs ``build_vocab(update=True,
    keep_raw_vocab=True)``; the document vectors of the throw-away model replace the real model's
    (``model.index_to_key``/``model.key_to_index`` are assigned on the *model*, as in the original,
    where they have no effect); the batch trains; then tags in ``dv.key_to_index`` that are not in
    ``dv.index_to_key`` are deleted. With a model whose ``vector_size`` is not 100 the training
    reads and writes past the 100-wide document rows: it crashes (segfault) or corrupts memory.
``plain_update``
    What gensim's API suggests: ``build_vocab(batch, update=True)`` then ``train``. In gensim 4 it
    re-numbers document tags from 0, so new documents overwrite old documents' vectors and the old
    tags point at the wrong rows (or the process crashes).
``infer_only``
    What Top2Vec's ``add_documents`` does: vectors of new documents are inferred with
    ``infer_vector`` and appended to ``model.dv``; no word is learnt.

These run in subprocesses of ``benchmarks/update_suite.py`` so a crash is a recorded result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from gensim.models.doc2vec import Doc2Vec, TaggedDocument


def seed_workaround(model2: Doc2Vec, tagged_data: Sequence[TaggedDocument], epochs: int) -> None:
    """Apply the seed scenario's workaround to ``model2`` in place (the original used 250 epochs)."""
    # Create temporary doc2vec
    model_new = Doc2Vec()
    model_new.build_vocab(tagged_data)
    model2.build_vocab(tagged_data, update=True, keep_raw_vocab=True)
    model2.index_to_key = model_new.dv.index_to_key
    model2.key_to_index = model_new.dv.key_to_index
    model2.dv.vectors = model_new.dv.vectors

    # now train
    model2.train(tagged_data, total_examples=model2.corpus_count, epochs=epochs)

    # clean variables after retrain (a set instead of the original's list lookup: same result, faster)
    in_index = set(model2.dv.index_to_key)
    delete_docs = [name for name in model2.dv.key_to_index if name not in in_index]
    for name in delete_docs:
        del model2.dv.key_to_index[name]


def plain_update(model: Doc2Vec, documents: Sequence[TaggedDocument], epochs: int) -> None:
    """gensim's own API: ``build_vocab(update=True)`` then ``train`` (in place)."""
    model.build_vocab(documents, update=True)
    model.train(documents, total_examples=len(documents), epochs=epochs)


def infer_only(model: Doc2Vec, documents: Sequence[TaggedDocument], epochs: int | None = None) -> None:
    """Append inferred vectors of ``documents`` to ``model.dv``; the vocabulary does not change."""
    tags = [d.tags[0] for d in documents]
    vectors = np.vstack([model.infer_vector(d.words, epochs=epochs) for d in documents])
    model.dv.add_vectors(tags, vectors)
