"""What every section of an evaluation needs, computed once: the models, the documents, the samples.

The sections of `paravec.evaluate` share their inputs (the model after and before the
update, the batch, the old documents, the seeded sample of the batch) and a few things derived from
the batch: how often each word occurs in it and in which documents (for tf-idf and co-occurrence).
The placement section also leaves behind the nearest words of each placed document, which the map
draws. `EvaluationContext` holds all of it.

Examples
--------
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.evaluation.context import EvaluationContext
>>> docs = [TaggedDocument(["a", "b", "a"], ["d0"]), TaggedDocument(["b"], ["d1"])]
>>> ctx = EvaluationContext.build(None, None, docs, None, sample=10, seed=0, epochs=None, topn=10)
>>> ctx.batch_counts["a"], sorted(ctx.postings["b"])
(2, [0, 1])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models.doc2vec import TaggedDocument

from paravec.evaluation.inference import sample_indices
from paravec.word_ranking import WordRanker

__all__ = ["EvaluationContext"]


@dataclass
class EvaluationContext:
    """The inputs of one evaluation and what is derived from the batch.

    Attributes
    ----------
    model, before : Doc2Vec
        The model after the update, and before it (``None`` when not given).
    docs, olds : list of TaggedDocument
        The batch, and the old documents (``None`` when not given).
    sample, seed, epochs, topn : int
        As given to `paravec.evaluate` (``epochs`` ``None`` = the model's own).
    doc_sample : ndarray of int
        Positions in ``docs`` of the documents examined.
    batch_counts : Counter
        Occurrences of each word in the batch.
    postings : dict
        Word -> positions in ``docs`` of the documents containing it.
    nearest_words : dict
        Tag -> nearest words of its stored vector (filled by the placement section).
    placed_tags : list
        Tags of the examined documents that the model has (filled by the placement section).
    """

    model: Any
    before: Any
    docs: list[TaggedDocument]
    olds: list[TaggedDocument] | None
    sample: int
    seed: int
    epochs: int | None
    topn: int
    doc_sample: npt.NDArray[np.int64]
    batch_counts: Counter[str] = field(default_factory=Counter)
    postings: dict[str, set[int]] = field(default_factory=dict)
    nearest_words: dict[Hashable, list[str]] = field(default_factory=dict)
    placed_tags: list[Hashable] = field(default_factory=list)
    _ranker: WordRanker | None = field(default=None, init=False, repr=False)
    _known: dict[int, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def known_words(self, position: int) -> frozenset[str]:
        """The distinct words of ``docs[position]`` that ``model`` has (kept for the next caller)."""
        if position not in self._known:
            vocab = self.model.wv.key_to_index
            self._known[position] = frozenset(w for w in self.docs[position].words if w in vocab)
        return self._known[position]

    @property
    def word_ranker(self) -> WordRanker:
        """A `WordRanker` of ``model``, made on first use and shared by the sections."""
        if self._ranker is None:
            self._ranker = WordRanker(self.model)
        return self._ranker

    @classmethod
    def build(
        cls,
        model: Any,
        before: Any,
        docs: list[TaggedDocument],
        olds: list[TaggedDocument] | None,
        *,
        sample: int,
        seed: int,
        epochs: int | None,
        topn: int,
    ) -> EvaluationContext:
        """The context of an evaluation of ``docs``, with the batch's word counts and postings."""
        ctx = cls(
            model, before, docs, olds, sample, seed, epochs, topn, sample_indices(len(docs), sample, seed)
        )
        for i, doc in enumerate(docs):
            ctx.batch_counts.update(doc.words)
            for word in set(doc.words):
                ctx.postings.setdefault(word, set()).add(i)
        return ctx

    @property
    def batch_tags(self) -> set[Hashable]:
        """The first tag of every document of the batch."""
        return {d.tags[0] for d in self.docs}
