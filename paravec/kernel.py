"""Compiled training kernel for updates: gensim's Doc2Vec steps with a learning-rate factor per row.

gensim's own training code (``gensim.models.doc2vec_inner``) can lock *input* vectors, but it always
moves the output layer (``syn1neg`` / ``syn1``) of every word it touches, including the negative
samples drawn from the whole vocabulary. An update that must leave the pretrained space
bit-identical therefore cannot use it while the batch trains. This module re-implements the same
stochastic-gradient steps as gensim 4 — paragraph vectors, PV-DBOW and PV-DM (Le & Mikolov 2014,
"Distributed Representations of Sentences and Documents"), trained by negative sampling or
hierarchical softmax (Mikolov et al. 2013, "Distributed Representations of Words and Phrases and
their Compositionality") — with a learning-rate factor for every row of every weight matrix
(`Locks`). A factor of 0 leaves a row untouched (not even rewritten), so frozen weights stay bit-identical and
new rows are fitted against exactly the weights that are saved. The arithmetic mirrors gensim's
(its sigmoid table and the integer scale its lookup uses, its ``MAX_EXP`` cut-off, its gradient
scaling, its LCG random numbers drawn in the same order), so a model updated here behaves like one
gensim trained, and gensim's ``infer_vector`` stays consistent with it. Unlike gensim, documents
are not cut at 10,000 words, and the window reductions come from the same LCG as every other draw
(gensim takes them from ``model.random``, a numpy generator the compiled code cannot share).
An update may also hand over copies of frozen context vectors (`Shadow`) that skip-gram pairs
with a new target word train instead of the frozen vectors themselves.

The inputs are typed records (defined in `paravec.kernel_inputs`, re-exported here);
`train_chunk` checks their dtypes and index ranges before the compiled code, which does no
bounds checks, runs.

Examples
--------
One PV-DBOW pass over a two-document corpus with negative sampling; only the document rows learn:

>>> import numpy as np
>>> from paravec.kernel import (MODE_DBOW, Config, Corpus, Locks, Schedule, Tables, Weights,
...                             initial_state, train_chunk)
>>> rng = np.random.default_rng(0)
>>> weights = Weights(wv=rng.random((3, 4), dtype=np.float32), dv=rng.random((2, 4), dtype=np.float32),
...                   syn1neg=rng.random((3, 4), dtype=np.float32), syn1=np.zeros((0, 4), np.float32))
>>> corpus = Corpus(word_ids=np.array([0, 1, 2, 0], np.int32), doc_starts=np.array([0, 2, 4]),
...                 tag_ids=np.array([0, 1], np.int32), tag_starts=np.array([0, 1, 2]))
>>> locks = Locks(word=np.zeros(3, np.float32), doc=np.ones(2, np.float32),
...               out=np.zeros(3, np.float32), node=np.zeros(0, np.float32))
>>> tables = Tables(cum_table=np.array([10, 20, 30], np.uint32), points=np.zeros(0, np.uint32),
...                 codes=np.zeros(0, np.uint8), code_starts=np.zeros(4, np.int64),
...                 sample_int=np.full(3, 2**32 - 1, np.uint32))
>>> config = Config(mode=MODE_DBOW, dbow_words=False, hs=False, negative=2, window=2,
...                 shrink_windows=True, cbow_mean=True, dm_tag_count=1, null_word=0, layer1_size=4,
...                 downsample=False)
>>> before = weights.dv.copy(), weights.wv.copy()
>>> train_chunk(corpus, np.arange(2), weights, locks, tables, config,
...             Schedule(0.025, 0.025, 0.0, 1.0), initial_state(7))
4
>>> bool((weights.dv != before[0]).all()), bool((weights.wv == before[1]).all())
(True, True)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from llvmlite import ir  # type: ignore[import-untyped]
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from paravec.errors import ModelBrokenError
from paravec.kernel_inputs import (
    MODE_DBOW,
    MODE_DM_CONCAT,
    MODE_DM_MEAN,
    Config,
    Corpus,
    Locks,
    Schedule,
    Shadow,
    Tables,
    Weights,
    check_inputs,
)

__all__ = ["MODE_DBOW", "MODE_DM_CONCAT", "MODE_DM_MEAN", "Config", "Corpus", "Locks", "NegativeIndex", "Prepared",
           "Schedule", "Shadow", "Tables", "Weights", "initial_state", "negative_index", "prepare",
           "sigmoid_table", "train_chunk", "train_range"]  # fmt: skip

_EXP_TABLE_SIZE = 1000
_MAX_EXP = 6.0
# Table bins per unit of the dot product. gensim writes EXP_TABLE_SIZE / MAX_EXP / 2, but its
# Cython DEF constants are C integers, so the generated code divides as integers: 83, not 83.33.
_SIGMOID_SCALE = _EXP_TABLE_SIZE // int(_MAX_EXP) // 2
_LCG_MUL = 25214903917
_LCG_MASK = 281474976710655  # 2**48 - 1, as in gensim


def sigmoid_table() -> npt.NDArray[np.float32]:
    """Return gensim's precomputed logistic table (1000 entries over [-6, 6])."""
    x = (np.arange(_EXP_TABLE_SIZE, dtype=np.float64) / _EXP_TABLE_SIZE * 2.0 - 1.0) * _MAX_EXP
    e = np.exp(x)
    return (e / (e + 1.0)).astype(np.float32)


_EXP_TABLE = sigmoid_table()


def initial_state(seed: int) -> int:
    """Return the random state `train_chunk` starts from for ``seed`` (gensim's 48-bit LCG).

    >>> initial_state(0), initial_state(1)
    (1, 7920)
    """
    return (int(seed) * 7919 + 1) & _LCG_MASK


class NegativeIndex(NamedTuple):
    """Where to search ``cum_table`` for a negative sample (`negative_index`).

    ``cum_index[b]`` is the first entry of ``cum_table`` >= ``b << shift``: a draw ``x`` lies
    between ``cum_index[x >> shift]`` and ``cum_index[(x >> shift) + 1]``, a few entries apart,
    instead of anywhere in a table as long as the vocabulary. gensim's bisection over the whole
    table takes one more step, and one more mispredicted branch, each time the vocabulary doubles.
    """

    cum_index: npt.NDArray[np.int32]
    shift: int


def negative_index(cum_table: npt.NDArray[np.uint32]) -> NegativeIndex:
    """Bucket bounds of ``cum_table``: about two buckets per word (see `NegativeIndex`).

    >>> index = negative_index(np.array([10, 20, 30], np.uint32))
    >>> index.shift, index.cum_index.tolist()
    (2, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    """
    n = len(cum_table)
    domain = max(int(cum_table[-1]) if n else 1, 1)
    shift = max(0, (domain - 1).bit_length() - max(1, (2 * n - 1).bit_length()))
    bounds = np.arange(((domain - 1) >> shift) + 2, dtype=np.uint64) << np.uint64(shift)
    found = np.searchsorted(cum_table, bounds, side="left") if n else np.zeros(len(bounds), np.int64)
    return NegativeIndex(np.minimum(found, max(n - 1, 0)).astype(np.int32), shift)


class Prepared(NamedTuple):
    """A training job's inputs, proven sound once by `prepare`, for `train_range`."""

    corpus: Corpus
    weights: Weights
    locks: Locks
    tables: Tables
    config: Config
    search: NegativeIndex
    shadow: Shadow


def prepare(corpus: Corpus, weights: Weights, locks: Locks, tables: Tables, config: Config,
            shadow: Shadow | None = None) -> Prepared:  # fmt: skip
    """Check the inputs for every document of ``corpus`` and build the negative-sample index.

    A job split into many chunks (`train_range`) is then checked once: the checks take time
    proportional to the corpus and the vocabulary, a chunk's training only to its own words.
    ``shadow``: copies of frozen context vectors that pairs with a new target train (`Shadow`).

    Raises
    ------
    ModelBrokenError
        If an input has the wrong dtype or layout, or an index points outside its array.
    """
    config = config.plain()
    shadow = Shadow.none(weights.wv.shape[1]) if shadow is None else shadow
    check_inputs(
        corpus, np.arange(len(corpus.doc_starts) - 1, dtype=np.int64), weights, locks, tables, config, shadow
    )
    return Prepared(corpus, weights, locks, tables, config, negative_index(tables.cum_table), shadow)


def train_range(job: Prepared, start: int, stop: int, schedule: Schedule, rng_state: int) -> int:
    """Train one pass over the documents ``start`` to ``stop - 1`` of a job from `prepare`.

    Releases the GIL while it trains, so several threads can each train a chunk of the batch at
    once, hogwild, as gensim's workers do. The learning rate decays linearly with the share of this
    chunk's words already seen (see `Schedule`).

    Parameters
    ----------
    job : Prepared
        The inputs, from `prepare`; its weights are updated in place.
    start, stop : int
        The documents to train, in order.
    schedule : Schedule
        The learning rate over this chunk.
    rng_state : int
        The LCG state the first draw reads (see `initial_state`); like gensim's, every draw
        reads the state, then advances it.

    Returns
    -------
    int
        The number of words trained (kept after downsampling).

    Raises
    ------
    ModelBrokenError
        If the range is not within the corpus.
    """
    if not 0 <= start <= stop <= len(job.corpus.doc_starts) - 1:
        raise ModelBrokenError(f"refusing to train: documents {start}..{stop} are not within the corpus")
    return _run(job, np.arange(start, stop, dtype=np.int64), schedule, rng_state)


def train_chunk(corpus: Corpus, doc_order: npt.NDArray[np.int64], weights: Weights, locks: Locks,
                tables: Tables, config: Config, schedule: Schedule, rng_state: int) -> int:  # fmt: skip
    """Train one pass over the documents ``doc_order`` of ``corpus``, in that order.

    The same as `train_range` for any order of documents, checking the inputs on every call.

    Parameters
    ----------
    corpus, weights, locks, tables, config, schedule
        The typed inputs described by their classes; ``weights`` are updated in place.
    doc_order : ndarray of int64
        Indices of the documents of ``corpus`` to train.
    rng_state : int
        As for `train_range`.

    Returns
    -------
    int
        The number of words trained (kept after downsampling).

    Raises
    ------
    ModelBrokenError
        If an input has the wrong dtype or layout, or an index points outside its array.
    """
    config = config.plain()
    check_inputs(corpus, doc_order, weights, locks, tables, config)
    return _run(Prepared(corpus, weights, locks, tables, config, negative_index(tables.cum_table),
                         Shadow.none(weights.wv.shape[1])), doc_order, schedule, rng_state)  # fmt: skip


def _run(job: Prepared, doc_order: npt.NDArray[np.int64], schedule: Schedule, rng_state: int) -> int:
    corpus, weights, locks, tables, config, search, shadow = job
    state = rng_state & _LCG_MASK
    done = _train_chunk(corpus, doc_order, weights, locks, tables, config, schedule.plain(), state, search.cum_index,
                        search.shift, shadow.rows, shadow.vectors)  # fmt: skip
    return int(done)


# The compiled functions take their arrays one by one: a NamedTuple of arrays passed into a function
# that numba does not inline costs reference counting on every call, which slows training measurably.
# One argument a line would triple their length, so they keep their own layout.
# fmt: off
@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _next(rng):  # type: ignore[no-untyped-def]
    return (rng * _LCG_MUL + 11) & _LCG_MASK


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _dot(l1, out, row):  # type: ignore[no-untyped-def]
    # Rows are indexed in place rather than sliced: a slice is a new array object whose reference
    # counting costs more than the arithmetic at these sizes.
    f = np.float32(0.0)
    for a in range(l1.shape[0]):
        f += l1[a] * out[row, a]
    return f


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _learn_from(l1, out, row, f, label, alpha, lock, work, exp_table):  # type: ignore[no-untyped-def]
    """One logistic unit whose dot product ``f = l1 . out[row]`` is known: error of predicting
    ``label``, added for ``l1`` to ``work``; ``out[row]`` moves by ``lock`` times its gradient."""
    if f <= -_MAX_EXP or f >= _MAX_EXP:
        return  # gensim skips saturated units
    f = exp_table[int((f + _MAX_EXP) * _SIGMOID_SCALE)]
    g = (label - f) * alpha
    size = l1.shape[0]
    for a in range(size):
        work[a] += g * out[row, a]
    if lock != 0.0:
        gl = g * lock
        for a in range(size):
            out[row, a] += gl * l1[a]


@njit(cache=True, nogil=True, inline="always")
def _negative_word(cum_table, cum_index, shift, x):  # type: ignore[no-untyped-def]
    """The first entry of ``cum_table`` >= ``x``, as ``np.searchsorted(cum_table, x)`` finds it,
    searched between the bounds `negative_index` keeps for ``x``'s bucket."""
    lo = cum_index[x >> shift]
    hi = cum_index[(x >> shift) + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        if cum_table[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _prefetch_codegen(locality: int):  # type: ignore[no-untyped-def]
    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        array_type = signature.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        index = [context.cast(builder, v, t, types.intp) for v, t in zip(args[1:], signature.args[1:], strict=True)]
        shape = cgutils.unpack_tuple(builder, array.shape)  # type: ignore[no-untyped-call]
        strides = cgutils.unpack_tuple(builder, array.strides)  # type: ignore[no-untyped-call]
        pointer = cgutils.get_item_pointer2(context, builder, data=array.data, shape=shape,  # type: ignore[no-untyped-call]
                                            strides=strides, layout=array_type.layout, inds=index, wraparound=False)
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        signature_ir = ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32])
        function = cgutils.get_or_insert_function(builder.module, signature_ir, "llvm.prefetch.p0i8")  # type: ignore[no-untyped-call]
        # read, the locality hint, data
        builder.call(function, [builder.bitcast(pointer, byte_pointer), int32(0), int32(locality), int32(1)])
        return context.get_dummy_value()

    return codegen


@intrinsic
def _prefetch(typingctx, matrix, row, col):  # type: ignore[no-untyped-def]
    """Start loading the cache line of ``matrix[row, col]`` (``llvm.prefetch``) without waiting for it."""
    return types.void(matrix, row, col), _prefetch_codegen(3)  # into every level (x86: prefetcht0)


@intrinsic
def _prefetch_l2(typingctx, matrix, row, col):  # type: ignore[no-untyped-def]
    """`_prefetch` into the second-level cache and beyond, not the first (x86: prefetcht1).

    For many lines at once: a line on its way into the first level holds one of its few miss
    buffers until it arrives, so a burst of such prefetches waits for memory (benchmarks/README.md).
    """
    return types.void(matrix, row, col), _prefetch_codegen(2)


@intrinsic
def _prefetch_entry_l2(typingctx, array, i):  # type: ignore[no-untyped-def]
    """`_prefetch_l2` of the cache line of ``array[i]``, for a one-dimensional array."""
    return types.void(array, i), _prefetch_codegen(2)


@njit(cache=True, nogil=True, inline="always")
def _prefetch_row(matrix, row):  # type: ignore[no-untyped-def]
    """Start loading every cache line of ``matrix[row]`` into the second-level cache.

    Not into the first: a prediction's rows are ~35 lines at 100 dimensions, more than the first
    level's miss buffers, and a burst of `_prefetch` waited on itself; the second level tracks many
    more misses. Less CPU per trained word, most where the hot output rows outgrow that cache
    (benchmarks/README.md, "Update cost follows the batch").
    """
    size = matrix.shape[1]
    for a in range(0, size, 16):
        _prefetch_l2(matrix, row, a)  # type: ignore[call-arg]
    _prefetch_l2(matrix, row, size - 1)  # type: ignore[call-arg]


@njit(cache=True, nogil=True, inline="always")
def _draw(cum_table, cum_index, shift, negative, rng, drawn):  # type: ignore[no-untyped-def]
    """Draw ``negative`` noise words into ``drawn[2:]``; returns the advanced random state."""
    domain = np.uint64(cum_table[cum_table.shape[0] - 1])
    for k in range(negative):
        drawn[2 + k] = _negative_word(cum_table, cum_index, shift, np.uint32(np.uint64(rng >> 16) % domain))
        rng = _next(rng)
    return rng


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _output_step(l1, target, syn1neg, syn1, out_lock, node_lock, cum_table, cum_index, shift, points,  # type: ignore[no-untyped-def]
                 codes, code_starts, config, alpha, work, rng, exp_table, rows, dots, ahead):
    """One prediction of word ``target`` from the hidden vector ``l1`` (a thread-local buffer).

    Hierarchical softmax walks the target's Huffman path; negative sampling draws ``negative``
    noise words from the unigram table. Returns the advanced random state. ``rows`` and ``dots``
    are thread-local buffers of ``negative + 1`` entries, ``ahead`` of ``negative + 2``.

    The units of negative sampling run in gensim's order, but their rows are drawn and their dot
    products taken first: ``l1`` does not change within a prediction, so a unit's dot product is
    the same then as when gensim takes it, unless an earlier unit of the same prediction moved
    that row (a noise word drawn twice), when it is taken again. The rows' loads from memory, which
    dominate at these sizes and grow with the vocabulary, then overlap instead of waiting on one
    another. The noise words of the next prediction are drawn ahead (``ahead``: the state they
    start from, the state after them, the words) and their rows and learning-rate factors
    prefetched (a random read each, in arrays as long as the vocabulary); the next prediction
    takes them only if it starts from that state, i.e. if no other draw came between.
    """
    if config.hs:
        for b in range(code_starts[target], code_starts[target + 1]):
            node = points[b]
            _learn_from(l1, syn1, node, _dot(l1, syn1, node), np.float32(1.0) - np.float32(codes[b]), alpha,
                        node_lock[node], work, exp_table)
    if config.negative > 0:
        negative = config.negative
        rng = ahead[1] if ahead[0] == rng else _draw(cum_table, cum_index, shift, negative, rng, ahead)
        rows[0] = target
        m = 1
        for k in range(negative):
            t = ahead[2 + k]
            if t != target:
                rows[m] = t
                m += 1
        ahead[0] = rng
        ahead[1] = _draw(cum_table, cum_index, shift, negative, rng, ahead)
        for k in range(negative):
            _prefetch_row(syn1neg, ahead[2 + k])
            _prefetch_entry_l2(out_lock, ahead[2 + k])  # type: ignore[call-arg]
        for k in range(m):
            dots[k] = _dot(l1, syn1neg, rows[k])
        label = np.float32(1.0)
        for k in range(m):
            row = rows[k]
            f = dots[k]
            for j in range(1, k):
                if rows[j] == row:
                    f = _dot(l1, syn1neg, row)
                    break
            _learn_from(l1, syn1neg, row, f, label, alpha, out_lock[row], work, exp_table)
            label = np.float32(0.0)
    return rng


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _apply(vectors, row, work, offset, size, factor):  # type: ignore[no-untyped-def]
    if factor != 0.0:
        for a in range(size):
            vectors[row, a] += factor * work[offset + a]


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _load(dest, offset, vectors, row, size):  # type: ignore[no-untyped-def]
    for a in range(size):
        dest[offset + a] = vectors[row, a]


# Without numba's reference counting (`_nrt=False`, so it may not allocate: its buffers come from
# `_train_chunk`). With it, every inlined helper counted a reference to each array it takes, at every
# prediction, with an atomic add that also waits for the row loads in flight: a quarter of the
# kernel's time (benchmarks/README.md, "Update cost follows the batch"). Same arithmetic, same bits.
@njit(cache=True, nogil=True, fastmath=True, _nrt=False)  # type: ignore[call-overload]
def _train_document(words, tags, wv, dv, syn1neg, syn1, word_lock, doc_lock, out_lock, node_lock,  # type: ignore[no-untyped-def]
                    cum_table, cum_index, shift, points, codes, code_starts, sample_int, config, alpha, buf,
                    reduced, work, neu1, rows, dots, ahead, rng, exp_table, shadow_rows, shadow):
    """Train one document; returns (words kept after downsampling, random state).

    ``buf`` and ``reduced`` hold at least ``len(words)`` entries; ``work`` and ``neu1`` are
    thread-local buffers exactly as long as the hidden layer. ``shadow_rows`` / ``shadow``: see
    `paravec.kernel_inputs.Shadow` (``shadow_rows`` empty: none).
    """
    mode, window, size = config.mode, config.window, wv.shape[1]
    if mode == MODE_DM_CONCAT and tags.shape[0] != config.dm_tag_count:
        return 0, rng  # gensim skips documents without the expected number of tags, before any draw
    # Downsampling draws a fresh decision per occurrence and pass, as gensim does: read, then advance.
    n = 0
    for w in words:
        if config.downsample:
            draw = np.uint32(rng >> 16)
            rng = _next(rng)
            if sample_int[w] < draw:
                continue
        buf[n] = w
        n += 1
    windowed = mode == MODE_DM_MEAN or (mode == MODE_DBOW and config.dbow_words)
    for i in range(n):
        if config.shrink_windows and windowed:
            reduced[i] = (rng >> 16) % window
            rng = _next(rng)
        else:
            reduced[i] = 0
    for i in range(n):
        target = buf[i]
        # The rows the next position reads first, loaded while this one trains: its target's output
        # row and the word entering the window. Like the noise words' rows, they lie anywhere in
        # matrices as long as the vocabulary.
        if i + 1 < n and config.negative > 0:
            _prefetch_row(syn1neg, buf[i + 1])
        if windowed and i + window + 1 < n:
            _prefetch_row(wv, buf[i + window + 1])
        if mode == MODE_DBOW:
            if config.dbow_words:
                lo = max(0, i - window + reduced[i])
                hi = min(n, i + window + 1 - reduced[i])
                for j in range(lo, hi):
                    if j == i:
                        continue
                    ctx = buf[j]
                    # A frozen context of a learning target trains its copy, if it has one.
                    copy = -1
                    if shadow_rows.shape[0] > 0 and word_lock[ctx] == 0.0 and word_lock[target] != 0.0:
                        copy = shadow_rows[ctx]
                    if copy >= 0:
                        _load(neu1, 0, shadow, copy, size)
                    else:
                        _load(neu1, 0, wv, ctx, size)
                    work[:] = 0.0
                    rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, cum_index,
                                       shift, points, codes, code_starts, config, alpha, work, rng, exp_table,
                                       rows, dots, ahead)
                    if copy >= 0:
                        _apply(shadow, copy, work, 0, size, word_lock[target])
                    else:
                        _apply(wv, ctx, work, 0, size, word_lock[ctx])
            for k in range(tags.shape[0]):
                t = tags[k]
                _load(neu1, 0, dv, t, size)
                work[:] = 0.0
                rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, cum_index,
                                   shift, points, codes, code_starts, config, alpha, work, rng, exp_table,
                                   rows, dots, ahead)
                _apply(dv, t, work, 0, size, doc_lock[t])
        elif mode == MODE_DM_MEAN:
            lo = max(0, i - window + reduced[i])
            hi = min(n, i + window + 1 - reduced[i])
            neu1[:] = 0.0
            count = 0
            for j in range(lo, hi):
                if j != i:
                    w = buf[j]
                    for a in range(size):
                        neu1[a] += wv[w, a]
                    count += 1
            for k in range(tags.shape[0]):
                t = tags[k]
                for a in range(size):
                    neu1[a] += dv[t, a]
                count += 1
            inv = np.float32(1.0 / count) if count > 0 else np.float32(1.0)
            if config.cbow_mean:
                for a in range(size):
                    neu1[a] *= inv
            work[:] = 0.0
            rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, cum_index, shift,
                               points, codes, code_starts, config, alpha, work, rng, exp_table, rows, dots,
                               ahead)
            if not config.cbow_mean:
                # gensim's doc2vec scales the error this way round; kept so infer_vector agrees.
                for a in range(size):
                    work[a] *= inv
            for k in range(tags.shape[0]):
                _apply(dv, tags[k], work, 0, size, doc_lock[tags[k]])
            for j in range(lo, hi):
                if j != i:
                    _apply(wv, buf[j], work, 0, size, word_lock[buf[j]])
        else:
            for m in range(config.dm_tag_count):
                _load(neu1, m * size, dv, tags[m], size)
            slot = config.dm_tag_count
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = config.null_word if (j < 0 or j >= n) else buf[j]
                _load(neu1, slot * size, wv, w, size)
                slot += 1
            work[:] = 0.0
            rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, cum_index, shift,
                               points, codes, code_starts, config, alpha, work, rng, exp_table, rows, dots,
                               ahead)
            for m in range(config.dm_tag_count):
                _apply(dv, tags[m], work, m * size, size, doc_lock[tags[m]])
            slot = config.dm_tag_count
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = config.null_word if (j < 0 or j >= n) else buf[j]
                _apply(wv, w, work, slot * size, size, word_lock[w])
                slot += 1
    return n, rng


@njit(cache=True, nogil=True, fastmath=True)
def _train_chunk(corpus, doc_order, weights, locks, tables, config, schedule, rng, cum_index, shift, shadow_rows,  # type: ignore[no-untyped-def]
                 shadow):
    max_len = 1
    total = 0
    for k in range(doc_order.shape[0]):
        d = doc_order[k]
        length = corpus.doc_starts[d + 1] - corpus.doc_starts[d]
        max_len = max(max_len, length)
        total += length
    buf = np.empty(max_len, dtype=np.int32)
    reduced = np.empty(max_len, dtype=np.int32)
    # DBOW and PV-DM mean use the first vector_size entries; PV-DM concat all of them.
    width = config.layer1_size if config.mode == MODE_DM_CONCAT else weights.wv.shape[1]
    work = np.empty(width, dtype=np.float32)
    neu1 = np.empty(width, dtype=np.float32)
    rows = np.empty(config.negative + 1, dtype=np.int64)
    dots = np.empty(config.negative + 1, dtype=np.float32)
    ahead = np.full(config.negative + 2, -1, dtype=np.int64)  # nothing drawn ahead yet (states are >= 0)
    wv, dv, syn1neg, syn1 = weights
    word_lock, doc_lock, out_lock, node_lock = locks
    cum_table, points, codes, code_starts, sample_int = tables
    seen = 0
    done = 0
    for k in range(doc_order.shape[0]):
        d = doc_order[k]
        frac = schedule.progress_start + schedule.progress_span * seen / max(total, 1)
        alpha = np.float32(schedule.alpha_start - (schedule.alpha_start - schedule.alpha_end) * min(frac, 1.0))
        words = corpus.word_ids[corpus.doc_starts[d]:corpus.doc_starts[d + 1]]
        tags = corpus.tag_ids[corpus.tag_starts[d]:corpus.tag_starts[d + 1]]
        kept, rng = _train_document(words, tags, wv, dv, syn1neg, syn1, word_lock, doc_lock, out_lock,
                                    node_lock, cum_table, cum_index, shift, points, codes, code_starts,
                                    sample_int, config, alpha, buf, reduced, work, neu1, rows, dots, ahead,
                                    rng, _EXP_TABLE, shadow_rows, shadow)
        done += kept
        seen += words.shape[0]
    return done
# fmt: on
