"""What one `paravec.update` changed, and how fast: the `UpdateReport` it returns.

An update of a paragraph-vector model (Le & Mikolov 2014, "Distributed Representations of
Sentences and Documents") adds and retrains document vectors and may grow the vocabulary; the
report lists what it did so that a caller can log it, print it or hand it to
`paravec.evaluate_update`.

Examples
--------
>>> from paravec.updating.report import UpdateReport
>>> report = UpdateReport(new_tags=["E0"], new_words=["xxyfg"], documents=1, words=4, epochs=5)
>>> print(report.summary())
1 documents (4 words): 1 new, 0 replaced, 0 old dropped
1 new words, 0 below min_count remembered
trained 5 epochs, freeze=all, 0.00s, 0 words/s
>>> report.to_dict()["new_words"]
['xxyfg']
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["HELD_BACK_SHOWN", "UpdateReport"]

#: How many of a batch's words held back by ``min_count`` an update report names.
HELD_BACK_SHOWN = 20


@dataclass
class UpdateReport:
    """What one `paravec.update` changed, and how fast.

    Attributes
    ----------
    new_tags : list
        Tags the model did not have before.
    replaced_tags : list
        Tags that existed and were retrained on their new text.
    dropped_tags : int
        How many document vectors were dropped (``keep_old_docs=False``).
    new_words : list of str
        Words added to the vocabulary, most frequent first.
    pending_words : int
        Words seen but still below ``min_count``, remembered for later batches.
    held_back_words : dict
        Words of this batch held back by ``min_count``: word -> its count over everything seen,
        most frequent first (at most `HELD_BACK_SHOWN`); ``held_back_total`` counts them all.
    held_back_total : int
    min_count : int
        The ``min_count`` of this update.
    untrained_tags : list
        New tags whose documents had no word in the vocabulary (their vectors stay random).
    documents, words : int
        Documents in the batch and their tokens.
    rehearsed_documents, rehearsed_words : int
        Rehearsal documents (``rehearsal=``) trained alongside the batch, and their tokens.
    words_trained : int
        Word occurrences trained over all epochs (after vocabulary filtering and downsampling).
    fit, freeze, epochs, alpha, min_alpha, keep_old_docs
        The settings used (``fit``: the named fit, `paravec.updating.fits`).
    seconds : dict
        Wall time per step: ``check``, ``vocab``, ``train``, ``total``.
    words_per_second : float
        Training throughput, as gensim reports it.
    warnings : list of str
        What looks wrong with the batch, e.g. text analysed unlike the base's
        (`paravec.updating.mismatch`).
    """

    new_tags: list[Hashable] = field(default_factory=list)
    replaced_tags: list[Hashable] = field(default_factory=list)
    dropped_tags: int = 0
    new_words: list[str] = field(default_factory=list)
    pending_words: int = 0
    held_back_words: dict[str, int] = field(default_factory=dict)
    held_back_total: int = 0
    min_count: int = 0
    untrained_tags: list[Hashable] = field(default_factory=list)
    documents: int = 0
    words: int = 0
    rehearsed_documents: int = 0
    rehearsed_words: int = 0
    words_trained: int = 0
    fit: str = "keep"
    freeze: str = "all"
    epochs: int = 0
    alpha: float = 0.0
    min_alpha: float = 0.0
    keep_old_docs: bool = True
    seconds: dict[str, float] = field(default_factory=dict)
    words_per_second: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def held_back(self) -> str:
        """The batch's words held back by ``min_count``, with counts: ``"fotball (1), ... (of 12)"``."""
        shown = ", ".join(f"{w} ({c})" for w, c in self.held_back_words.items())
        more = self.held_back_total - len(self.held_back_words)
        return shown + (f", ... ({self.held_back_total:,} in all)" if more > 0 else "")

    def to_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-serialisable data."""
        return asdict(self)

    def summary(self) -> str:
        """Return a few human lines: what changed and how fast."""
        lines = [
            f"{self.documents} documents ({self.words} words): {len(self.new_tags)} new, "
            f"{len(self.replaced_tags)} replaced, {self.dropped_tags} old dropped",
            f"{len(self.new_words)} new words, {self.pending_words} below min_count remembered",
        ]
        if self.held_back_total:
            lines.append(f"held back by min_count={self.min_count}: {self.held_back()}")
        if self.rehearsed_documents:
            lines.append(
                f"rehearsed {self.rehearsed_documents} base documents ({self.rehearsed_words} words)"
            )
        lines.append(
            f"trained {self.epochs} epochs, freeze={self.freeze}, "
            f"{self.seconds.get('total', 0.0):.2f}s, {self.words_per_second:,.0f} words/s"
        )
        if self.untrained_tags:
            lines.append(f"{len(self.untrained_tags)} documents had no known word and were not trained")
        lines.extend(f"warning: {message}" for message in self.warnings)
        return "\n".join(lines)
