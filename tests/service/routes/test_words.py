"""paravec.service.routes.words: the words and documents nearest to a word."""

from __future__ import annotations

import pytest

from paravec.service.routes.words import router


def test_word_neighbors_and_documents(client, lee, words_of):
    r = client.get("/api/words/cricket/neighbors", params={"k": 10})
    assert r.status_code == 200, r.text
    words = [w["word"] for w in r.json()["words"]]
    assert len(words) == 10 and "cricket" not in words
    r = client.get("/api/words/cricket/documents", params={"k": 5})
    assert r.status_code == 200, r.text
    docs = r.json()["documents"]
    assert len(docs) == 5
    # the documents nearest to "cricket" are mostly about cricket
    about = sum("cricket" in words_of(lee[1][d["tag"]]) for d in docs)
    assert about >= 3, [d["title"] for d in docs]


@pytest.mark.parametrize("word", ["zzyzxqq", "🦘", "שלום"])
def test_unknown_words_get_404(client, json_error, word):
    assert "vocabulary" in json_error(client.get(f"/api/words/{word}/neighbors"), 404)
    assert "vocabulary" in json_error(client.get(f"/api/words/{word}/documents"), 404)


@pytest.mark.parametrize("word", ["../../etc/passwd", "cricket match"])
def test_several_words_get_422(client, json_error, word):
    # the tokenizer makes two words of each ("etc"/"passwd", "cricket"/"match")
    quoted = word.replace("/", "%2F")
    assert "2 words" in json_error(client.get(f"/api/words/{quoted}/neighbors"), 422)
    assert "2 words" in json_error(client.get(f"/api/words/{quoted}/documents"), 422)


def test_control_characters_in_words_get_422(client, json_error):
    assert "U+0001" in json_error(client.get("/api/words/cri%01cket/neighbors"), 422)


def test_words_are_looked_up_the_way_the_tokenizer_writes_them(client):
    plain = client.get("/api/words/cricket/neighbors").json()["words"]
    shouted = client.get("/api/words/Cricket!/neighbors")
    assert shouted.status_code == 200 and shouted.json()["words"] == plain


def test_words_alone_answer_from_the_index_they_are_given(serve_router, lee_index, json_error):
    c = serve_router(router, lee_index)
    neighbors = c.get("/api/words/fire/neighbors", params={"k": 4}).json()
    assert neighbors["word"] == "fire"
    assert [w["word"] for w in neighbors["words"]] == [n.key for n in lee_index.words_near_word("fire", k=4)]
    documents = c.get("/api/words/fire/documents", params={"k": 4}).json()["documents"]
    assert [d["tag"] for d in documents] == [n.key for n in lee_index.documents_near_word("fire", k=4)]
    json_error(c.get("/api/words/fire/neighbors", params={"k": 0}), 422)
