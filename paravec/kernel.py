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
from numba import njit, prange

__all__ = ["MODE_DBOW", "MODE_DM_MEAN", "MODE_DM_CONCAT", "sigmoid_table", "train_epoch"]

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


@njit(cache=True, nogil=True, fastmath=True)
def _output_step(l1, target, syn1neg, syn1, out_lock, node_lock, cum_table, points, codes,
                 code_starts, hs, negative, alpha, work, rng, exp_table):
    """One prediction of word ``target`` from hidden vector ``l1``.

    Accumulates the error for ``l1`` into ``work`` and moves output rows by their lock factor.
    Returns the advanced random state.
    """
    size = l1.shape[0]
    scale = _EXP_TABLE_SIZE / _MAX_EXP / 2.0
    if hs:
        for b in range(code_starts[target], code_starts[target + 1]):
            node = points[b]
            row = syn1[node]
            f = np.float32(0.0)
            for a in range(size):
                f += l1[a] * row[a]
            if f <= -_MAX_EXP or f >= _MAX_EXP:
                continue
            f = exp_table[int((f + _MAX_EXP) * scale)]
            g = (np.float32(1.0) - np.float32(codes[b]) - f) * alpha
            for a in range(size):
                work[a] += g * row[a]
            lk = node_lock[node]
            if lk != 0.0:
                gl = g * lk
                for a in range(size):
                    row[a] += gl * l1[a]
    if negative > 0:
        n_words = cum_table.shape[0]
        domain = np.uint64(cum_table[n_words - 1])
        for d in range(negative + 1):
            if d == 0:
                t = target
                label = np.float32(1.0)
            else:
                x = np.uint32(np.uint64(rng >> 16) % domain)
                t = np.searchsorted(cum_table, x)
                rng = _next(rng)
                if t == target:
                    continue
                label = np.float32(0.0)
            row = syn1neg[t]
            f = np.float32(0.0)
            for a in range(size):
                f += l1[a] * row[a]
            if f <= -_MAX_EXP or f >= _MAX_EXP:
                continue
            f = exp_table[int((f + _MAX_EXP) * scale)]
            g = (label - f) * alpha
            for a in range(size):
                work[a] += g * row[a]
            lk = out_lock[t]
            if lk != 0.0:
                gl = g * lk
                for a in range(size):
                    row[a] += gl * l1[a]
    return rng


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _apply(vec, work, factor):
    if factor != 0.0:
        for a in range(vec.shape[0]):
            vec[a] += factor * work[a]


@njit(cache=True, nogil=True, fastmath=True)
def _train_document(words, tags, wv, dv, syn1neg, syn1, word_lock, doc_lock, out_lock, node_lock,
                    cum_table, points, codes, code_starts, sample_int, mode, dbow_words, hs,
                    negative, window, shrink_windows, cbow_mean, dm_tag_count, null_word, alpha,
                    buf, reduced, work, neu1, rng, exp_table):
    """Train one document; returns (words kept after downsampling, random state)."""
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
    for i in range(n):
        if shrink_windows and mode != MODE_DM_CONCAT:
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
                    work[:size] = 0.0
                    rng = _output_step(wv[ctx], target, syn1neg, syn1, out_lock, node_lock, cum_table,
                                       points, codes, code_starts, hs, negative, alpha, work[:size],
                                       rng, exp_table)
                    _apply(wv[ctx], work[:size], word_lock[ctx])
            for t in tags:
                work[:size] = 0.0
                rng = _output_step(dv[t], target, syn1neg, syn1, out_lock, node_lock, cum_table,
                                   points, codes, code_starts, hs, negative, alpha, work[:size], rng,
                                   exp_table)
                _apply(dv[t], work[:size], doc_lock[t])
        elif mode == MODE_DM_MEAN:
            lo = max(0, i - window + reduced[i])
            hi = min(n, i + window + 1 - reduced[i])
            l1 = neu1[:size]
            l1[:] = 0.0
            count = 0
            for j in range(lo, hi):
                if j != i:
                    l1 += wv[buf[j]]
                    count += 1
            for t in tags:
                l1 += dv[t]
                count += 1
            inv = np.float32(1.0 / count) if count > 0 else np.float32(1.0)
            if cbow_mean:
                l1 *= inv
            work[:size] = 0.0
            rng = _output_step(l1, target, syn1neg, syn1, out_lock, node_lock, cum_table, points,
                               codes, code_starts, hs, negative, alpha, work[:size], rng, exp_table)
            if not cbow_mean:
                # gensim's doc2vec scales the error this way round; kept so infer_vector agrees.
                work[:size] *= inv
            for t in tags:
                _apply(dv[t], work[:size], doc_lock[t])
            for j in range(lo, hi):
                if j != i:
                    _apply(wv[buf[j]], work[:size], word_lock[buf[j]])
        else:
            layer1 = neu1.shape[0]
            for m in range(dm_tag_count):
                neu1[m * size:(m + 1) * size] = dv[tags[m]]
            slot = dm_tag_count
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = null_word if (j < 0 or j >= n) else buf[j]
                neu1[slot * size:(slot + 1) * size] = wv[w]
                slot += 1
            work[:layer1] = 0.0
            rng = _output_step(neu1, target, syn1neg, syn1, out_lock, node_lock, cum_table, points,
                               codes, code_starts, hs, negative, alpha, work[:layer1], rng, exp_table)
            for m in range(dm_tag_count):
                _apply(dv[tags[m]], work[m * size:(m + 1) * size], doc_lock[tags[m]])
            slot = dm_tag_count
            for j in range(i - window, i + window + 1):
                if j == i:
                    continue
                w = null_word if (j < 0 or j >= n) else buf[j]
                _apply(wv[w], work[slot * size:(slot + 1) * size], word_lock[w])
                slot += 1
    return n, rng


@njit(cache=True, nogil=True, fastmath=True, parallel=True)
def train_epoch(word_ids, doc_starts, tag_ids, tag_starts, doc_order, wv, dv, syn1neg, syn1,
                word_lock, doc_lock, out_lock, node_lock, cum_table, points, codes, code_starts,
                sample_int, mode, dbow_words, hs, negative, window, shrink_windows, cbow_mean,
                dm_tag_count, null_word, layer1_size, alpha_start, alpha_end, progress_start,
                progress_span, n_chunks, seed):
    """Train one pass over the batch, hogwild across ``n_chunks`` threads as gensim's workers do.

    The learning rate decays linearly with the share of words already seen, from ``alpha_start``
    at ``progress_start`` to ``alpha_end`` at 1.0. Returns the number of words trained.
    """
    n_docs = doc_order.shape[0]
    total = doc_starts[-1]
    done = np.zeros(n_chunks, dtype=np.int64)
    max_len = 1
    for d in range(doc_starts.shape[0] - 1):
        max_len = max(max_len, doc_starts[d + 1] - doc_starts[d])
    for c in prange(n_chunks):
        buf = np.empty(max_len, dtype=np.int32)
        reduced = np.empty(max_len, dtype=np.int32)
        work = np.empty(layer1_size, dtype=np.float32)
        neu1 = np.empty(layer1_size, dtype=np.float32)
        rng = (np.int64(seed) * 7919 + c * 104729 + 1) & _LCG_MASK
        lo = c * n_docs // n_chunks
        hi = (c + 1) * n_docs // n_chunks
        seen = 0
        for k in range(lo, hi):
            d = doc_order[k]
            # Each chunk advances through its share; its position stands for global progress.
            frac = progress_start + progress_span * (seen * n_chunks) / max(total, 1)
            alpha = np.float32(alpha_start - (alpha_start - alpha_end) * min(frac, 1.0))
            words = word_ids[doc_starts[d]:doc_starts[d + 1]]
            tags = tag_ids[tag_starts[d]:tag_starts[d + 1]]
            kept, rng = _train_document(words, tags, wv, dv, syn1neg, syn1, word_lock, doc_lock,
                                        out_lock, node_lock, cum_table, points, codes, code_starts,
                                        sample_int, mode, dbow_words, hs, negative, window,
                                        shrink_windows, cbow_mean, dm_tag_count, null_word, alpha,
                                        buf, reduced, work, neu1, rng, _EXP_TABLE)
            done[c] += kept
            seen += words.shape[0]
    return done.sum()

