"""Consistency checks for gensim Doc2Vec models: what must hold before training touches them.

gensim's compiled training code trusts every array it is given; a vocabulary that disagrees with
its arrays is memory corruption, not an exception. `check` lists every broken invariant in
plain words, so a model damaged by ``build_vocab(update=True)`` or by hand-made workarounds is
caught before it is trained, saved or served:

- every array's shape agrees with its vocabulary (``wv``, ``dv``, ``syn1neg``, ``syn1``, ``cum_table``);
- ``key_to_index`` and ``index_to_key`` are one-to-one (gensim's plain int tags, which are their own
  positions, are allowed);
- per-key attributes (``count``, ``sample_int``, ``code``, ``point``, ``word_count``, ...) have one
  row per key; lock arrays are 1 long or as long as their vectors; norms are not stale;
- Huffman codes and points agree, and every point lies inside ``syn1``;
- PV-DM concat models have exactly one null word, other models none;
- the model has no stray attributes (e.g. ``model.index_to_key`` set where ``model.dv`` was meant);
- vectors are finite.

Examples
--------
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec import check
>>> model = Doc2Vec([TaggedDocument(["a", "b"], ["d0"])], vector_size=8, min_count=1, epochs=1)
>>> check(model)
[]
>>> model.dv.vectors = model.dv.vectors[:0]
>>> check(model)
['dv.vectors has 0 rows but dv has 1 keys']
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument
from gensim.models.keyedvectors import KeyedVectors

from paravec.analysis import of_model
from paravec.errors import ParameterError

__all__ = ["check"]

_SAMPLE_ROWS = 20_000
# Attributes a model may carry without any training run creating them here: older gensim
# versions' leftovers and gensim's own optional state.
_OPTIONAL_ATTRIBUTES = {
    "raw_vocab",
    "cum_table",
    "syn1",
    "syn1neg",
    "lifecycle_events",
    "comment",
    "neg_labels",
    "running_training_loss",
    "compute_loss",
    "min_alpha_yet_reached",
    "effective_min_count",
    "corpus_count",
    "corpus_total_words",
    "total_train_time",
    "train_count",
    "shrink_windows",
    "max_final_vocab",
    "ns_exponent",
    "callbacks",
    "load",
    "batch_words",
    "null_word",
    "paravec_side_files",
    "paravec_analysis",  # the text analysis the model records (paravec.analysis)
}


def check(model: Doc2Vec) -> list[str]:
    """List the broken invariants of ``model``; an empty list means it is consistent.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model to inspect. Nothing is changed.

    Returns
    -------
    list of str
        One sentence per problem found.
    """
    if not isinstance(model, Doc2Vec):
        return [f"not a gensim Doc2Vec but a {type(model).__name__}"]
    problems: list[str] = []
    for name in ("wv", "dv"):
        if not isinstance(getattr(model, name, None), KeyedVectors):
            problems.append(f"model.{name} is missing or not KeyedVectors")
    if problems:
        return problems
    size = model.vector_size
    problems += _check_keyed(model.wv, "wv", size, allow_int_keys=False)
    problems += _check_keyed(model.dv, "dv", size, allow_int_keys=True)
    n_words = len(model.wv.index_to_key)

    expected_layer1 = (model.dm_tag_count + 2 * model.window) * size if model.dm and model.dm_concat else size
    if model.layer1_size != expected_layer1:
        problems.append(f"layer1_size is {model.layer1_size}, expected {expected_layer1}")
    if model.negative:
        syn1neg = getattr(model, "syn1neg", None)
        if syn1neg is None or syn1neg.shape != (n_words, model.layer1_size):
            shape = None if syn1neg is None else syn1neg.shape
            problems.append(f"syn1neg has shape {shape}, expected {(n_words, model.layer1_size)}")
        cum = getattr(model, "cum_table", None)
        if cum is not None and len(cum) != n_words:
            problems.append(f"cum_table has {len(cum)} entries but wv has {n_words} words")
        elif cum is not None and n_words and np.any(np.diff(cum.astype(np.int64)) < 0):
            problems.append("cum_table is not cumulative")
    if model.hs:
        problems += _check_huffman(model, n_words)
    if model.sample and n_words and "sample_int" not in model.wv.expandos:
        problems.append("wv has no sample_int attribute although the model downsamples")

    nulls = operator.countOf(model.wv.index_to_key, "\0")
    wanted = 1 if (model.dm and model.dm_concat) else 0
    if n_words and nulls != wanted:
        problems.append(f"wv has {nulls} null words, expected {wanted}")
    # gensim's SaveLoad leaves "__numpys" & co. on models loaded memory-mapped.
    stray = sorted(a for a in set(vars(model)) - _reference_attributes() if not a.startswith("__"))
    if stray:
        problems.append(f"stray attributes on the model: {', '.join(stray)}")
    try:
        of_model(model)
    except ParameterError as err:
        problems.append(f"the recorded text analysis (paravec_analysis) is unusable: {err}")
    return problems


def _check_keyed(kv: KeyedVectors, name: str, size: int, *, allow_int_keys: bool) -> list[str]:
    problems = []
    keys = kv.index_to_key
    k2i = kv.key_to_index
    n = len(keys)
    vectors = getattr(kv, "vectors", None)
    if vectors is None or vectors.ndim != 2:
        return [f"{name}.vectors is missing or not a matrix"]
    if vectors.shape[0] != n:
        problems.append(f"{name}.vectors has {vectors.shape[0]} rows but {name} has {n} keys")
    if vectors.shape[1] != size:
        problems.append(f"{name}.vectors is {vectors.shape[1]} wide but the model's vector_size is {size}")
    if kv.vector_size != size:
        problems.append(f"{name}.vector_size is {kv.vector_size} but the model's is {size}")
    if vectors.dtype != np.float32:
        problems.append(f"{name}.vectors has dtype {vectors.dtype}, expected float32")

    # The fast path proves a one-to-one mapping; the counts below only run to describe a failure.
    k2i_ok = _one_to_one(keys, k2i)
    mismatched = 0
    for key, idx in [] if k2i_ok else k2i.items():
        if not (0 <= idx < n) or keys[idx] != key:
            mismatched += 1
    if mismatched:
        problems.append(f"{name}.key_to_index has {mismatched} entries that do not point back to their key")
    missing = 0
    for i, key in [] if k2i_ok else enumerate(keys):
        if k2i.get(key) == i:
            continue
        if allow_int_keys and isinstance(key, (int, np.integer)) and key == i and key not in k2i:
            continue  # gensim's plain int tags are their own positions
        missing += 1
    if missing:
        problems.append(
            f"{name}.index_to_key has {missing} keys that key_to_index does not map to their position"
        )
    if not k2i_ok and len(set(keys)) != n:
        problems.append(f"{name}.index_to_key has duplicate keys")

    for attr, values in kv.expandos.items():
        if len(values) != n:
            problems.append(f"{name} attribute '{attr}' has {len(values)} entries for {n} keys")
    lockf = getattr(kv, "vectors_lockf", None)
    if lockf is not None and len(lockf) not in (1,) and len(lockf) < n:
        problems.append(
            f"{name}.vectors_lockf has {len(lockf)} entries; it must be 1 long or cover all {n} keys"
        )
    norms = getattr(kv, "norms", None)
    if norms is not None:
        if len(norms) != vectors.shape[0]:
            problems.append(f"{name}.norms are stale: {len(norms)} norms for {vectors.shape[0]} vectors")
        elif len(norms):
            # Rows of the vectors, not keys: a broken model can have more keys than rows.
            rows = _sample_rows(len(norms))
            if not np.allclose(norms[rows], np.linalg.norm(vectors[rows], axis=1), rtol=1e-4, atol=1e-6):
                problems.append(f"{name}.norms are stale: they do not match the vectors")
    if n and vectors.shape[0] == n and not _finite(vectors, _sample_rows(n)):
        problems.append(f"{name}.vectors contain NaN or infinite values")
    return problems


def _one_to_one(keys: Sequence[Hashable], k2i: Mapping[Hashable, int]) -> bool:
    """Whether ``k2i[keys[i]] == i`` for every ``i`` and ``k2i`` holds nothing else.

    gensim and paravec fill ``key_to_index`` in index order, and a dict keeps its insertion order:
    its keys are then the very objects of ``index_to_key`` (pickling keeps them shared) and its
    values ``0..n-1``, which comparisons in C prove for a million keys in milliseconds, where a
    lookup per key in Python takes a second. A key is found under itself, so identity suffices.
    Any other layout takes the lookup per key.
    """
    n = len(keys)
    if len(k2i) != n:
        return False
    if all(map(operator.is_, k2i, keys)) and list(k2i.values()) == list(range(n)):
        return True
    return all(k2i.get(key) == i for i, key in enumerate(keys))


def _check_huffman(model: Doc2Vec, n_words: int) -> list[str]:
    syn1 = getattr(model, "syn1", None)
    if syn1 is None or syn1.ndim != 2 or syn1.shape[1] != model.layer1_size:
        return [f"syn1 is missing or not {model.layer1_size} wide"]
    codes = model.wv.expandos.get("code")
    points = model.wv.expandos.get("point")
    if codes is None or points is None:
        return ["hierarchical softmax model without Huffman codes/points"]
    if len(codes) != n_words or len(points) != n_words:
        return []  # already reported as an attribute length problem
    # Whole-vocabulary array operations, not a loop over the words: this runs before every update.
    code_len = np.fromiter(map(len, codes), dtype=np.int64, count=n_words)
    point_len = np.fromiter(map(len, points), dtype=np.int64, count=n_words)
    bad_len = int(np.count_nonzero(code_len != point_len))
    (flat_points, point_sizes), (flat_codes, code_sizes) = _flat(points), _flat(codes)
    outside = _words_with(point_sizes, (flat_points >= len(syn1)) | (flat_points < 0))
    bad_code = _words_with(code_sizes, flat_codes > 1)
    problems = []
    if outside:
        problems.append(f"{outside} words have Huffman points outside syn1 ({len(syn1)} rows)")
    if bad_len:
        problems.append(f"{bad_len} words have Huffman codes and points of different lengths")
    if bad_code:
        problems.append(f"{bad_code} words have Huffman codes other than 0/1")
    if n_words > 1 and not code_len.all():
        problems.append("some words have no Huffman code")
    return problems


def _flat(values: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """Every word's code or points end to end (as `paravec.vocab.hs_arrays` lays them out), and
    how many entries each word has there."""
    try:
        flat = np.concatenate(values) if len(values) else np.zeros(0, dtype=np.int64)  # type: ignore[arg-type]
    except ValueError:  # entries of different dimensions
        flat = None
    if flat is not None and flat.ndim == 1:
        return flat, np.fromiter(map(len, values), dtype=np.int64, count=len(values))  # type: ignore[arg-type]
    parts = [np.ravel(np.asarray(v)) for v in values]
    return np.concatenate(parts), np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))


def _words_with(lengths: np.ndarray, flagged: np.ndarray) -> int:
    """How many words have a flagged entry, the entries laid out word after word in ``lengths``."""
    if not flagged.any():
        return 0
    return len(np.unique(np.repeat(np.arange(len(lengths)), lengths)[flagged]))


def _finite(vectors: np.ndarray, rows: np.ndarray) -> bool:
    """Whether ``vectors[rows]`` are all finite, read block by block in place (no copy of the rows;
    a NaN makes a block's minimum NaN, an infinity its minimum or maximum infinite)."""
    cuts = np.flatnonzero(np.diff(rows) != 1) + 1
    for block in np.split(rows, cuts):
        part = vectors[block[0] : block[-1] + 1]
        if part.size and not (np.isfinite(part.min()) and np.isfinite(part.max())):
            return False
    return True


def _sample_rows(n: int) -> np.ndarray:
    # Whole arrays of millions of documents are too slow to scan on every check. The sample is a
    # few contiguous blocks, not scattered rows: on a memory-mapped array every scattered row
    # would fault in a whole readahead window, reading most of the file. The ends of the array
    # (where updates append) are always included.
    if n <= _SAMPLE_ROWS:
        return np.arange(n)
    blocks = 20
    width = _SAMPLE_ROWS // blocks
    starts = np.linspace(0, n - width, blocks).astype(np.int64)
    return np.unique((starts[:, None] + np.arange(width)[None, :]).ravel())


@functools.cache
def _reference_attributes() -> frozenset[str]:
    """Attribute names a Doc2Vec has after gensim builds and trains it, in this gensim version."""
    names: set[str] = set(_OPTIONAL_ATTRIBUTES)
    for kwargs in ({"dm": 1, "hs": 1, "negative": 0}, {"dm": 0, "dm_concat": 0, "negative": 5}):
        model = Doc2Vec(vector_size=4, min_count=1, epochs=1, workers=1, **kwargs)
        model.build_vocab([TaggedDocument(["a", "b"], ["x"])])
        model.train([TaggedDocument(["a", "b"], ["x"])], total_examples=1, epochs=1)
        names |= set(vars(model))
    return frozenset(names)
