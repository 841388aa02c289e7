"""Compiled training kernel for updates: gensim's Doc2Vec updates with per-row lock factors.

gensim's own training code (``gensim.models.doc2vec_inner``) can lock *input* vectors, but it always
moves the output layer (``syn1neg`` / ``syn1``) of every word it touches, including the negative
samples drawn from the whole vocabulary. An update that must leave the pretrained space
bit-identical therefore cannot use it while the batch trains. This module re-implements the same
stochastic-gradient steps as gensim 4 (Le & Mikolov 2014, "Distributed Representations of Sentences
and Documents"; negative sampling and hierarchical softmax as in Mikolov et al. 2013) with four lock
arrays, so that every weight has its own learning-rate factor:

- ``word_lock`` for input word vectors (``wv.vectors``),
- ``doc_lock`` for document vectors (``dv.vectors``),
- ``out_lock`` for output rows of words (``syn1neg``),
- ``node_lock`` for inner nodes of the Huffman tree (``syn1``).

A factor of 0 leaves a row untouched (not even rewritten), so frozen weights stay bit-identical and
new rows are fitted against exactly the weights that are saved. The arithmetic mirrors gensim's
(its sigmoid table, its ``MAX_EXP`` cut-off, its gradient scaling, its LCG random numbers), so a
model updated here behaves like one gensim trained, and gensim's ``infer_vector`` stays consistent
with it. Unlike gensim, documents are not cut at 10,000 words.

Example
-------
>>> from paravec.kernel import sigmoid_table
>>> table = sigmoid_table()
>>> round(float(table[500]), 3)
0.5
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["MODE_DBOW", "MODE_DM_MEAN", "MODE_DM_CONCAT", "sigmoid_table", "train_chunk"]

MODE_DBOW = 0
MODE_DM_MEAN = 1
MODE_DM_CONCAT = 2

_EXP_TABLE_SIZE = 1000
_MAX_EXP = 6.0
_LCG_MUL = 25214903917
_LCG_MASK = 281474976710655  # 2**48 - 1, as in gensim


def sigmoid_table() -> np.ndarray:
    """Return gensim's precomputed logistic table (1000 entries over [-6, 6])."""
    x = (np.arange(_EXP_TABLE_SIZE, dtype=np.float64) / _EXP_TABLE_SIZE * 2.0 - 1.0) * _MAX_EXP
    e = np.exp(x)
    return (e / (e + 1.0)).astype(np.float32)


_EXP_TABLE = sigmoid_table()


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _next(rng):
    return (rng * _LCG_MUL + 11) & _LCG_MASK


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _learn(l1, out, row, label, alpha, lock, work, exp_table):
    """One logistic unit: error of predicting ``label`` from ``l1`` through ``out[row]``.

    Adds the error for ``l1`` to ``work`` and moves ``out[row]`` by ``lock`` times its gradient.
    Rows are indexed in place rather than sliced: a slice is a new array object whose reference
    counting costs more than the arithmetic at these sizes.
    """
    size = l1.shape[0]
    f = np.float32(0.0)
    for a in range(size):
        f += l1[a] * out[row, a]
    if f <= -_MAX_EXP or f >= _MAX_EXP:
        return  # gensim skips saturated units
    f = exp_table[int((f + _MAX_EXP) * (_EXP_TABLE_SIZE / _MAX_EXP / 2.0))]
    g = (label - f) * alpha
    for a in range(size):
        work[a] += g * out[row, a]
    if lock != 0.0:
        gl = g * lock
        for a in range(size):
            out[row, a] += gl * l1[a]


@njit(cache=True, nogil=True, fastmath=True)
def _output_step(l1, target, syn1neg, syn1, out_lock, node_lock, cum_table, points, codes,
                 code_starts, hs, negative, alpha, work, rng, exp_table):
    """One prediction of word ``target`` from the hidden vector ``l1`` (a thread-local buffer).

    Hierarchical softmax walks the target's Huffman path; negative sampling draws ``negative``
    noise words from the unigram table. Returns the advanced random state.
    """
    if hs:
        for b in range(code_starts[target], code_starts[target + 1]):
            node = points[b]
            _learn(l1, syn1, node, np.float32(1.0) - np.float32(codes[b]), alpha, node_lock[node], work,
                   exp_table)
    if negative > 0:
        domain = np.uint64(cum_table[cum_table.shape[0] - 1])
        _learn(l1, syn1neg, target, np.float32(1.0), alpha, out_lock[target], work, exp_table)
        for _ in range(negative):
            x = np.uint32(np.uint64(rng >> 16) % domain)
            t = np.searchsorted(cum_table, x)
            rng = _next(rng)
            if t != target:
                _learn(l1, syn1neg, t, np.float32(0.0), alpha, out_lock[t], work, exp_table)
    return rng


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _apply(vectors, row, work, offset, size, factor):
    if factor != 0.0:
        for a in range(size):
            vectors[row, a] += factor * work[offset + a]


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _load(dest, offset, vectors, row, size):
    for a in range(size):
        dest[offset + a] = vectors[row, a]


@njit(cache=True, nogil=True, fastmath=True)
def _train_document(words, tags, wv, dv, syn1neg, syn1, word_lock, doc_lock, out_lock, node_lock,
                    cum_table, points, codes, code_starts, sample_int, mode, dbow_words, hs,
                    negative, window, shrink_windows, cbow_mean, dm_tag_count, null_word, alpha,
                    buf, reduced, work, neu1, rng, exp_table):
    """Train one document; returns (words kept after downsampling, random state).

    ``work`` and ``neu1`` are thread-local buffers exactly ``layer1_size`` long.
    """
    # Downsampling draws a fresh decision per occurrence and pass, as gensim does.
    n = 0
    for w in words:
        rng = _next(rng)
        if sample_int[w] < np.uint32((rng >> 16) & 0xFFFFFFFF):
            continue
        buf[n] = w
        n += 1
    size = wv.shape[1]
    if mode == MODE_DM_CONCAT and tags.shape[0] != dm_tag_count:
        return 0, rng  # gensim skips documents without the expected number of tags
    windowed = mode == MODE_DM_MEAN or (mode == MODE_DBOW and dbow_words)
    for i in range(n):
        if shrink_windows and windowed:
            rng = _next(rng)
            reduced[i] = (rng >> 16) % window
        else:
            reduced[i] = 0
    for i in range(n):
        target = buf[i]
        if mode == MODE_DBOW:
            if dbow_words:
                lo = max(0, i - window + reduced[i])
                hi = min(n, i + window + 1 - reduced[i])
                for j in range(lo, hi):
                    if j == i:
                        continue
                    ctx = buf[j]
                    _load(neu1, 0, wv, ctx, size)
                    work[:] = 0.0
                    rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table,
                                       points, codes, code_starts, hs, negative, alpha, work, rng,
                                       exp_table)
                    _apply(wv, ctx, work, 0, size, word_lock[ctx])
            for k in range(tags.shape[0]):
                t = tags[k]
                _load(neu1, 0, dv, t, size)
                work[:] = 0.0
                rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table,
                                   points, codes, code_starts, hs, negative, alpha, work, rng,
                                   exp_table)
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
            if cbow_mean:
                for a in range(size):
                    neu1[a] *= inv
            work[:] = 0.0
            rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, points,
                               codes, code_starts, hs, negative, alpha, work, rng, exp_table)
            if not cbow_mean:
                # gensim's doc2vec scales the error this way round; kept so infer_vector agrees.
                for a in range(size):
                    work[a] *= inv
            for k in range(tags.shape[0]):
                _apply(dv, tags[k], work, 0, size, doc_lock[tags[k]])
            for j in range(lo, hi):
                if j != i:
                    _apply(wv, buf[j], work, 0, size, word_lock[buf[j]])
        else:
            for m in range(dm_tag_count):
                _load(neu1, m * size, dv, tags[m], size)
            slot = dm_tag_count
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = null_word if (j < 0 or j >= n) else buf[j]
                _load(neu1, slot * size, wv, w, size)
                slot += 1
            work[:] = 0.0
            rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, points,
                               codes, code_starts, hs, negative, alpha, work, rng, exp_table)
            for m in range(dm_tag_count):
                _apply(dv, tags[m], work, m * size, size, doc_lock[tags[m]])
            slot = dm_tag_count
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = null_word if (j < 0 or j >= n) else buf[j]
                _apply(wv, w, work, slot * size, size, word_lock[w])
                slot += 1
    return n, rng


@njit(cache=True, nogil=True, fastmath=True)
def train_chunk(word_ids, doc_starts, tag_ids, tag_starts, doc_order, wv, dv, syn1neg, syn1,
                word_lock, doc_lock, out_lock, node_lock, cum_table, points, codes, code_starts,
                sample_int, mode, dbow_words, hs, negative, window, shrink_windows, cbow_mean,
                dm_tag_count, null_word, layer1_size, alpha_start, alpha_end, progress_start,
                progress_span, seed):
    """Train one pass over the documents ``doc_order``; returns the number of words trained.

    Releases the GIL, so several threads can each train a share of the batch at once, hogwild, as
    gensim's workers do. The learning rate decays linearly with the share of this chunk's words
    already seen, from ``alpha_start`` at ``progress_start`` towards ``alpha_end`` at 1.0.
    """
    max_len = 1
    total = 0
    for k in range(doc_order.shape[0]):
        d = doc_order[k]
        length = doc_starts[d + 1] - doc_starts[d]
        max_len = max(max_len, length)
        total += length
    buf = np.empty(max_len, dtype=np.int32)
    reduced = np.empty(max_len, dtype=np.int32)
    # DBOW and PV-DM mean use the first vector_size entries; PV-DM concat all of them.
    width = layer1_size if mode == MODE_DM_CONCAT else wv.shape[1]
    work = np.empty(width, dtype=np.float32)
    neu1 = np.empty(width, dtype=np.float32)
    rng = (np.int64(seed) * 7919 + 1) & _LCG_MASK
    seen = 0
    done = 0
    for k in range(doc_order.shape[0]):
        d = doc_order[k]
        frac = progress_start + progress_span * seen / max(total, 1)
        alpha = np.float32(alpha_start - (alpha_start - alpha_end) * min(frac, 1.0))
        words = word_ids[doc_starts[d]:doc_starts[d + 1]]
        tags = tag_ids[tag_starts[d]:tag_starts[d + 1]]
        kept, rng = _train_document(words, tags, wv, dv, syn1neg, syn1, word_lock, doc_lock,
                                    out_lock, node_lock, cum_table, points, codes, code_starts,
                                    sample_int, mode, dbow_words, hs, negative, window,
                                    shrink_windows, cbow_mean, dm_tag_count, null_word, alpha,
                                    buf, reduced, work, neu1, rng, _EXP_TABLE)
        done += kept
        seen += words.shape[0]
    return done
