"""Tests of paravec.evaluation.inputs: what evaluate() refuses before it computes anything, and why."""

from __future__ import annotations

import copy

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.errors import CorpusError, ModelFileError, ParameterError
from paravec.evaluation import evaluate
from paravec.evaluation.inputs import as_update_report, load_before, new_words_of
from paravec.updating import UpdateReport


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


def test_an_int_tag_is_not_a_row_of_a_model_with_string_tags(base, batch, olds) -> None:
    # gensim's dv.get_index(5) answers row 5 ("bg5") on this model; paravec.tags does not
    assert base.dv.get_index(5) == 5
    with pytest.raises(CorpusError, match="integer tag 5; this model's documents have string tags"):
        evaluate(base, [TaggedDocument(batch[0].words, [5])], sample=1)
    with pytest.raises(CorpusError, match="old_documents document #0 has the integer tag 3"):
        evaluate(base, batch, before=base, old_documents=[TaggedDocument(olds[3].words, [3])])


def test_int_tags_are_rows_of_a_model_with_int_tags(lee_background) -> None:
    docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background[:100])]
    model = Doc2Vec(docs, vector_size=16, dm=0, dbow_words=1, min_count=2, epochs=5, seed=1, workers=1)
    beyond = TaggedDocument(docs[0].words, [150])
    sec = evaluate(model, [*docs[90:], beyond], sample=20, word_benchmarks=False).section("placement")
    assert sec.metrics["documents_examined"] == 11
    assert sec.metrics["missing_tags"] == 1
    assert sec.check("missing_tags").note == "not in model.dv: 150"
    assert set(sec.metrics["self_ranks"]) == {str(i) for i in range(90, 100)}


def test_old_documents_are_checked_against_the_model_before(base, batch, olds) -> None:
    renamed = [TaggedDocument(d.words, [f"gone{i}"]) for i, d in enumerate(olds[:5])]
    sec = evaluate(base, batch, before=base, old_documents=renamed, word_benchmarks=False).section(
        "old_documents"
    )
    assert sec.verdict == "skip"
    assert sec.check("self_top1_drop").note == "none of the old documents' tags is in the model before"
    with pytest.raises(CorpusError, match="tags must be unique within a batch"):
        evaluate(base, batch, before=base, old_documents=[olds[0], olds[0]])


def test_before_is_loaded_from_a_path_and_checked(base, tmp_path) -> None:
    path = tmp_path / "base.model"
    base.save(str(path))
    loaded = load_before(str(path))
    assert loaded is not base and (loaded.dv.vectors == base.dv.vectors).all()
    with pytest.raises(
        ModelFileError, match="does not exist; pass the model file as it was before the update"
    ):
        load_before(tmp_path / "nope.model")
    with pytest.raises(ParameterError, match=r"^before must be a gensim Doc2Vec model, got int$"):
        load_before(3)


def test_update_report_is_read_once_as_an_update_report() -> None:
    report = UpdateReport(new_words=["xxyfg"], documents=2, seconds={"total": 1.5})
    assert as_update_report("update_report", report) is report
    again = as_update_report("update_report", report.to_dict())
    assert again == report
    assert as_update_report("update_report", None) is None
    with pytest.raises(ParameterError, match="has the key 'verdict', which UpdateReport does not have"):
        as_update_report("update_report", {"verdict": "pass"})
    with pytest.raises(ParameterError, match="got list"):
        as_update_report("update_report", ["xxyfg"])


def test_new_words_come_from_the_list_the_report_or_the_models(base) -> None:
    grown = copy.deepcopy(base)
    grown.wv.add_vectors(["xxyfg"], [base.wv[0]])
    report = UpdateReport(new_words=["from-report"])
    assert new_words_of(grown, base, ["given"], report) == ["given"]
    assert new_words_of(grown, base, None, report) == ["from-report"]
    assert new_words_of(grown, base, None, None) == ["xxyfg"]
    assert new_words_of(grown, None, None, None) is None
