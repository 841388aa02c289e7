"""Checks before compiled inference: every index the loops will follow lands inside its array.

`paravec.inference_kernel` and `paravec.inference_dbow` run gensim's inference steps in numba
code that checks no index (Le & Mikolov 2014's paragraph-vector inference; gensim's compiled code
does the same). What a call's documents and a model's arrays must satisfy is proven here
first, in two halves: `check_model_inputs` for what depends on the model only (done once per
model by `paravec.infer`, and again when an array is replaced or a setting changes) and
`check_call_inputs` for what each call brings. `build_lookup` derives, once per model, what the
loops look up per unit.

Examples
--------
>>> import numpy as np
>>> from paravec.inference_checks import check_call_inputs
>>> from paravec.kernel_inputs import Corpus, Weights
>>> empty = np.zeros((0, 4), np.float32)
>>> weights = Weights(np.zeros((3, 4), np.float32), empty, empty, empty)
>>> corpus = Corpus(np.array([0, 7], np.int32), np.array([0, 2]), np.zeros(1, np.int32), np.arange(2))
>>> out, keys, alphas = np.empty((1, 4), np.float32), np.zeros(1, np.uint64), np.ones(2, np.float32)
>>> check_call_inputs(corpus, out, keys, alphas, weights)
Traceback (most recent call last):
...
paravec.errors.ModelBrokenError: refusing to infer: a word index is outside wv.vectors
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from numba import njit

from paravec.errors import ModelBrokenError
from paravec.kernel import negative_index
from paravec.kernel_inputs import MODE_DBOW, MODE_DM_CONCAT, MODE_DM_MEAN, Config, Corpus, Tables, Weights

__all__ = ["Lookup", "build_lookup", "check_call_inputs", "check_inference_inputs", "check_model_inputs"]


class Lookup(NamedTuple):
    """What inference looks up per unit, derived once from the model's `Tables` (`build_lookup`)."""

    # The training kernel's bucket index of cum_table (`paravec.kernel.NegativeIndex`): a few
    # steps instead of a binary search over the vocabulary, whose mispredicted branches cost as
    # much as the arithmetic of a unit. The word found is the same.
    cum_index: npt.NDArray[np.int64]
    shift: int
    units: int  # most units one prediction takes: 1 + negative, or the longest Huffman path
    max_point: int  # the highest row of syn1 a Huffman path visits (-1: none)


def build_lookup(tables: Tables, config: Config) -> Lookup:
    """The `Lookup` of ``tables``, after proving the tables sound (they are then reused per call).

    Raises
    ------
    ModelBrokenError
        If ``cum_table`` is not non-decreasing or the Huffman offsets are broken.
    """
    cum, starts = tables.cum_table, tables.code_starts
    if config.negative > 0 and (
        len(cum) == 0 or cum[-1] == 0 or bool((np.diff(cum.astype(np.int64)) < 0).any())
    ):
        raise ModelBrokenError(
            "refusing to infer: cum_table is not a non-decreasing table with a positive total"
        )
    paths = np.diff(starts)
    if len(starts) == 0 or starts[0] != 0 or starts[-1] != len(tables.points) or bool((paths < 0).any()):
        raise ModelBrokenError("refusing to infer: the Huffman code offsets are broken")
    if len(tables.codes) != len(tables.points):
        raise ModelBrokenError("refusing to infer: Huffman codes and points differ in length")
    search = negative_index(cum)
    index, shift = search.cum_index.astype(np.int64), search.shift
    units = max(config.negative + 1, int(paths.max()) if len(paths) else 0, 1)
    units += -units % 6  # `_predict` takes rows six at a time
    max_point = int(tables.points.max()) if len(tables.points) else -1
    return Lookup(cum_index=index, shift=shift, units=units, max_point=max_point)


def check_inference_inputs(corpus: Corpus, out: npt.NDArray[np.float32], keys: npt.NDArray[np.uint64],
                           weights: Weights, tables: Tables, config: Config,
                           alphas: npt.NDArray[np.float32], lookup: Lookup) -> None:  # fmt: skip
    """Prove every index `infer_range` will follow lands inside its array (it checks none).

    What `build_lookup` proved of the tables is not checked again; everything that can change
    between calls (the model's arrays, the documents) is, in time independent of the vocabulary
    size but for the documents' words. `check_model_inputs` and `check_call_inputs` are its two
    halves, for a caller that keeps a model's checked arrays between calls.

    Raises
    ------
    ModelBrokenError
        Naming every problem found.
    """
    _refuse(
        _model_problems(weights, tables, config, lookup) + _call_problems(corpus, out, keys, alphas, weights)
    )


def check_model_inputs(weights: Weights, tables: Tables, config: Config, lookup: Lookup) -> None:
    """The half of `check_inference_inputs` that depends on the model only.

    Raises
    ------
    ModelBrokenError
        Naming every problem found.
    """
    _refuse(_model_problems(weights, tables, config, lookup))


def check_call_inputs(corpus: Corpus, out: npt.NDArray[np.float32], keys: npt.NDArray[np.uint64],
                      alphas: npt.NDArray[np.float32], weights: Weights) -> None:  # fmt: skip
    """The half of `check_inference_inputs` that depends on the call (documents, output, keys, rates).

    Raises
    ------
    ModelBrokenError
        Naming every problem found.
    """
    _refuse(_call_problems(corpus, out, keys, alphas, weights))


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ModelBrokenError("refusing to infer: " + "; ".join(problems))


def _layout_problems(arrays: tuple[tuple[str, npt.NDArray[Any], type, int], ...]) -> list[str]:
    return [f"{name} must be a {ndim}-D C-contiguous {np.dtype(dtype)} array" for name, arr, dtype, ndim in arrays
            if arr.dtype != dtype or arr.ndim != ndim or not arr.flags.c_contiguous]  # fmt: skip


def _model_problems(weights: Weights, tables: Tables, config: Config, lookup: Lookup) -> list[str]:
    problems = _layout_problems((("wv", weights.wv, np.float32, 2), ("syn1neg", weights.syn1neg, np.float32, 2),
                                 ("syn1", weights.syn1, np.float32, 2), ("cum_table", tables.cum_table, np.uint32, 1),
                                 ("sample_int", tables.sample_int, np.uint32, 1),
                                 ("code_starts", tables.code_starts, np.int64, 1),
                                 ("points", tables.points, np.uint32, 1), ("codes", tables.codes, np.uint8, 1),
                                 ("cum_index", lookup.cum_index, np.int64, 1)))  # fmt: skip
    if problems:
        return problems
    n_words, size = weights.wv.shape
    concat = config.mode == MODE_DM_CONCAT
    layer1 = (config.dm_tag_count + 2 * config.window) * size if concat else size
    cum, neg = tables.cum_table, config.negative > 0
    checks = [
        (f"unknown mode {config.mode}", config.mode not in (MODE_DBOW, MODE_DM_MEAN, MODE_DM_CONCAT)),
        (f"layer1_size is {config.layer1_size}, expected {layer1}", config.layer1_size != layer1),
        (
            "the output layers do not match",
            layer1 != weights.syn1neg.shape[1] or layer1 != weights.syn1.shape[1],
        ),
        ("syn1neg does not match the vocabulary", neg and len(weights.syn1neg) != n_words),
        ("cum_table does not match the vocabulary", neg and len(cum) != n_words),
        (
            "the negative-sampling lookup does not match cum_table",
            neg and (cum[-1] == 0 or len(lookup.cum_index) != ((int(cum[-1]) - 1) >> lookup.shift) + 2),
        ),
        ("sample_int does not match the vocabulary", len(tables.sample_int) != n_words),
        (
            "the Huffman codes do not match the vocabulary",
            config.hs and len(tables.code_starts) != n_words + 1,
        ),
        ("a Huffman point is outside syn1", config.hs and lookup.max_point >= len(weights.syn1)),
        ("the unit buffer is shorter than a prediction", lookup.units < config.negative + 1),
        ("the null word is outside wv.vectors", concat and not 0 <= config.null_word < n_words),
        ("the window is below 1", config.window < 1),
    ]
    return [message for message, failed in checks if failed]


def _call_problems(corpus: Corpus, out: npt.NDArray[np.float32], keys: npt.NDArray[np.uint64],
                   alphas: npt.NDArray[np.float32], weights: Weights) -> list[str]:  # fmt: skip
    problems = _layout_problems((("out", out, np.float32, 2), ("keys", keys, np.uint64, 1),
                                 ("alphas", alphas, np.float32, 1), ("word_ids", corpus.word_ids, np.int32, 1),
                                 ("doc_starts", corpus.doc_starts, np.int64, 1)))  # fmt: skip
    if problems:
        return problems
    n_docs = len(corpus.doc_starts) - 1
    n_words, size = weights.wv.shape
    if out.shape != (n_docs, size) or not out.flags.writeable:
        problems.append(f"out must be a writable ({n_docs}, {size}) array")
    if len(keys) != n_docs:
        problems.append(f"{len(keys)} keys for {n_docs} documents")
    offsets, words = _corpus_faults(corpus.doc_starts, corpus.word_ids, n_words)
    if offsets:
        problems.append("document offsets are broken")
    if words:
        problems.append("a word index is outside wv.vectors")
    return problems


@njit(cache=True, nogil=True)
def _corpus_faults(starts, ids, n_words):  # type: ignore[no-untyped-def]
    # Compiled: the same checks in numpy cost a short query more than its words' lookup.
    offsets = len(starts) == 0 or starts[0] != 0 or starts[len(starts) - 1] != len(ids)
    for d in range(len(starts) - 1):
        offsets |= starts[d + 1] < starts[d]
    words = False
    for w in ids:
        words |= (w < 0) | (w >= n_words)
    return offsets, words
