"""paravec/evaluation/context.py: what an evaluation derives once from the batch (Lee background articles)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from gensim.models.doc2vec import TaggedDocument

from paravec.evaluation.context import EvaluationContext


def test_build_keeps_the_inputs_and_samples_the_batch(base, batch, olds):
    ctx = EvaluationContext.build(base, None, batch, olds, sample=10, seed=0, epochs=None, topn=10)
    assert ctx.model is base and ctx.before is None and ctx.docs is batch and ctx.olds is olds
    assert (ctx.sample, ctx.seed, ctx.epochs, ctx.topn) == (10, 0, None, 10)
    assert ctx.doc_sample.dtype == np.int64
    assert ctx.doc_sample.tolist() == [0, 2, 4, 10, 14, 16, 27, 33, 43, 48]
    # the placement section fills these; build leaves them empty
    assert ctx.nearest_words == {} and ctx.placed_tags == []


def test_a_sample_as_large_as_the_batch_takes_every_document(base, batch):
    ctx = EvaluationContext.build(base, base, batch, None, sample=60, seed=5, epochs=3, topn=4)
    assert ctx.doc_sample.tolist() == list(range(60))
    assert ctx.before is base and (ctx.epochs, ctx.topn) == (3, 4)


def test_batch_counts_and_postings(base, batch):
    ctx = EvaluationContext.build(base, None, batch, None, sample=10, seed=0, epochs=None, topn=10)
    assert ctx.batch_counts == Counter(w for d in batch for w in d.words)
    assert sum(ctx.batch_counts.values()) == 12399 and len(ctx.batch_counts) == 2864
    assert ctx.batch_counts.most_common(3) == [("the", 852), ("of", 344), ("to", 298)]
    assert ctx.postings.keys() == ctx.batch_counts.keys()
    assert ctx.postings["afghanistan"] == {3, 9, 21, 36, 44, 52}
    for word, docs in ctx.postings.items():
        assert docs == {i for i, d in enumerate(batch) if word in d.words}, word


def test_batch_tags_are_the_first_tags(base):
    docs = [TaggedDocument(["fire"], ["a", "extra"]), TaggedDocument(["rain"], ["b"])]
    ctx = EvaluationContext.build(base, None, docs, None, sample=10, seed=0, epochs=None, topn=10)
    assert ctx.batch_tags == {"a", "b"}


def test_batch_tags_of_the_lee_batch(base, batch):
    ctx = EvaluationContext.build(base, None, batch, None, sample=10, seed=0, epochs=None, topn=10)
    assert ctx.batch_tags == {f"bg{i}" for i in range(240, 300)}
