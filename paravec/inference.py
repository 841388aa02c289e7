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

import functools
import itertools
import os
import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models.doc2vec import Doc2Vec
from numba import njit

from paravec.errors import CorpusError, ModelBrokenError, ParameterError
from paravec.huge_pages import use_huge_pages
from paravec.inference_checks import Lookup, build_lookup, check_call_inputs, check_model_inputs
from paravec.inference_dbow import GROUP, dbow_range
from paravec.inference_kernel import MAX_WORDS, document_keys, infer_range
from paravec.inference_threads import run_shares, shares
from paravec.kernel import _EXP_TABLE
from paravec.kernel_inputs import MODE_DBOW, Config, Corpus, Tables, Weights
from paravec.params import InstanceOf, Integer, validate
from paravec.updating.driver import _config, _tables
from paravec.updating.vocabulary import NULL_WORD

__all__ = ["MAX_WORDS", "infer", "infer_seeded"]

_Vectors = npt.NDArray[np.float32]
_Model = tuple[Config, Weights, Tables, Lookup]


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
        Threads, the calling one included; default ``os.cpu_count()``. The vectors do not
        depend on it. A batch too small to repay a second thread runs on one; helper threads
        are kept, idle, for later calls.
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
    if len(model.wv) == 0:
        raise ModelBrokenError("the model has no vocabulary; train it before inferring")
    if model.dm and model.dm_concat and NULL_WORD not in model.wv.key_to_index:
        raise ModelBrokenError("this PV-DM concat model has no null word; it cannot infer")
    config, weights, tables, lookup = _prepared(model)
    corpus = _corpus(model, words)
    out = np.empty((len(words), model.dv.vector_size), dtype=np.float32)
    alphas = np.array(
        _alphas(float(model.alpha), float(model.min_alpha), epochs or model.epochs), dtype=np.float32
    )
    check_call_inputs(corpus, out, keys, alphas, weights)
    _huge_output_pages(model, len(corpus.word_ids) * len(alphas) * lookup.units)
    threads = workers or os.cpu_count() or 1
    run = _dbow_range if config.mode == MODE_DBOW else infer_range
    run_shares(
        shares(corpus.doc_starts, threads, len(alphas)),
        lambda lo, hi: run(lo, hi, corpus, out, keys, weights, tables, config, alphas, lookup),
        threads,
    )
    return out


def _dbow_range(lo: int, hi: int, corpus: Corpus, out: _Vectors, keys: npt.NDArray[np.uint64], weights: Weights,
                tables: Tables, config: Config, alphas: npt.NDArray[np.float32], lookup: Lookup,
                group: int = GROUP) -> None:  # fmt: skip
    # PV-DBOW: several documents a thread in lock-step (paravec.inference_dbow); same vectors.
    dbow_range(lo, hi, corpus.word_ids, corpus.doc_starts, out, keys, weights.syn1neg, weights.syn1, tables,
               config.plain(), alphas, lookup.cum_index, lookup.shift, lookup.units, MAX_WORDS, _EXP_TABLE, group)  # fmt: skip


@functools.lru_cache(maxsize=64)
def _alphas(alpha: float, min_alpha: float, epochs: int) -> tuple[float, ...]:
    # gensim's infer_vector: the rate drops by a fixed step after each epoch, in Python floats.
    step = (alpha - min_alpha) / max(epochs - 1, 1)
    rates = []
    for _ in range(epochs):
        rates.append(alpha)
        alpha -= step
    return tuple(rates)


def _corpus(model: Doc2Vec, words: list[Sequence[str]]) -> Corpus:
    # One pass over all the words in C (map over dict.get); unknown words (-1) dropped in compiled code.
    n = len(words)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=n)
    lookup = map(model.wv.key_to_index.get, itertools.chain.from_iterable(words), itertools.repeat(-1))
    ids = np.fromiter(lookup, dtype=np.int64, count=int(lengths.sum()))
    return Corpus(*_known(ids, lengths))


@njit(cache=True, nogil=True)
def _known(ids, lengths):  # type: ignore[no-untyped-def]
    # The known words (ids >= 0) and each document's offsets into them; numpy took ~15 us a call.
    n = lengths.shape[0]
    word_ids = np.empty(ids.shape[0], dtype=np.int32)
    doc_starts = np.zeros(n + 1, dtype=np.int64)
    k = at = 0
    for d in range(n):
        for i in range(at, at + lengths[d]):
            if ids[i] >= 0:
                word_ids[k] = ids[i]
                k += 1
        at += lengths[d]
        doc_starts[d + 1] = k
    return word_ids[:k].copy(), doc_starts, np.zeros(n, dtype=np.int32), np.arange(n + 1, dtype=np.int64)


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


_PREPARED: weakref.WeakKeyDictionary[Doc2Vec, tuple[tuple[Any, ...], tuple[Any, ...], _Model]] = (
    weakref.WeakKeyDictionary()
)
_TABLES_LOCK = threading.Lock()


def _prepared(model: Doc2Vec) -> _Model:
    # What depends on the model only, built and checked once: flattening the Huffman codes loops
    # over the vocabulary in Python, and the checks took longer than a short query's inference.
    # The cache entry holds the arrays it was built from (so their ids stay theirs), and an update
    # that replaces any of them (a grown vocabulary) or a changed setting is seen.
    config = _config(model)
    expandos = model.wv.expandos
    sources = (model.wv.vectors, getattr(model, "syn1neg", None), getattr(model, "syn1", None),
               getattr(model, "cum_table", None), expandos.get("sample_int"), expandos.get("code"),
               expandos.get("point"))  # fmt: skip
    key = (config, *(id(s) for s in sources))
    with _TABLES_LOCK:
        cached = _PREPARED.get(model)
        if cached is not None and cached[0] == key:
            return cached[2]
        if sources[4] is None:
            raise ModelBrokenError("the model has no sample_int; build its vocabulary before inferring")
        tables = _tables(model)
        lookup = build_lookup(tables, config)
        weights = _weights(model)
        check_model_inputs(weights, tables, config, lookup)
        prepared = (config, weights, tables, lookup)
        _PREPARED[model] = (key, sources, prepared)
        return prepared


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
