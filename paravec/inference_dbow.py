"""PV-DBOW inference of several documents in lock-step, so their waits on memory overlap.

Inferring a PV-DBOW vector (Le & Mikolov 2014) is, per kept word, one prediction: the dot
products of the document vector with a few output rows (the word's and ``negative`` noise
words' rows of ``syn1neg``, or its Huffman path in ``syn1``), then their error added to the
vector. For a short document most of the time is waiting for those rows: each is 1,200 bytes at
a random place in a table of tens of megabytes, and the next word's prediction needs the vector
the current one updates, so one document cannot run ahead. Different documents do not depend
on each other and the output rows are fixed during inference, so this module advances a group
of documents round-robin one prediction at a time: when a document's prediction is done, the
rows of the prediction after its next are prefetched, and they arrive while the other documents
of the group and its own next prediction compute (software pipelining). They are prefetched into the
second-level cache only: a prefetch into the first level holds one of its few miss buffers until
its line arrives, so the ~100 lines of a prediction's rows waited for one another there. Noise
words are drawn a few dozen kept words ahead, so the table lookups of many draws, random reads
themselves, overlap too.

Each document takes the same random draws, in the same order, as in
`paravec.inference_kernel`, and the same arithmetic (its `_predict`), so the vectors are those of
the one-document-at-a-time path up to rounding: the compiler may sum a dot product's terms in
another order in the two loops (differences of 1e-6 to 1e-5, ``tests/test_inference.py``).
Within one path results stay bit for bit independent of threads and of how a batch is cut.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import Doc2Vec, TaggedDocument
>>> from gensim.test.utils import common_texts
>>> model = Doc2Vec([TaggedDocument(t, [i]) for i, t in enumerate(common_texts)], dm=0,
...                 vector_size=8, min_count=1, epochs=5, workers=1)
>>> one = paravec.infer(model, common_texts, workers=1)  # PV-DBOW: this module's loop
>>> bool((paravec.infer(model, common_texts, workers=3) == one).all())
True
"""

from __future__ import annotations

import numpy as np
from numba import njit

from paravec.inference_kernel import _predict, _splitmix
from paravec.kernel import _LCG_MASK, _negative_word, _next, _prefetch_l2

__all__ = ["GROUP"]

GROUP = 2
"""Documents one thread advances together (fewer when a range has fewer; benchmarks/README.md)."""

CHUNK = 32
"""Kept words of a document whose noise words are drawn together."""


# fmt: off
@njit(cache=True, nogil=True, inline="always")
def _prefetch_rows(matrix, rows, m):  # type: ignore[no-untyped-def]
    size = matrix.shape[1]
    for k in range(m):
        for a in range(0, size, 16):  # one 64-byte line holds 16 floats
            _prefetch_l2(matrix, rows[k], a)  # type: ignore[call-arg]
        _prefetch_l2(matrix, rows[k], size - 1)  # type: ignore[call-arg]


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
def _draw(s, p, n, rng, hs, negative, tables, cum_index, shift, buf, rows, labels, m, noise, counts, syn1neg, syn1):  # type: ignore[no-untyped-def]
    """Ready slot ``s``'s prediction of its kept word ``p`` (of ``n``): its output rows, prefetched.

    Noise words are drawn for ``CHUNK`` words at a time, in the order the one-document path
    draws them: the lookups of many draws, which miss the caches as often as the rows do, then
    overlap. Returns the advanced LCG state.
    """
    target = buf[s, p]
    if hs:
        k = 0
        for b in range(tables.code_starts[target], tables.code_starts[target + 1]):
            rows[s, k] = tables.points[b]
            labels[s, k] = np.float32(1.0) - np.float32(tables.codes[b])
            k += 1
        m[s] = k
        _prefetch_rows(syn1, rows[s], k)
    if negative > 0:
        at = p % CHUNK
        if at == 0:
            cum_table = tables.cum_table
            domain = np.uint64(cum_table[cum_table.shape[0] - 1])
            for j in range(min(CHUNK, n - p)):
                word = buf[s, p + j]
                noise[s, j, 0] = word
                k = 1
                for _ in range(negative):
                    t = _negative_word(cum_table, cum_index, shift, np.uint32(np.uint64(rng >> 16) % domain))
                    rng = _next(rng)
                    if t != word:
                        noise[s, j, k] = t
                        k += 1
                counts[s, j] = k
        # This prediction's rows were prefetched with the previous one's, unless it opens a chunk;
        # the next one's go now, so they have a whole prediction's time to arrive even when a
        # document has no other in lock-step (a one-document call: -20% a document).
        if at == 0:
            _prefetch_rows(syn1neg, noise[s, at], counts[s, at])
        if at + 1 < CHUNK and p + 1 < n:
            _prefetch_rows(syn1neg, noise[s, at + 1], counts[s, at + 1])
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
    rows = np.empty((slots, units), dtype=np.int64)  # Huffman paths
    labels = np.empty((slots, units), dtype=np.float32)
    m = np.zeros(slots, dtype=np.int64)
    noise = np.empty((slots, CHUNK, units), dtype=np.int64)  # the word's row, then its noise words'
    counts = np.zeros((slots, CHUNK), dtype=np.int64)
    noise_labels = np.zeros(units, dtype=np.float32)
    noise_labels[0] = 1.0
    dots = np.empty(units, dtype=np.float32)
    # The loop itself runs without numba's reference counting (`_nrt=False`, so it may not allocate): numba
    # counts a reference to every array an inlined helper takes, for every call, with an atomic add that also
    # waits for the loads in flight; those took a fifth of a short document's time (benchmarks/README.md).
    _dbow_loop(lo, hi, word_ids, doc_starts, out, keys, syn1neg, syn1, tables, config, alphas, cum_index, shift,
               max_words, exp_table, slots, buf, doc, epoch, pos, kept, rngs, states, rows, labels, m, noise, counts,
               noise_labels, dots)


@njit(cache=True, nogil=True, fastmath=True, _nrt=False)  # type: ignore[call-overload]
def _dbow_loop(lo, hi, word_ids, doc_starts, out, keys, syn1neg, syn1, tables, config, alphas, cum_index, shift,  # type: ignore[no-untyped-def]
               max_words, exp_table, slots, buf, doc, epoch, pos, kept, rngs, states, rows, labels, m, noise, counts,
               noise_labels, dots):
    n_epochs = alphas.shape[0]
    hs, negative = config.hs, config.negative
    following = lo
    alive = 0
    for s in range(slots):
        following = _next_prediction(s, following, hi, doc, epoch, pos, kept, rngs, states, buf, word_ids, doc_starts,
                                     out, keys, n_epochs, tables.sample_int, config.downsample, max_words)
        if doc[s] >= 0:
            rngs[s] = _draw(s, pos[s], kept[s], rngs[s], hs, negative, tables, cum_index, shift, buf, rows, labels, m,
                            noise, counts, syn1neg, syn1)
            alive += 1
    while alive > 0:
        for s in range(slots):
            if doc[s] < 0:
                continue
            vec = out[doc[s]]
            alpha = alphas[epoch[s]]
            # gensim applies each method's error before the next: l1 is the document vector itself.
            if hs:
                _predict(vec, syn1, rows[s], labels[s], m[s], alpha, vec, dots, exp_table)
            if negative > 0:
                at = pos[s] % CHUNK
                _predict(vec, syn1neg, noise[s, at], noise_labels, counts[s, at], alpha, vec, dots, exp_table)
            following = _next_prediction(s, following, hi, doc, epoch, pos, kept, rngs, states, buf, word_ids,
                                         doc_starts, out, keys, n_epochs, tables.sample_int, config.downsample,
                                         max_words)
            if doc[s] < 0:
                alive -= 1
            else:
                rngs[s] = _draw(s, pos[s], kept[s], rngs[s], hs, negative, tables, cum_index, shift, buf, rows, labels,
                                m, noise, counts, syn1neg, syn1)
# fmt: on
