"""paravec.kernel_inputs: the kernel's records and the checks that refuse inputs it would misread.

The valid inputs come from a small model trained on lee_background.cor; each test breaks one of
them and expects the exact message, because the compiled kernel itself would read out of bounds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.errors import ModelBrokenError
from paravec.kernel_inputs import (
    MODE_DBOW,
    MODE_DM_CONCAT,
    Config,
    Corpus,
    Locks,
    Schedule,
    Tables,
    Weights,
    check_inputs,
)
from paravec.vocab import hs_arrays

Inputs = tuple[Corpus, np.ndarray, Weights, Locks, Tables, Config]


@pytest.fixture(scope="module")
def model(lee_background: list[TaggedDocument]) -> Doc2Vec:
    return Doc2Vec(lee_background[:50], dm=0, vector_size=8, min_count=2, epochs=1, hs=1, negative=5, seed=1)


@pytest.fixture
def inputs(model: Doc2Vec, lee_background: list[TaggedDocument]) -> Inputs:
    """Valid inputs for the first two documents of ``model``."""
    docs = [
        [model.wv.key_to_index[w] for w in d.words if w in model.wv.key_to_index] for d in lee_background[:2]
    ]
    corpus = Corpus(
        np.array(docs[0] + docs[1], np.int32),
        np.array([0, len(docs[0]), len(docs[0]) + len(docs[1])]),
        np.array([0, 1], np.int32),
        np.array([0, 1, 2]),
    )
    weights = Weights(
        model.wv.vectors.copy(), model.dv.vectors.copy(), model.syn1neg.copy(), model.syn1.copy()
    )
    locks = Locks(*(np.ones(len(m), np.float32) for m in weights))
    tables = Tables(model.cum_table, *hs_arrays(model), model.wv.expandos["sample_int"])
    config = Config(MODE_DBOW, False, True, 5, 5, True, True, 1, 0, 8, True)
    return corpus, np.array([0, 1]), weights, locks, tables, config


def test_valid_inputs_pass(inputs: Inputs) -> None:
    check_inputs(*inputs)  # raises nothing


def _refused(inputs: Inputs, message: str, **replace: Any) -> None:
    """Expect ``message`` once ``replace`` (``record__field`` or ``order``) is applied to ``inputs``."""
    corpus, order, weights, locks, tables, config = inputs
    parts: dict[str, Any] = {
        "corpus": corpus,
        "order": order,
        "weights": weights,
        "locks": locks,
        "tables": tables,
    }
    for key, value in replace.items():
        record, _, field = key.partition("__")
        if record == "config":
            config = config._replace(**{field: value})
        elif field:
            parts[record] = parts[record]._replace(**{field: value})
        else:
            parts[record] = value
    with pytest.raises(ModelBrokenError, match=message):
        check_inputs(
            parts["corpus"], parts["order"], parts["weights"], parts["locks"], parts["tables"], config
        )


def test_wrong_dtypes_are_named(inputs: Inputs) -> None:
    corpus = inputs[0]
    _refused(inputs, r"^refusing to train: word_ids is int64, expected int32$",
             corpus__word_ids=corpus.word_ids.astype(np.int64))  # fmt: skip
    _refused(inputs, r"doc_order is int32, expected int64", order=np.array([0, 1], np.int32))
    _refused(inputs, r"sample_int is float64, expected uint32", tables__sample_int=np.ones(len(inputs[2].wv)))


def test_matrices_must_be_writable_c_contiguous_float32(inputs: Inputs) -> None:
    wv = inputs[2].wv
    read_only = wv.copy()
    read_only.flags.writeable = False
    _refused(inputs, r"^refusing to train: wv is read-only$", weights__wv=read_only)
    _refused(
        inputs, r"dv must be a 2-D C-contiguous float32 array", weights__dv=inputs[2].dv.astype(np.float64)
    )
    _refused(inputs, r"wv must be a 2-D C-contiguous float32 array", weights__wv=np.asfortranarray(wv))


def test_locks_must_match_the_rows_they_scale(inputs: Inputs) -> None:
    locks = inputs[3]
    _refused(inputs, r"the doc locks must be float32, one per row of its matrix", locks__doc=locks.doc[:-1])
    _refused(inputs, r"the word locks must be float32", locks__word=locks.word.astype(np.float64))


def test_unused_locks_are_not_checked(inputs: Inputs) -> None:
    corpus, order, weights, locks, tables, config = inputs
    check_inputs(corpus, order, weights, locks._replace(node=np.zeros(0, np.float32)), tables,
                 config._replace(hs=False))  # fmt: skip


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"corpus__tag_ids": np.array([0, 50], np.int32)}, r"a tag index is outside dv\.vectors"),
        ({"order": np.array([2])}, r"a document index is outside the corpus"),
        ({"corpus__doc_starts": np.array([0, 5, 3])}, r"document offsets are broken"),
        ({"tables__points": np.zeros(0, np.uint32)}, r"a Huffman point is outside syn1"),
        ({"tables__sample_int": np.zeros(3, np.uint32)}, r"sample_int does not match the vocabulary"),
        ({"tables__cum_table": np.ones(1, np.uint32)}, r"cum_table does not match the vocabulary"),
        ({"config__layer1_size": 16}, r"layer1_size is 16, expected 8"),
        ({"config__window": 0}, r"the window is below 1"),
        ({"config__mode": MODE_DM_CONCAT}, r"layer1_size is 8, expected 88"),
    ],
)
def test_out_of_range_indices_are_refused(inputs: Inputs, replace: dict[str, Any], message: str) -> None:
    _refused(inputs, message, **replace)


def test_word_outside_the_vocabulary_is_refused(inputs: Inputs) -> None:
    corpus = inputs[0]
    word_ids = corpus.word_ids.copy()
    word_ids[3] = len(inputs[2].wv)
    _refused(inputs, r"^refusing to train: a word index is outside wv\.vectors$", corpus__word_ids=word_ids)
    word_ids[3] = -1
    _refused(inputs, r"^refusing to train: a word index is outside wv\.vectors$", corpus__word_ids=word_ids)


def test_plain_converts_numpy_scalars() -> None:
    config = Config._make([np.int64(0), np.bool_(True), np.bool_(False), np.int32(5), np.int64(5), np.bool_(True),
                    np.bool_(True), np.int64(1), np.int64(0), np.int64(8), np.bool_(True)]).plain()  # fmt: skip
    assert [type(v) for v in config] == [int, bool, bool, int, int, bool, bool, int, int, int, bool]
    assert config == (0, True, False, 5, 5, True, True, 1, 0, 8, True)
    schedule = Schedule._make([np.float32(0.025), 0, np.int64(0), np.float64(0.5)]).plain()
    assert [type(v) for v in schedule] == [float] * 4
    assert schedule == (float(np.float32(0.025)), 0.0, 0.0, 0.5)
