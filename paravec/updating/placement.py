"""Where each document of a batch lives in a trained model: a row of ``model.dv`` per tag.

In paragraph vectors (Le & Mikolov 2014) every document has its own vector, learned from its
words while the shared weights stay as they are. An update gives each tag of the batch a row of
``model.dv`` before training: a new tag gets a new row at the end, drawn as gensim draws new
vectors, and the rows the model had keep their place and their values; a tag the model already has
is retrained as the new version of that document, from a fresh random row rather than nudged from
the old one. With ``keep_old_docs=False`` every old row is dropped and its memory freed (the
model then holds the batch's documents only), which keeps a model pretrained on millions of
documents small.

Tags follow `paravec.tags`: an int is a tag only on a model whose tags are ints.

Examples
--------
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.updating.placement import place_documents
>>> model = Doc2Vec([TaggedDocument(["a", "b"], ["d0"])], vector_size=4, min_count=1, epochs=1, workers=1)
>>> placed = place_documents(model, [TaggedDocument(["a"], ["d1"]), TaggedDocument(["b"], ["d0"])],
...                          keep_old_docs=True, seed=0)
>>> placed.rows, placed.new_tags, placed.replaced_tags, model.dv.index_to_key
([[1], [0]], ['d1'], ['d0'], ['d0', 'd1'])
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument
from gensim.models.keyedvectors import KeyedVectors

from paravec.tags import has_tag, tag_row
from paravec.vocab import init_rows

__all__ = ["Placement", "document_rows", "place_documents"]

REAL = np.float32


class Placement(NamedTuple):
    """Where the batch went: its rows in ``dv``, and which tags were new, replaced or dropped."""

    rows: list[list[int]]  # rows of dv, per document, in the order of its tags
    new_tags: list[Hashable]
    replaced_tags: list[Hashable]
    dropped_tags: int


def document_rows(dv: KeyedVectors, docs: list[TaggedDocument]) -> list[list[int]]:
    """Return the rows of ``dv`` of each document's tags (every tag must be in ``dv``).

    Raises
    ------
    KeyError
        A tag has no row in ``dv``.
    """
    return [[_row(dv, t) for t in d.tags] for d in docs]


def place_documents(
    model: Doc2Vec, docs: list[TaggedDocument], *, keep_old_docs: bool, seed: int
) -> Placement:
    """Give every tag of the batch a row in ``model.dv``, with a fresh random vector.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model; ``model.dv`` grows (or is replaced, with ``keep_old_docs=False``).
    docs : list of TaggedDocument
        The validated batch.
    keep_old_docs : bool
        Keep the rows the model had (bit-identical); ``False`` drops them all.
    seed : int
        Seed of the update; new rows are drawn from ``seed + rows kept``.

    Returns
    -------
    Placement
    """
    if not keep_old_docs:
        return _replace_all(model, docs, seed)
    dv = model.dv
    size = model.vector_size
    n_old = len(dv.index_to_key)
    new_tags: list[Hashable] = []
    replaced: list[Hashable] = []
    for d in docs:
        for t in d.tags:
            (replaced if has_tag(dv, t) else new_tags).append(t)
    fresh = init_rows(len(new_tags) + len(replaced), size, seed + n_old)
    vectors = np.empty((n_old + len(new_tags), size), dtype=REAL)
    vectors[:n_old] = dv.vectors
    vectors[n_old:] = fresh[: len(new_tags)]
    for i, t in enumerate(new_tags):
        dv.key_to_index[t] = n_old + i
    dv.index_to_key.extend(new_tags)
    for j, t in enumerate(replaced):
        # A replaced document is learned afresh from its new text, not nudged from the old one.
        vectors[_row(dv, t)] = fresh[len(new_tags) + j]
    dv.vectors = vectors
    dv.allocate_vecattrs()
    _set_doc_attrs(dv, docs)
    return Placement(document_rows(dv, docs), new_tags, replaced, 0)


def _replace_all(model: Doc2Vec, docs: list[TaggedDocument], seed: int) -> Placement:
    dropped = len(model.dv.index_to_key)
    tags = [t for d in docs for t in d.tags]
    fresh = KeyedVectors(model.vector_size, count=0, dtype=REAL)
    fresh.index_to_key = list(tags)
    fresh.key_to_index = {t: i for i, t in enumerate(tags)}
    fresh.vectors = init_rows(len(tags), model.vector_size, seed)
    fresh.vectors_lockf = np.ones(1, dtype=REAL)
    _set_doc_attrs(fresh, docs)
    # Dropping the last reference to the old KeyedVectors frees its rows.
    model.dv = fresh
    return Placement(document_rows(fresh, docs), list(tags), [], dropped)


def _row(dv: KeyedVectors, tag: Any) -> int:
    row = tag_row(dv, tag)
    if row is None:
        raise KeyError(f"tag {tag!r} not present")
    return row


def _set_doc_attrs(dv: KeyedVectors, docs: list[TaggedDocument]) -> None:
    for attr in ("word_count", "doc_count"):
        if attr not in dv.expandos:
            dv.allocate_vecattrs([attr], [np.int64])
    for d in docs:
        for t in d.tags:
            row = _row(dv, t)
            dv.expandos["word_count"][row] = len(d.words)
            dv.expandos["doc_count"][row] = 1
