"""Growing the vocabulary of a trained gensim model without disturbing what is already there.

An update of a paragraph-vector model (Le & Mikolov 2014, "Distributed Representations of
Sentences and Documents") brings words the model has never seen; they need rows in every
per-word array before the batch can train them.

gensim's ``prepare_vocab(update=True)`` rebuilds the Huffman tree from the merged counts (so the
inner nodes of pretrained words change meaning), computes downsampling of new words from the new
batch alone, and appends a second null word for PV-DM concat models. The functions here grow the
vocabulary the other way round: pretrained words keep their rows, codes and points; new words get
fresh rows at the end; counts, downsampling and the negative-sampling table are recomputed over
everything the model has seen.

Hierarchical softmax follows Morin & Bengio (2005) / Mikolov et al. (2013): the new words get a
Huffman tree of their own, grafted where a Huffman tree built from all counts would place words the
base never saw, at the least frequent pretrained leaf: that leaf becomes an inner node (a fresh
``syn1`` row) whose children are the old word (its code one bit longer) and the new tree. The tree
stays a full binary tree, so the words' probabilities sum to 1; every other pretrained word keeps
its code and its points, so the pretrained output layer keeps its meaning. Hanging the new tree
below that leaf instead (``HS_SCHEME = "hang"``) keeps every code, but the old word's path is then
a prefix of the new words' and the probabilities sum to 1 + P(old word); ``benchmarks/README.md`` ("new words in a hierarchical-softmax tree") compares them.

Examples
--------
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.vocab import add_words
>>> model = Doc2Vec([TaggedDocument(["a", "b", "a"], ["d0"])], vector_size=8, min_count=1, epochs=1, hs=1, negative=0)
>>> old_codes = [model.wv.get_vecattr(w, "code").tolist() for w in ("a", "b")]
>>> add_words(model, {"c": 3, "d": 1}, seed=0)
['c', 'd']
>>> [model.wv.get_vecattr(w, "code").tolist() for w in ("a", "b")] == [old_codes[0], old_codes[1] + [0]]
True
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec

__all__ = ["add_words", "cum_table", "hs_arrays", "init_rows", "refresh_sampling"]

REAL = np.float32
# How new words join a hierarchical-softmax tree: "graft" (the anchor leaf moves one level down) or
# "hang" (below the anchor leaf, which stays a leaf). benchmarks/hs_graft.py compares them.
HS_SCHEME = "graft"
Floats = npt.NDArray[np.float32]


def init_rows(n: int, vector_size: int, seed: int) -> Floats:
    """Draw random rows as gensim draws new vectors: uniform in (-1, 1) / vector_size.

    Parameters
    ----------
    n, vector_size : int
        Shape of the result.
    seed : int
        Seed of NumPy's default generator (same seed, same rows).

    Returns
    -------
    ndarray of float32, shape (n, vector_size)
    """
    rng = np.random.default_rng(seed)
    rows = rng.random((n, vector_size), dtype=REAL)
    rows *= 2.0
    rows -= 1.0
    rows /= vector_size
    return rows


def add_words(model: Doc2Vec, counts: Mapping[str, int], *, seed: int) -> list[str]:
    """Append the words of ``counts`` to ``model``'s vocabulary, in order of descending count.

    Grows ``wv.vectors`` (random rows), ``syn1neg`` (zero rows), the per-word attributes, the
    Huffman tree (when ``hs``) and a per-word lock array if the model has one. Existing rows are
    not touched.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model whose vocabulary grows, in place.
    counts : mapping of str to int
        The new words (none of them in the vocabulary yet) and their counts.
    seed : int
        Seed of the new word vectors (see `init_rows`).

    Returns
    -------
    list of str
        The words added, most frequent first (ties alphabetical).
    """
    new = sorted(counts, key=lambda w: (-counts[w], w))
    if not new:
        return []
    wv = model.wv
    n_old = len(wv.index_to_key)
    for i, word in enumerate(new):
        wv.key_to_index[word] = n_old + i
    wv.index_to_key.extend(new)
    if "count" not in wv.expandos:
        wv.allocate_vecattrs(["count"], [np.int64])
    wv.allocate_vecattrs()
    # One assignment, not gensim's set_vecattr per word (which re-checks every attribute each time).
    wv.expandos["count"][n_old:] = [int(counts[word]) for word in new]
    wv.vectors = np.vstack([wv.vectors, init_rows(len(new), wv.vector_size, seed)])
    if model.negative:
        model.syn1neg = np.vstack([model.syn1neg, np.zeros((len(new), model.layer1_size), dtype=REAL)])
    if len(wv.vectors_lockf) > 1:
        wv.vectors_lockf = np.concatenate([wv.vectors_lockf, np.ones(len(new), dtype=REAL)])
    if model.hs:
        _hang_huffman_branch(model, n_old, new)
    wv.norms = None
    return new


def _hang_huffman_branch(model: Doc2Vec, n_old: int, new: list[str]) -> None:
    wv = model.wv
    codes = wv.expandos["code"]
    points = wv.expandos["point"]
    used_nodes = max((int(p.max()) + 1 for p in points[:n_old] if len(p)), default=0)
    # The leaf where a tree built from all counts would put never-seen words: the rarest one,
    # deepest on ties. The null word of PV-DM concat is never predicted, so it is not a candidate.
    counts = wv.expandos["count"]
    candidates = [i for i in range(n_old) if wv.index_to_key[i] != "\0"]
    anchor = min(candidates, key=lambda i: (int(counts[i]), -len(codes[i]), -i))
    anchor_code = codes[anchor].astype(np.uint8)
    anchor_points = points[anchor].astype(np.uint32)
    sub_counts = [int(counts[n_old + i]) for i in range(len(new))]
    if HS_SCHEME == "graft":
        # The anchor leaf becomes an inner node (a fresh row of syn1) whose children are the anchor
        # (bit 0) and the new words' tree (bit 1): the tree stays a full binary tree, so the
        # probabilities of all words sum to 1. Only the anchor's code grows by one bit.
        graft = used_nodes
        sub_codes, sub_points, n_inner = _huffman(sub_counts) if len(new) > 1 else ([[]], [[]], 0)
        codes[anchor] = np.concatenate([anchor_code, np.zeros(1, dtype=np.uint8)])
        points[anchor] = np.concatenate([anchor_points, np.asarray([graft], dtype=np.uint32)])
        anchor_code = np.concatenate([anchor_code, np.ones(1, dtype=np.uint8)])
        anchor_points = points[anchor]
        first_sub, n_inner = used_nodes + 1, n_inner + 1
    else:
        sub_codes, sub_points, n_inner = _huffman(sub_counts)
        first_sub = used_nodes
    for i in range(len(new)):
        idx = n_old + i
        codes[idx] = np.concatenate([anchor_code, np.asarray(sub_codes[i], dtype=np.uint8)])
        points[idx] = np.concatenate(
            [anchor_points, np.asarray(sub_points[i], dtype=np.uint32) + first_sub]
        ).astype(np.uint32)
    rows = max(len(wv.index_to_key), used_nodes + n_inner)
    model.syn1 = np.vstack([model.syn1, np.zeros((rows - len(model.syn1), model.layer1_size), dtype=REAL)])


def _huffman(counts: list[int]) -> tuple[list[list[int]], list[list[int]], int]:
    """Codes and inner-node points (numbered from 0) of a Huffman tree over ``counts``.

    A single word still gets one inner node, so that its path differs from the anchor leaf's.
    """
    n = len(counts)
    if n == 1:
        return [[1]], [[0]], 1
    heap = [(c, i, i) for i, c in enumerate(counts)]  # (count, tiebreak, node id)
    heapq.heapify(heap)
    children: dict[int, tuple[int, int]] = {}
    next_id = n
    while len(heap) > 1:
        c1, _, a = heapq.heappop(heap)
        c2, _, b = heapq.heappop(heap)
        children[next_id] = (a, b)
        heapq.heappush(heap, (c1 + c2, next_id, next_id))
        next_id += 1
    root = heap[0][2]
    codes: list[list[int]] = [[] for _ in range(n)]
    points: list[list[int]] = [[] for _ in range(n)]
    # Inner nodes numbered root-last like gensim: node id - n.
    stack: list[tuple[int, list[int], list[int]]] = [(root, [], [])]
    while stack:
        node, code, point = stack.pop()
        if node < n:
            codes[node], points[node] = code, point
            continue
        left, right = children[node]
        point = [*point, node - n]
        stack.append((left, [*code, 0], point))
        stack.append((right, [*code, 1], point))
    return codes, points, n - 1


def refresh_sampling(model: Doc2Vec) -> None:
    """Recompute ``sample_int`` for every word and the negative-sampling table from total counts.

    Uses gensim's formulas (``Word2Vec.prepare_vocab``), over the counts of everything seen so far.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model; its ``wv`` attribute ``sample_int`` and (with negative sampling) its
        ``cum_table`` are replaced.
    """
    wv = model.wv
    counts = np.asarray(wv.expandos["count"], dtype=np.float64)
    counts = np.maximum(counts, 1.0)
    retain_total = counts.sum()
    sample = model.sample
    if not sample:
        threshold = retain_total
    elif sample < 1.0:
        threshold = sample * retain_total
    else:
        threshold = int(sample * (3 + np.sqrt(5)) / 2)
    prob = (np.sqrt(counts / threshold) + 1.0) * (threshold / counts)
    prob = np.minimum(prob, 1.0)
    wv.expandos["sample_int"] = (prob * (2**32 - 1)).astype(np.uint32)
    if model.negative:
        model.cum_table = cum_table(wv.expandos["count"], model.ns_exponent)


def cum_table(counts: npt.ArrayLike, ns_exponent: float, domain: int = 2**31 - 1) -> npt.NDArray[np.uint32]:
    """Build gensim's negative-sampling table (``Word2Vec.make_cum_table``) without its Python loop.

    The running sum is sequential, as in gensim, so the table is the same to the last bit.

    Parameters
    ----------
    counts : array_like
        Count of each vocabulary word, in vocabulary order.
    ns_exponent : float
        The exponent counts are raised to (gensim's ``ns_exponent``).
    domain : int, default 2**31 - 1
        The table's last value.

    Returns
    -------
    ndarray of uint32
        Cumulative, rounded weights: word ``i`` is drawn for values in ``(table[i-1], table[i]]``.
    """
    weights = np.asarray(counts, dtype=np.float64) ** float(ns_exponent)
    cumulative = np.cumsum(weights)
    if not len(cumulative):
        return np.zeros(0, dtype=np.uint32)
    table: npt.NDArray[np.uint32] = np.round(cumulative / cumulative[-1] * domain).astype(np.uint32)
    return table


def hs_arrays(model: Doc2Vec) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """Flatten the Huffman codes and points of every word for the kernel.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model; without hierarchical softmax the points and codes are empty.

    Returns
    -------
    points : ndarray of uint32
        Inner nodes of every word's path, concatenated in vocabulary order.
    codes : ndarray of uint8
        The matching code bits.
    starts : ndarray of int64
        ``n_words + 1`` offsets: word ``i``'s path is ``points[starts[i]:starts[i + 1]]``.
    """
    n = len(model.wv.index_to_key)
    if not model.hs:
        return np.zeros(0, np.uint32), np.zeros(0, np.uint8), np.zeros(n + 1, np.int64)
    codes = model.wv.expandos["code"]
    points = model.wv.expandos["point"]
    lengths = np.fromiter((len(c) for c in codes), dtype=np.int64, count=n)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    flat_codes = np.concatenate([np.asarray(c, np.uint8) for c in codes]) if n else np.zeros(0, np.uint8)
    flat_points = np.concatenate([np.asarray(p, np.uint32) for p in points]) if n else np.zeros(0, np.uint32)
    return flat_points, flat_codes, starts
