"""Tests of paravec.evaluate: each metric on a case whose answer is known, so none can pass by construction.

Models are small real ones (lee_background.cor, 32 dimensions, few epochs, one worker: reproducible).
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec.errors import CorpusError, ModelFileError, ParameterError
from paravec.evaluate import analogy_accuracy, evaluate, evaluate_update, neighbour_overlap, word_pair_spearman
from paravec.report import Report


@pytest.fixture(scope="module")
def base(lee_background: list[TaggedDocument]) -> Doc2Vec:
    """A PV-DBOW + skip-gram model of all 300 background articles."""
    return Doc2Vec(lee_background, vector_size=32, dm=0, dbow_words=1, window=5, min_count=2,
                   epochs=15, seed=7, workers=1)


@pytest.fixture(scope="module")
def batch(lee_background: list[TaggedDocument]) -> list[TaggedDocument]:
    return lee_background[240:]


@pytest.fixture(scope="module")
def olds(lee_background: list[TaggedDocument]) -> list[TaggedDocument]:
    return lee_background[:120]


@pytest.fixture(scope="module")
def unchanged_report(base, batch, olds) -> Report:
    after = copy.deepcopy(base)
    return evaluate(after, batch, before=base, old_documents=olds, new_words=[], sample=60)


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


def test_trained_documents_are_placed_on_themselves(unchanged_report: Report) -> None:
    p = unchanged_report.section("placement").metrics
    # the batch was trained with the model, so re-inference must find most of them first
    assert p["self_top1"] >= 0.8
    assert p["distinctive_hit"] >= 0.5
    assert p["documents_examined"] == 60


def test_replaced_word_vector_is_flagged(base, batch, olds) -> None:
    after = copy.deepcopy(base)
    word, donor = base.wv.index_to_key[30], base.wv.index_to_key[2500]
    after.wv.vectors[after.wv.get_index(word)] = base.wv[donor]
    res = neighbour_overlap(base, after, [word, base.wv.index_to_key[31]])
    assert res["overlap"][0] < 0.3
    assert res["overlap"][1] >= 0.8  # a neighbour list that only loses one member barely changes
    r = evaluate(after, batch, before=base, new_words=[], sample=60, word_benchmarks=False)
    sec = r.section("word_neighbours")
    assert word in sec.metrics["flagged_words"]
    assert sec.check("flagged_share").verdict in ("warn", "fail")
    assert sec.verdict != "pass" and r.verdict != "pass"
    # the input models were not modified
    assert not np.array_equal(base.wv[word], after.wv[word])


def test_swapped_document_vectors_fail_self_rank(base, batch) -> None:
    honest = evaluate(base, batch, sample=60, word_benchmarks=False, map_points=False)
    ranks = honest.section("placement").metrics["self_ranks"]
    a, b = [t for t, r in ranks.items() if r == 0][:2]
    swapped = copy.deepcopy(base)
    ia, ib = swapped.dv.get_index(a), swapped.dv.get_index(b)
    swapped.dv.vectors[[ia, ib]] = swapped.dv.vectors[[ib, ia]]
    after = evaluate(swapped, batch, sample=60, word_benchmarks=False, map_points=False)
    ranks_after = after.section("placement").metrics["self_ranks"]
    assert ranks_after[a] > 0 and ranks_after[b] > 0
    assert after.section("placement").metrics["self_top1"] < honest.section("placement").metrics["self_top1"]


def test_permuted_document_vectors_fail_placement(base, batch) -> None:
    scrambled = copy.deepcopy(base)
    rows = [scrambled.dv.get_index(d.tags[0]) for d in batch]
    scrambled.dv.vectors[rows] = scrambled.dv.vectors[np.roll(rows, 1)]
    sec = evaluate(scrambled, batch, sample=60, word_benchmarks=False, map_points=False).section("placement")
    assert sec.metrics["self_top1"] < 0.2
    assert sec.check("self_top1").verdict == "fail"


def test_new_word_cooccurrence_is_above_chance_and_fails_when_random(base, batch, lee_background) -> None:
    # words that occur only in the batch play the new words: their vectors were learnt from it
    outside = {w for d in lee_background[:240] for w in d.words}
    only_batch = [w for w in base.wv.index_to_key if w not in outside]
    assert len(only_batch) >= 20
    sec = evaluate(base, batch, new_words=only_batch, sample=60, word_benchmarks=False).section("new_words")
    m = sec.metrics
    assert m["cooccur_share"] > 3 * m["chance_share"]
    assert sec.check("cooccur_share").verdict in ("pass", "warn")
    noisy = copy.deepcopy(base)
    rng = np.random.default_rng(0)
    for w in only_batch:
        noisy.wv.vectors[noisy.wv.get_index(w)] = rng.normal(size=noisy.vector_size)
    sec2 = evaluate(noisy, batch, new_words=only_batch, sample=60, word_benchmarks=False).section("new_words")
    assert sec2.metrics["cooccur_share"] < m["cooccur_share"] / 2
    assert sec2.check("cooccur_share").verdict == "fail"


def test_broken_vectors_fail(base, batch) -> None:
    broken = copy.deepcopy(base)
    broken.dv.vectors[broken.dv.get_index(batch[0].tags[0])] = np.nan
    sec = evaluate(broken, batch, sample=60, word_benchmarks=False, map_points=False).section("placement")
    assert sec.check("broken_vectors").verdict == "fail"
    assert sec.metrics["self_ranks"][batch[0].tags[0]] > 0


def test_word_benchmarks_match_gensim(base) -> None:
    for name in ("wordsim353.tsv", "simlex999.txt"):
        ours = word_pair_spearman([base], datapath(name))
        rho = base.wv.evaluate_word_pairs(datapath(name), dummy4unknown=False)[1].statistic
        assert ours["spearman"][0] == pytest.approx(rho, abs=1e-6)
        assert ours["pairs"] > 20
    ours = analogy_accuracy([base], datapath("questions-words.txt"), restrict_vocab=3000, max_questions=None)
    score, sections = base.wv.evaluate_word_analogies(datapath("questions-words.txt"), restrict_vocab=3000)
    total = sections[-1]
    assert ours["questions"] == len(total["correct"]) + len(total["incorrect"])
    assert ours["accuracy"][0] == pytest.approx(score)


def test_word_benchmarks_detect_a_damaged_space(base) -> None:
    damaged = copy.deepcopy(base)
    damaged.wv.vectors[:] = np.random.default_rng(1).normal(size=damaged.wv.vectors.shape)
    res = word_pair_spearman([base, damaged], datapath("simlex999.txt"))
    assert res["spearman"][0] != res["spearman"][1]
    res = analogy_accuracy([base, damaged], datapath("questions-words.txt"), restrict_vocab=3000)
    assert res["accuracy"][1] == 0.0 or res["accuracy"][1] < res["accuracy"][0]


def test_report_round_trip_and_files(unchanged_report: Report, tmp_path) -> None:
    written = unchanged_report.save(tmp_path / "out")
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.startswith("# paravec update report: PASS")
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["verdict"] == "pass"
    again = Report.from_dict(data)
    assert again.verdict == unchanged_report.verdict
    assert again.section("placement").metrics["self_top1"] == unchanged_report.section("placement").metrics["self_top1"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written.values())
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "map" not in written
    else:
        assert (tmp_path / "out" / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_input_raises_paravec_errors(base, batch, tmp_path) -> None:
    with pytest.raises(ParameterError, match="Doc2Vec"):
        evaluate("model.bin", batch)
    with pytest.raises(CorpusError, match="empty"):
        evaluate(base, [])
    with pytest.raises(CorpusError, match="TaggedDocument"):
        evaluate(base, ["just a string"])
    with pytest.raises(ParameterError, match="sample"):
        evaluate(base, batch, sample=0)
    with pytest.raises(ModelFileError):
        evaluate(base, batch, before=tmp_path / "missing.model")
    other = Doc2Vec(batch, vector_size=8, min_count=2, epochs=1, workers=1)
    with pytest.raises(ParameterError, match="vector_size"):
        evaluate(base, batch, before=other)


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


def test_cli_evaluate_writes_report(base, tmp_path) -> None:
    from typer.testing import CliRunner

    from paravec.cli import app
    from paravec.corpus import read_corpus

    docs = list(read_corpus(datapath("lee_background.cor"), encoding="latin-1"))
    model = Doc2Vec(docs, vector_size=32, dm=0, dbow_words=1, min_count=2, epochs=8, seed=2, workers=1)
    path = tmp_path / "m.model"
    model.save(str(path))
    # typer runs a lone registered command without its name; with several it needs "evaluate"
    name = ["evaluate"] if len(app.registered_commands) + len(app.registered_groups) > 1 else []
    res = CliRunner().invoke(app, [*name, str(path), datapath("lee_background.cor"), "--encoding", "latin-1",
                                   "--before", str(path), "--out", str(tmp_path / "rep"), "--sample", "40",
                                   "--no-benchmarks", "--no-plots"])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert data["sections"][0]["key"] == "placement"
    assert data["parameters"]["sample"] == 40
    bad = CliRunner().invoke(app, [*name, str(tmp_path / "nope.model"), datapath("lee.cor"), "--out", str(tmp_path / "x")])
    assert bad.exit_code != 0


def test_overwritten_old_document_vector_fails(base, batch, olds) -> None:
    # what gensim's build_vocab(update=True) does: an old tag ends up pointing at another document's vector
    after = copy.deepcopy(base)
    victim, donor = olds[3].tags[0], olds[50].tags[0]
    after.dv.vectors[after.dv.get_index(victim)] = base.dv[donor]
    sec = evaluate(after, batch, before=base, old_documents=olds, new_words=[], sample=len(olds),
                   word_benchmarks=False, map_points=False).section("old_documents")
    assert sec.metrics["stored_unchanged"] == pytest.approx(1 - 1 / len(olds))
    assert sec.check("stored_unchanged").verdict == "fail"


def test_evaluate_leaves_models_untouched(base, batch, olds) -> None:
    after = copy.deepcopy(base)
    state = base.random.get_state()[1].copy()
    words, docs = base.wv.vectors.copy(), base.dv.vectors.copy()
    evaluate(after, batch, before=base, old_documents=olds, sample=30, word_benchmarks=False)
    assert np.array_equal(base.random.get_state()[1], state)
    assert np.array_equal(base.wv.vectors, words) and np.array_equal(base.dv.vectors, docs)
    assert np.array_equal(after.wv.vectors, words) and np.array_equal(after.dv.vectors, docs)
