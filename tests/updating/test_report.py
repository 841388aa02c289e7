"""paravec/updating/report.py: the UpdateReport of a real update on the Lee corpus, as data and as lines."""

from __future__ import annotations

import copy
import json

import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.updating.report import UpdateReport


@pytest.fixture(scope="module")
def lee_update(base, lee_background, lee_test, seed_batch):
    """A base of the 300 background articles, updated with lee.cor's 50 articles and the 10 seed documents."""
    model = base(lee_background)
    return model, paravec.update(model, lee_test + seed_batch, min_count=2, epochs=5)


def test_report_of_a_real_update(lee_update, lee_test, seed_batch):
    _, report = lee_update
    assert report.new_tags == [d.tags[0] for d in lee_test + seed_batch]
    assert (report.replaced_tags, report.dropped_tags, report.untrained_tags) == ([], 0, [])
    assert (report.documents, report.words) == (60, 4128)
    assert (len(report.new_words), report.pending_words) == (230, 3360)
    assert {"xxyfg", "jav", "python", "ruby"} <= set(report.new_words)
    assert (report.rehearsed_documents, report.rehearsed_words) == (0, 0)
    assert (report.freeze, report.epochs, report.keep_old_docs) == ("all", 5, True)
    assert list(report.seconds) == ["check", "vocab", "train", "total"]


def test_to_dict_round_trip(lee_update):
    _, report = lee_update
    data = report.to_dict()
    assert UpdateReport(**json.loads(json.dumps(data))) == report
    assert data["new_words"] == report.new_words and data["new_words"] is not report.new_words
    assert data["seconds"] == report.seconds and data["seconds"] is not report.seconds


def test_summary_lines_of_a_real_update(lee_update):
    _, report = lee_update
    lines = report.summary().splitlines()
    assert lines.pop(2) == f"held back by min_count=2: {report.held_back()}"
    assert lines == [
        "60 documents (4128 words): 60 new, 0 replaced, 0 old dropped",
        "230 new words, 3360 below min_count remembered",
        f"trained 5 epochs, freeze=all, {report.seconds['total']:.2f}s, {report.words_per_second:,.0f} words/s",
    ]


def test_summary_names_rehearsal_and_untrained_documents(lee_update, lee_background):
    model = copy.deepcopy(lee_update[0])
    batch = [
        TaggedDocument(["qqqzz", "zzqqq"], ["U0"]),  # no word the model knows, nor will learn (min_count=2)
        TaggedDocument(["the", "court"], ["lee0"]),  # retrains a document of the first update
    ]
    report = paravec.update(model, batch, min_count=2, rehearsal=lee_background[:5])
    assert (report.new_tags, report.replaced_tags, report.untrained_tags) == (["U0"], ["lee0"], ["U0"])
    assert report.summary().splitlines() == [
        "2 documents (4 words): 1 new, 1 replaced, 0 old dropped",
        "0 new words, 3362 below min_count remembered",
        "held back by min_count=2: qqqzz (1), zzqqq (1)",
        f"rehearsed 5 base documents ({sum(len(d.words) for d in lee_background[:5])} words)",
        f"trained 5 epochs, freeze=all, {report.seconds['total']:.2f}s, {report.words_per_second:,.0f} words/s",
        "1 documents had no known word and were not trained",
    ]


def test_summary_of_an_empty_report():
    assert UpdateReport().summary().splitlines() == [
        "0 documents (0 words): 0 new, 0 replaced, 0 old dropped",
        "0 new words, 0 below min_count remembered",
        "trained 0 epochs, freeze=all, 0.00s, 0 words/s",
    ]


def test_words_held_back_by_min_count_are_named_with_counts(lee_update, lee_test, seed_batch):
    model, report = lee_update
    batch_words = {w for d in lee_test + seed_batch for w in d.words}
    held = {w for w in model.raw_vocab if w in batch_words}
    assert report.held_back_total == len(held) > len(report.held_back_words) == 20
    # the seed's "fotball" occurs once: it is below min_count=2, so the report must say so
    assert "fotball" in held and "xxyfg" not in held
    counts = list(report.held_back_words.values())
    assert counts == sorted(counts, reverse=True)
    assert all(model.raw_vocab[w] == c for w, c in report.held_back_words.items())
    assert report.held_back().endswith(f", ... ({len(held):,} in all)")
