"""paravec.service.routes.search: /api/search, /api/similar and /api/explore on the Lee index.

Most tests call the whole service (``client``); the ``*_alone`` tests mount only this router on a
bare app whose ``get_index`` dependency is overridden with the index under test.
"""

from __future__ import annotations

import pytest

from paravec.search.validate import MAX_K, MAX_TEXT_CHARS
from paravec.service.routes.search import router


def _marked(hit: dict) -> list[str]:
    return [p["text"] for p in hit["snippet_parts"] if p["match"]]


def _ranks_agree_with_why(hit: dict) -> bool:
    return (hit["keyword_rank"] is not None) == (hit["why"] in {"keyword", "both"}) and (
        hit["vector_rank"] is not None
    ) == (hit["why"] in {"vector", "both"})


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "vector", "document"])
def test_search_returns_hits_with_highlights_and_why(client, lee, mode, words_of):
    r = client.get("/api/search", params={"q": "bushfires Sydney", "mode": mode, "k": 5})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["mode"] == mode and data["query"] == "bushfires Sydney"
    hits = data["hits"]
    assert 1 <= len(hits) <= 5
    assert len({h["tag"] for h in hits}) == len(hits)
    for hit in hits:
        assert hit["tag"] in lee[1]
        assert hit["why"] in {"keyword", "vector", "both"}
        assert _ranks_agree_with_why(hit), hit
        assert "".join(p["text"] for p in hit["snippet_parts"]) == hit["snippet"]
        marked = [p["text"] for p in hit["snippet_parts"] if p["match"]]
        assert marked == [hit["snippet"][s:e] for s, e in hit["highlights"]]
    if mode == "keyword":
        # keyword hits contain a query word, and the snippet marks it
        assert all(h["why"] == "keyword" and h["keyword_rank"] is not None for h in hits)
        for hit in hits:
            assert words_of(lee[1][hit["tag"]]) & {"bushfires", "sydney"}
        assert {w.lower() for h in hits for w in _marked(h)} & {"bushfires", "sydney"}
    if mode == "vector":
        assert all(h["why"] == "vector" and h["vector_rank"] is not None for h in hits)


def test_search_k_and_expand(client):
    one = client.get("/api/search", params={"q": "cricket", "k": 1}).json()["hits"]
    many = client.get("/api/search", params={"q": "cricket", "k": 20}).json()["hits"]
    assert len(one) == 1 and len(many) > 1
    expanded = client.get("/api/search", params={"q": "cricket", "k": 20, "expand": "true"})
    assert expanded.status_code == 200 and expanded.json()["expand"] is True


def test_hybrid_marks_documents_found_both_ways(client):
    hits = client.get("/api/search", params={"q": "Australian cricket test match", "k": 20}).json()["hits"]
    by_why = {h["why"] for h in hits}
    assert "both" in by_why, by_why
    for h in hits:
        assert (h["keyword_rank"] is not None) == (h["why"] in {"keyword", "both"})
        assert (h["vector_rank"] is not None) == (h["why"] in {"vector", "both"})


# Each odd query gets one answer, and why: "found" = 200 with hits; "unknown" = words that no
# document and no word vector has: 200 without hits in keyword and hybrid mode, 422 in vector mode
# (a vector needs known words); "no-words" = no letters or digits at all: 422 in every mode.
ODD_QUERIES = {
    "emoji": ("🦘🏏🔥", "no-words"),
    "emoji-and-word": ("cricket 🏏", "found"),
    "rtl": ("שלום עולם مرحبا بالعالم", "unknown"),
    "rtl-mixed": ("\u202ecricket\u202c", "found"),
    "combining": ("cafe\u0301 zoë", "unknown"),
    "cjk": ("悉尼的山火", "unknown"),
    "tantivy-syntax": ('title:"x" AND (y OR -z) ^2 ~ * ?', "found"),
    "html": ("<script>alert(1)</script>", "found"),
}


@pytest.mark.parametrize(("q", "outcome"), ODD_QUERIES.values(), ids=ODD_QUERIES.keys())
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "vector"])
def test_any_unicode_query_is_answered(client, json_error, q, outcome, mode):
    r = client.get("/api/search", params={"q": q, "mode": mode})
    if outcome == "no-words":
        assert "no words" in json_error(r, 422)
    elif outcome == "unknown" and mode == "vector":
        assert "vocabulary" in json_error(r, 422)
    else:
        assert r.status_code == 200, r.text
        assert r.json()["query"] == q and isinstance(r.json()["hits"], list)
        assert (len(r.json()["hits"]) > 0) == (outcome == "found")


def test_a_word_query_with_emoji_still_finds_the_word(client):
    hits = client.get("/api/search", params={"q": "cricket 🏏", "mode": "keyword"}).json()["hits"]
    assert hits and all("cricket" in [w.lower() for w in _marked(h)] for h in hits[:3])


def test_control_characters_in_a_query_get_422_naming_them(client, json_error):
    # paravec.search.validate's rule: a control character is a mistake, refused with its code point.
    detail = json_error(client.get("/api/search", params={"q": "cricket\x00match"}), 422)
    assert "control character U+0000" in detail and detail.startswith("q ")
    # a format character (here U+200B, zero width space) separates words as a space does
    joined = client.get("/api/search", params={"q": "cricket\u200bmatch", "mode": "keyword"})
    spaced = client.get("/api/search", params={"q": "cricket match", "mode": "keyword"})
    assert joined.status_code == 200, joined.text
    assert [h["tag"] for h in joined.json()["hits"]] == [h["tag"] for h in spaced.json()["hits"]]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "k": 0},
        {"q": "x", "k": MAX_K + 1},
        {"q": "x", "k": "ten"},
        {"q": "x", "mode": "fuzzy"},
        {"q": "x", "expand": "maybe"},
        {"q": "x", "similarity": "euclid"},
        {},
    ],
    ids=["k0", "k-too-big", "k-text", "mode", "expand", "similarity", "no-q"],
)
def test_bad_parameters_get_422(client, json_error, params):
    json_error(client.get("/api/search", params=params), 422)


@pytest.mark.parametrize("similarity", ["cosine", "second_order"])
def test_similarity_is_the_library_s(client, lee_index, similarity):
    query = "bushfires near Sydney"
    r = client.get("/api/search", params={"q": query, "mode": "vector", "k": 5, "similarity": similarity})
    assert r.status_code == 200, r.text
    expected = lee_index.search(query, mode="vector", k=5, similarity=similarity)
    assert [h["tag"] for h in r.json()["hits"]] == [h.tag for h in expected]
    assert [h["score"] for h in r.json()["hits"]] == pytest.approx([h.score for h in expected], abs=1e-5)


def test_k_up_to_the_index_limit_is_accepted(client):
    # The service takes MAX_K from paravec.search.validate: the most the index gives is allowed.
    r = client.get("/api/search", params={"q": "cricket", "mode": "keyword", "k": MAX_K})
    assert r.status_code == 200, r.text
    assert r.json()["k"] == MAX_K


def test_explore_free_text(client, lee, words_of):
    text = lee[1]["lee/123"]
    r = client.post("/api/explore", json={"text": text, "k": 10})
    assert r.status_code == 200, r.text
    data = r.json()
    assert len(data["words"]) == 10 and len(data["documents"]) == 10
    # a document's own text leads back to it
    assert "lee/123" in [d["tag"] for d in data["documents"]]
    assert {w["word"] for w in data["words"]} & words_of(text)


def test_explore_bad_bodies(client, json_error):
    for body in (
        {"text": ""},
        {"text": "   "},
        {"text": "\x00"},
        {"text": "x", "k": 0},
        {"k": 3},
        {"text": 5},
        {"text": "x", "extra": 1},
    ):
        json_error(client.post("/api/explore", json=body), 422)
    # emoji are not words (no letters or digits): nothing to infer a vector from
    assert "no words" in json_error(client.post("/api/explore", json={"text": "🦘 🏏"}), 422)


def test_similar_takes_a_whole_document(client, lee, json_error):
    text = lee[1]["lee/123"]
    r = client.post("/api/similar", json={"text": text, "k": 5})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["mode"] == "document" and len(data["hits"]) == 5
    assert data["hits"][0]["tag"] == "lee/123"
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)
    # Longer than a query may be, within the text limit: fine; beyond it, a JSON 422.
    long_text = " ".join(list(lee[1].values())[:40])
    assert len(long_text) > 10_000
    assert client.post("/api/similar", json={"text": long_text, "k": 3}).status_code == 200
    for body in (
        {"text": ""},
        {"text": "x" * (MAX_TEXT_CHARS + 1)},
        {"text": text, "k": 0},
        {"text": text, "mode": "hybrid"},
    ):
        json_error(client.post("/api/similar", json=body), 422)


# ------------------------------------------------------------------------------------------------
# The router alone, over the index the test gives it
# ------------------------------------------------------------------------------------------------


def test_search_alone_answers_from_the_index_it_is_given(serve_router, lee_index):
    c = serve_router(router, lee_index)
    r = c.get("/api/search", params={"q": "bushfires Sydney", "mode": "keyword", "k": 3})
    assert r.status_code == 200, r.text
    expected = lee_index.search("bushfires Sydney", mode="keyword", k=3)
    assert [h["tag"] for h in r.json()["hits"]] == [h.tag for h in expected]
    assert [h["keyword_rank"] for h in r.json()["hits"]] == [1, 2, 3]
    # only this router is mounted: the other routes do not exist here
    assert c.get("/api/documents/lee/001").status_code == 404
    assert c.get("/").status_code == 404


def test_too_long_query_alone_gets_422_pointing_to_explore(serve_router, lee_index, json_error):
    # Without the service's URL limit in front (the middleware is not mounted), the query's own
    # character limit answers, and says where whole texts go.
    from paravec.search.validate import MAX_QUERY_CHARS

    c = serve_router(router, lee_index)
    detail = json_error(c.get("/api/search", params={"q": "x" * (MAX_QUERY_CHARS + 1)}), 422)
    assert f"at most {MAX_QUERY_CHARS:,}" in detail and "POST /api/explore" in detail
    assert detail.startswith("q is ")


def test_explore_and_similar_alone(serve_router, lee_index, lee, lee_title):
    c = serve_router(router, lee_index)
    text = lee[1]["lee/200"]
    explored = c.post("/api/explore", json={"text": text, "k": 4})
    assert explored.status_code == 200, explored.text
    documents = explored.json()["documents"]
    assert len(documents) == 4 and len(explored.json()["words"]) == 4
    # titles come from the index the router was given
    assert all(d["title"] == lee_title(lee[1][d["tag"]]) for d in documents)
    similar = c.post("/api/similar", json={"text": text, "k": 3})
    assert similar.status_code == 200, similar.text
    assert similar.json()["hits"][0]["tag"] == "lee/200"
    assert similar.json()["mode"] == "document" and similar.json()["expand"] is False
