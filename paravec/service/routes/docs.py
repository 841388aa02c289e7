"""``GET /docs`` (Swagger UI) and ``GET /redoc`` (ReDoc): the API's documentation, offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and start them with an inline script;
the service must work offline and its Content-Security-Policy forbids inline script. So the
scripts and stylesheet come from the PyPI package ``fastapi-offline`` (which bundles them) and are
served under ``/docs-assets``, and two small pages of our own start them with a script file of
ours. Both viewers set styles from script and ReDoc runs a web worker from a ``blob:`` URL, so
these two pages (and only they) allow inline styles and blob workers; scripts stay ``'self'``.
ReDoc's bundle shows its maker's logo from a CDN; we serve the bundle with that one address
replaced by an inline image, so the page makes no request outside this server.

Examples
--------
>>> from paravec.service.routes.docs import router
>>> [route.path for route in router.routes]
['/docs', '/redoc', '/docs-assets/redoc.standalone.js']
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from paravec.service.routes.page import STATIC_DIR

__all__ = ["ASSETS_URL", "DOCS_POLICY", "assets_dir", "mount_assets", "router"]

#: Where the bundled Swagger UI and ReDoc files are served.
ASSETS_URL = "/docs-assets"
#: The Content-Security-Policy of the two documentation pages.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)

_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_BLANK_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


def assets_dir() -> Path | None:
    """The folder of ``fastapi-offline``'s bundled files, or None when it is not installed."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _page(name: str) -> FileResponse:
    return FileResponse(
        STATIC_DIR / name,
        media_type="text/html; charset=utf-8",
        headers={"content-security-policy": DOCS_POLICY},
    )


@router.get("/docs")
def swagger_ui() -> FileResponse:
    """Swagger UI over ``/openapi.json``."""
    return _page("docs.html")


@router.get("/redoc")
def redoc() -> FileResponse:
    """ReDoc over ``/openapi.json``."""
    return _page("redoc.html")


@lru_cache(maxsize=1)
def _redoc_bundle(folder: Path) -> bytes:
    return (folder / "redoc.standalone.js").read_bytes().replace(_REDOC_LOGO, _BLANK_IMAGE)


@router.get(f"{ASSETS_URL}/redoc.standalone.js")
def redoc_bundle() -> Response:
    """ReDoc's bundle, without its one request to a CDN (matched before the assets' mount)."""
    folder = assets_dir()
    if folder is None:
        return Response("fastapi-offline is not installed: pip install 'paravec[serve]'", status_code=404)
    return Response(_redoc_bundle(folder), media_type="text/javascript; charset=utf-8")


def mount_assets(app: FastAPI) -> None:
    """Serve the bundled Swagger UI and ReDoc files under `ASSETS_URL` (when installed).

    Parameters
    ----------
    app : fastapi.FastAPI
        The application that serves the documentation pages.
    """
    folder = assets_dir()
    if folder is not None:
        app.mount(ASSETS_URL, StaticFiles(directory=folder), name="docs-assets")
