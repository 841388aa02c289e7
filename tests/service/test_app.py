"""paravec.service.app: create_app wires routes, state, errors and limits into one service.

These tests call the whole application; each route's behaviour is tested with its router in
tests/service/routes/.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from paravec.errors import ParameterError
from paravec.search import SearchIndex
from paravec.search.validate import MAX_QUERY_CHARS
from paravec.service import DEFAULT_MAX_URL_BYTES, create_app
from paravec.service.state import ServedIndex, ServiceSettings


def test_openapi_schema_lists_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/search"]) == {"get"}
    assert set(paths) >= {
        "/api/search",
        "/api/documents/{tag}",
        "/api/documents/{tag}/words",
        "/api/documents/{tag}/similar",
        "/api/words/{word}/neighbors",
        "/api/words/{word}/documents",
        "/api/explore",
        "/api/similar",
        "/api/documents",
        "/api/document",
    }
    assert (
        "post" in paths["/api/documents"]
        and "post" in paths["/api/explore"]
        and "post" in paths["/api/similar"]
    )
    # responses are described by pydantic models
    hit = schema["components"]["schemas"]["HitModel"]["properties"]
    assert {"tag", "title", "snippet", "highlights", "score", "why"} <= set(hit)
    # every API route documents its error answers; the write route also 401 and 403
    for path, methods in paths.items():
        for operation in methods.values():
            assert {"404", "422", "503"} <= set(operation["responses"]), path
    assert {"401", "403"} <= set(paths["/api/documents"]["post"]["responses"])


def test_create_app_checks_its_parameters(lee):
    with pytest.raises(ParameterError, match="at least 16"):
        create_app(lee[0], token="short")
    with pytest.raises(ParameterError, match="max_body_bytes"):
        create_app(lee[0], max_body_bytes=0)
    with pytest.raises(ParameterError, match="SearchIndex"):
        create_app(None)
    with pytest.raises(ParameterError, match="max_url_bytes must be a positive integer; got True"):
        create_app(lee[0], max_url_bytes=True)
    # an open index is served as it is
    with TestClient(create_app(SearchIndex.open(lee[0]))) as c:
        assert c.get("/api/documents/lee/001").json()["tag"] == "lee/001"


def test_create_app_keeps_the_index_and_settings_in_app_state(lee_index, token):
    app = create_app(lee_index, token=token, max_body_bytes=1234, max_url_bytes=567)
    assert (
        isinstance(app.state.served, ServedIndex)
        and app.state.served.current.index.backend.view() is lee_index.backend.view()
    )
    assert app.state.settings == ServiceSettings(token=token, max_body_bytes=1234, max_url_bytes=567)
    assert app.state.settings.writable


BAD_QUERIES = {
    "empty": ("", 422),
    "spaces": ("   ", 422),
    "one-megabyte": ("x" * 1_000_000, 414),
    "too-long": ("x" * (MAX_QUERY_CHARS + 1), 422),
    "control": ("\x00\x01", 422),
    "nul-inside": ("cricket\x00match", 422),
}


@pytest.mark.parametrize(("q", "status"), BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_queries_get_a_clear_4xx(client, raw_get, json_error, q, status):
    got, body = raw_get(client.app, "/api/search", urlencode({"q": q}).encode())
    assert got == status, body
    assert isinstance(body["detail"], str) and body["detail"]
    if len(q) < 60_000:  # what httpx can send goes the normal way too
        json_error(client.get("/api/search", params={"q": q}), status)


def test_a_query_at_the_character_limit_fits_in_a_url(client):
    # The query limit (paravec.search.validate) is below the URL limit (HTTP), so a typed query
    # meets its own limit and message first.
    q = ("cricket " * MAX_QUERY_CHARS)[:MAX_QUERY_CHARS]
    assert len(urlencode({"q": q})) + len("/api/search") <= DEFAULT_MAX_URL_BYTES
    r = client.get("/api/search", params={"q": q, "mode": "keyword"})
    assert r.status_code == 200, r.text
    assert r.json()["query"] == q and len(r.json()["hits"]) == 10


FUZZ = [
    "",
    " ",
    "\t\n",
    "a",
    "A" * 999,
    "%",
    "%%",
    "%zz",
    "%00",
    "%2F",
    "?",
    "#",
    "&",
    "=",
    "+",
    ";",
    "\\",
    "..",
    ".",
    "/",
    "//",
    "./.",
    "~",
    "*",
    '"',
    "'",
    "`",
    "<>",
    "{}",
    "[]",
    "()",
    "!",
    "^",
    "|",
    ":",
    "-",
    "null",
    "None",
    "undefined",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "1e309",
    "true",
    "[1]",
    '{"a":1}',
    "\u200b",
    "\u200f",
    "\u202e",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\U0010ffff",
    "\u0301",
    "ǅ",
    "ß",
    "İ",
    "ﬁ",
    "①",
    "٣",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "\u00a0",
    "\u3000",
    "\x7f",
    "\x1b[31m",
    "\r\n",
    "a" * 5000,
    "ÿ" * 300,
    "\u0000",
    "\ud800",
    "cricket" * 50,
    "title:",
    "tag:lee",
    "AND",
    "OR NOT",
    "cricket^1000",
    "lee/001",
    "lee/001/words",
    "/api/search",
    "%2e%2e%2f",
    "\u2028",
    "\ufdd0",
]

# The error code each status carries: a fuzzed request must get a status the service documents,
# with the code that belongs to it.
ERROR_CODES = {
    400: {"bad_request"},
    403: {"forbidden"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    413: {"body_too_large"},
    414: {"uri_too_long"},
    422: {"bad_parameter"},
}


@pytest.mark.parametrize("s", FUZZ, ids=[f"fuzz{i}" for i in range(len(FUZZ))])
def test_fuzz_never_500(client, json_error, s):
    safe = s.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
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
        client.post(
            "/api/explore", content=safe.encode("utf-8"), headers={"Content-Type": "application/json"}
        ),
        client.post("/api/documents", json={"documents": [{"tag": safe, "text": safe}]}),
        client.get(f"/api/search?q={quoted}&k={quoted}&mode={quoted}&expand={quoted}"),
    ]
    for r in responses:
        assert r.status_code < 500, (r.request.url, r.status_code, r.text[:300])
        if r.status_code >= 400:
            json_error(r, r.status_code)
            assert r.json()["error"] in ERROR_CODES[r.status_code], (r.request.url, r.text[:300])
    # the service is read-only: every write is refused, whatever it carries
    assert responses[-2].status_code == 403
