"""paravec.service.routes.page: the web page and its files, offline and inside their folder."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from paravec.service.routes.page import STATIC_DIR, mount_static, router


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


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/%2e%2e/%2e%2e/server.py",
        "/static/..%5c..%5cserver.py",
        "/static//etc/passwd",
        "/static/%2e%2e/server.py",
        "/static/%2e%2e/app.py",
    ],
)
def test_static_files_stay_inside_their_folder(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "root:" not in r.text and "create_app" not in r.text


def test_page_alone():
    from fastapi.testclient import TestClient

    app = FastAPI()
    app.include_router(router)
    mount_static(app)
    c = TestClient(app)
    assert c.get("/").text == (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert c.get("/static/style.css").text == (STATIC_DIR / "style.css").read_text(encoding="utf-8")
    # the page is not part of the API schema
    assert "/" not in app.openapi()["paths"]
    # nor does it keep a query limit of its own: paravec.search.validate's answers, with its message
    assert "maxlength" not in c.get("/").text
