"""paravec.kernel against gensim's compiled ``doc2vec_inner``, one training call at a time.

Each test trains a small gensim model on lee_background.cor, copies it, and lets gensim's
``train_document_*`` and paravec's ``train_chunk`` each train the same document once from the same
weights, learning rate and random state (all of paravec's lock factors 1). The two must move the
same rows of every weight matrix by the same amounts.

Aligning the random numbers: gensim starts from ``2**24 * randint(0, 2**24) + randint(0, 2**24)``
drawn from ``model.random``, and so does paravec here. Both read a state, then advance it, for every
draw, in the same order: one downsampling draw per word when the model downsamples (none at
``sample=0``), then the negative samples, so every configuration is compared with downsampling on
and off. One difference is by design: gensim takes window reductions from ``model.random`` (numpy)
rather than the LCG, which paravec's compiled code cannot share, so the windowed modes train with
``shrink_windows=False``.

Tolerance: paravec's loops are compiled with fastmath, so its 16-term dot products sum in another
order than gensim's BLAS ``sdot`` and may differ in the last bits of float32, and its sigmoid table
is computed in float64 where gensim's arguments are float32 (entries differ by up to 6 units in the
last place, 1.2e-7). A step moves a row by alpha * g * x with |g| < 1; the differences that causes
are of order 1e-7 of the step, hence ``rtol=1e-5``; a step is compared as the difference of two
stored float32 weights, each rounded to a unit in the last place of the weight, hence ``atol`` of
two such units. Any wrong index, sign, scaling or skipped unit is an error of order 1 of the step.
One float effect is not covered by that tolerance: a dot product within rounding of an edge
between two table bins reads neighbouring entries in the two kernels, and the steps that follow
from it differ in their fourth digit. Over the first 50 Lee documents, 0 to 9 per configuration
differ so (most with dbow_words, which takes the most steps), always on the same rows, by at most
6e-4 of the largest step. Hence a fixed document, with none on the hosts this test was written
on; but which dot products fall within rounding of an edge depends on the BLAS gensim runs on
(with gensim 4.3 on an AMD host whose OpenBLAS runs its Haswell kernels, this document has one,
in dbow_words without downsampling). So a step may also differ beyond rounding in at most
`EDGE_ROWS` rows of a matrix, by at most `EDGE_SHARE` of the largest step: a wrong index, sign or
scale still fails.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument
from gensim.models.doc2vec_inner import train_document_dbow, train_document_dm, train_document_dm_concat

from paravec.errors import ModelBrokenError
from paravec.kernel import (
    MODE_DBOW,
    MODE_DM_CONCAT,
    MODE_DM_MEAN,
    Config,
    Corpus,
    Locks,
    Schedule,
    Tables,
    Weights,
    _negative_word,
    initial_state,
    negative_index,
    prepare,
    train_chunk,
    train_range,
)
from paravec.vocab import hs_arrays

ALPHA = 0.025
DOC = 1  # see the module docstring on sigmoid-table bin edges
_MASK = 2**48 - 1
RTOL = 1e-5
# A sigmoid-table bin edge's effect (module docstring): rows it may touch, and its bound.
EDGE_ROWS = 4
EDGE_SHARE = 1e-3

ARCHITECTURES = {
    "dbow": dict(dm=0),
    "dbow_words": dict(dm=0, dbow_words=1),
    "dm_mean": dict(dm=1, dm_mean=1),
    "dm_concat": dict(dm=1, dm_concat=1, window=2),
}
OUTPUTS = {"negative": dict(hs=0, negative=5), "hs": dict(hs=1, negative=0)}
CONFIGURATIONS = [(a, o) for a in ARCHITECTURES for o in OUTPUTS]
SAMPLES = {"downsampling": 1e-3, "no_downsampling": 0.0}  # 1e-3 is what the models train with


@pytest.fixture(scope="module")
def models(lee_background: list[TaggedDocument]) -> dict[tuple[str, str], Doc2Vec]:
    """One small trained model per configuration (trained once, copied by each test)."""
    trained = {}
    for arch, out in CONFIGURATIONS:
        params = dict(vector_size=16, window=3, min_count=2, epochs=2, seed=1, workers=1)
        trained[arch, out] = Doc2Vec(lee_background, **{**params, **ARCHITECTURES[arch], **OUTPUTS[out]})
    return trained


def _inputs(model: Doc2Vec, ids: np.ndarray, tag: int) -> tuple[Corpus, Weights, Locks, Tables, Config]:
    """paravec's kernel inputs for one document of ``model``, on copies of its weights."""
    layer1 = model.layer1_size
    syn1neg = model.syn1neg.copy() if model.negative else np.zeros((0, layer1), np.float32)
    syn1 = model.syn1.copy() if model.hs else np.zeros((0, layer1), np.float32)
    corpus = Corpus(
        ids.astype(np.int32), np.array([0, len(ids)]), np.array([tag], np.int32), np.array([0, 1])
    )
    weights = Weights(model.wv.vectors.copy(), model.dv.vectors.copy(), syn1neg, syn1)
    locks = Locks(*(np.ones(len(m), np.float32) for m in weights))
    points, codes, starts = hs_arrays(model)
    cum_table = model.cum_table if model.negative else np.zeros(1, np.uint32)
    tables = Tables(cum_table, points, codes, starts, model.wv.expandos["sample_int"])
    mode = MODE_DM_CONCAT if model.dm_concat else MODE_DM_MEAN if model.dm else MODE_DBOW
    config = Config(mode, bool(model.dbow_words), bool(model.hs), int(model.negative), int(model.window),
                    bool(model.shrink_windows), bool(model.cbow_mean), int(model.dm_tag_count),
                    model.wv.key_to_index.get("\0", 0), layer1, model.sample > 0)  # fmt: skip
    return corpus, weights, locks, tables, config


def _gensim_call(model: Doc2Vec, words: list[str], tag: int) -> None:
    if not model.dm:
        train_document_dbow(model, words, [tag], ALPHA, train_words=bool(model.dbow_words))
    elif model.dm_concat:
        train_document_dm_concat(model, words, [tag], ALPHA)
    else:
        train_document_dm(model, words, [tag], ALPHA)


def _matrices(model: Doc2Vec) -> dict[str, np.ndarray]:
    found = {"wv": model.wv.vectors, "dv": model.dv.vectors}
    if model.negative:
        found["syn1neg"] = model.syn1neg
    if model.hs:
        found["syn1"] = model.syn1
    return found


def _changed_rows(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.flatnonzero((before != after).any(axis=1))


def _train_both(
    base: Doc2Vec, doc: TaggedDocument, tag: int
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Train ``doc`` once with gensim and once with paravec from the same state; (before, gensim, paravec)."""
    model = copy.deepcopy(base)
    words = [w for w in doc.words if w in model.wv.key_to_index]
    ids = np.array([model.wv.key_to_index[w] for w in words])
    corpus, weights, locks, tables, config = _inputs(model, ids, tag)
    before = {k: m.copy() for k, m in _matrices(model).items()}

    model.random = np.random.RandomState(12345)
    twin = np.random.RandomState(12345)
    start = (2**24) * twin.randint(0, 2**24) + twin.randint(0, 2**24)  # init_d2v_config's draw
    _gensim_call(model, words, tag)

    schedule = Schedule(ALPHA, ALPHA, 0.0, 1.0)
    kept = train_chunk(corpus, np.array([0]), weights, locks, tables, config, schedule, int(start))
    ours = {
        "wv": weights.wv,
        "dv": weights.dv,
        "syn1neg": weights.syn1neg,
        "syn1": weights.syn1,
        "kept": kept,
    }
    return before, _matrices(model), ours


def _assert_same_steps(ours: np.ndarray, theirs: np.ndarray, before: np.ndarray, name: str) -> None:
    """The steps ``ours`` equal ``theirs`` within float32 rounding, but for a bin edge's rows (module
    docstring): at most `EDGE_ROWS` rows, each off by at most `EDGE_SHARE` of the largest step."""
    ulp = float(np.spacing(np.abs(before).max()))
    diff = np.abs(ours - theirs)
    rounding = diff <= RTOL * np.abs(theirs) + 2 * ulp
    edge_rows = np.unique(np.nonzero(~rounding)[0])
    assert len(edge_rows) <= EDGE_ROWS, (name, edge_rows.tolist())
    assert diff.max() <= EDGE_SHARE * np.abs(theirs).max(), (name, float(diff.max()))


@pytest.mark.parametrize("sample", list(SAMPLES))
@pytest.mark.parametrize(("arch", "out"), CONFIGURATIONS)
def test_one_call_moves_the_rows_gensim_moves(
    models: dict[tuple[str, str], Doc2Vec],
    lee_background: list[TaggedDocument],
    arch: str,
    out: str,
    sample: str,
) -> None:
    base = copy.deepcopy(models[arch, out])
    base.shrink_windows = False  # gensim draws window reductions from model.random, paravec from the LCG
    base.sample = SAMPLES[sample]
    doc = lee_background[DOC]
    before, theirs, ours = _train_both(base, doc, tag=DOC)
    for name, after in theirs.items():
        rows = _changed_rows(before[name], after)
        assert (len(rows) == 0) == (name == "wv" and arch == "dbow"), name  # plain PV-DBOW trains no words
        np.testing.assert_array_equal(_changed_rows(before[name], ours[name]), rows, err_msg=name)
        _assert_same_steps(ours[name] - before[name], after - before[name], before[name], name)
    in_vocab = sum(w in base.wv.key_to_index for w in doc.words)
    if base.sample:  # downsampling dropped words, and the rows show paravec dropped the same ones
        assert 0 < ours["kept"] < in_vocab
    else:
        assert ours["kept"] == in_vocab


def _one_call(
    model: Doc2Vec, ids: np.ndarray, tag: int, set_locks: Callable[[Locks], None]
) -> tuple[Weights, Weights]:
    """(before, after) of one paravec call on ``ids`` with the locks ``set_locks`` leaves."""
    corpus, weights, locks, tables, config = _inputs(model, ids, tag)
    set_locks(locks)
    before = Weights(*(m.copy() for m in weights))
    train_chunk(corpus, np.array([0]), weights, locks, tables, config, Schedule(ALPHA, ALPHA, 0.0, 1.0), 99)
    return before, weights


def _vocab_ids(model: Doc2Vec, words: list[str]) -> np.ndarray:
    return np.array([model.wv.key_to_index[w] for w in words if w in model.wv.key_to_index])


@pytest.mark.parametrize(("arch", "out"), CONFIGURATIONS)
def test_factor_zero_leaves_rows_bit_identical(
    models: dict[tuple[str, str], Doc2Vec], lee_background: list[TaggedDocument], arch: str, out: str
) -> None:
    model = models[arch, out]

    def freeze_all_but_one_document(locks: Locks) -> None:
        for factors in locks:
            factors[:] = 0.0
        locks.doc[3] = 1.0

    before, after = _one_call(
        model, _vocab_ids(model, lee_background[3].words), 3, freeze_all_but_one_document
    )
    for name, old, new in zip(Weights._fields, before, after, strict=True):
        assert _changed_rows(old, new).tolist() == ([3] if name == "dv" else []), name


# Which matrix learns at a fractional factor, in which configuration, on which words: documents so
# short that every row of that matrix takes exactly one step, from weights no other step has moved.
FRACTIONAL = {
    "word": (("dm_mean", "negative"), ["government", "minister"]),
    "doc": (("dbow", "negative"), ["government"]),
    "out": (("dbow", "negative"), ["government"]),
    "node": (("dbow", "hs"), ["government"]),
}


@pytest.mark.parametrize("lock", list(FRACTIONAL))
def test_fractional_factor_scales_the_step(models: dict[tuple[str, str], Doc2Vec], lock: str) -> None:
    configuration, words = FRACTIONAL[lock]
    model = copy.deepcopy(models[configuration])
    model.sample = 0  # keep every word
    ids = _vocab_ids(model, words)
    assert len(ids) == len(words)

    def only(factor: float) -> Callable[[Locks], None]:
        def set_locks(locks: Locks) -> None:
            for factors in locks:
                factors[:] = 0.0
            getattr(locks, lock)[:] = factor

        return set_locks

    before, full = _one_call(model, ids, 0, only(1.0))
    _, quarter = _one_call(model, ids, 0, only(0.25))
    index = Locks._fields.index(lock)
    rows = _changed_rows(before[index], full[index])
    assert len(rows) > 0
    np.testing.assert_array_equal(_changed_rows(before[index], quarter[index]), rows)
    step_full = full[index][rows] - before[index][rows]
    step_quarter = quarter[index][rows] - before[index][rows]
    # Exact but for the rounding of each addition to its row: one unit in the last place.
    ulp = float(np.spacing(np.abs(before[index][rows]).max()))
    np.testing.assert_allclose(step_quarter, 0.25 * step_full, rtol=0, atol=ulp)
    assert np.abs(step_full).max() > 100 * ulp


def test_initial_state_matches_the_old_seed_formula() -> None:
    assert initial_state(0) == 1
    assert initial_state(123) == (123 * 7919 + 1) & _MASK
    assert initial_state(-1) == (-7918) & _MASK
    assert initial_state(2**60) == (2**60 * 7919 + 1) & _MASK


def test_bad_inputs_are_refused_before_the_compiled_code_runs(
    models: dict[tuple[str, str], Doc2Vec], lee_background: list[TaggedDocument]
) -> None:
    model = models["dbow", "negative"]
    ids = np.array([model.wv.key_to_index[w] for w in lee_background[0].words if w in model.wv.key_to_index])
    corpus, weights, locks, tables, config = _inputs(model, ids, 0)
    schedule = Schedule(ALPHA, ALPHA, 0.0, 1.0)
    order = np.array([0])
    outside = corpus._replace(tag_ids=np.array([len(weights.dv)], np.int32))
    with pytest.raises(ModelBrokenError, match=r"a tag index is outside dv\.vectors"):
        train_chunk(outside, order, weights, locks, tables, config, schedule, 1)
    wrong_dtype = corpus._replace(word_ids=corpus.word_ids.astype(np.int64))
    with pytest.raises(ModelBrokenError, match="word_ids is int64, expected int32"):
        train_chunk(wrong_dtype, order, weights, locks, tables, config, schedule, 1)
    short_locks = locks._replace(out=locks.out[:-1])
    with pytest.raises(ModelBrokenError, match="the out locks must be float32, one per row"):
        train_chunk(corpus, order, weights, short_locks, tables, config, schedule, 1)
    with pytest.raises(ModelBrokenError, match="a document index is outside the corpus"):
        train_chunk(corpus, np.array([1]), weights, locks, tables, config, schedule, 1)


def test_a_noise_word_drawn_twice_moves_its_row_as_gensim_does() -> None:
    """With four words and 20 noise words per prediction every prediction draws some row twice: the
    second unit must see the row the first one moved (paravec takes dot products ahead)."""
    words = ["north", "south", "east", "west"]
    docs = [TaggedDocument([words[(i + j) % 4] for j in range(12)], [i]) for i in range(4)]
    model = Doc2Vec(docs, vector_size=16, window=2, min_count=1, epochs=2, seed=1, workers=1, dm=0,
                    dbow_words=1, hs=0, negative=20, sample=0)  # fmt: skip
    model.shrink_windows = False
    before, theirs, ours = _train_both(model, docs[1], tag=1)
    for name, after in theirs.items():
        assert len(_changed_rows(before[name], after)) > 0, name
        ulp = float(np.spacing(np.abs(before[name]).max()))
        np.testing.assert_allclose(
            ours[name] - before[name], after - before[name], rtol=RTOL, atol=2 * ulp, err_msg=name
        )


def test_negative_index_finds_the_word_bisection_finds(models: dict[tuple[str, str], Doc2Vec]) -> None:
    cum = models["dbow", "negative"].cum_table
    index = negative_index(cum)
    domain = int(cum[-1])
    edges = np.concatenate([cum.astype(np.int64) + d for d in (-1, 0, 1)] + [[0, domain - 1]])
    draws = np.concatenate([edges, np.random.default_rng(0).integers(0, domain, 20_000)])
    draws = draws[(draws >= 0) & (draws < domain)].astype(np.uint32)
    found = [_negative_word(cum, index.cum_index, index.shift, x) for x in draws]
    np.testing.assert_array_equal(found, np.searchsorted(cum, draws, side="left"))


def test_a_prepared_job_trains_ranges_within_its_corpus(models: dict[tuple[str, str], Doc2Vec]) -> None:
    model = models["dbow", "negative"]
    corpus, weights, locks, tables, config = _inputs(model, np.arange(30), 0)
    two = corpus._replace(doc_starts=np.array([0, 10, 30]), tag_ids=np.array([0, 1], np.int32),
                          tag_starts=np.array([0, 1, 2]))  # fmt: skip
    job = prepare(two, weights, locks, tables, config)
    before = weights.dv.copy()
    assert train_range(job, 1, 2, Schedule(ALPHA, ALPHA, 0.0, 1.0), 5) > 0
    assert _changed_rows(before, weights.dv).tolist() == [1]
    with pytest.raises(ModelBrokenError, match=r"documents 1\.\.3 are not within the corpus"):
        train_range(job, 1, 3, Schedule(ALPHA, ALPHA, 0.0, 1.0), 5)
    with pytest.raises(ModelBrokenError, match=r"a word index is outside wv\.vectors"):
        prepare(two._replace(word_ids=two.word_ids + len(weights.wv)), weights, locks, tables, config)
