"""Fixtures of the update tests: small bases trained on the Lee corpus, and a look at the weights
as an update hands them to training."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from gensim.models import Doc2Vec

import paravec
from paravec.updating.driver import TrainingJob, train


@pytest.fixture(scope="session")
def base() -> Callable[..., Doc2Vec]:
    """Train a base as the update tests start from: negative sampling unless ``hs=1``, seed 3."""

    def make(
        docs: list[Any], *, size: int = 32, hs: int = 0, epochs: int = 5, workers: int = 2, **cfg: Any
    ) -> Doc2Vec:
        return paravec.train(
            docs,
            vector_size=size,
            epochs=epochs,
            min_count=2,
            hs=hs,
            negative=0 if hs else 5,
            seed=3,
            workers=workers,
            **cfg,
        )

    return make


class InitialRows(dict[str, Any]):
    """A trainer for ``paravec.update(..., trainer=...)`` that keeps a copy of wv/dv/syn1neg/syn1
    as the update hands them to training (new rows initialised), then trains as usual."""

    def __call__(self, model: Doc2Vec, job: TrainingJob, progress: Any) -> int:
        self["wv"] = model.wv.vectors.copy()
        self["dv"] = model.dv.vectors.copy()
        self["syn1neg"] = model.syn1neg.copy() if model.negative else None
        self["syn1"] = model.syn1.copy() if model.hs else None
        return train(model, job, progress)


@pytest.fixture
def initial_rows() -> InitialRows:
    """Snapshot of wv/dv/syn1neg/syn1 as update hands them to training: pass it as ``trainer=``."""
    return InitialRows()
