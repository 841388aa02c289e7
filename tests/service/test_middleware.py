"""paravec.service.middleware: URL and body limits, security headers.

The middleware is tested alone around a tiny Starlette app that echoes the body it received,
and in the service (create_app) over the Lee index.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from paravec.service import DEFAULT_MAX_URL_BYTES, create_app
from paravec.service.middleware import RequestLimits, SecurityHeaders


async def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(await request.body())


@pytest.fixture(scope="module")
def echo() -> TestClient:
    """An echo app behind the limits (100-byte bodies, 64-byte URLs) and the security headers."""
    app = Starlette(routes=[Route("/{path:path}", _echo, methods=["GET", "POST"])])
    return TestClient(SecurityHeaders(RequestLimits(app, max_body_bytes=100, max_url_bytes=64)))


def test_bodies_within_the_limit_reach_the_app_unchanged(echo):
    assert echo.post("/", content=b"x" * 100).text == "x" * 100

    def chunks():
        yield b"a" * 50
        yield b"b" * 50

    assert echo.post("/", content=chunks()).text == "a" * 50 + "b" * 50


def test_bodies_over_the_limit_get_413_announced_or_counted(echo, json_error):
    assert "at most 100 bytes" in json_error(echo.post("/", content=b"x" * 101), 413)
    assert echo.post("/", content=b"x" * 101).json()["error"] == "body_too_large"

    def chunks():
        for _ in range(3):
            yield b"x" * 40

    detail = json_error(echo.post("/", content=chunks()), 413)
    assert "larger than the limit" in detail


def test_urls_over_the_limit_get_414(echo, json_error):
    assert echo.get("/" + "a" * 63).status_code == 200
    detail = json_error(echo.get("/" + "a" * 64), 414)
    assert "65 bytes long; at most 64" in detail
    # the query string counts too
    json_error(echo.get("/a", params={"q": "x" * 62}), 414)


def test_a_content_length_that_is_not_a_number_gets_400(echo, json_error):
    r = echo.post("/", content=b"x", headers={"Content-Length": "-1"})
    assert "Content-Length" in json_error(r, 400)
    assert r.json()["error"] == "bad_request"


def test_every_answer_carries_the_security_headers(echo):
    for r in (echo.get("/"), echo.get("/" + "a" * 100), echo.post("/", content=b"x" * 200)):
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["content-security-policy"]


def test_headers_the_app_sets_itself_are_kept():
    async def framed(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"X-Frame-Options": "SAMEORIGIN"})

    c = TestClient(SecurityHeaders(Starlette(routes=[Route("/", framed)])))
    r = c.get("/")
    assert r.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert r.headers["x-content-type-options"] == "nosniff"


# ------------------------------------------------------------------------------------------------
# In the service
# ------------------------------------------------------------------------------------------------


def test_request_bodies_over_the_limit_get_413(lee, json_error):
    with TestClient(create_app(lee[0], max_body_bytes=10_000)) as small:
        ok = small.post("/api/explore", json={"text": "cricket " * 100})
        assert ok.status_code == 200, ok.text
        # announced by Content-Length: refused before it is read
        big = small.post("/api/explore", json={"text": "cricket " * 2_000})
        assert "10000 bytes" in json_error(big, 413)

        # streamed without Content-Length (chunked): counted and cut off
        def chunks():
            yield b'{"text": "'
            for _ in range(100):
                yield b"cricket " * 100
            yield b'"}'

        json_error(
            small.post("/api/explore", content=chunks(), headers={"Content-Type": "application/json"}), 413
        )
        # the write endpoint too, before the token is even looked at
        json_error(small.post("/api/documents", content=b"x" * 20_000), 413)


def test_default_body_limit_is_one_mebibyte(client, json_error):
    json_error(client.post("/api/explore", json={"text": "x" * 1_100_000}), 413)


def test_long_urls_get_414(client, json_error):
    r = client.get("/api/search", params={"q": "a " * DEFAULT_MAX_URL_BYTES})
    assert "POST /api/explore" in json_error(r, 414)
    json_error(client.get("/api/documents/" + "x" * (DEFAULT_MAX_URL_BYTES + 10)), 414)
    # the limit's own answer carries the security headers too
    assert r.headers["x-frame-options"] == "DENY"
