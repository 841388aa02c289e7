"""paravec/evaluation/overview.py: the report's ``update`` section and its closing summary."""

from __future__ import annotations

import copy

import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.evaluation.overview import summary_of, update_section
from paravec.report import Check, Report, Section
from paravec.updating import UpdateReport


@pytest.fixture(scope="module")
def lee_update(base, lee_test, seed_batch) -> UpdateReport:
    """The report of a real update: lee.cor's 50 articles and the 10 seed documents added to ``base``."""
    return paravec.update(copy.deepcopy(base), lee_test + seed_batch, min_count=2, epochs=5, seed=1)


def test_update_section_of_a_real_update(lee_update):
    upd = lee_update
    sec = update_section(upd)
    assert (sec.key, sec.title) == ("update", "Update")
    assert sec.metrics == {
        "documents": 60,
        "new_tags": 60,
        "replaced_tags": 0,
        "dropped_tags": 0,
        "new_words": 95,
        "pending_words": 525,
        "freeze": "all",
        "epochs": 5,
        "keep_old_docs": True,
        "seconds": upd.seconds["total"],
        "words_per_second": upd.words_per_second,
    }
    assert {"xxyfg", "jav", "python", "ruby"} <= set(upd.new_words)
    assert [(c.name, c.value, c.verdict, c.rule, c.note) for c in sec.checks] == [
        ("untrained_tags", 0, "pass", "0 pass, else warn", "")
    ]
    assert sec.verdict == "pass"
    assert sec.summary == (
        f"60 new and 0 replaced documents, 95 new words, freeze=all, {upd.seconds['total']:.1f} s"
    )


def test_untrained_documents_warn_and_are_named(base):
    batch = [TaggedDocument([f"zzq{i}"], [f"U{i}"]) for i in range(7)]  # words seen once: never learned
    upd = paravec.update(copy.deepcopy(base), batch, min_count=2)
    assert upd.untrained_tags == [f"U{i}" for i in range(7)]
    check = update_section(upd).check("untrained_tags")
    assert (check.value, check.verdict) == (7, "warn")
    assert check.note == "documents with no known word keep random vectors: U0, U1, U2, U3, U4"


def test_summary_without_timings():
    sec = update_section(
        UpdateReport(new_tags=["a", "b"], replaced_tags=["c"], new_words=["w"], freeze="none")
    )
    assert sec.metrics["seconds"] is None
    assert sec.summary == "2 new and 1 replaced documents, 1 new words, freeze=none"


def test_summary_of_lists_judged_sections_and_their_bad_checks():
    update = Section("update", "Update", summary="ignored: the update section is the frame")
    good = Section("placement", "Placement", summary="all placed")
    good.add_check(Check("self_top1", 0.9, "pass", "r"))
    bad = Section("old_documents", "Old documents", summary="some moved")
    bad.add_check(Check("cosine_drop", 0.2, "fail", "r"))
    bad.add_check(Check("self_top1_drop", 0.1, "warn", "r"))
    bad.add_check(Check("stored_unchanged", 1.0, "pass", "r"))
    quiet = Section("new_words", "New words")  # no summary: left out
    quiet.add_check(Check("cooccur_share", None, "skip", "r"))
    report = Report(sections=[update, good, bad, quiet])
    assert summary_of(report) == (
        "Verdict: FAIL. Placement: all placed. "
        "Old documents: some moved (cosine_drop fail; self_top1_drop warn)."
    )


def test_summary_of_an_evaluation(unchanged_report):
    sections = unchanged_report.sections
    assert [s.verdict for s in sections] == ["pass", "skip", "pass", "pass", "pass"]
    text = summary_of(unchanged_report)
    assert text == unchanged_report.summary
    # nothing warned or failed: every section contributes its summary with no tail
    assert text == " ".join(["Verdict: PASS."] + [f"{s.title}: {s.summary}." for s in sections])
    assert " New words: the update added no words. " in text
