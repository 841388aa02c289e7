"""What changed between two versions of a store: documents, words, vectors, texts.

`diff_models` compares two models key by key: tags and words added and removed, and how many of
the shared ones have a different vector (exactly: any bit). With ``freeze="all"`` an update
changes no shared vector, so ``changed_*`` is 0 (or the tags the batch retrained).

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.store.diff import diff_models
>>> a = paravec.train([TaggedDocument(["a", "b"], [f"d{i}"]) for i in range(3)], vector_size=4, min_count=1, epochs=1)
>>> b = paravec.train([TaggedDocument(["a", "b"], [f"d{i}"]) for i in range(3)], vector_size=4, min_count=1, epochs=1)
>>> _ = paravec.delete(b, ["d0"])
>>> d = diff_models(a, b)
>>> d["removed_tags"], d["added_tags"], d["changed_documents"]
(['d0'], [], 0)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.keyedvectors import KeyedVectors

__all__ = ["diff_models"]


def _changed(a: KeyedVectors, b: KeyedVectors, keys: list[Any]) -> int:
    if not keys:
        return 0
    rows_a = np.fromiter((a.key_to_index[k] for k in keys), dtype=np.int64, count=len(keys))
    rows_b = np.fromiter((b.key_to_index[k] for k in keys), dtype=np.int64, count=len(keys))
    return int(np.any(a.vectors[rows_a] != b.vectors[rows_b], axis=1).sum())


def diff_models(a: Doc2Vec, b: Doc2Vec) -> dict[str, Any]:
    """Compare model ``a`` (older) with ``b`` (newer).

    Returns
    -------
    dict
        ``added_tags``, ``removed_tags``, ``added_words``, ``removed_words`` (lists, in model
        order), ``changed_documents`` and ``changed_words`` (shared keys whose vector differs),
        ``documents`` and ``words`` as ``[a, b]`` counts.
    """
    tags_a, tags_b = set(a.dv.key_to_index), set(b.dv.key_to_index)
    words_a, words_b = set(a.wv.key_to_index), set(b.wv.key_to_index)
    shared_tags = [t for t in a.dv.index_to_key if t in tags_b]
    shared_words = [w for w in a.wv.index_to_key if w in words_b]
    return {
        "documents": [len(tags_a), len(tags_b)],
        "words": [len(words_a), len(words_b)],
        "added_tags": [t for t in b.dv.index_to_key if t not in tags_a],
        "removed_tags": [t for t in a.dv.index_to_key if t not in tags_b],
        "added_words": [w for w in b.wv.index_to_key if w not in words_a],
        "removed_words": [w for w in a.wv.index_to_key if w not in words_b],
        "changed_documents": _changed(a.dv, b.dv, shared_tags),
        "changed_words": _changed(a.wv, b.wv, shared_words),
    }
