"""PV-DBOW inference of several documents in lock-step, so their waits on memory overlap.

Inferring a PV-DBOW vector (Le & Mikolov 2014) is, per kept word, one prediction: the dot
products of the document vector with a few output rows (the word's and ``negative`` noise
words' rows of ``syn1neg``, or its Huffman path in ``syn1``), then their error added to the
vector. For a short document most of the time is waiting for those rows: each is 1,200 bytes at
a random place in a table of tens of megabytes, and the next word's prediction needs the vector
the current one updates, so one document cannot run ahead. Different documents do not depend
on each other and the output rows are fixed during inference, so this module advances a group
of documents round-robin one prediction at a time: when a document's prediction is done, its
next prediction's rows are drawn and prefetched, and they arrive while the other documents of
the group compute (software pipelining across documents).

Each document takes the same random draws, in the same order, as in
`paravec.inference_kernel`, and the same arithmetic, so the vectors are bit for bit those of
the one-document-at-a-time path (``tests/test_inference.py``).

Examples
--------
>>> from paravec.inference_dbow import GROUP
>>> GROUP >= 1
True
"""

from __future__ import annotations

import numpy as np
from numba import njit

from paravec.inference_kernel import _predict, _splitmix
from paravec.kernel import _LCG_MASK, _negative_word, _next, _prefetch

__all__ = ["GROUP"]

GROUP = 4
"""Documents one thread advances together (fewer when a range has fewer)."""


# fmt: off
@njit(cache=True, nogil=True, inline="always")
def _prefetch_rows(matrix, rows, m):  # type: ignore[no-untyped-def]
    size = matrix.shape[1]
    for k in range(m):
        for a in range(0, size, 16):  # one 64-byte line holds 16 floats
            _prefetch(matrix, rows[k], a)  # type: ignore[call-arg]
        _prefetch(matrix, rows[k], size - 1)  # type: ignore[call-arg]


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _begin_epoch(words, slot, buf, state, sample_int, downsample, max_words):  # type: ignore[no-untyped-def]
    """The kept words of an epoch into ``buf[slot]``: returns (their number, the epoch's LCG state, the key state)."""
    state, z = _splitmix(state)
    rng = np.int64(z >> np.uint64(16)) & _LCG_MASK
    n = 0
    for w in words:
        if downsample:
            draw = np.uint32(rng >> 16)
            rng = _next(rng)
            if sample_int[w] < draw:
                continue
        buf[slot, n] = w
        n += 1
        if n == max_words:
            break
    return n, rng, state


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _draw(target, slot, rng, hs, negative, tables, cum_index, shift, rows, labels, m, syn1neg, syn1):  # type: ignore[no-untyped-def]
    """The output rows of the prediction of ``target`` into ``rows[slot]`` (prefetched); the advanced LCG state."""
    if hs:
        k = 0
        for b in range(tables.code_starts[target], tables.code_starts[target + 1]):
            rows[slot, 0, k] = tables.points[b]
            labels[slot, 0, k] = np.float32(1.0) - np.float32(tables.codes[b])
            k += 1
        m[slot, 0] = k
        _prefetch_rows(syn1, rows[slot, 0], k)
    if negative > 0:
        cum_table = tables.cum_table
        domain = np.uint64(cum_table[cum_table.shape[0] - 1])
        rows[slot, 1, 0] = target
        labels[slot, 1, 0] = np.float32(1.0)
        k = 1
        for _ in range(negative):
            t = _negative_word(cum_table, cum_index, shift, np.uint32(np.uint64(rng >> 16) % domain))
            rng = _next(rng)
            if t != target:
                rows[slot, 1, k] = t
                labels[slot, 1, k] = np.float32(0.0)
                k += 1
        m[slot, 1] = k
        _prefetch_rows(syn1neg, rows[slot, 1], k)
    return rng


@njit(cache=True, nogil=True, fastmath=True, inline="always")
def _next_prediction(s, following, hi, doc, epoch, pos, kept, rngs, states, buf, word_ids, doc_starts, out, keys,  # type: ignore[no-untyped-def]
                     n_epochs, sample_int, downsample, max_words):
    """Move slot ``s`` to its next prediction: the next kept word, else the next epoch with one,
    else the next document (``following``, returned advanced); without documents left the slot
    is retired (``doc[s] = -1``). A document starts as in `paravec.inference_kernel`."""
    size = out.shape[1]
    while True:
        pos[s] += 1
        if pos[s] < kept[s]:
            return following
        epoch[s] += 1
        if epoch[s] >= n_epochs:
            if following >= hi:
                doc[s] = -1
                return following
            d = following
            following += 1
            doc[s] = d
            epoch[s] = 0
            state = keys[d]
            vec = out[d]
            for a in range(size):
                state, z = _splitmix(state)
                u = np.float32(np.float64(z >> np.uint64(40)) * (1.0 / 16777216.0))  # 24 bits: exact in float32
                vec[a] = (u - np.float32(0.5)) / np.float32(size)
            states[s] = state
        d = doc[s]
        kept[s], rngs[s], states[s] = _begin_epoch(word_ids[doc_starts[d]:doc_starts[d + 1]], s, buf, states[s],
                                                   sample_int, downsample, max_words)
        pos[s] = -1


@njit(cache=True, nogil=True, fastmath=True)
def dbow_range(lo, hi, word_ids, doc_starts, out, keys, syn1neg, syn1, tables, config, alphas, cum_index,  # type: ignore[no-untyped-def]
               shift, units, max_words, exp_table, group):
    """`paravec.inference_kernel.infer_range` for PV-DBOW, ``group`` documents at a time."""
    n_epochs = alphas.shape[0]
    hs, negative = config.hs, config.negative
    longest = 1
    for d in range(lo, hi):
        longest = max(longest, doc_starts[d + 1] - doc_starts[d])
    longest = min(longest, max_words)
    slots = max(1, min(group, hi - lo))
    buf = np.empty((slots, longest), dtype=np.int32)
    doc = np.full(slots, -1, dtype=np.int64)
    epoch = np.full(slots, n_epochs, dtype=np.int64)  # as if a document had just ended
    pos = np.zeros(slots, dtype=np.int64)
    kept = np.zeros(slots, dtype=np.int64)
    rngs = np.zeros(slots, dtype=np.int64)
    states = np.zeros(slots, dtype=np.uint64)
    rows = np.empty((slots, 2, units), dtype=np.int64)
    labels = np.empty((slots, 2, units), dtype=np.float32)
    m = np.zeros((slots, 2), dtype=np.int64)
    dots = np.empty(units, dtype=np.float32)
    following = lo
    alive = 0
    for s in range(slots):
        following = _next_prediction(s, following, hi, doc, epoch, pos, kept, rngs, states, buf, word_ids, doc_starts,
                                     out, keys, n_epochs, tables.sample_int, config.downsample, max_words)
        if doc[s] >= 0:
            rngs[s] = _draw(buf[s, pos[s]], s, rngs[s], hs, negative, tables, cum_index, shift, rows, labels, m,
                            syn1neg, syn1)
            alive += 1
    while alive > 0:
        for s in range(slots):
            if doc[s] < 0:
                continue
            vec = out[doc[s]]
            alpha = alphas[epoch[s]]
            # gensim applies each method's error before the next: l1 is the document vector itself.
            if hs:
                _predict(vec, syn1, rows[s, 0], labels[s, 0], m[s, 0], alpha, vec, dots, exp_table)
            if negative > 0:
                _predict(vec, syn1neg, rows[s, 1], labels[s, 1], m[s, 1], alpha, vec, dots, exp_table)
            following = _next_prediction(s, following, hi, doc, epoch, pos, kept, rngs, states, buf, word_ids,
                                         doc_starts, out, keys, n_epochs, tables.sample_int, config.downsample,
                                         max_words)
            if doc[s] < 0:
                alive -= 1
            else:
                rngs[s] = _draw(buf[s, pos[s]], s, rngs[s], hs, negative, tables, cum_index, shift, rows, labels, m,
                                syn1neg, syn1)
# fmt: on
