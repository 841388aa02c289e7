"""Tests of paravec.evaluation.retention: what the pretrained space kept, on damage whose answer is known."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from gensim.models.keyedvectors import KeyedVectors

from paravec.evaluation import evaluate


def test_replaced_word_vector_is_flagged(base, batch) -> None:
    after = copy.deepcopy(base)
    word, donor = base.wv.index_to_key[30], base.wv.index_to_key[2500]
    after.wv.vectors[after.wv.get_index(word)] = base.wv[donor]
    r = evaluate(after, batch, before=base, new_words=[], sample=60, word_benchmarks=False)
    sec = r.section("word_neighbours")
    assert word in sec.metrics["flagged_words"]
    # one flagged word among the ~66 compared is far below the failing share (5%), but any flagged
    # word is a warning
    counts = Counter(w for d in batch for w in d.words)
    used = sorted((w for w in counts if w in base.wv.key_to_index), key=lambda w: (-counts[w], w))[:60]
    assert sec.metrics["flagged_share"] == pytest.approx(1 / len(set(base.wv.index_to_key[:60]) | set(used)))
    assert sec.check("flagged_share").verdict == "warn"
    assert sec.verdict == "warn" and r.verdict == "warn"
    # the input models were not modified
    assert (base.wv[word] != after.wv[word]).any()


def test_overwritten_old_document_vector_fails(base, batch, olds) -> None:
    # what gensim's build_vocab(update=True) does: an old tag ends up pointing at another document's vector
    after = copy.deepcopy(base)
    victim, donor = olds[3].tags[0], olds[50].tags[0]
    after.dv.vectors[after.dv.get_index(victim)] = base.dv[donor]
    sec = evaluate(
        after,
        batch,
        before=base,
        old_documents=olds,
        new_words=[],
        sample=len(olds),
        word_benchmarks=False,
        map_points=False,
    ).section("old_documents")
    assert sec.metrics["stored_unchanged"] == pytest.approx(1 - 1 / len(olds))
    assert sec.check("stored_unchanged").verdict == "fail"


def test_sections_that_compare_are_skipped_without_the_model_before(base, batch, olds) -> None:
    r = evaluate(base, batch, old_documents=olds, sample=20)
    assert r.section("word_neighbours").verdict == "skip"
    old = r.section("old_documents")
    assert old.verdict == "skip" and old.metrics["documents_examined"] == 20
    assert old.check("self_top1_drop").note == "no model before the update to compare with"
    bench = r.section("word_benchmarks")
    assert bench.verdict == "skip" and "wordsim353_before" not in bench.metrics
    assert [c.note for c in bench.checks] == ["no model before the update; value shown, not judged"] * 3


def test_old_documents_section_is_skipped_without_old_documents(base, batch) -> None:
    sec = evaluate(base, batch, before=base, sample=5, word_benchmarks=False).section("old_documents")
    assert sec.verdict == "skip" and sec.check("self_top1_drop").note == "no old documents given"


def test_dropped_old_document_vectors_are_compared_with_the_vectors_before(base, batch, olds) -> None:
    # keep_old_docs=False: the old tags are gone from the model after, but their text still re-infers
    after = copy.deepcopy(base)
    keep = [d.tags[0] for d in batch]
    after.dv = KeyedVectors(base.vector_size)
    after.dv.add_vectors(keep, base.dv[keep])
    sec = evaluate(after, batch, before=base, old_documents=olds, sample=30, word_benchmarks=False).section(
        "old_documents"
    )
    assert sec.metrics["still_in_model"] == 0
    assert "stored_unchanged" not in sec.metrics
    assert sec.metrics["self_top1_drop"] == 0.0 and sec.check("self_top1_drop").verdict == "pass"
