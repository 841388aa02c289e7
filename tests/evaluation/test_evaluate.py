"""Tests of paravec.evaluation's entry points: evaluate() and evaluate_update() over whole reports."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import numpy as np
import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

import paravec
from paravec.errors import ParameterError
from paravec.evaluation import evaluate, evaluate_update
from paravec.report import Report


def test_nothing_moved_gives_identity_metrics_and_pass(unchanged_report: Report) -> None:
    r = unchanged_report
    wn = r.section("word_neighbours").metrics
    assert wn["frequent_overlap"] == 1.0 and wn["batch_overlap"] == 1.0
    assert wn["frequent_min_overlap"] == 1.0 and wn["flagged_words"] == []
    assert wn["frequent_mean_cosine"] == pytest.approx(1.0, abs=1e-6)
    old = r.section("old_documents").metrics
    assert old["cosine_drop"] == 0.0 and old["self_top1_drop"] == 0.0
    assert old["stored_unchanged"] == 1.0
    bench = r.section("word_benchmarks").metrics
    assert bench["wordsim353_before"] == bench["wordsim353_after"]
    assert bench["simlex999_before"] == bench["simlex999_after"]
    assert bench["analogies_before"] == bench["analogies_after"]
    for key in ("placement", "old_documents", "word_neighbours", "word_benchmarks"):
        assert r.section(key).verdict == "pass", (key, r.section(key).checks)
    assert r.section("new_words").verdict == "skip"
    assert r.verdict == "pass"


def test_report_round_trip_and_files(unchanged_report: Report, tmp_path) -> None:
    written = unchanged_report.save(tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.startswith("# paravec update report: PASS")
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["verdict"] == "pass"
    again = Report.from_dict(data)
    assert again.verdict == unchanged_report.verdict
    assert (
        again.section("placement").metrics["self_top1"]
        == unchanged_report.section("placement").metrics["self_top1"]
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written.values())
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "map" not in written
    else:
        assert (tmp_path / "out" / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_map_points_place_new_documents_words_and_old_documents(unchanged_report: Report) -> None:
    kinds = [p["kind"] for p in unchanged_report.map_points]
    # 60 placed new documents are cut to 50; old documents come from old_documents outside the batch
    assert kinds.count("new_doc") == 50 and kinds.count("old_doc") == 50
    assert kinds.count("new_word") == 0  # new_words=[]
    assert 0 < kinds.count("word") <= 150
    assert all(np.isfinite([p["x"], p["y"]]).all() for p in unchanged_report.map_points)


def test_update_freeze_all_keeps_pretrained_space(base, lee_test, olds, tmp_path) -> None:
    path = tmp_path / "base.model"
    base.save(str(path))
    for freeze, expect_same in (("all", True), ("none", False)):
        after = copy.deepcopy(base)
        upd = paravec.update(after, lee_test, freeze=freeze, epochs=10, seed=3, workers=1)
        r = evaluate_update(after, str(path), lee_test, upd, tmp_path / freeze, old_documents=olds, sample=50)
        wn = r.section("word_neighbours").metrics
        assert r.section("new_words").metrics["new_words"] == len(upd.new_words) > 0
        assert r.section("placement").metrics["missing_tags"] == 0
        if expect_same:
            assert wn["frequent_overlap"] == 1.0 and wn["batch_overlap"] == 1.0
            assert r.section("old_documents").metrics["stored_unchanged"] == 1.0
            assert r.section("word_benchmarks").verdict == "pass"
        else:
            assert wn["batch_overlap"] < 1.0
        assert (tmp_path / freeze / "report.json").exists()
        # the update section shows the report paravec.update returned, read once as a real UpdateReport
        assert r.sections[0].key == "update"
        assert r.sections[0].metrics["new_words"] == len(upd.new_words)
        assert r.sections[0].metrics["freeze"] == freeze


def test_update_report_as_dict_gives_the_same_update_section(base, lee_test) -> None:
    after = copy.deepcopy(base)
    upd = paravec.update(after, lee_test, epochs=2, seed=3, workers=1)
    kwargs = dict(sample=10, word_benchmarks=False, map_points=False)
    from_object = evaluate(after, lee_test, before=base, update_report=upd, **kwargs)
    from_json = evaluate(
        after, lee_test, before=base, update_report=json.loads(json.dumps(upd.to_dict())), **kwargs
    )
    assert from_json.sections[0] == from_object.sections[0]
    assert from_json.section("new_words").metrics == from_object.section("new_words").metrics


def test_evaluate_leaves_models_untouched(base, batch, olds) -> None:
    after = copy.deepcopy(base)
    state = base.random.get_state()[1].copy()
    words, docs = base.wv.vectors.copy(), base.dv.vectors.copy()
    evaluate(after, batch, before=base, old_documents=olds, sample=30, word_benchmarks=False)
    assert np.array_equal(base.random.get_state()[1], state)
    assert np.array_equal(base.wv.vectors, words) and np.array_equal(base.dv.vectors, docs)
    assert np.array_equal(after.wv.vectors, words) and np.array_equal(after.dv.vectors, docs)


def test_progress_is_called_after_each_section(base, batch) -> None:
    calls: list[tuple[str, int, int]] = []
    evaluate(
        base, batch, sample=5, map_points=False, word_benchmarks=False, progress=lambda *a: calls.append(a)
    )
    assert calls == [
        ("placement", 1, 4),
        ("new_words", 2, 4),
        ("old_documents", 3, 4),
        ("word_neighbours", 4, 4),
    ]


def test_same_inputs_give_the_same_report(base, batch) -> None:
    kwargs = dict(sample=20, seed=5, word_benchmarks=False)
    assert evaluate(base, batch, **kwargs).to_dict() == evaluate(base, batch, **kwargs).to_dict()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sample": 0}, "sample must be a positive integer; got 0"),
        ({"topn": True}, "topn must be a positive integer; got True"),
        ({"seed": -1}, "seed must be a non-negative integer; got -1"),
        ({"epochs": 0}, "epochs must be a positive integer or None; got 0"),
        ({"analogy_vocab": 2.5}, "analogy_vocab must be a positive integer; got 2.5"),
        ({"max_analogies": 0}, "max_analogies must be a positive integer; got 0"),
        ({"word_benchmarks": 1}, "word_benchmarks must be True or False; got 1"),
        ({"map_points": "yes"}, "map_points must be True or False; got 'yes'"),
    ],
)
def test_parameters_are_checked_before_any_work(base, batch, kwargs, message) -> None:
    with pytest.raises(ParameterError, match=f"^{re.escape(message)}$"):
        evaluate(base, batch, **kwargs)


def test_evaluate_update_checks_plots(base, batch, tmp_path) -> None:
    with pytest.raises(ParameterError, match="plots must be True or False"):
        evaluate_update(base, None, batch, out_dir=tmp_path, plots="no")


def test_documents_without_words_are_evaluated_not_refused(base, batch) -> None:
    empty = TaggedDocument([], [batch[0].tags[0]])
    report = evaluate(base, [empty, *batch[1:5]], sample=10, word_benchmarks=False, map_points=False)
    assert report.section("placement").metrics["documents_examined"] == 5


def test_other_model_types_are_refused(batch) -> None:
    empty_model = Doc2Vec(vector_size=8)
    with pytest.raises(ParameterError, match="model has no word vectors"):
        evaluate(empty_model, batch)


def test_the_vocabulary_is_prepared_once_per_report(base, lee_test, monkeypatch) -> None:
    # The placement and new-words sections both rank the whole vocabulary; a store update waits
    # for this report, so its sections share one prepared vocabulary instead of one each.
    from paravec import word_ranking

    model = copy.deepcopy(base)
    update_report = paravec.update(model, lee_test, workers=1, min_count=1)
    made = []
    real_init = word_ranking.WordRanker.__init__

    def counting_init(self: Any, m: Any) -> None:
        made.append(m)
        real_init(self, m)

    monkeypatch.setattr(word_ranking.WordRanker, "__init__", counting_init)
    report = paravec.evaluate(model, lee_test, update_report=update_report, word_benchmarks=False)
    placement = next(s for s in report.sections if s.key == "placement")
    new_words = next(s for s in report.sections if s.key == "new_words")
    assert placement.metrics["distinctive_hit"] is not None
    assert new_words.metrics["words_examined"] > 0
    assert len(made) == 1 and made[0] is model
