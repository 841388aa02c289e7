"""The typed inputs of the training kernel (`paravec.kernel`) and the proof that they fit.

The kernel re-implements gensim's Doc2Vec training steps (Le & Mikolov 2014, "Distributed
Representations of Sentences and Documents") in compiled code that, like gensim's, does no bounds
checks. Its inputs are records of plain arrays and scalars, which numba compiles against, and
`check_inputs` proves every index the compiled code will follow lands inside its array, so a
broken model is refused with a message instead of corrupting memory.

Examples
--------
A corpus whose only document points at a word the vocabulary does not have is refused:

>>> import numpy as np
>>> from paravec.kernel_inputs import MODE_DBOW, Config, Corpus, Locks, Tables, Weights, check_inputs
>>> weights = Weights(wv=np.zeros((2, 4), np.float32), dv=np.zeros((1, 4), np.float32),
...                   syn1neg=np.zeros((2, 4), np.float32), syn1=np.zeros((0, 4), np.float32))
>>> locks = Locks(*(np.ones(len(matrix), np.float32) for matrix in weights))
>>> tables = Tables(cum_table=np.array([1, 2], np.uint32), points=np.zeros(0, np.uint32),
...                 codes=np.zeros(0, np.uint8), code_starts=np.zeros(3, np.int64),
...                 sample_int=np.full(2, 2**32 - 1, np.uint32))
>>> config = Config(mode=MODE_DBOW, dbow_words=False, hs=False, negative=1, window=2,
...                 shrink_windows=True, cbow_mean=True, dm_tag_count=1, null_word=0,
...                 layer1_size=4, downsample=False)
>>> corpus = Corpus(word_ids=np.array([0, 2], np.int32), doc_starts=np.array([0, 2]),
...                 tag_ids=np.array([0], np.int32), tag_starts=np.array([0, 1]))
>>> check_inputs(corpus, np.array([0]), weights, locks, tables, config)
Traceback (most recent call last):
    ...
paravec.errors.ModelBrokenError: refusing to train: a word index is outside wv.vectors
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from paravec.errors import ModelBrokenError

__all__ = ["MODE_DBOW", "MODE_DM_CONCAT", "MODE_DM_MEAN", "Config", "Corpus", "Locks", "Schedule", "Shadow",
           "Tables", "Weights", "check_inputs"]  # fmt: skip

MODE_DBOW = 0
MODE_DM_MEAN = 1
MODE_DM_CONCAT = 2

_Floats = npt.NDArray[np.float32]
_Ints = npt.NDArray[np.int64]


class Corpus(NamedTuple):
    """The documents, flattened: document ``d`` is ``word_ids[doc_starts[d]:doc_starts[d + 1]]``."""

    word_ids: npt.NDArray[np.int32]  # vocabulary rows, words outside the vocabulary already dropped
    doc_starts: npt.NDArray[np.int64]  # n_docs + 1 offsets into word_ids
    tag_ids: npt.NDArray[np.int32]  # rows of dv
    tag_starts: npt.NDArray[np.int64]  # n_docs + 1 offsets into tag_ids


class Weights(NamedTuple):
    """The matrices training moves: float32, C-contiguous, writable (zero rows if unused)."""

    wv: _Floats  # input word vectors, (n_words, vector_size)
    dv: _Floats  # document vectors, (n_docs, vector_size)
    syn1neg: _Floats  # output rows of words for negative sampling, (n_words, layer1_size)
    syn1: _Floats  # inner nodes of the Huffman tree, (n_nodes, layer1_size)


class Locks(NamedTuple):
    """Learning-rate factors (float32), one per row of the matching matrix of `Weights`."""

    word: _Floats  # for wv
    doc: _Floats  # for dv
    out: _Floats  # for syn1neg
    node: _Floats  # for syn1


class Tables(NamedTuple):
    """Lookup tables of the vocabulary, as gensim keeps them."""

    cum_table: npt.NDArray[np.uint32]  # negative-sampling table (at least one entry)
    points: npt.NDArray[np.uint32]  # Huffman inner nodes of every word, concatenated
    codes: npt.NDArray[np.uint8]  # Huffman codes of every word, concatenated
    code_starts: npt.NDArray[np.int64]  # n_words + 1 offsets into points and codes
    sample_int: npt.NDArray[np.uint32]  # downsampling thresholds per word


class Config(NamedTuple):
    """The model's architecture, as gensim's ``Doc2Vec`` attributes of the same names say it."""

    mode: int  # MODE_DBOW, MODE_DM_MEAN or MODE_DM_CONCAT
    dbow_words: bool
    hs: bool
    negative: int
    window: int
    shrink_windows: bool
    cbow_mean: bool
    dm_tag_count: int
    null_word: int  # vocabulary row of the padding word of PV-DM concat
    layer1_size: int
    # model.sample > 0. gensim draws a random number per word for downsampling only then, and the
    # draws it skips would shift every later one; sample_int cannot tell (a model that downsamples
    # may still keep every word of a small vocabulary).
    downsample: bool

    def plain(self) -> Config:
        """The same configuration in Python's own int and bool (numpy scalars would make numba
        compile the kernel once more for their types)."""
        return Config(
            mode=int(self.mode),
            dbow_words=bool(self.dbow_words),
            hs=bool(self.hs),
            negative=int(self.negative),
            window=int(self.window),
            shrink_windows=bool(self.shrink_windows),
            cbow_mean=bool(self.cbow_mean),
            dm_tag_count=int(self.dm_tag_count),
            null_word=int(self.null_word),
            layer1_size=int(self.layer1_size),
            downsample=bool(self.downsample),
        )


class Shadow(NamedTuple):
    """Copies of frozen input word vectors that skip-gram pairs with a learning target train instead.

    In PV-DBOW with skip-gram (``dbow_words``), a pair whose context word is frozen (word lock 0)
    and whose target word learns (word lock not 0: a new word) reads and trains ``vectors[rows[context]]``
    in place of ``wv[context]``, at the target's rate, when ``rows[context]`` is not -1. The new
    words' output rows then meet contexts that adapt to them, as in retraining, while the frozen
    vectors stay bit-identical; the copies are dropped after training. No rows (``Shadow.none``):
    every pair reads ``wv``.
    """

    rows: npt.NDArray[np.int32]  # per vocabulary row: its copy's row in vectors, or -1; or empty
    vectors: _Floats  # (n_copies, vector_size)

    @classmethod
    def none(cls, size: int) -> Shadow:
        """No copies: training reads and trains ``wv`` alone."""
        return cls(np.zeros(0, np.int32), np.zeros((0, size), np.float32))


class Schedule(NamedTuple):
    """Linear learning-rate decay: ``alpha_start`` at ``progress_start``, ``alpha_end`` at 1.0.

    This chunk covers the share ``progress_span`` of the whole training from ``progress_start``.
    """

    alpha_start: float
    alpha_end: float
    progress_start: float
    progress_span: float

    def plain(self) -> Schedule:
        """The same schedule in Python floats (see `Config.plain`)."""
        return Schedule(*(float(v) for v in self))


_INDEX_DTYPES = {"word_ids": np.int32, "tag_ids": np.int32, "doc_starts": np.int64, "tag_starts": np.int64,
                 "doc_order": np.int64, "code_starts": np.int64, "points": np.uint32, "codes": np.uint8,
                 "cum_table": np.uint32, "sample_int": np.uint32}  # fmt: skip


def check_inputs(
    corpus: Corpus,
    doc_order: _Ints,
    weights: Weights,
    locks: Locks,
    tables: Tables,
    config: Config,
    shadow: Shadow | None = None,
) -> None:
    """Prove every index the compiled kernel will follow lands inside its array (it checks none).

    Parameters
    ----------
    corpus, weights, locks, tables, config
        The kernel's inputs (see their classes).
    doc_order : ndarray of int64
        Indices of the documents of ``corpus`` to train.
    shadow : Shadow, optional
        Copies of frozen context vectors (none by default).

    Raises
    ------
    ModelBrokenError
        Naming every problem found: a wrong dtype or layout first, then any index out of range.
    """
    arrays = {**corpus._asdict(), **tables._asdict(), "doc_order": doc_order}
    wrong = {k: t for k, t in _INDEX_DTYPES.items() if arrays[k].dtype != t}
    problems = [f"{k} is {arrays[k].dtype}, expected {np.dtype(t)}" for k, t in wrong.items()]
    for name, matrix in weights._asdict().items():
        if matrix.dtype != np.float32 or matrix.ndim != 2 or not matrix.flags.c_contiguous:
            problems.append(f"{name} must be a 2-D C-contiguous float32 array")
        elif not matrix.flags.writeable:
            problems.append(f"{name} is read-only")
    used = (True, True, config.negative > 0, config.hs)  # the other locks are never read
    for (name, lock), matrix, read in zip(locks._asdict().items(), weights, used, strict=True):
        if lock.dtype != np.float32 or lock.ndim != 1 or (read and len(lock) != len(matrix)):
            problems.append(f"the {name} locks must be float32, one per row of its matrix")
    if shadow is not None:
        rows, vectors = shadow
        if rows.dtype != np.int32 or rows.ndim != 1 or not rows.flags.c_contiguous:
            problems.append("the shadow rows must be a 1-D C-contiguous int32 array")
        elif len(rows) not in (0, len(weights.wv)):
            problems.append("the shadow rows must be one per row of wv, or none")
        if vectors.dtype != np.float32 or vectors.ndim != 2 or not vectors.flags.c_contiguous:
            problems.append("the shadow vectors must be a 2-D C-contiguous float32 array")
        elif vectors.shape[1] != weights.wv.shape[1] or not vectors.flags.writeable:
            problems.append("the shadow vectors must be writable rows as wide as wv's")
        elif len(rows) and (rows.min() < -1 or rows.max() >= len(vectors)):
            problems.append("a shadow row is outside the shadow vectors")
    if problems:
        raise ModelBrokenError("refusing to train: " + "; ".join(problems))
    problems = [
        message for message, failed in _index_checks(corpus, doc_order, weights, tables, config) if failed
    ]
    if problems:
        raise ModelBrokenError("refusing to train: " + "; ".join(problems))


def _index_checks(
    corpus: Corpus, order: _Ints, weights: Weights, tables: Tables, config: Config
) -> list[tuple[str, bool]]:
    n_words, size = weights.wv.shape
    concat = config.mode == MODE_DM_CONCAT
    layer1 = (config.dm_tag_count + 2 * config.window) * size if concat else size
    hs_bad = len(tables.code_starts) != n_words + 1 or len(tables.codes) != len(tables.points)
    hs_bad = hs_bad or _bad_offsets(tables.code_starts, len(tables.points))
    return [
        ("vector widths differ", weights.dv.shape[1] != size),
        (f"layer1_size is {config.layer1_size}, expected {layer1}", config.layer1_size != layer1),
        (
            "the output layers do not match",
            layer1 != weights.syn1neg.shape[1] or layer1 != weights.syn1.shape[1],
        ),
        ("syn1neg does not match the vocabulary", config.negative > 0 and len(weights.syn1neg) != n_words),
        ("cum_table does not match the vocabulary", config.negative > 0 and len(tables.cum_table) != n_words),
        ("sample_int does not match the vocabulary", len(tables.sample_int) != n_words),
        (
            "document offsets are broken",
            len(corpus.doc_starts) != len(corpus.tag_starts)
            or _bad_offsets(corpus.doc_starts, len(corpus.word_ids))
            or _bad_offsets(corpus.tag_starts, len(corpus.tag_ids)),
        ),
        ("a document index is outside the corpus", _outside(order, len(corpus.doc_starts) - 1)),
        ("a word index is outside wv.vectors", _outside(corpus.word_ids, n_words)),
        ("a tag index is outside dv.vectors", _outside(corpus.tag_ids, len(weights.dv))),
        (
            "a Huffman point is outside syn1",
            config.hs and (hs_bad or _outside(tables.points, len(weights.syn1))),
        ),
        ("the null word is outside wv.vectors", concat and not 0 <= config.null_word < n_words),
        ("the window is below 1", config.window < 1),
    ]


def _outside(indices: npt.NDArray[Any], length: int) -> bool:
    return len(indices) > 0 and bool(indices.min() < 0 or indices.max() >= length)


def _bad_offsets(starts: _Ints, length: int) -> bool:
    return len(starts) == 0 or starts[0] != 0 or starts[-1] != length or bool((np.diff(starts) < 0).any())
