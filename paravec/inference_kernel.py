"""Compiled inference: gensim's ``Doc2Vec.infer_vector`` steps for many documents, GIL-free.

Inferring a paragraph vector (Le & Mikolov 2014, "Distributed Representations of Sentences and
Documents") trains one new document vector against weights that stay fixed. gensim's
``infer_vector`` does it one document at a time, calling its compiled training code once per
epoch from Python. This module runs the same steps over a whole range of documents in one
compiled call that releases the GIL, so threads can share a batch:

* the start vector is uniform in ``[-0.5, 0.5) / vector_size`` like gensim's
  ``pseudorandom_weak_vector``, drawn from a SplitMix64 stream of the document's key instead of
  a hash of its words (`document_keys`: the key depends on ``(seed, position)`` only, so a batch
  split anywhere gives the same vectors);
* each epoch starts a fresh 48-bit LCG state (gensim draws one from ``model.random`` per call),
  drops unknown words (already absent from the input), downsamples with gensim's draws, stops at
  10,000 kept words, draws PV-DM window reductions, and steps as ``doc2vec_inner`` does with
  every model weight locked and the document's lock at 1: PV-DBOW (words of ``dbow_words`` are
  not trained, as gensim's ``infer_vector`` does not), PV-DM mean or sum, PV-DM concat, by
  hierarchical softmax and/or negative sampling, with `paravec.kernel`'s sigmoid table and
  scaling.

`paravec.inference_checks` proves every index lands inside its array before the compiled code,
which checks none, runs.

Examples
--------
>>> import numpy as np
>>> from paravec.inference_kernel import document_keys
>>> keys = document_keys(seed=0, start=5, n=3)
>>> keys.dtype.name, bool((document_keys(0, 6, 2) == keys[1:]).all())
('uint64', True)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from paravec.inference_checks import Lookup
from paravec.kernel import (
    _EXP_TABLE,
    _LCG_MASK,
    _MAX_EXP,
    _SIGMOID_SCALE,
    _negative_word,
    _next,
)
from paravec.kernel_inputs import MODE_DBOW, MODE_DM_CONCAT, MODE_DM_MEAN, Config, Corpus, Tables, Weights

__all__ = ["MAX_WORDS", "document_keys", "infer_range"]

MAX_WORDS = 10_000
"""gensim's compiled code stops a document after this many kept words (``MAX_DOCUMENT_LEN``)."""

_GOLDEN = 0x9E3779B97F4A7C15
_MASK64 = 2**64 - 1


def document_keys(seed: int | list[int], start: int, n: int) -> npt.NDArray[np.uint64]:
    """The keys of documents ``start .. start + n - 1`` under ``seed``: all their randomness.

    A document's key depends on ``(seed, position)`` only, never on the other documents.
    ``seed`` may also be a list of seeds, one per document, with ``start=0, n=1``.
    """
    seeds = np.array(
        [int(s) & _MASK64 for s in (seed if isinstance(seed, list) else [seed])], dtype=np.uint64
    )
    keys: npt.NDArray[np.uint64] = _document_keys(seeds, np.uint64(start), n)
    return keys


@njit(cache=True, nogil=True)
def _document_keys(seeds, start, n):  # type: ignore[no-untyped-def]
    # SplitMix64's output function (Steele, Lea & Flood 2014) of the seed, then of that xor the
    # position; compiled, as numpy took ~30 us for one query's key.
    count = n if seeds.shape[0] == 1 else seeds.shape[0]
    keys = np.empty(count, dtype=np.uint64)
    for i in range(count):
        _, mixed = _splitmix(seeds[0 if seeds.shape[0] == 1 else i])
        _, keys[i] = _splitmix(mixed ^ (start + np.uint64(i if n > 1 else 0)))
    return keys


def infer_range(lo: int, hi: int, corpus: Corpus, out: npt.NDArray[np.float32], keys: npt.NDArray[np.uint64],
                weights: Weights, tables: Tables, config: Config, alphas: npt.NDArray[np.float32],
                lookup: Lookup) -> None:  # fmt: skip
    """Infer documents ``lo .. hi - 1`` of ``corpus`` into the same rows of ``out``.

    Releases the GIL; threads may infer disjoint ranges of one batch at once. Inputs must have
    passed `paravec.inference_checks.check_inference_inputs`; ``alphas`` holds the learning rate of each epoch.
    """
    _infer_range(lo, hi, corpus.word_ids, corpus.doc_starts, out, keys, weights.wv, weights.syn1neg,
                 weights.syn1, tables, config.plain(), alphas, lookup.cum_index, lookup.shift, lookup.units, MAX_WORDS,
                 _EXP_TABLE)  # fmt: skip


# fmt: off
@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _splitmix(state):  # type: ignore[no-untyped-def]
    state = state + np.uint64(_GOLDEN)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _predict(l1, out, rows, labels, m, alpha, into, dots, exp_table):  # type: ignore[no-untyped-def]
    """Logistic units ``rows[:m]`` of ``out`` (fixed) predicting ``labels[:m]`` from ``l1``; error into ``into``.

    The units are gensim's (`paravec.kernel`'s table and scaling). They all read the same
    ``l1``, so every dot product is taken before any error is added, and ``into`` may be ``l1``
    itself (PV-DBOW, where gensim adds the summed error to the document vector). Rows go three
    at a time: one pass over ``l1`` serves three dot products, and one read-modify-write of
    ``into`` adds three errors, where a row at a time spent more on loads and stores of ``l1``
    and ``into`` than on multiply-adds. ``rows``, ``labels`` and ``dots`` have room for ``m``
    rounded up to a multiple of 3; the rows padded in take no part (their error is 0).
    """
    if m == 0:
        return
    size = l1.shape[0]
    padded = m + (-m) % 6
    for k in range(m, padded):
        rows[k] = rows[0]
    for k in range(0, padded, 6):
        r0, r1, r2, r3, r4, r5 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4], rows[k + 5]
        f0 = np.float32(0.0)
        f1 = np.float32(0.0)
        f2 = np.float32(0.0)
        f3 = np.float32(0.0)
        f4 = np.float32(0.0)
        f5 = np.float32(0.0)
        for a in range(size):
            v = l1[a]
            f0 += v * out[r0, a]
            f1 += v * out[r1, a]
            f2 += v * out[r2, a]
            f3 += v * out[r3, a]
            f4 += v * out[r4, a]
            f5 += v * out[r5, a]
        dots[k] = f0
        dots[k + 1] = f1
        dots[k + 2] = f2
        dots[k + 3] = f3
        dots[k + 4] = f4
        dots[k + 5] = f5
    for k in range(padded):
        f = dots[k]
        if k >= m or f <= -_MAX_EXP or f >= _MAX_EXP:
            dots[k] = np.float32(0.0)  # gensim skips saturated units
        else:
            dots[k] = (labels[k] - exp_table[int((f + _MAX_EXP) * _SIGMOID_SCALE)]) * alpha
    for k in range(0, padded, 6):
        g0, g1, g2, g3, g4, g5 = dots[k], dots[k + 1], dots[k + 2], dots[k + 3], dots[k + 4], dots[k + 5]
        r0, r1, r2, r3, r4, r5 = rows[k], rows[k + 1], rows[k + 2], rows[k + 3], rows[k + 4], rows[k + 5]
        for a in range(size):
            into[a] += (g0 * out[r0, a] + g1 * out[r1, a] + g2 * out[r2, a]) + (g3 * out[r3, a] + g4 * out[r4, a] + g5 * out[r5, a])


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _units(l1, target, syn1neg, syn1, tables, config, alpha, work, rng, exp_table, hs, neg, rows, labels, dots,  # type: ignore[no-untyped-def]
           cum_index, shift):
    """The units predicting ``target`` from ``l1`` (output rows fixed); error into ``work``."""
    if hs:
        m = 0
        for b in range(tables.code_starts[target], tables.code_starts[target + 1]):
            rows[m] = tables.points[b]
            labels[m] = np.float32(1.0) - np.float32(tables.codes[b])
            m += 1
        _predict(l1, syn1, rows, labels, m, alpha, work, dots, exp_table)
    if neg:
        cum_table = tables.cum_table
        domain = np.uint64(cum_table[cum_table.shape[0] - 1])
        rows[0] = target
        labels[0] = np.float32(1.0)
        m = 1
        for _ in range(config.negative):
            t = _negative_word(cum_table, cum_index, shift, np.uint32(np.uint64(rng >> 16) % domain))
            rng = _next(rng)
            if t != target:
                rows[m] = t
                labels[m] = np.float32(0.0)
                m += 1
        _predict(l1, syn1neg, rows, labels, m, alpha, work, dots, exp_table)
    return rng


@njit(cache=True, nogil=True, fastmath=True, _nrt=False)  # type: ignore[call-overload]  # no refcounts: see dbow_range
def _infer_epoch(words, vec, wv, syn1neg, syn1, tables, config, alpha, max_words, buf, reduced, work, neu1,  # type: ignore[no-untyped-def]
                 rows, labels, dots, cum_index, shift, rng, exp_table):
    mode, window, size = config.mode, config.window, vec.shape[0]
    if mode == MODE_DM_CONCAT and config.dm_tag_count != 1:
        return  # gensim skips a document without the expected number of tags; inference has one
    n = 0
    for w in words:
        if config.downsample:
            draw = np.uint32(rng >> 16)
            rng = _next(rng)
            if tables.sample_int[w] < draw:
                continue
        buf[n] = w
        n += 1
        if n == max_words:
            break
    if mode == MODE_DM_MEAN:
        for i in range(n):
            if config.shrink_windows:
                reduced[i] = (rng >> 16) % window
                rng = _next(rng)
            else:
                reduced[i] = 0
    inv = np.float32(1.0)
    for i in range(n):
        target = buf[i]
        if mode == MODE_DBOW:
            # gensim applies each method's error before the next: l1 is the document vector itself.
            if config.hs:
                rng = _units(vec, target, syn1neg, syn1, tables, config, alpha, vec, rng, exp_table, True, False, rows, labels, dots, cum_index, shift)
            if config.negative > 0:
                rng = _units(vec, target, syn1neg, syn1, tables, config, alpha, vec, rng, exp_table, False, True, rows, labels, dots, cum_index, shift)
            continue
        if mode == MODE_DM_MEAN:
            lo = max(0, i - window + reduced[i])
            hi = min(n, i + window + 1 - reduced[i])
            for a in range(size):
                neu1[a] = vec[a]
            count = 1
            for j in range(lo, hi):
                if j != i:
                    w = buf[j]
                    for a in range(size):
                        neu1[a] += wv[w, a]
                    count += 1
            inv = np.float32(1.0 / count)
            if config.cbow_mean:
                for a in range(size):
                    neu1[a] *= inv
        else:
            for a in range(size):
                neu1[a] = vec[a]
            slot = 1
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = config.null_word if (j < 0 or j >= n) else buf[j]
                for a in range(size):
                    neu1[slot * size + a] = wv[w, a]
                slot += 1
        work[:] = 0.0
        rng = _units(neu1, target, syn1neg, syn1, tables, config, alpha, work, rng, exp_table, config.hs,
                     config.negative > 0, rows, labels, dots, cum_index, shift)
        if mode == MODE_DM_MEAN and not config.cbow_mean:
            for a in range(size):
                work[a] *= inv
        for a in range(size):
            vec[a] += work[a]


@njit(cache=True, nogil=True, fastmath=True)
def _infer_range(lo, hi, word_ids, doc_starts, out, keys, wv, syn1neg, syn1, tables, config, alphas, cum_index,  # type: ignore[no-untyped-def]
                 shift, units, max_words, exp_table):
    size = out.shape[1]
    longest = 1
    for d in range(lo, hi):
        longest = max(longest, doc_starts[d + 1] - doc_starts[d])
    longest = min(longest, max_words)
    buf = np.empty(longest, dtype=np.int32)
    reduced = np.empty(longest, dtype=np.int32)
    work = np.empty(config.layer1_size, dtype=np.float32)
    neu1 = np.empty(config.layer1_size, dtype=np.float32)
    rows = np.empty(units, dtype=np.int64)
    labels = np.empty(units, dtype=np.float32)
    dots = np.empty(units, dtype=np.float32)
    inv_size = np.float32(size)
    for d in range(lo, hi):
        vec = out[d]
        state = keys[d]
        for a in range(size):
            state, z = _splitmix(state)
            u = np.float32(np.float64(z >> np.uint64(40)) * (1.0 / 16777216.0))  # 24 bits: exact in float32
            vec[a] = (u - np.float32(0.5)) / inv_size
        words = word_ids[doc_starts[d]:doc_starts[d + 1]]
        for e in range(alphas.shape[0]):
            state, z = _splitmix(state)
            rng = np.int64(z >> np.uint64(16)) & _LCG_MASK
            _infer_epoch(words, vec, wv, syn1neg, syn1, tables, config, alphas[e], max_words, buf, reduced, work,
                         neu1, rows, labels, dots, cum_index, shift, rng, exp_table)
# fmt: on
