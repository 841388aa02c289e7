"""The settings of one update, resolved and checked before the model is touched.

`paravec.update` takes its training settings as optional keywords that default to the
model's own (``epochs``, ``alpha``, ``min_alpha``, ``min_count``, ``seed``), plus the ``freeze``
mode. `UpdateSettings` resolves those defaults against the model and checks every value
with the declared constraints of `paravec.params`, so a bad value fails at once with one line,
whether the caller or the model gave it. The training it configures is that of paragraph vectors
(Le & Mikolov 2014, "Distributed Representations of Sentences and Documents").

``freeze`` names which pretrained weights stay fixed; each mode stands for a pair of learning-rate
factors (pretrained input word vectors, pretrained output weights), and the pair may be given
directly:

``"all"`` is ``(0, 0)``, ``"words"`` is ``(0, 1)`` and ``"none"`` is ``(1, 1)``.

Examples
--------
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.updating.settings import UpdateSettings
>>> model = Doc2Vec([TaggedDocument(["a", "b"], ["d0"])], vector_size=4, min_count=1, epochs=3, workers=1)
>>> settings = UpdateSettings.resolve(model, freeze="words", workers=2)
>>> settings.factors, settings.epochs, settings.min_count
((0.0, 1.0), 3, 1)
>>> UpdateSettings.resolve(model, freeze=(0.5, 2.0))
Traceback (most recent call last):
...
paravec.errors.ParameterError: freeze must be one of 'none', 'words', 'all' or a pair of factors within [0, 1]; got (0.5, 2.0)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from gensim.models import Doc2Vec

from paravec.errors import ParameterError
from paravec.params import Boolean, InstanceOf, Integer, Real, validate

__all__ = ["FREEZE_MODES", "Freeze", "FreezeSpec", "LearningRates", "ProgressCallback", "UpdateSettings"]

FREEZE_MODES = ("none", "words", "all")
# Learning-rate factors (pretrained input word vectors, pretrained output weights) per mode.
_FREEZE_FACTORS = {"none": (1.0, 1.0), "words": (0.0, 1.0), "all": (0.0, 0.0)}
Freeze = Literal["none", "words", "all"] | tuple[float, float]
ProgressCallback = Callable[[str, int, int], None]

_FACTOR = Real(min=0.0, max=1.0)


@dataclass(frozen=True)
class FreezeSpec:
    """A freeze mode of `FREEZE_MODES`, or a pair of learning-rate factors within [0, 1].

    Returns the mode itself, or the pair as a tuple of floats.
    """

    def describe(self) -> str:
        return "one of " + ", ".join(repr(m) for m in FREEZE_MODES) + " or a pair of factors within [0, 1]"

    def __call__(self, name: str, value: Any) -> str | tuple[float, float]:
        if isinstance(value, str) and value in FREEZE_MODES:
            return value
        if isinstance(value, (tuple, list)) and len(value) == 2:
            try:
                return (_number(_FACTOR, name, value[0]), _number(_FACTOR, name, value[1]))
            except ParameterError:
                pass  # the message names the pair, not one factor
        raise ParameterError(f"{name} must be {self.describe()}; got {value!r}")


@dataclass(frozen=True)
class LearningRates:
    """A learning-rate schedule ``(alpha, min_alpha)`` with ``0 < alpha <= 1`` and ``0 <= min_alpha <= alpha``."""

    def __call__(self, name: str, value: Any) -> tuple[float, float]:
        alpha, min_alpha = (_number(Real(), n, v) for n, v in zip(("alpha", "min_alpha"), value, strict=True))
        if not (0.0 < alpha <= 1.0) or not (0.0 <= min_alpha <= alpha):
            raise ParameterError(
                f"{name} must satisfy 0 < alpha <= 1 and 0 <= min_alpha <= alpha; "
                f"got alpha={alpha}, min_alpha={min_alpha}"
            )
        return alpha, min_alpha


_POSITIVE = Integer(min=1)


def _number(constraint: Real, name: str, value: Any) -> float:
    checked = constraint(name, value)
    assert checked is not None  # constraints without none=True let no None through
    return checked


def _integer(constraint: Integer, name: str, value: Any) -> int:
    checked = constraint(name, value)
    assert checked is not None
    return checked


@dataclass(frozen=True)
class UpdateSettings:
    """Every setting of one `paravec.update`, resolved against the model and checked.

    Attributes
    ----------
    freeze : str
        The freeze mode, or the factors as ``"word,output"`` (e.g. ``"0.5,0"``), as reported.
    factors : (float, float)
        Learning-rate factors for pretrained input word vectors and pretrained output weights.
    keep_old_docs : bool
        Keep the document vectors the model had.
    epochs : int
        Passes over the batch.
    alpha, min_alpha : float
        Learning rate at the start and at the end of the update.
    min_count : int
        Count a new word needs (over everything seen) to enter the vocabulary.
    seed : int
        Seed of new vectors and of the training's random draws.
    workers : int
        Training threads.
    """

    freeze: str
    factors: tuple[float, float]
    keep_old_docs: bool
    epochs: int
    alpha: float
    min_alpha: float
    min_count: int
    seed: int
    workers: int

    @classmethod
    @validate(model=InstanceOf(Doc2Vec, "a gensim Doc2Vec"), freeze=FreezeSpec(), keep_old_docs=Boolean())
    def resolve(
        cls,
        model: Doc2Vec,
        *,
        freeze: Freeze = "all",
        keep_old_docs: bool = True,
        epochs: int | None = None,
        alpha: float | None = None,
        min_alpha: float | None = None,
        min_count: int | None = None,
        seed: int | None = None,
        workers: int | None = None,
    ) -> UpdateSettings:
        """Fill the unset settings from ``model`` and check them all.

        Parameters
        ----------
        model : gensim.models.Doc2Vec
            The model to update; ``epochs``, ``alpha``, ``min_alpha``, ``min_count`` and ``seed``
            default to its own.
        freeze, keep_old_docs, epochs, alpha, min_alpha, min_count, seed, workers
            As `paravec.update` takes them; ``workers`` defaults to the number of CPUs.

        Returns
        -------
        UpdateSettings

        Raises
        ------
        ParameterError
            A setting, given or taken from the model, is outside what is allowed.
        """
        # @validate has turned freeze into a mode or a pair of floats.
        if isinstance(freeze, str):
            label: str = freeze
            factors = _FREEZE_FACTORS[freeze]
        else:
            label, factors = f"{freeze[0]:g},{freeze[1]:g}", freeze
        rates = LearningRates()(
            "learning rates",
            (model.alpha if alpha is None else alpha, model.min_alpha if min_alpha is None else min_alpha),
        )
        return cls(
            freeze=label,
            factors=factors,
            keep_old_docs=keep_old_docs,
            epochs=_integer(_POSITIVE, "epochs", model.epochs if epochs is None else epochs),
            alpha=rates[0],
            min_alpha=rates[1],
            min_count=_integer(_POSITIVE, "min_count", model.min_count if min_count is None else min_count),
            seed=_integer(Integer(), "seed", model.seed if seed is None else seed),
            # 0, like None, means one thread per CPU.
            workers=_integer(_POSITIVE, "workers", workers or os.cpu_count() or 1),
        )
