"""Batched inference: the vectors a trained Doc2Vec gives many new documents, in one call.

A paragraph vector for a document the model has not seen is inferred by training a fresh
document vector against the model's fixed weights (Le & Mikolov 2014, "Distributed
Representations of Sentences and Documents"). `infer` does what gensim's
``Doc2Vec.infer_vector`` does for each document — its start vector, its learning rate stepped
linearly from ``model.alpha`` to ``model.min_alpha`` epoch by epoch, its downsampling, unknown
words skipped, a document stopped after 10,000 kept words, in every architecture (PV-DBOW,
PV-DM mean or sum, PV-DM concat; hierarchical softmax or negative sampling) — in compiled code
(`paravec.inference_kernel`) that runs documents on several threads without the GIL.

Results are reproducible and do not depend on how a corpus is cut into calls: document ``i``
of a call takes all its randomness from ``(seed, start + i)``, so inferring a corpus in parts
(passing each part's offset as ``start``) or with any number of ``workers`` gives bit-identical
vectors. They are not gensim's bit for bit (gensim seeds from a hash of the words and from
``model.random``), but agree with them as closely as two gensim runs agree with each other
(``tests/test_inference.py``). How much faster: ``benchmarks/README.md``.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import Doc2Vec, TaggedDocument
>>> from gensim.test.utils import common_texts
>>> model = Doc2Vec([TaggedDocument(t, [i]) for i, t in enumerate(common_texts)],
...                 vector_size=8, min_count=1, epochs=5, workers=1)
>>> vectors = paravec.infer(model, [["human", "interface"], ["graph", "trees", "minors"]])
>>> vectors.shape, vectors.dtype.name
((2, 8), 'float32')
>>> bool((paravec.infer(model, [["graph", "trees", "minors"]], start=1)[0] == vectors[1]).all())
True
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models.doc2vec import Doc2Vec

from paravec.errors import CorpusError, ModelBrokenError, ParameterError
from paravec.huge_pages import use_huge_pages
from paravec.inference_dbow import GROUP, dbow_range
from paravec.inference_kernel import (
    MAX_WORDS,
    Lookup,
    build_lookup,
    check_inference_inputs,
    document_keys,
    infer_range,
)
from paravec.kernel import _EXP_TABLE
from paravec.kernel_inputs import MODE_DBOW, Config, Corpus, Tables, Weights
from paravec.params import InstanceOf, Integer, validate
from paravec.updating.driver import _config, _tables
from paravec.updating.vocabulary import NULL_WORD

__all__ = ["MAX_WORDS", "infer", "infer_seeded"]

_Vectors = npt.NDArray[np.float32]

# Documents per thread and call: a few shares per thread even out documents of unequal length and
# threads slowed by other work on the machine.
_SHARES_PER_WORKER = 4


@validate(
    model=InstanceOf(Doc2Vec, "a gensim Doc2Vec"),
    epochs=Integer(min=1, none=True),
    seed=Integer(min=0, max=2**64 - 1),
    workers=Integer(min=1, none=True),
    start=Integer(min=0, max=2**63 - 1),
)
def infer(
    model: Doc2Vec,
    documents: Iterable[Any],
    *,
    epochs: int | None = None,
    seed: int = 0,
    workers: int | None = None,
    start: int = 0,
) -> _Vectors:
    """Infer a vector for each document with the model's weights fixed, as ``infer_vector`` does.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        A trained model; it is not modified (a memory-mapped one works as is).
    documents : iterable of TaggedDocument or of lists of str
        The documents' words (tags are ignored). Words the model does not know are skipped; a
        document without known words keeps its random start vector, as with gensim.
    epochs : int, optional
        Passes over each document; default the model's ``epochs``.
    seed : int, default 0
        Seed of all randomness (start vectors, downsampling, negative samples, windows).
    workers : int, optional
        Threads; default ``os.cpu_count()``. The vectors do not depend on it.
    start : int, default 0
        Position of the first document in the whole corpus: document ``i`` is seeded from
        ``(seed, start + i)``, so a corpus inferred in parts gives the vectors of one call.

    Returns
    -------
    ndarray of shape (n_documents, model.dv.vector_size), float32

    Raises
    ------
    ParameterError
        A parameter is out of range.
    CorpusError
        ``documents`` is a string, or a document is not a TaggedDocument or a list of strings.
    ModelBrokenError
        The model's weights do not fit together (or it has no vocabulary).
    """
    words = _word_lists(documents)
    return _infer(model, words, document_keys(seed, start, len(words)), epochs, workers)


@validate(
    model=InstanceOf(Doc2Vec, "a gensim Doc2Vec"),
    epochs=Integer(min=1, none=True),
    workers=Integer(min=1, none=True),
)
def infer_seeded(
    model: Doc2Vec,
    documents: Sequence[Sequence[str]],
    seeds: Sequence[int],
    *,
    epochs: int | None = None,
    workers: int | None = None,
) -> _Vectors:
    """`infer` with a seed per document: row ``i`` is ``infer(model, [documents[i]], seed=seeds[i])[0]``.

    For vectors that depend on a document's words only (a search query asked twice gets the
    same vector), whatever else is inferred in the same call.

    Parameters
    ----------
    model, epochs, workers
        As for `infer`.
    documents : sequence of TaggedDocument or of lists of str
        As for `infer`.
    seeds : sequence of int
        One seed (0 to 2**64 - 1) per document.

    Returns
    -------
    ndarray of shape (n_documents, model.dv.vector_size), float32

    Raises
    ------
    ParameterError
        A parameter is out of range, or there is not one seed per document.
    CorpusError, ModelBrokenError
        As for `infer`.
    """
    words = _word_lists(documents)
    if len(seeds) != len(words):
        raise ParameterError(f"{len(seeds)} seeds for {len(words)} documents; give one per document")
    check = Integer(min=0, max=2**64 - 1)
    keys = document_keys([int(check("seeds", s) or 0) for s in seeds], 0, 1)
    return _infer(model, words, keys, epochs, workers)


def _word_lists(documents: Iterable[Any]) -> list[Sequence[str]]:
    if isinstance(documents, (str, bytes)):
        raise CorpusError("documents must be an iterable of documents, got a string; tokenize it first")
    try:
        docs = list(documents)
    except TypeError as err:
        raise CorpusError(
            f"documents must be an iterable of documents, got {type(documents).__name__}"
        ) from err
    # Whole-batch checks in C first (a short query costs more here than in the compiled kernel);
    # the loop below only names what is wrong.
    out: list[Sequence[str]] = [getattr(doc, "words", doc) for doc in docs]
    if set(map(type, out)) <= {list, tuple} and set(map(type, itertools.chain.from_iterable(out))) <= {str}:
        return out
    for i, words in enumerate(out):
        if isinstance(words, (str, bytes)) or not isinstance(words, (list, tuple)):
            what = "a string" if isinstance(words, (str, bytes)) else f"a {type(words).__name__}"
            raise CorpusError(
                f"document #{i} is {what}; give a list of words (paravec.tokenize) or a TaggedDocument"
            )
        bad = next((w for w in words if type(w) is not str), None)
        if bad is not None:
            raise CorpusError(f"document #{i} has a word of type {type(bad).__name__}; words must be strings")
    return out


def _infer(
    model: Doc2Vec,
    words: list[Sequence[str]],
    keys: npt.NDArray[np.uint64],
    epochs: int | None,
    workers: int | None,
) -> _Vectors:
    n_words = len(model.wv)
    if n_words == 0:
        raise ModelBrokenError("the model has no vocabulary; train it before inferring")
    if model.dm and model.dm_concat and NULL_WORD not in model.wv.key_to_index:
        raise ModelBrokenError("this PV-DM concat model has no null word; it cannot infer")
    corpus = _corpus(model, words)
    config = _config(model)
    weights = _weights(model)
    tables, lookup = _cached_tables(model, config)
    out = np.empty((len(words), model.dv.vector_size), dtype=np.float32)
    alphas = _alphas(model, epochs or model.epochs)
    check_inference_inputs(corpus, out, keys, weights, tables, config, alphas, lookup)
    _huge_output_pages(model, len(corpus.word_ids) * len(alphas) * lookup.units)
    threads = workers or os.cpu_count() or 1
    ranges = _ranges(corpus.doc_starts, threads)
    run = _dbow_range if config.mode == MODE_DBOW else infer_range
    if len(ranges) <= 1 or threads == 1:
        for lo, hi in ranges:
            run(lo, hi, corpus, out, keys, weights, tables, config, alphas, lookup)
        return out
    with ThreadPoolExecutor(max_workers=threads) as pool:
        jobs = [pool.submit(run, lo, hi, corpus, out, keys, weights, tables, config, alphas, lookup)
                for lo, hi in ranges]  # fmt: skip
        for job in jobs:
            job.result()
    return out


def _dbow_range(lo: int, hi: int, corpus: Corpus, out: _Vectors, keys: npt.NDArray[np.uint64], weights: Weights,
                tables: Tables, config: Config, alphas: npt.NDArray[np.float32], lookup: Lookup,
                group: int = GROUP) -> None:  # fmt: skip
    # PV-DBOW: several documents a thread in lock-step (paravec.inference_dbow); same vectors.
    dbow_range(lo, hi, corpus.word_ids, corpus.doc_starts, out, keys, weights.syn1neg, weights.syn1, tables,
               config.plain(), alphas, lookup.cum_index, lookup.shift, lookup.units, MAX_WORDS, _EXP_TABLE, group)  # fmt: skip


def _alphas(model: Doc2Vec, epochs: int) -> npt.NDArray[np.float32]:
    # gensim's infer_vector: the rate drops by a fixed step after each epoch, in Python floats.
    alpha, min_alpha = float(model.alpha), float(model.min_alpha)
    step = (alpha - min_alpha) / max(epochs - 1, 1)
    rates = []
    for _ in range(epochs):
        rates.append(alpha)
        alpha -= step
    return np.array(rates, dtype=np.float32)


def _corpus(model: Doc2Vec, words: list[Sequence[str]]) -> Corpus:
    # One pass over all the words in C (map over dict.get), unknown words (-1) dropped in numpy.
    n, n_flat = len(words), sum(map(len, words))
    lookup = map(model.wv.key_to_index.get, itertools.chain.from_iterable(words), itertools.repeat(-1))
    ids = np.fromiter(lookup, dtype=np.int64, count=n_flat)
    known = ids >= 0
    kept = np.zeros(n_flat + 1, dtype=np.int64)
    np.cumsum(known, out=kept[1:])
    ends = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=n), out=ends[1:])
    return Corpus(word_ids=ids[known].astype(np.int32), doc_starts=kept[ends],
                  tag_ids=np.zeros(n, dtype=np.int32), tag_starts=np.arange(n + 1, dtype=np.int64))  # fmt: skip


def _readonly(arr: Any, width: int) -> _Vectors:
    view: _Vectors = (
        np.zeros((0, width), np.float32) if arr is None else np.asarray(arr).view()
    )  # a memmap becomes a plain array; the data is shared
    # Always read-only, so the compiled code is specialised once, for memory-mapped models and others.
    view.flags.writeable = False
    return view


def _weights(model: Doc2Vec) -> Weights:
    size, layer1 = model.wv.vector_size, model.layer1_size
    return Weights(
        wv=_readonly(model.wv.vectors, size),
        dv=np.zeros((1, size), dtype=np.float32),  # infer_vector's one-row stand-in: only its shape is read
        syn1neg=_readonly(getattr(model, "syn1neg", None) if model.negative else None, layer1),
        syn1=_readonly(getattr(model, "syn1", None) if model.hs else None, layer1),
    )


_TABLES: weakref.WeakKeyDictionary[Doc2Vec, tuple[tuple[Any, ...], tuple[Any, ...], Tables, Lookup]] = (
    weakref.WeakKeyDictionary()
)
_TABLES_LOCK = threading.Lock()


def _cached_tables(model: Doc2Vec, config: Config) -> tuple[Tables, Lookup]:
    # Flattening the Huffman codes loops over the vocabulary in Python; a query must not pay it.
    # The cache entry holds the arrays it was built from (so their ids stay theirs), and an update
    # that replaces any of them (a grown vocabulary) is seen by identity.
    expandos = model.wv.expandos
    settings = (bool(model.hs), int(model.negative))
    sources = (getattr(model, "cum_table", None), expandos.get("sample_int"), expandos.get("code"),
               expandos.get("point"))  # fmt: skip
    with _TABLES_LOCK:
        cached = _TABLES.get(model)
        if cached is not None and cached[0] == (settings, *(id(s) for s in sources)):
            return cached[2], cached[3]
        if sources[1] is None:
            raise ModelBrokenError("the model has no sample_int; build its vocabulary before inferring")
        tables = _tables(model)
        lookup = build_lookup(tables, config)
        _TABLES[model] = ((settings, *(id(s) for s in sources)), sources, tables, lookup)
        return tables, lookup


_PAGED: weakref.WeakKeyDictionary[Doc2Vec, set[int]] = weakref.WeakKeyDictionary()


def _huge_output_pages(model: Doc2Vec, reads: int) -> None:
    # Output rows are read at random; in 4 KB pages most reads of a large table also miss the
    # address translation cache (benchmarks/README.md). Moving a table costs about as much as
    # reading it a few times over, so only a batch that reads each row several times pays it.
    for name in ("syn1neg", "syn1"):
        table = getattr(model, name, None)
        if not isinstance(table, np.ndarray) or reads < 4 * len(table):
            continue
        with _TABLES_LOCK:
            done = _PAGED.setdefault(model, set())
            if id(table) in done:
                continue
            done.add(id(table))
        use_huge_pages(table)


def _ranges(doc_starts: npt.NDArray[np.int64], workers: int) -> list[tuple[int, int]]:
    n_docs = len(doc_starts) - 1
    if n_docs <= 1 or workers == 1:
        return [(0, n_docs)] if n_docs else []
    n_shares = min(n_docs, workers * _SHARES_PER_WORKER)
    # Shares of about equal numbers of words (+1 per document, for its start vector and epochs).
    cost = np.cumsum(np.diff(doc_starts) + 1)
    bounds = np.searchsorted(cost, np.linspace(0, cost[-1], n_shares + 1)[1:-1], side="right")
    edges = [0, *sorted({int(b) for b in bounds} - {0, n_docs}), n_docs]
    return list(itertools.pairwise(edges))
