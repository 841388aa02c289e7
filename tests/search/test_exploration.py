"""Exploration of the joint word/document space, compared with gensim itself."""

from __future__ import annotations

import pytest

from paravec.errors import ParameterError, ParavecError
from paravec.search import NotFoundError
from paravec.tokenizer import tokenize
from paravec.word_ranking import nearest_words, words_near_word


def test_exploration_matches_gensim_and_the_word_ranking(idx, model):
    # Words rank by paravec.word_ranking, the one ranking of every caller; documents as gensim does.
    assert [(n.key, pytest.approx(n.score, abs=1e-5)) for n in idx.words_near_word("fire", k=5)] == [
        (w, pytest.approx(s, abs=1e-5)) for w, s in words_near_word(model, "fire", 5)
    ]
    near_doc = idx.words_near_document("bg0", k=5)
    assert [n.key for n in near_doc] == [w for w, _ in nearest_words(model, model.dv["bg0"], 5)]
    like = idx.documents_like("bg0", k=5)
    assert "bg0" not in [n.key for n in like]
    assert [n.key for n in like] == [t for t, _ in model.dv.most_similar("bg0", topn=5)]
    by_word = idx.documents_near_word("fire", k=5)
    expected = model.dv.similar_by_vector(model.wv["fire"], topn=5)
    assert [n.key for n in by_word] == [t for t, _ in expected]
    assert by_word[0].score == pytest.approx(expected[0][1], abs=1e-5)


def test_free_text_lands_near_its_document_and_words(idx, text_of):
    text = text_of("bg10")
    assert "bg10" in [n.key for n in idx.text_to_documents(text, k=3)]
    words = [n.key for n in idx.text_to_words(text, k=30)]
    assert set(words) & set(tokenize(text))


def test_word_lookup_normalises_case(idx):
    assert idx.words_near_word("Fire", k=3) == idx.words_near_word("fire", k=3)


def test_unknown_tags_and_words_are_not_found(idx):
    for call in (
        lambda: idx.document("nope"),
        lambda: idx.documents_like("../../etc/passwd"),
        lambda: idx.words_near_document("nope"),
        lambda: idx.words_near_word("zzqx"),
        lambda: idx.documents_near_word("zzqx"),
    ):
        with pytest.raises(NotFoundError) as info:
            call()
        assert isinstance(info.value, ParavecError)
    with pytest.raises(ParameterError, match="one word"):
        idx.words_near_word("fire brigade")
