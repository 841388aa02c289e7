"""paravec.service.routes.writes: POST /api/documents, read-only unless a token is configured."""

from __future__ import annotations

from paravec.search import SearchIndex
from paravec.service.routes.writes import router
from paravec.service.state import ServiceSettings

NEW_DOC = {
    "tag": "new/wombat-1",
    "title": "Wombat burrows",
    "text": "Wombats dig burrows with their strong claws. The wombat is a marsupial of Australia, "
    "and wombat droppings are cube shaped. Rangers counted wombats near the burrows.",
}


def test_adding_documents_is_forbidden_without_a_token(client, json_error):
    r = client.post("/api/documents", json={"documents": [NEW_DOC]})
    detail = json_error(r, 403)
    assert "--token-env" in detail and "Bearer" in detail


def test_adding_documents_needs_the_right_bearer_token(writable, json_error, token):
    body = {"documents": [NEW_DOC]}
    for headers in (
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": token},
        {"Authorization": f"Basic {token}"},
    ):
        r = writable.post("/api/documents", json=body, headers=headers)
        json_error(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
    assert writable.get("/api/document", params={"tag": NEW_DOC["tag"]}).status_code == 404

    r = writable.post("/api/documents", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    assert NEW_DOC["tag"] in str(r.json()["added"])
    doc = writable.get("/api/document", params={"tag": NEW_DOC["tag"]}).json()
    assert doc["text"] == NEW_DOC["text"]
    hits = writable.get("/api/search", params={"q": "wombat burrows", "mode": "keyword"}).json()["hits"]
    assert hits and hits[0]["tag"] == NEW_DOC["tag"]
    assert writable.get(f"/api/documents/{NEW_DOC['tag']}/similar").status_code == 200


def test_add_documents_rejects_bad_bodies(writable, json_error, token):
    auth = {"Authorization": f"Bearer {token}"}
    for body in (
        {"documents": []},
        {"documents": [{"tag": "", "text": "x"}]},
        {"documents": [{"tag": "a", "text": "x", "path": "/etc/passwd"}]},
        {"docs": 1},
        [1, 2],
    ):
        json_error(writable.post("/api/documents", json=body, headers=auth), 422)
    r = writable.post(
        "/api/documents", content=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    json_error(r, 422)
    # a text without a single word cannot be trained: the index's CorpusError is a 422
    r = writable.post(
        "/api/documents", json={"documents": [{"tag": "punct", "text": "!!! ... ???"}]}, headers=auth
    )
    assert "no words" in json_error(r, 422)
    r = writable.post("/api/documents", json={"documents": [{"tag": "nul", "text": "a\x00b"}]}, headers=auth)
    assert "U+0000" in json_error(r, 422)
    # a blank text, named as the request names it
    r = writable.post("/api/documents", json={"documents": [{"tag": "blank", "text": " \t "}]}, headers=auth)
    assert json_error(r, 422).startswith("documents[0].text is empty")
    # nothing was added by the refused requests
    assert writable.get("/api/document", params={"tag": "punct"}).status_code == 404
    assert writable.get("/api/document", params={"tag": "blank"}).status_code == 404
    assert writable.get("/api/document", params={"tag": "nul"}).status_code == 404


def test_the_token_is_checked_before_the_body(serve_router, lee_index, token, json_error):
    # Who may write is settled first: a stranger learns nothing about what a valid body is.
    read_only = serve_router(router, lee_index, ServiceSettings())
    json_error(read_only.post("/api/documents", json={"docs": 1}), 403)
    with_token = serve_router(router, lee_index, ServiceSettings(token=token))
    json_error(with_token.post("/api/documents", json={"docs": 1}), 401)


# ------------------------------------------------------------------------------------------------
# The router alone
# ------------------------------------------------------------------------------------------------


def test_writes_alone_add_to_the_index_they_are_given(serve_router, writable_index_dir, token, json_error):
    index = SearchIndex.open(writable_index_dir)
    before = len(index)
    c = serve_router(router, index, ServiceSettings(token=token))
    auth = {"Authorization": f"Bearer {token}"}
    r = c.post("/api/documents", json={"documents": [NEW_DOC]}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == [NEW_DOC["tag"]]
    assert r.json()["removed"] == [] and r.json()["replaced"] == [] and r.json()["skipped"] == []
    assert len(index) == before + 1
    assert index.document(NEW_DOC["tag"]) == {
        "tag": NEW_DOC["tag"],
        "title": NEW_DOC["title"],
        "text": NEW_DOC["text"],
    }
    # the settings given to the router decide: read-only settings refuse the same request
    read_only = serve_router(router, index, ServiceSettings(token=None))
    json_error(read_only.post("/api/documents", json={"documents": [NEW_DOC]}, headers=auth), 403)


def test_an_added_text_may_be_as_long_as_the_body_limit(serve_router, lee_index, token, json_error):
    # The service bounds added texts by its HTTP body limit, a setting of the router's dependency
    # (refused before the index is touched, so the shared index serves).
    c = serve_router(router, lee_index, ServiceSettings(token=token, max_body_bytes=20))
    auth = {"Authorization": f"Bearer {token}"}
    r = c.post("/api/documents", json={"documents": [{"tag": "long", "text": "wombat " * 5}]}, headers=auth)
    assert "at most 20" in json_error(r, 422)
    assert "documents[0].text" in r.json()["detail"]
