"""Named fits: one word that stands for the measured settings of an update.

``fit="keep"`` is the update of `paravec.updating` with every pretrained weight frozen
(``freeze="all"``): everything built on the base stays valid. ``fit="domain"`` is the recipe that
matched retraining in ``benchmarks/README.md`` ("update strategies vs retraining"), derived from
the model and the batch instead of copied by hand:

- ``freeze="words"``: pretrained word vectors stay fixed, output weights learn the domain;
- ``min_count`` one below the model's, so rarer domain words (names, places) enter;
- 3/4 of the model's epochs;
- rehearsal (Robins 1995): random 1,000-word passages of the base corpus (``rehearse=``), 0.6x the
  batch's words, but at most 1/10 of the words the base saw, so that a batch as large as the base
  does not turn the rehearsal into (most of) the base corpus, which costs as much as retraining
  and fitted worse when measured (``benchmarks/README.md``, "probes around the update recipe").
  ``rehearse="replay"`` (`REPLAY`) rehearses as many words of pseudo-passages generated from the
  model itself instead (`paravec.replay`), for a team that kept the model and not its corpus.
- shadow contexts (PV-DBOW with skip-gram): a pretrained context word of a new target word trains
  a copy of its vector, dropped afterwards (`paravec.updating.driver.shadow_copies`), so the new
  words' output rows meet contexts that adapt to them, as in retraining, while the pretrained
  vectors stay fixed (``benchmarks/README.md``, the sixth screen of issue 17).

Settings given explicitly to `paravec.update` win over the fit's.

Examples
--------
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.updating.fits import fit_settings
>>> model = Doc2Vec([TaggedDocument(["a", "b"] * 50, ["d0"])], vector_size=4, min_count=5, epochs=40)
>>> plan = fit_settings(model, "domain", batch_words=1000)
>>> plan.freeze, plan.min_count, plan.epochs, plan.rehearsal_words
('words', 4, 30, 10)
>>> fit_settings(model, "keep", batch_words=1000).freeze
'all'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from paravec.errors import ParameterError
from paravec.rehearsal import REHEARSAL_SHARE

__all__ = ["FITS", "REHEARSAL_BASE_CAP", "REPLAY", "Fit", "FitSettings", "fit_settings"]

FITS = ("keep", "domain")
Fit = Literal["keep", "domain"]

# The rehearsal's cap as a share of the words the base saw (the Lee recipe's 40k of the Wikipedia
# extract's 486k is 0.08: the cap leaves it alone).
REHEARSAL_BASE_CAP = 0.1
PASSAGE_WORDS = 1000
# rehearse=REPLAY: rehearse pseudo-passages generated from the model (paravec.replay), no base text.
REPLAY = "replay"


@dataclass(frozen=True)
class FitSettings:
    """What a named fit sets: the freeze mode, ``min_count``, epochs, rehearsal words (0: none) and
    whether frozen contexts of new words train copies (``TrainingJob.shadow_contexts``)."""

    fit: str
    freeze: Literal["all", "words"]
    min_count: int | None
    epochs: int | None
    rehearsal_words: int
    shadow_contexts: bool = False


def fit_settings(model: Any, fit: Any, batch_words: int) -> FitSettings:
    """The settings ``fit`` stands for on ``model`` and a batch of ``batch_words`` words.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model to update; its ``min_count``, ``epochs`` and ``corpus_total_words`` are read.
    fit : {"keep", "domain"}
        The named fit.
    batch_words : int
        Words in the batch.

    Returns
    -------
    FitSettings
        ``min_count`` and ``epochs`` are ``None`` where the fit keeps the model's own.

    Raises
    ------
    ParameterError
        ``fit`` is not one of `FITS`.
    """
    if fit not in FITS:
        raise ParameterError(f"fit must be one of {', '.join(map(repr, FITS))}; got {fit!r}")
    if fit == "keep":
        return FitSettings("keep", "all", None, None, 0)
    base_words = int(getattr(model, "corpus_total_words", 0) or 0)
    wanted = round(REHEARSAL_SHARE * batch_words)
    cap = round(REHEARSAL_BASE_CAP * base_words) if base_words else wanted
    return FitSettings(
        fit="domain",
        freeze="words",
        min_count=max(1, int(model.min_count) - 1),
        epochs=max(1, round(int(model.epochs) * 3 / 4)),
        rehearsal_words=max(1, min(wanted, cap)),
        shadow_contexts=True,
    )
