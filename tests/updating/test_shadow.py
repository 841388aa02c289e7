"""Shadow contexts: in fit="domain", a frozen context word of a new target word trains a copy of its
vector, so the new words' output rows meet contexts that adapt to them and the frozen vectors do not."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import paravec
from paravec import ModelBrokenError, kernel
from paravec.updating import driver


@pytest.fixture(scope="module")
def skipgram(lee_background):
    """A PV-DBOW base with skip-gram (the Wikipedia recipe's kind), on 80 Lee articles."""
    return paravec.train(
        lee_background[:80],
        vector_size=16,
        epochs=2,
        min_count=2,
        dm=0,
        dbow_words=1,
        window=5,
        seed=4,
        workers=1,
    )


class Before:
    """A trainer that keeps the job and a copy of the model as training gets them, then trains."""

    def __init__(self):
        self.job, self.model = None, None

    def __call__(self, model, job, progress):
        self.job, self.model = job, copy.deepcopy(model)
        return driver.train(model, job, progress)


def _fit(model, lee_background, **kwargs):
    seen = Before()
    batch, base = lee_background[80:110], lee_background[:80]
    report = paravec.update(
        model, batch, fit="domain", rehearse=base, seed=2, workers=1, trainer=seen, **kwargs
    )
    return report, seen


def test_copies_are_the_frozen_words_that_share_a_document_with_a_new_word(skipgram, lee_background):
    model = copy.deepcopy(skipgram)
    report, seen = _fit(model, lee_background)
    assert seen.job.shadow_contexts and report.new_words
    shadow = driver.shadow_copies(seen.model, seen.job)
    ids, starts, learning = seen.job.corpus.word_ids, seen.job.corpus.doc_starts, seen.job.locks.word != 0
    expected = set()
    for d in range(len(starts) - 1):
        words = ids[starts[d] : starts[d + 1]]
        if learning[words].any():
            expected |= {int(w) for w in words if not learning[w]}
    copied = set(np.flatnonzero(shadow.rows >= 0).tolist())
    assert copied == expected and 0 < len(copied) < len(seen.model.wv)
    rows = sorted(copied)
    np.testing.assert_array_equal(shadow.vectors[shadow.rows[rows]], seen.model.wv.vectors[rows])


def test_the_copies_move_the_new_rows_and_leave_the_frozen_vectors_as_they_were(
    skipgram, lee_background, monkeypatch
):
    with_copies, without = copy.deepcopy(skipgram), copy.deepcopy(skipgram)
    report, _ = _fit(with_copies, lee_background)
    monkeypatch.setattr(driver, "shadow_copies", lambda model, job: kernel.Shadow.none(model.wv.vector_size))
    _fit(without, lee_background)
    old = len(skipgram.wv)
    for model in (with_copies, without):
        np.testing.assert_array_equal(model.wv.vectors[:old], skipgram.wv.vectors)  # freeze="words"
        assert paravec.check(model) == []
    new = [with_copies.wv.key_to_index[w] for w in report.new_words]
    assert not np.array_equal(with_copies.syn1neg[new], without.syn1neg[new])


def test_copies_of_a_few_words_train_as_a_copy_of_every_word_would(skipgram, lee_background, monkeypatch):
    # Every frozen word a skip-gram window can pair with a new word has its copy, so a copy of
    # every vector (what benchmarks/results/fit_shadow measured) gives the same weights.
    few, every = copy.deepcopy(skipgram), copy.deepcopy(skipgram)
    _fit(few, lee_background)

    def copy_of_every_word(model, job):
        n = len(model.wv)
        return kernel.Shadow(np.arange(n, dtype=np.int32), model.wv.vectors.copy())

    monkeypatch.setattr(driver, "shadow_copies", copy_of_every_word)
    _fit(every, lee_background)
    for name in ("syn1neg",):
        np.testing.assert_array_equal(getattr(few, name), getattr(every, name))
    np.testing.assert_array_equal(few.wv.vectors, every.wv.vectors)
    np.testing.assert_array_equal(few.dv.vectors, every.dv.vectors)


@pytest.mark.parametrize(
    "cfg", [dict(dm=1), dict(dm=0, dbow_words=0), dict(dm=0, dbow_words=1, hs=1, negative=0)]
)
def test_no_copies_without_skip_gram_pairs_or_with_hierarchical_softmax(lee_background, cfg):
    model = paravec.train(lee_background[:80], vector_size=8, epochs=1, min_count=2, seed=4, workers=1, **cfg)
    _report, seen = _fit(model, lee_background)
    assert len(driver.shadow_copies(seen.model, seen.job).rows) == 0


def test_keep_trains_no_copies(skipgram, lee_background):
    seen = Before()
    paravec.update(copy.deepcopy(skipgram), lee_background[80:90], fit="keep", workers=1, trainer=seen)
    assert not seen.job.shadow_contexts


def test_a_copy_row_outside_the_copies_is_refused(skipgram, lee_background):
    model = copy.deepcopy(skipgram)
    _report, seen = _fit(model, lee_background)
    job = seen.job
    rows = np.full(len(model.wv), -1, dtype=np.int32)
    rows[0] = 3  # three copies would be needed; there is one
    bad = kernel.Shadow(rows, np.zeros((1, model.wv.vector_size), np.float32))
    with pytest.raises(ModelBrokenError, match="a shadow row is outside the shadow vectors"):
        kernel.prepare(
            job.corpus, driver._weights(model), job.locks, driver._tables(model), driver._config(model), bad
        )
