"""paravec.analysis: the declared text pipeline, recorded in the model, on bokmål, nynorsk and English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.analysis import ATTRIBUTE, Analysis, lemmatizer, of_model, record
from paravec.errors import ParameterError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def paragraphs() -> dict[str, dict[str, str]]:
    """Short bokmål and nynorsk paragraphs written for these tests, by id."""
    with open(DATA / "norwegian.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return {row["id"]: row for row in rows}


def test_bokmal_is_lemmatized_with_aeoa_kept(paragraphs):
    words = Analysis(language="nb", lemmatize=True)(paragraphs["nb-vaer"]["text"])
    # "Meteorologene varsler ... snøfall på Østlandet ... Veiene ... Strømprisene"
    assert words[:4] == ["meteorolog", "varsle", "kraftig", "snøfall"]
    assert {"østland", "vei", "strømpris"} <= set(words)
    plain = Analysis(language="nb")(paragraphs["nb-vaer"]["text"])
    assert {"meteorologene", "østlandet", "strømprisene"} <= set(plain)


def test_nynorsk_is_lemmatized_with_its_own_dictionary(paragraphs):
    text = paragraphs["nn-sau"]["text"]  # "Sauene kom heim frå fjellbeitet ... Bøndene ... hundane"
    words = Analysis(language="nn", lemmatize=True)(text)
    assert {"sau", "fjellbeite", "bonde", "hund", "frå"} <= set(words)
    assert "sauene" not in words and "bøndene" not in words


def test_the_other_norwegian_standard_is_tried_second():
    assert lemmatizer("nb")("skulane") == "skule"  # nynorsk plural, unknown to the bokmål dictionary
    assert lemmatizer("nn")("husene") == "hus"  # bokmål plural


def test_stop_words_and_case_are_declared():
    analysis = Analysis(lowercase=False, stop_words=("the", "of"))
    assert analysis("The Sydney of the bushfires") == ["The", "Sydney", "bushfires"]
    assert Analysis()("The Sydney") == ["the", "sydney"]


def test_the_pipeline_survives_gensim_save_and_load(tmp_path, paragraphs):
    nb = Analysis(language="nb", lemmatize=True)
    docs = [TaggedDocument(nb(p["text"]), [key]) for key, p in paragraphs.items() if key.startswith("nb")]
    model = paravec.train(docs, vector_size=8, min_count=1, epochs=2, analysis=nb, workers=1)
    assert getattr(model, ATTRIBUTE) == nb.to_dict()
    # Plain data a pickle-free store keeps: str, int, bool and lists of str, no None.
    assert all(isinstance(v, (str, int, bool, list)) for v in getattr(model, ATTRIBUTE).values())
    assert all(isinstance(v, (str, int, bool, list)) for v in Analysis().to_dict().values())
    model.save(str(tmp_path / "plain.model"))
    loaded = Doc2Vec.load(str(tmp_path / "plain.model"))  # plain gensim, no paravec
    assert of_model(loaded) == nb
    paravec.save(loaded, tmp_path / "paravec.model")
    assert of_model(paravec.load(tmp_path / "paravec.model")) == nb


def test_a_model_recording_nothing_gets_the_default_pipeline(lee_background):
    model = paravec.train(lee_background[:20], vector_size=8, min_count=1, epochs=1, workers=1)
    assert not hasattr(model, ATTRIBUTE)
    assert of_model(model) == Analysis()
    assert of_model(model)("Bushfires near Sydney") == paravec.tokenize("Bushfires near Sydney")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"language": "klingon"}, "language must be one of"),
        ({"version": 99}, "version 99"),
        ({"lemmatizer": "spacy"}, "unknown lemmatizer 'spacy'"),
        ("nb", "must be a dict"),
    ],
)
def test_a_bad_recorded_pipeline_is_named(data, message):
    class Model:
        pass

    model = Model()
    setattr(model, ATTRIBUTE, data)
    with pytest.raises(ParameterError, match=message):
        of_model(model)


def test_record_writes_what_of_model_reads():
    class Model:
        pass

    model = Model()
    record(model, Analysis(language="nn", lemmatize=True, stop_words=("og",)))
    assert of_model(model).describe() == "nn, lowercased, lemmatized (simplemma), 1 stop words dropped"


def test_check_accepts_a_recorded_pipeline_and_names_a_broken_one(lee_background):
    model = paravec.train(lee_background[:20], vector_size=8, min_count=1, epochs=1, workers=1)
    record(model, Analysis(language="nb", lemmatize=True))
    assert paravec.check(model) == []
    setattr(model, ATTRIBUTE, {"language": "xx"})
    [problem] = paravec.check(model)
    assert problem.startswith("the recorded text analysis (paravec_analysis) is unusable: language must be")
