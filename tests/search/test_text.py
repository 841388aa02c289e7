"""paravec.search.text: tantivy's BM25 candidates, stored texts and snippets, on the Lee corpus."""

from __future__ import annotations

from collections import Counter

import pytest

from paravec.errors import IndexStateError
from paravec.search.text import SNIPPET_CHARS, TextStore, clean_text
from paravec.tokenizer import tokenize


@pytest.fixture(scope="module")
def store(tmp_path_factory, texts) -> TextStore:
    """The 300 Lee background articles, slot i tagged bg{i}, without titles."""
    built = TextStore.create(tmp_path_factory.mktemp("text"))
    built.add((slot, tag, "", body) for slot, (tag, body) in enumerate(texts))
    return built


@pytest.fixture(scope="module")
def doc_freq(texts) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _tag, body in texts:
        counts.update(set(tokenize(body)))
    return counts


def test_a_rare_word_finds_the_one_document_that_has_it_first(store, texts, doc_freq):
    # "cranebrook" is in bg0 only, "elkhart" in bg211 only; "the" is in all 300 articles.
    assert doc_freq["cranebrook"] == 1 and "cranebrook" in tokenize(texts[0][1])
    assert doc_freq["elkhart"] == 1 and "elkhart" in tokenize(texts[211][1])
    assert [slot for slot, _ in store.search(["elkhart"], {}, 10)] == [211]
    found = store.search(["the", "elkhart"], {}, 300)
    assert found[0][0] == 211 and len(found) == 300
    assert store.search(["cranebrook", "the"], {}, 5)[0][0] == 0


def test_candidates_are_exactly_the_documents_with_the_word_best_first(store, texts, doc_freq):
    found = store.search(["fire"], {}, 300)
    assert len(found) == doc_freq["fire"] == 30
    assert {slot for slot, _ in found} == {i for i, (_t, b) in enumerate(texts) if "fire" in tokenize(b)}
    scores = [score for _slot, score in found]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert len(store.search(["fire"], {}, 5)) == 5


def test_document_frequencies_agree_with_the_tokenizer(store, doc_freq):
    assert store.doc_freqs(["fire", "bushfires", "the", "zzqxj"]) == (
        {"fire": doc_freq["fire"], "bushfires": 1, "the": 300, "zzqxj": 0},
        300,
    )
    assert len(store) == 300


def test_an_expansion_word_counts_with_its_weight(store):
    plain = dict(store.search(["bushfires"], {}, 5))
    half = dict(store.search([], {"bushfires": 0.5}, 5))
    assert list(plain) == list(half) == [33]
    assert half[33] == pytest.approx(plain[33] * 0.5, rel=1e-6)
    assert store.search([], {}, 5) == []


@pytest.mark.parametrize("word", ['fire"', "text:fire", "(fire", "fire OR", "*", "-"])
def test_query_syntax_is_a_plain_term_never_a_parse_error(store, word):
    # The analyzer keeps the word's letters: 'text:fire' is the words text and fire, never a field.
    expected = store.search(tokenize(word), {}, 5) if tokenize(word) else []
    assert store.search([word], {}, 5) == expected


def test_texts_documents_and_snippets_of_the_stored_articles(store, texts):
    assert store.texts(["bg3", "bg1", "nope"]) == {"bg3": texts[3][1], "bg1": texts[1][1]}
    assert store.document("bg33") == {"tag": "bg33", "title": "", "text": texts[33][1]}
    assert store.document("../bg33") is None
    [(title, snippet, spans), missing] = store.snippets(["bg33", "nope"], ["bushfires"], {})
    assert title == "" and len(snippet) <= SNIPPET_CHARS and spans
    assert [snippet[a:b].lower() for a, b in spans] == ["bushfires"] * len(spans)
    assert missing == ("", "", [])


def test_a_document_without_the_words_gets_the_start_of_its_text(store, texts):
    [(_title, snippet, spans)] = store.snippets(["bg0"], [], {})
    flat = " ".join(texts[0][1].split())
    assert spans == [] and flat.startswith(snippet)
    assert 120 < len(snippet) <= SNIPPET_CHARS and flat[len(snippet)] == " "


def test_titles_count_double_and_a_replaced_text_is_searched_by_its_new_words(tmp_path):
    store = TextStore.create(tmp_path / "t")
    store.add([(0, "a", "", "The shuttle launch was delayed by rain."), (1, "b", "Launch", "Rain fell.")])
    assert [slot for slot, _ in store.search(["launch"], {}, 5)] == [1, 0]
    store.add([(0, "a", "", "Apples and pears.")], delete_first=["a"])
    assert len(store) == 2
    assert [slot for slot, _ in store.search(["launch"], {}, 5)] == [1]
    assert [slot for slot, _ in store.search(["pears"], {}, 5)] == [0]
    reopened = TextStore.open(tmp_path / "t")
    assert reopened.document("a") == {"tag": "a", "title": "", "text": "Apples and pears."}


def test_highlights_are_character_spans_in_non_ascii_text(tmp_path):
    store = TextStore.create(tmp_path / "t")
    store.add([(0, "a", "", "Ærø café — the ferry to Søby was late.")])
    [(_title, snippet, spans)] = store.snippets(["a"], ["søby"], {})
    assert [snippet[a:b] for a, b in spans] == ["Søby"]


def test_opening_a_folder_without_a_text_index_is_an_index_state_error(tmp_path):
    with pytest.raises(IndexStateError) as info:
        TextStore.open(tmp_path)
    assert str(info.value) == f"{tmp_path}: no text index there; rebuild with `paravec index`"


def test_clean_text_normalises_to_nfc_and_replaces_lone_surrogates():
    ascii_text = "The shuttle launch."
    assert clean_text(ascii_text) is ascii_text
    assert clean_text("Cafe\u0301") == "Caf\u00e9"
    assert clean_text("fire\ud800rain\udfff") == "fire\ufffdrain\ufffd"
    assert clean_text("fire\ud800rain\udfff").encode("utf-8") == b"fire\xef\xbf\xbdrain\xef\xbf\xbd"
