"""Remove documents from a trained gensim Doc2Vec: their vectors, tags and per-document counts.

`delete` is the counterpart of `paravec.update` for documents that must go (withdrawn,
wrong, or private), as Top2Vec's ``delete_documents`` does for its models: the rows of the given
tags leave ``model.dv`` (vectors, ``word_count``, ``doc_count``), the remaining documents keep
their vectors bit-identical and the word side (vocabulary, word vectors, output weights) is not
touched, so everything else the model answers stays the same. The model stays a plain gensim
``Doc2Vec`` that passes `paravec.check`.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> model = paravec.train([TaggedDocument(["a", "b"], [f"d{i}"]) for i in range(3)],
...                       vector_size=4, min_count=1, epochs=1)
>>> kept = model.dv["d2"].copy()
>>> paravec.delete(model, ["d1"])
['d1']
>>> model.dv.index_to_key, bool((model.dv["d2"] == kept).all()), paravec.check(model)
(['d0', 'd2'], True, [])
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
from gensim.models import Doc2Vec

from paravec.errors import NotFoundError, ParameterError
from paravec.params import InstanceOf, validate
from paravec.tags import tag_row

__all__ = ["delete"]


@validate(model=InstanceOf(Doc2Vec, "a gensim Doc2Vec"))
def delete(model: Doc2Vec, tags: Iterable[Hashable], *, missing: str = "error") -> list[Hashable]:
    """Remove the documents ``tags`` from ``model`` in place.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    tags : iterable of str (or int on a model with int tags)
        Tags of the documents to remove.
    missing : {"error", "skip"}, default "error"
        What to do with a tag the model does not have.

    Returns
    -------
    list
        The tags removed, in the order given.

    Raises
    ------
    NotFoundError
        A tag the model does not have (``missing="error"``).
    ParameterError
        No tags given, or every document would be removed.
    """
    if missing not in ("error", "skip"):
        raise ParameterError(f"missing must be 'error' or 'skip', got {missing!r}")
    if isinstance(tags, (str, bytes)):
        tags = [tags]
    dv = model.dv
    rows: dict[int, Hashable] = {}
    for tag in tags:
        row = tag_row(dv, tag)
        if row is None:
            if missing == "error":
                raise NotFoundError(f"the model has no document tagged {tag!r}; nothing was deleted")
            continue
        rows[row] = tag
    if not rows:
        if missing == "skip":
            return []
        raise ParameterError("no tags given; name the documents to delete")
    n = len(dv.index_to_key)
    if len(rows) >= n:
        raise ParameterError(
            f"deleting {len(rows)} documents would leave the model without any; keep at least one"
        )
    keep = np.ones(n, dtype=bool)
    keep[list(rows)] = False
    dv.vectors = np.ascontiguousarray(dv.vectors[keep])
    for name, values in list(dv.expandos.items()):
        if len(values) == n:
            dv.expandos[name] = values[keep]
    lockf = getattr(dv, "vectors_lockf", None)
    if lockf is not None and len(lockf) == n and n != 1:
        dv.vectors_lockf = lockf[keep]
    dv.index_to_key = [key for key, k in zip(dv.index_to_key, keep, strict=True) if k]
    dv.key_to_index = {key: i for i, key in enumerate(dv.index_to_key)}
    dv.norms = None
    model.corpus_count = max(0, int(getattr(model, "corpus_count", 0) or 0) - len(rows))
    return list(rows.values())
