"""paravec.service.routes.documents: one document, its nearest words, documents like it."""

from __future__ import annotations

import pytest

from paravec.service.routes.documents import router


def test_document_by_path_and_by_query(client, lee, lee_title):
    tag, text = "lee/042", lee[1]["lee/042"]
    for r in (client.get(f"/api/documents/{tag}"), client.get("/api/document", params={"tag": tag})):
        assert r.status_code == 200, r.text
        assert r.json() == {"tag": tag, "title": lee_title(text), "text": text}
    # the slash may also arrive percent-encoded
    assert client.get("/api/documents/lee%2F042").json()["tag"] == tag


def test_document_words_are_words_of_the_model(client, lee, words_of):
    r = client.get("/api/documents/lee/010/words", params={"k": 15})
    assert r.status_code == 200, r.text
    words = r.json()["words"]
    assert len(words) == 15 and r.json()["tag"] == "lee/010"
    scores = [w["score"] for w in words]
    assert scores == sorted(scores, reverse=True)
    # dbow_words=1 puts documents among their own words: some nearest words occur in the text
    assert {w["word"] for w in words} & words_of(lee[1]["lee/010"])
    first = words[0]["word"]
    assert client.get(f"/api/words/{first}/neighbors").status_code == 200


def test_similar_documents(client, lee, lee_title):
    r = client.get("/api/documents/lee/010/similar", params={"k": 5})
    assert r.status_code == 200, r.text
    docs = r.json()["documents"]
    assert len(docs) == 5
    assert all(d["tag"] in lee[1] and d["tag"] != "lee/010" for d in docs)
    assert all(d["title"] == lee_title(lee[1][d["tag"]]) for d in docs)
    scores = [d["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


UNKNOWN_TAGS = [
    "lee/999",
    "nope",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "/etc/passwd",
    "lee/001/../../../etc/passwd",
    "🦘",
    "שלום",
    "lee/001 ",
    "C:\\Windows\\win.ini",
]


@pytest.mark.parametrize("tag", UNKNOWN_TAGS)
def test_unknown_documents_get_404(client, json_error, tag):
    quoted = tag.replace("%", "%25").replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
    for url in (
        f"/api/documents/{quoted}",
        f"/api/documents/{quoted}/words",
        f"/api/documents/{quoted}/similar",
    ):
        detail = json_error(client.get(url), 404)
        assert "root:" not in detail
    json_error(client.get("/api/document", params={"tag": tag}), 404)


def test_control_characters_in_tags_get_422(client, json_error):
    assert "U+0000" in json_error(client.get("/api/documents/lee%00/words"), 422)
    json_error(client.get("/api/document", params={"tag": "\x00"}), 422)


def test_a_tag_over_the_key_limit_gets_422(client, json_error):
    from paravec.search.validate import MAX_KEY_CHARS

    detail = json_error(client.get("/api/document", params={"tag": "x" * (MAX_KEY_CHARS + 1)}), 422)
    assert f"1 to {MAX_KEY_CHARS}" in detail


# ------------------------------------------------------------------------------------------------
# The router alone
# ------------------------------------------------------------------------------------------------


def test_documents_alone_answer_from_the_index_they_are_given(serve_router, lee_index, lee, lee_title):
    c = serve_router(router, lee_index)
    r = c.get("/api/document", params={"tag": "lee/007"})
    assert r.json() == {"tag": "lee/007", "title": lee_title(lee[1]["lee/007"]), "text": lee[1]["lee/007"]}
    words = c.get("/api/documents/lee/007/words", params={"k": 3}).json()["words"]
    assert [w["word"] for w in words] == [n.key for n in lee_index.words_near_document("lee/007", k=3)]
    similar = c.get("/api/documents/lee/007/similar", params={"k": 3}).json()["documents"]
    assert [d["tag"] for d in similar] == [n.key for n in lee_index.documents_like("lee/007", k=3)]
    assert c.get("/api/search", params={"q": "fire"}).status_code == 404  # not this router's


def test_words_and_similar_routes_come_before_the_document_route(serve_router, lee_index, json_error):
    c = serve_router(router, lee_index)
    # ".../words" is the words of lee/007, not a document tagged "lee/007/words"
    assert c.get("/api/documents/lee/007/words").json()["tag"] == "lee/007"
    # a tag ending in "/words" is reached through the query-string route (and is unknown here)
    assert "lee/007/words" in json_error(c.get("/api/document", params={"tag": "lee/007/words"}), 404)
