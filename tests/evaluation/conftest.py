"""Models and reports shared by the tests of paravec.evaluation.

Models are small real ones (lee_background.cor, 32 dimensions, few epochs, one worker: reproducible),
trained once per session; tests that change a model change a deep copy.
"""

from __future__ import annotations

import copy

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.evaluation import evaluate
from paravec.report import Report


@pytest.fixture(scope="session")
def base(lee_background: list[TaggedDocument]) -> Doc2Vec:
    """A PV-DBOW + skip-gram model of all 300 background articles."""
    return Doc2Vec(
        lee_background,
        vector_size=32,
        dm=0,
        dbow_words=1,
        window=5,
        min_count=2,
        epochs=15,
        seed=7,
        workers=1,
    )


@pytest.fixture(scope="session")
def batch(lee_background: list[TaggedDocument]) -> list[TaggedDocument]:
    """The last 60 background articles, playing the batch an update added."""
    return lee_background[240:]


@pytest.fixture(scope="session")
def olds(lee_background: list[TaggedDocument]) -> list[TaggedDocument]:
    """The first 120 background articles, playing the old documents."""
    return lee_background[:120]


@pytest.fixture(scope="session")
def unchanged_report(base: Doc2Vec, batch: list[TaggedDocument], olds: list[TaggedDocument]) -> Report:
    """The report of an "update" that changed nothing: the model after is a copy of the model before."""
    after = copy.deepcopy(base)
    return evaluate(after, batch, before=base, old_documents=olds, new_words=[], sample=60)
