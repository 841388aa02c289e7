"""Named fits: fit="domain" derives the recipe from the model and the batch; fit="keep" is freeze="all"."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.errors import ParameterError
from paravec.updating.fits import REHEARSAL_BASE_CAP, fit_settings


@pytest.fixture(scope="module")
def lee_base(base, lee_background):
    return base(lee_background[:200], epochs=4)  # min_count 2


def test_domain_derives_min_count_epochs_and_freeze_from_the_model(lee_base, lee_background):
    model = copy.deepcopy(lee_base)
    before = model.wv.vectors.copy()
    report = paravec.update(model, lee_background[200:], fit="domain", rehearse=lee_background[:200])
    assert (report.fit, report.freeze, report.epochs) == ("domain", "words", 3)  # 3/4 of 4
    batch_words = sum(len(d.words) for d in lee_background[200:])
    # 0.6x the batch's words, at most 1/10 of the base's, in passages of up to 1,000 words
    wanted = min(0.6 * batch_words, REHEARSAL_BASE_CAP * lee_base.corpus_total_words)
    assert wanted <= report.rehearsed_words < wanted + 1000
    assert np.array_equal(model.wv.vectors[: len(before)], before)  # freeze="words"
    # min_count one below the base's (2): words seen once enter
    counts = {w: model.wv.get_vecattr(w, "count") for w in report.new_words}
    assert min(counts.values()) == 1
    assert paravec.check(model) == []


def test_a_batch_as_large_as_the_base_does_not_rehearse_the_whole_base(lee_base, lee_background):
    """0.6x a batch twice the base's size would be more than the base itself: the cap holds it."""
    model = copy.deepcopy(lee_base)
    batch = [
        TaggedDocument(d.words, [f"copy{i}:{d.tags[0]}"]) for i in range(2) for d in lee_background[:200]
    ]
    report = paravec.update(model, batch, fit="domain", rehearse=lee_background[:200], epochs=1)
    base_words = lee_base.corpus_total_words
    assert report.words >= 2 * base_words - 10
    cap = REHEARSAL_BASE_CAP * base_words
    assert cap <= report.rehearsed_words < cap + 1000 < base_words
    assert fit_settings(lee_base, "domain", report.words).rehearsal_words == round(cap)


def test_explicit_settings_win_over_the_fit(lee_base, lee_background):
    model = copy.deepcopy(lee_base)
    report = paravec.update(
        model, lee_background[200:], fit="domain", rehearse=lee_background[:200], epochs=2, freeze="all"
    )
    assert (report.epochs, report.freeze) == (2, "all")


def test_keep_is_freeze_all(lee_base, lee_background):
    model = copy.deepcopy(lee_base)
    before = model.syn1neg.copy()
    report = paravec.update(model, lee_background[200:], fit="keep")
    assert (report.fit, report.freeze, report.epochs, report.rehearsed_words) == ("keep", "all", 4, 0)
    assert np.array_equal(model.syn1neg[: len(before)], before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fit": "domain"}, "fit='domain' needs rehearse="),
        ({"fit": "keep", "rehearse": []}, "rehearse= is read by fit='domain' only"),
        ({"fit": "best"}, "fit must be one of 'keep', 'domain'; got 'best'"),
    ],
)
def test_bad_fit_arguments_name_the_problem(lee_base, lee_background, kwargs, message):
    model = copy.deepcopy(lee_base)
    before = model.dv.vectors.copy()
    with pytest.raises(ParameterError, match=message):
        paravec.update(model, lee_background[200:210], **kwargs)
    assert np.array_equal(model.dv.vectors, before) and len(model.dv) == len(before)
