"""paravec.service.routes.info: GET /api/info, and the Paravec-Version header on every answer."""

from __future__ import annotations

from paravec.service.schemas import Mode


def test_info_names_the_index_its_size_and_queries_that_find_something(client, lee):
    r = client.get("/api/info")
    assert r.status_code == 200
    info = r.json()
    assert info["name"] == "lee.index" and info["documents"] == len(lee[1]) and info["version"] == 1
    assert info["words"] > 1000 and info["vector_size"] == 50
    assert info["modes"] == list(Mode.__args__) and "document" in info["modes"]
    assert info["writable"] is False
    assert len(info["examples"]) >= 2
    for query in info["examples"]:
        hits = client.get("/api/search", params={"q": query, "mode": "keyword"}).json()["hits"]
        assert len(hits) >= 2, query  # drawn from the index: each finds more than one document


def test_every_answer_names_the_version_that_gave_it(writable, token):
    for path in (
        "/api/info",
        "/api/search?q=bushfire",
        "/api/documents/lee/001",
        "/api/document?tag=no/such",
    ):
        assert writable.get(path).headers["paravec-version"] == "1", path
    doc = {"tag": "new/x", "text": "Wombats dig burrows with their strong claws near Canberra."}
    r = writable.post(
        "/api/documents", json={"documents": [doc]}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200 and r.json()["version"] == 2 and r.headers["paravec-version"] == "2"
    r = writable.get("/api/document", params={"tag": "new/x"})
    assert r.headers["paravec-version"] == "2" and r.json()["title"].startswith("Wombats dig burrows")
    assert writable.get("/api/info").json()["documents"] == 301
