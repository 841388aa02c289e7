"""The keyword index analyses text for the model's language: stems, stop words, compound parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("tantivy")

from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.analysis import Analysis
from paravec.search import SearchIndex
from paravec.search.analyzer import LEGACY
from paravec.search.embedded import EmbeddedBackend
from paravec.search.fingerprint import model_fingerprint
from paravec.search.syncing import indexable

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def norwegian() -> list[tuple[str, str]]:
    with open(DATA / "norwegian.jsonl", encoding="utf-8") as fh:
        return [(row["id"], row["text"]) for row in map(json.loads, fh)]


@pytest.fixture(scope="module")
def nb_index(tmp_path_factory, norwegian) -> SearchIndex:
    nb = Analysis(language="nb", lemmatize=True)
    model = paravec.train(
        [TaggedDocument(nb(text), [tag]) for tag, text in norwegian],
        vector_size=8,
        min_count=1,
        epochs=2,
        workers=1,
        analysis=nb,
    )
    folder = tmp_path_factory.mktemp("nb")
    paravec.save(model, folder / "nb.model")
    return SearchIndex.build(folder / "nb.model", norwegian, folder / "nb.index")


def _keyword(index, query, k=3):
    return [hit.tag for hit in index.search(query, mode="keyword", k=k)]


def test_an_index_built_before_analyzers_keeps_its_plain_words(tmp_path, model, texts):
    # What an index of the previous version is: no "analyzer" in the manifest, lowercased tokens.
    paravec.save(model, tmp_path / "lee.model")
    EmbeddedBackend.create(
        tmp_path / "old.index",
        indexable(model, texts, {}, [], "error"),
        model.dv.vectors,
        fingerprint=model_fingerprint(model),
        model_path=tmp_path / "lee.model",
    )
    assert "analyzer" not in json.loads((tmp_path / "old.index" / "manifest.json").read_text())
    old = SearchIndex.open(tmp_path / "old.index")
    assert _keyword(old, "bushfires", k=5) == ["bg33"]  # the exact word only, as before
    assert "bg9" in _keyword(old, "bushfire", k=5)
    assert old.backend.view()._text.analyzer.settings == LEGACY


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("elev", "nb-skole"),  # Elevene
        ("turist", "nb-fjell"),  # Turistene (and nn-fjord's Turistane)
        ("strømpris", "nb-vaer"),  # Strømprisene: æøå kept
        ("planke", "nn-kyrkje"),  # nynorsk plankane
        ("hund", "nn-sau"),  # nynorsk hundane
    ],
)
def test_a_norwegian_index_finds_inflected_forms(nb_index, query, target):
    assert target in _keyword(nb_index, query)


@pytest.mark.parametrize(
    ("query", "target"),
    [("brann", "nb-skog"), ("roman", "nb-bibliotek"), ("torsk", "nb-fiske"), ("dikt", "nn-bok")],
)
def test_a_norwegian_index_finds_the_parts_of_compounds(nb_index, query, target):
    # skogbrannen, kriminalromaner, torskesesong, diktsamling: the parts have no word of their own there
    assert target in _keyword(nb_index, query)


def test_a_whole_compound_ranks_above_its_parts(nb_index):
    # "skogbrann" is a whole word of nb-skog only; "brann" is a word of nb-fotball (Brann) too.
    assert _keyword(nb_index, "skogbrannen", k=1) == ["nb-skog"]


def test_norwegian_stop_words_alone_find_nothing_by_keyword(nb_index):
    assert nb_index.search("og i på", mode="keyword", k=3) == []
    manifest = json.loads((nb_index.path / "manifest.json").read_text())
    assert manifest["analyzer"] == {
        "language": "nb",
        "stemmer": "norwegian",
        "stop_words": True,
        "compounds": "parts",
        "exact_forms": True,
        "stem_passes": 2,
    }


def test_words_are_looked_up_as_the_model_writes_them(nb_index):
    # The model's words are lemmas: "Sauene" is found as "sau".
    assert nb_index.documents_near_word("Sauene", k=1)
    assert [n.key for n in nb_index.words_near_word("Bøndene", k=3)] != []


def test_documents_added_later_are_analysed_like_the_first(nb_index, tmp_path):
    text = "Vindmøllene på kysten produserte rekordmye strøm i januar."
    nb_index.add_documents([("nb-vind", text)], epochs=2)
    assert _keyword(nb_index, "mølle", k=1) == ["nb-vind"]  # compound part of a synced document
    reopened = SearchIndex.open(nb_index.path)
    assert _keyword(reopened, "vindmølle", k=1) == ["nb-vind"]
    assert reopened.search("vindmøller", mode="vector", k=1)  # the model's words: lemmas
