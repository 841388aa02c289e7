"""paravec.updating.mismatch: a batch analysed unlike the base is named in the update's warnings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.analysis import Analysis, of_model
from paravec.tokenizer import tokenize

DATA = Path(__file__).parent.parent / "data"
NB = Analysis(language="nb", lemmatize=True)


@pytest.fixture(scope="module")
def norwegian() -> list[tuple[str, str]]:
    with open(DATA / "norwegian.jsonl", encoding="utf-8") as fh:
        return [(row["id"], row["text"]) for row in map(json.loads, fh)]


def _base(texts, analysis, *, record=True):
    docs = [TaggedDocument(analysis(text), [tag]) for tag, text in texts]
    return paravec.train(
        docs, vector_size=8, min_count=1, epochs=2, workers=1, analysis=analysis if record else None
    )


def test_a_batch_not_lemmatized_like_the_base_is_named(norwegian):
    base = _base(norwegian, NB)
    batch = [TaggedDocument(tokenize(text), [f"new-{tag}"]) for tag, text in norwegian]
    report = paravec.update(base, batch, min_count=1)
    [warning] = report.warnings
    assert warning.startswith(
        "the batch looks not lemmatized like the base (the base records: nb, lowercased"
    )
    examples = re.findall(r"'(\w+)' -> '(\w+)'", warning)
    assert len(examples) == 4 and all(NB.lemma(form) == lemma != form for form, lemma in examples)
    assert "of_model(base)" in warning
    assert f"warning: {warning}" in report.summary()
    assert report.to_dict()["warnings"] == [warning]


def test_a_batch_read_with_the_bases_pipeline_gets_no_warning(norwegian):
    base = _base(norwegian, NB)
    batch = [TaggedDocument(of_model(base)(text), [f"new-{tag}"]) for tag, text in norwegian]
    assert paravec.update(base, batch, min_count=1).warnings == []


def test_a_base_that_records_nothing_is_recognised_as_lemmatized(norwegian):
    base = _base(norwegian, NB, record=False)
    batch = [TaggedDocument(tokenize(text), [f"new-{tag}"]) for tag, text in norwegian]
    [warning] = paravec.update(base, batch, min_count=1).warnings
    assert "records no text analysis, but its words look like nb lemmas" in warning
    assert "Analysis(language='nb', lemmatize=True)" in warning


def test_a_batch_tokenized_otherwise_is_named(lee_background, lee_test):
    base = paravec.train(lee_background, vector_size=8, min_count=2, epochs=1, workers=1)
    from gensim.test.utils import datapath

    with open(datapath("lee.cor"), encoding="latin-1") as fh:
        lines = [line for line in fh.read().splitlines() if line.strip()]
    batch = [
        TaggedDocument(line.split(), [f"raw{i}"]) for i, line in enumerate(lines)
    ]  # case and commas kept
    [warning] = paravec.update(base, batch).warnings
    assert warning.startswith("the batch looks tokenized or cased unlike the base")
    assert "'The' -> 'the'" in warning


def test_a_batch_of_new_text_analysed_alike_gets_no_warning(lee_background, lee_test):
    base = paravec.train(lee_background, vector_size=8, min_count=2, epochs=1, workers=1)
    assert paravec.update(base, lee_test).warnings == []
