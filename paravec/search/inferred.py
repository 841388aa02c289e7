"""Indexing documents the model has not trained on: their vectors inferred on a Dask cluster.

`with_inferred` splits the texts into the model's documents (indexed with their trained vectors,
as `paravec.search.syncing.indexable` does) and the others, whose vectors `paravec.infer`
computes on a Dask cluster (`paravec.cluster.infer_on_cluster`; Le & Mikolov's inference step,
ICML 2014). It returns the documents for a backend to build from and the matrix their rows point
into: the model's document vectors followed by one row per inferred document, filled as each
partition comes back from the cluster, before the documents of that partition are handed on. So
the backend's build (tantivy commits, PostgreSQL's COPY) takes the inferred documents as they
stream in.

The index records the model's fingerprint as usual; the inferred documents are not the model's,
so a later `paravec.search.SearchIndex.sync` drops them (it keeps the index to the model's
documents): index them again with ``infer_missing`` after a sync.

Examples
--------
>>> from paravec.search.inferred import split_known
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> model = paravec.train([TaggedDocument(["a", "b"], ["d0"])], vector_size=4, min_count=1, epochs=1)
>>> split_known(model, [("d0", "a b"), ("x1", "b a")])
([('d0', 'a b')], [('x1', 'b a')])
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec

from paravec.errors import CorpusError
from paravec.search.backend import IndexedText
from paravec.search.syncing import digest, indexable
from paravec.search.text import clean_text
from paravec.search.validate import text_pairs
from paravec.tags import tag_row
from paravec.tokenizer import tokenize

__all__ = ["split_known", "with_inferred"]


def split_known(
    model: Doc2Vec, texts: Iterable[tuple[Any, str]] | Mapping[Any, str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(tag, text)`` pairs of the model's documents and of the others; `CorpusError` for a tag twice."""
    known: list[tuple[str, str]] = []
    unknown: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i, (tag, body) in enumerate(text_pairs(texts)):
        if tag in seen:
            raise CorpusError(
                f"tag {tag!r} appears twice in the texts (second at #{i}); give every document one tag"
            )
        seen.add(tag)
        (known if tag_row(model.dv, tag) is not None else unknown).append((tag, body))
    return known, unknown


def with_inferred(
    model: Doc2Vec,
    model_path: str | os.PathLike[str],
    texts: Iterable[tuple[Any, str]] | Mapping[Any, str],
    titles: Mapping[str, str],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    seed: int = 0,
) -> tuple[Iterator[tuple[IndexedText, int]], npt.NDArray[np.float32]]:
    """The documents to index (trained and inferred) and the vectors their rows point into.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model (loaded from ``model_path``).
    model_path : str or path-like
        Its file, which the cluster's workers load.
    texts : iterable of (str, str)
        ``(tag, text)`` of every document to index.
    titles : mapping of str to str
        Display titles by tag.
    scheduler, workers
        The Dask cluster (`paravec.cluster.dask_client`).
    seed : int, default 0
        Seed of inference (document ``i`` of the unknown ones is seeded from ``(seed, i)``).

    Returns
    -------
    (iterator of (IndexedText, int), numpy.ndarray)
        Consume the iterator before reading the matrix rows of inferred documents.
    """
    from paravec.cluster import infer_on_cluster

    known, unknown = split_known(model, texts)
    base = model.dv.vectors
    source = np.empty((len(base) + len(unknown), model.vector_size), dtype=np.float32)
    source[: len(base)] = base

    def documents() -> Iterator[tuple[IndexedText, int]]:
        if known:
            yield from indexable(model, known, titles, [], "error")
        if not unknown:
            return
        cleaned = [(tag, clean_text(body)) for tag, body in unknown]
        words = [tokenize(body) for _tag, body in cleaned]
        for start, vectors in infer_on_cluster(
            Path(model_path), words, scheduler=scheduler, workers=workers, seed=seed
        ):
            rows = len(base) + start
            source[rows : rows + len(vectors)] = vectors
            for j in range(len(vectors)):
                tag, body = cleaned[start + j]
                yield IndexedText(tag, titles.get(tag, ""), body, digest(body)), rows + j

    return documents(), source
