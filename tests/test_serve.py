"""paravec.search.server and `paravec serve`: the HTTP API over a real index of the Lee corpus.

The index is built once per module from lee_background.cor (300 news articles) with a small
DBOW Doc2Vec (dbow_words=1, 50 dimensions, 20 epochs); tags contain "/" ("lee/007") so every
route is exercised with the path converter.
"""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from pathlib import Path
from urllib.parse import urlencode

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from gensim.test.utils import datapath

from paravec.errors import ParameterError
from paravec.tokenize import tokenize

fastapi = pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette >= 1.x asks for httpx2; httpx is what we declare
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient  # noqa: E402

from paravec.search import SearchIndex  # noqa: E402
from paravec.search.server import (  # noqa: E402
    DEFAULT_MAX_URL_BYTES,
    MAX_K,
    MAX_QUERY_CHARS,
    create_app,
)

TOKEN = "test-token-0123456789abcdef"


def _lee_texts() -> list[tuple[str, str]]:
    with open(datapath("lee_background.cor"), encoding="latin-1") as fh:
        lines = [line.strip() for line in fh.read().splitlines() if line.strip()]
    return [(f"lee/{i:03d}", line) for i, line in enumerate(lines)]


def _title(text: str) -> str:
    return " ".join(text.split()[:8])


def build_lee_index(root: Path, extra: list[tuple[str, str]] = ()) -> tuple[Path, list[tuple[str, str]]]:
    """Train the small test model on the Lee corpus (+ ``extra``) and build an index in ``root``."""
    texts = _lee_texts() + list(extra)
    docs = [TaggedDocument(tokenize(text), [tag]) for tag, text in texts]
    model = Doc2Vec(docs, dm=0, dbow_words=1, vector_size=50, epochs=20, min_count=2, workers=2, seed=7)
    model_path = root / "lee.model"
    model.save(str(model_path))
    index_dir = root / "lee.index"
    SearchIndex.build(model_path, texts, index_dir, titles={tag: _title(text) for tag, text in texts})
    return index_dir, texts


@pytest.fixture(scope="module")
def lee(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    index_dir, texts = build_lee_index(tmp_path_factory.mktemp("serve"))
    return index_dir, dict(texts)


@pytest.fixture(scope="module")
def client(lee) -> TestClient:
    with TestClient(create_app(lee[0])) as c:
        yield c


@pytest.fixture()
def writable(tmp_path) -> TestClient:
    """A token-protected app over its own index (POST changes the index and its model)."""
    index_dir, _ = build_lee_index(tmp_path)
    with TestClient(create_app(index_dir, token=TOKEN)) as c:
        yield c


def _words(text: str) -> set[str]:
    return set(tokenize(text))


def _assert_json_error(response, status: int | tuple[int, ...]) -> str:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert "Traceback" not in body["detail"]
    return body["detail"]


# ------------------------------------------------------------------------------------------------
# The schema and the page
# ------------------------------------------------------------------------------------------------


def test_openapi_schema_lists_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/search"]) == {"get"}
    assert {p for p in paths} >= {
        "/api/search", "/api/documents/{tag}", "/api/documents/{tag}/words",
        "/api/documents/{tag}/similar", "/api/words/{word}/neighbors",
        "/api/words/{word}/documents", "/api/explore", "/api/similar", "/api/documents", "/api/document",
    }
    assert "post" in paths["/api/documents"] and "post" in paths["/api/explore"] and "post" in paths["/api/similar"]
    # responses are described by pydantic models
    hit = schema["components"]["schemas"]["HitModel"]["properties"]
    assert {"tag", "title", "snippet", "highlights", "score", "why"} <= set(hit)


def test_page_and_its_files_are_served_offline(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'id="q"' in html and 'id="mode"' in html
    # no CDN: every script and stylesheet comes from this server
    assert not re.search(r"""(src|href)=["']https?://""", html)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    for name, kind in (("app.js", "javascript"), ("style.css", "text/css")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]
    assert "innerHTML" not in client.get("/static/app.js").text  # text nodes only, XSS-safe
    # no Swagger UI: it would load its scripts from a CDN
    assert client.get("/docs").status_code == 404


# ------------------------------------------------------------------------------------------------
# Search
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "vector", "document"])
def test_search_returns_hits_with_highlights_and_why(client, lee, mode):
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
        assert "".join(p["text"] for p in hit["snippet_parts"]) == hit["snippet"]
        marked = [p["text"] for p in hit["snippet_parts"] if p["match"]]
        assert marked == [hit["snippet"][s:e] for s, e in hit["highlights"]]
    if mode == "keyword":
        # keyword hits contain a query word, and the snippet marks it
        assert all(h["why"] == "keyword" and h["keyword_rank"] is not None for h in hits)
        for hit in hits:
            assert _words(lee[1][hit["tag"]]) & {"bushfires", "sydney"}
        assert {w.lower() for h in hits for w in _marked(h)} & {"bushfires", "sydney"}
    if mode == "vector":
        assert all(h["why"] == "vector" and h["vector_rank"] is not None for h in hits)


def _marked(hit: dict) -> list[str]:
    return [p["text"] for p in hit["snippet_parts"] if p["match"]]


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


# ------------------------------------------------------------------------------------------------
# Documents and words
# ------------------------------------------------------------------------------------------------


def test_document_by_path_and_by_query(client, lee):
    tag, text = "lee/042", lee[1]["lee/042"]
    for r in (client.get(f"/api/documents/{tag}"), client.get("/api/document", params={"tag": tag})):
        assert r.status_code == 200, r.text
        assert r.json() == {"tag": tag, "title": _title(text), "text": text}
    # the slash may also arrive percent-encoded
    assert client.get("/api/documents/lee%2F042").json()["tag"] == tag


def test_document_words_are_words_of_the_model(client, lee):
    r = client.get("/api/documents/lee/010/words", params={"k": 15})
    assert r.status_code == 200, r.text
    words = r.json()["words"]
    assert len(words) == 15 and r.json()["tag"] == "lee/010"
    scores = [w["score"] for w in words]
    assert scores == sorted(scores, reverse=True)
    # dbow_words=1 puts documents among their own words: some nearest words occur in the text
    assert {w["word"] for w in words} & _words(lee[1]["lee/010"])
    first = words[0]["word"]
    assert client.get(f"/api/words/{first}/neighbors").status_code == 200


def test_similar_documents(client, lee):
    r = client.get("/api/documents/lee/010/similar", params={"k": 5})
    assert r.status_code == 200, r.text
    docs = r.json()["documents"]
    assert len(docs) == 5
    assert all(d["tag"] in lee[1] and d["tag"] != "lee/010" for d in docs)
    assert all(d["title"] == _title(lee[1][d["tag"]]) for d in docs)
    scores = [d["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)


def test_word_neighbors_and_documents(client, lee):
    r = client.get("/api/words/cricket/neighbors", params={"k": 10})
    assert r.status_code == 200, r.text
    words = [w["word"] for w in r.json()["words"]]
    assert len(words) == 10 and "cricket" not in words
    r = client.get("/api/words/cricket/documents", params={"k": 5})
    assert r.status_code == 200, r.text
    docs = r.json()["documents"]
    assert len(docs) == 5
    # the documents nearest to "cricket" are mostly about cricket
    about = sum("cricket" in _words(lee[1][d["tag"]]) for d in docs)
    assert about >= 3, [d["title"] for d in docs]


def test_explore_free_text(client, lee):
    text = lee[1]["lee/123"]
    r = client.post("/api/explore", json={"text": text, "k": 10})
    assert r.status_code == 200, r.text
    data = r.json()
    assert len(data["words"]) == 10 and len(data["documents"]) == 10
    # a document's own text leads back to it
    assert "lee/123" in [d["tag"] for d in data["documents"]]
    assert {w["word"] for w in data["words"]} & _words(text)


def test_similar_takes_a_whole_document(client, lee):
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
    for body in ({"text": ""}, {"text": "x" * 100_001}, {"text": text, "k": 0}, {"text": text, "mode": "hybrid"}):
        _assert_json_error(client.post("/api/similar", json=body), 422)


# ------------------------------------------------------------------------------------------------
# Adding documents: read-only unless a token is configured
# ------------------------------------------------------------------------------------------------

NEW_DOC = {
    "tag": "new/wombat-1",
    "title": "Wombat burrows",
    "text": "Wombats dig burrows with their strong claws. The wombat is a marsupial of Australia, "
            "and wombat droppings are cube shaped. Rangers counted wombats near the burrows.",
}


def test_adding_documents_is_forbidden_without_a_token(client):
    r = client.post("/api/documents", json={"documents": [NEW_DOC]})
    detail = _assert_json_error(r, 403)
    assert "--token-env" in detail and "Bearer" in detail


def test_adding_documents_needs_the_right_bearer_token(writable):
    body = {"documents": [NEW_DOC]}
    for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):
        r = writable.post("/api/documents", json=body, headers=headers)
        _assert_json_error(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
    assert writable.get("/api/document", params={"tag": NEW_DOC["tag"]}).status_code == 404

    r = writable.post("/api/documents", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert NEW_DOC["tag"] in str(r.json()["added"])
    doc = writable.get("/api/document", params={"tag": NEW_DOC["tag"]}).json()
    assert doc["text"] == NEW_DOC["text"]
    hits = writable.get("/api/search", params={"q": "wombat burrows", "mode": "keyword"}).json()["hits"]
    assert hits and hits[0]["tag"] == NEW_DOC["tag"]
    assert writable.get(f"/api/documents/{NEW_DOC['tag']}/similar").status_code == 200


def test_add_documents_rejects_bad_bodies(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for body in ({"documents": []}, {"documents": [{"tag": "", "text": "x"}]},
                 {"documents": [{"tag": "a", "text": "x", "path": "/etc/passwd"}]}, {"docs": 1}, [1, 2]):
        _assert_json_error(writable.post("/api/documents", json=body, headers=auth), 422)
    r = writable.post("/api/documents", content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    _assert_json_error(r, 422)
    # a text without a single word cannot be trained: the index's CorpusError is a 422
    r = writable.post("/api/documents", json={"documents": [{"tag": "punct", "text": "!!! ... ???"}]}, headers=auth)
    assert "no words" in _assert_json_error(r, 422)
    r = writable.post("/api/documents", json={"documents": [{"tag": "nul", "text": "a\x00b"}]}, headers=auth)
    assert "U+0000" in _assert_json_error(r, 422)
    # nothing was added by the refused requests
    assert writable.get("/api/document", params={"tag": "punct"}).status_code == 404


def test_create_app_checks_its_parameters(lee):
    with pytest.raises(ParameterError, match="at least 16"):
        create_app(lee[0], token="short")
    with pytest.raises(ParameterError, match="max_body_bytes"):
        create_app(lee[0], max_body_bytes=0)
    with pytest.raises(ParameterError, match="SearchIndex"):
        create_app(None)
    # an open index is served as it is
    with TestClient(create_app(SearchIndex.open(lee[0]))) as c:
        assert c.get("/api/documents/lee/001").json()["tag"] == "lee/001"


# ------------------------------------------------------------------------------------------------
# Bad input: always a 4xx with a JSON message, never a 500
# ------------------------------------------------------------------------------------------------

BAD_QUERIES = {
    "empty": ("", 422),
    "spaces": ("   ", 422),
    "one-megabyte": ("x" * 1_000_000, 414),
    "too-long": ("x" * (MAX_QUERY_CHARS + 1), 422),
    "control": ("\x00\x01", 422),
    "nul-inside": ("cricket\x00match", 422),
}


def _raw_get(app, path: str, query_string: bytes) -> tuple[int, dict]:
    """Call the ASGI app directly: httpx refuses to send URLs over 64 KiB, a server passes them on."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query_string,
        "root_path": "", "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


@pytest.mark.parametrize("q,status", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_queries_get_a_clear_4xx(client, q, status):
    got, body = _raw_get(client.app, "/api/search", urlencode({"q": q}).encode())
    assert got == status, body
    assert isinstance(body["detail"], str) and body["detail"]
    if len(q) < 60_000:  # what httpx can send goes the normal way too
        _assert_json_error(client.get("/api/search", params={"q": q}), status)


ODD_QUERIES = {
    "emoji": "🦘🏏🔥",
    "emoji-and-word": "cricket 🏏",
    "rtl": "שלום עולם مرحبا بالعالم",
    "rtl-mixed": "\u202ecricket\u202c",
    "combining": "cafe\u0301 zoë",
    "cjk": "悉尼的山火",
    "tantivy-syntax": 'title:"x" AND (y OR -z) ^2 ~ * ?',
    "html": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("q", ODD_QUERIES.values(), ids=ODD_QUERIES.keys())
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "vector"])
def test_any_unicode_query_is_answered(client, q, mode):
    r = client.get("/api/search", params={"q": q, "mode": mode})
    if r.status_code == 200:
        assert r.json()["query"] == q and isinstance(r.json()["hits"], list)
    else:
        _assert_json_error(r, (400, 404, 422))


def test_a_word_query_with_emoji_still_finds_the_word(client):
    hits = client.get("/api/search", params={"q": "cricket 🏏", "mode": "keyword"}).json()["hits"]
    assert hits and all("cricket" in [w.lower() for w in _marked(h)] for h in hits[:3])


@pytest.mark.parametrize("params", [
    {"q": "x", "k": 0}, {"q": "x", "k": MAX_K + 1}, {"q": "x", "k": "ten"}, {"q": "x", "mode": "fuzzy"},
    {"q": "x", "expand": "maybe"}, {},
], ids=["k0", "k-too-big", "k-text", "mode", "expand", "no-q"])
def test_bad_parameters_get_422(client, params):
    _assert_json_error(client.get("/api/search", params=params), 422)


UNKNOWN_TAGS = ["lee/999", "nope", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd",
                "lee/001/../../../etc/passwd", "🦘", "שלום", "lee/001 ", "C:\\Windows\\win.ini"]


@pytest.mark.parametrize("tag", UNKNOWN_TAGS)
def test_unknown_documents_get_404(client, tag):
    quoted = tag.replace("%", "%25").replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
    for url in (f"/api/documents/{quoted}", f"/api/documents/{quoted}/words", f"/api/documents/{quoted}/similar"):
        detail = _assert_json_error(client.get(url), 404)
        assert "root:" not in detail
    _assert_json_error(client.get("/api/document", params={"tag": tag}), 404)


@pytest.mark.parametrize("word", ["zzyzxqq", "🦘", "שלום", "../../etc/passwd", "cricket match"])
def test_unknown_words_get_404(client, word):
    quoted = word.replace("/", "%2F")
    _assert_json_error(client.get(f"/api/words/{quoted}/neighbors"), (404, 422))
    _assert_json_error(client.get(f"/api/words/{quoted}/documents"), (404, 422))


def test_words_are_looked_up_the_way_the_tokenizer_writes_them(client):
    plain = client.get("/api/words/cricket/neighbors").json()["words"]
    shouted = client.get("/api/words/Cricket!/neighbors")
    assert shouted.status_code == 200 and shouted.json()["words"] == plain


def test_control_characters_in_tags_and_words_get_422(client):
    _assert_json_error(client.get("/api/documents/lee%00/words"), 422)
    _assert_json_error(client.get("/api/words/cri%01cket/neighbors"), 422)
    _assert_json_error(client.get("/api/document", params={"tag": "\x00"}), 422)


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd", "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/server.py", "/static/..%5c..%5cserver.py", "/static//etc/passwd",
    "/static/%2e%2e/server.py",
])
def test_static_files_stay_inside_their_folder(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text and "create_app" not in r.text


def test_explore_bad_bodies(client):
    for body in ({"text": ""}, {"text": "   "}, {"text": "\x00"}, {"text": "x", "k": 0}, {"k": 3}, {"text": 5},
                 {"text": "x", "extra": 1}):
        _assert_json_error(client.post("/api/explore", json=body), 422)
    r = client.post("/api/explore", json={"text": "🦘 🏏"})
    assert r.status_code in (200, 422), r.text


def test_request_bodies_over_the_limit_get_413(lee):
    with TestClient(create_app(lee[0], max_body_bytes=10_000)) as small:
        ok = small.post("/api/explore", json={"text": "cricket " * 100})
        assert ok.status_code == 200, ok.text
        # announced by Content-Length: refused before it is read
        big = small.post("/api/explore", json={"text": "cricket " * 2_000})
        assert "10000 bytes" in _assert_json_error(big, 413)

        # streamed without Content-Length (chunked): counted and cut off
        def chunks():
            yield b'{"text": "'
            for _ in range(100):
                yield b"cricket " * 100
            yield b'"}'

        _assert_json_error(small.post("/api/explore", content=chunks(),
                                      headers={"Content-Type": "application/json"}), 413)
        # the write endpoint too, before the token is even looked at
        _assert_json_error(small.post("/api/documents", content=b"x" * 20_000), 413)


def test_default_body_limit_is_one_mebibyte(client):
    _assert_json_error(client.post("/api/explore", json={"text": "x" * 1_100_000}), 413)


def test_long_urls_get_414(client):
    r = client.get("/api/search", params={"q": "a " * DEFAULT_MAX_URL_BYTES})
    assert "POST /api/explore" in _assert_json_error(r, 414)
    _assert_json_error(client.get("/api/documents/" + "x" * (DEFAULT_MAX_URL_BYTES + 10)), 414)


FUZZ = [
    "", " ", "\t\n", "a", "A" * 999, "%", "%%", "%zz", "%00", "%2F", "?", "#", "&", "=", "+", ";", "\\",
    "..", ".", "/", "//", "./.", "~", "*", "\"", "'", "`", "<>", "{}", "[]", "()", "!", "^", "|", ":", "-",
    "null", "None", "undefined", "NaN", "Infinity", "-1", "0", "1e309", "true", "[1]", '{"a":1}',
    "\u200b", "\u200f", "\u202e", "\ufeff", "\ufffd", "\uffff", "\U0010ffff", "\u0301", "ǅ", "ß", "İ",
    "ﬁ", "①", "٣", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "👩‍👩‍👧‍👦", "🏳️‍🌈", "\u00a0", "\u3000", "\x7f", "\x1b[31m", "\r\n",
    "a" * 5000, "ÿ" * 300, "\u0000", "\ud800", "cricket" * 50, "title:", "tag:lee", "AND", "OR NOT",
    "cricket^1000", "lee/001", "lee/001/words", "/api/search", "%2e%2e%2f", "\u2028", "\ufdd0",
]


@pytest.mark.parametrize("s", FUZZ, ids=[f"fuzz{i}" for i in range(len(FUZZ))])
def test_fuzz_never_500(client, s):
    safe = s.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    from urllib.parse import quote

    quoted = quote(safe, safe="")
    responses = [
        client.get("/api/search", params={"q": safe, "mode": m}) for m in ("hybrid", "keyword", "vector")
    ] + [
        client.get(f"/api/documents/{quoted}"),
        client.get(f"/api/documents/{quoted}/words"),
        client.get(f"/api/documents/{quoted}/similar"),
        client.get("/api/document", params={"tag": safe}),
        client.get(f"/api/words/{quoted}/neighbors"),
        client.get(f"/api/words/{quoted}/documents"),
        client.post("/api/explore", json={"text": safe, "k": 3}),
        client.post("/api/explore", content=safe.encode("utf-8"), headers={"Content-Type": "application/json"}),
        client.post("/api/documents", json={"documents": [{"tag": safe, "text": safe}]}),
        client.get(f"/api/search?q={quoted}&k={quoted}&mode={quoted}&expand={quoted}"),
    ]
    for r in responses:
        assert r.status_code < 500, (r.request.url, r.status_code, r.text[:300])
        if r.status_code >= 400:
            _assert_json_error(r, r.status_code)


# ------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------


def test_serve_command_reads_the_token_from_the_environment(lee, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from paravec.cli import app

    runs: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: runs.append({"app": web_app, **kw}))
    runner = CliRunner()
    monkeypatch.delenv("PARAVEC_TOKEN", raising=False)
    result = runner.invoke(app, ["serve", str(lee[0]), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "read-only" in result.output
    assert (runs[-1]["host"], runs[-1]["port"]) == ("127.0.0.1", 8123)
    with TestClient(runs[-1]["app"]) as c:
        assert c.post("/api/documents", json={"documents": [NEW_DOC]}).status_code == 403

    monkeypatch.setenv("MY_SECRET", TOKEN)
    result = runner.invoke(app, ["serve", str(lee[0]), "--token-env", "MY_SECRET", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "clear text" in result.output  # a token on a non-loopback address without TLS
    with TestClient(runs[-1]["app"]) as c:
        # the token is configured: a wrong one is 401, not the read-only 403
        r = c.post("/api/documents", json={"documents": [NEW_DOC]}, headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401


def test_serve_command_help_and_missing_index(tmp_path, capsys, monkeypatch):
    from typer.testing import CliRunner

    from paravec.cli import app, main

    help_text = CliRunner().invoke(app, ["serve", "--help"]).output
    for option in ("--host", "--port", "--token-env", "--max-body-bytes"):
        assert option in help_text
    monkeypatch.setattr("sys.argv", ["paravec", "serve", str(tmp_path / "missing.index")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing.index" in err and "Traceback" not in err
