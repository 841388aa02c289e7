"""paravec.service.routes.docs: /docs (Swagger UI) and /redoc (ReDoc) served offline."""

from __future__ import annotations

import re

from paravec.service.routes.docs import ASSETS_URL, assets_dir


def test_docs_and_redoc_pages_load_everything_from_this_server(client):
    assert assets_dir() is not None, "fastapi-offline (the serve extra) bundles Swagger UI and ReDoc"
    for path, needs in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        # no CDN and no inline script: every script and stylesheet is a file of this server
        sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
        assert "<script>" not in page.text
        assert f"{ASSETS_URL}/{needs}" in sources
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "cdn" not in csp
        for source in sources:
            if source.startswith("/") and not source.startswith("/openapi"):
                r = client.get(source)
                assert r.status_code == 200 and len(r.content) > 100, source
    assert client.get(f"{ASSETS_URL}/swagger-ui.css").headers["content-type"].startswith("text/css")
    # the page they document: the schema lists the routes
    assert "/api/search" in client.get("/openapi.json").json()["paths"]


def test_the_search_page_keeps_its_strict_policy(client):
    csp = client.get("/").headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "blob:" not in csp


def test_redoc_bundle_asks_no_cdn(client):
    bundle = client.get(f"{ASSETS_URL}/redoc.standalone.js")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert b"cdn.redoc.ly" not in bundle.content and len(bundle.content) > 500_000
