"""paravec.updating.settings: every setting resolved against the model and checked before anything changes."""

from __future__ import annotations

import os

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec import ParameterError
from paravec.updating import UpdateSettings


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freeze": "some"}, "freeze must be one of"),
        ({"epochs": 0}, "epochs must be"),
        ({"alpha": -1.0}, "learning rates"),
        ({"min_count": 0}, "min_count must be"),
    ],
)
def test_bad_parameters(kwargs, message, lee_background, lee_test, base):
    model = base(lee_background)
    with pytest.raises(ParameterError, match=message):
        paravec.update(model, lee_test, **kwargs)


@pytest.fixture(scope="module")
def small(lee_background):
    return paravec.train(lee_background[:60], vector_size=8, epochs=2, min_count=3, seed=4, workers=1)


@pytest.mark.parametrize(
    ("freeze", "label", "factors"),
    [
        ("all", "all", (0.0, 0.0)),
        ("words", "words", (0.0, 1.0)),
        ("none", "none", (1.0, 1.0)),
        ((0.5, 0), "0.5,0", (0.5, 0.0)),
        ([np.float32(0.25), 1], "0.25,1", (0.25, 1.0)),
    ],
)
def test_freeze_modes_are_factor_pairs(small, freeze, label, factors):
    settings = UpdateSettings.resolve(small, freeze=freeze)
    assert (settings.freeze, settings.factors) == (label, factors)


def test_unset_settings_come_from_the_model(small):
    settings = UpdateSettings.resolve(small)
    assert (settings.epochs, settings.alpha, settings.min_alpha) == (2, small.alpha, small.min_alpha)
    assert (settings.min_count, settings.seed, settings.keep_old_docs) == (3, 4, True)
    assert settings.workers == (os.cpu_count() or 1)
    given = UpdateSettings.resolve(
        small, epochs=np.int64(7), alpha=0.05, min_alpha=0.0, min_count=1, seed=9, workers=3
    )
    assert (given.epochs, given.alpha, given.min_alpha, given.min_count, given.seed, given.workers) == (
        7,
        0.05,
        0.0,
        1,
        9,
        3,
    )
    assert type(given.epochs) is int
    assert UpdateSettings.resolve(small, workers=0).workers == (os.cpu_count() or 1)


def test_a_bad_setting_of_the_model_itself_is_refused(lee_background):
    model = paravec.train(lee_background[:60], vector_size=8, epochs=2, min_count=3, seed=4, workers=1)
    model.alpha = 2.0
    with pytest.raises(
        ParameterError, match=r"learning rates must satisfy .*; got alpha=2.0, min_alpha=0.0001"
    ):
        UpdateSettings.resolve(model)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"freeze": (0.5, 2.0)},
            r"freeze must be one of 'none', 'words', 'all' or a pair of factors within \[0, 1\]; got \(0.5, 2.0\)",
        ),
        ({"freeze": (0.5,)}, "pair of factors"),
        ({"freeze": ("0", "0")}, "pair of factors"),
        ({"freeze": (float("nan"), 0.0)}, "pair of factors"),
        ({"keep_old_docs": 0}, "keep_old_docs must be True or False; got 0"),
        ({"epochs": True}, "epochs must be a positive integer; got True"),
        ({"epochs": 2.0}, "epochs must be a positive integer; got 2.0"),
        ({"min_alpha": 0.5, "alpha": 0.1}, "got alpha=0.1, min_alpha=0.5"),
        ({"alpha": "fast"}, "alpha must be a finite number; got 'fast'"),
        ({"seed": 1.5}, "seed must be an integer; got 1.5"),
        ({"workers": -1}, "workers must be a positive integer; got -1"),
    ],
)
def test_each_setting_is_checked_with_a_clear_message(small, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        UpdateSettings.resolve(small, **kwargs)


def test_the_model_must_be_a_doc2vec():
    with pytest.raises(ParameterError, match="model must be a gensim Doc2Vec, got dict"):
        UpdateSettings.resolve({})


@pytest.mark.parametrize("name", ["progress", "trainer"])
def test_hooks_must_be_callable(small, name):
    with pytest.raises(ParameterError, match=f"{name} must be a callable, got int"):
        paravec.update(small, [TaggedDocument(["a"], ["x"])], **{name: 3})
