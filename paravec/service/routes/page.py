"""The web page: ``GET /`` and its script and stylesheet under ``/static``.

The page is three files in `paravec.service`'s ``static`` folder (HTML, JS, CSS) and loads
nothing from elsewhere, so it works offline and under the strict Content-Security-Policy of
`paravec.service.middleware.SecurityHeaders`. Starlette's ``StaticFiles`` serves them and
refuses any path outside that folder.

Examples
--------
>>> from paravec.service.routes.page import STATIC_DIR
>>> sorted(path.name for path in STATIC_DIR.iterdir())
['app.js', 'docs.html', 'docs.js', 'index.html', 'redoc.html', 'style.css']
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC_DIR", "mount_static", "router"]

#: The page's files.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
def page() -> FileResponse:
    """The search page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


def mount_static(app: FastAPI) -> None:
    """Serve the page's files under ``/static`` (a mount, which a router cannot carry).

    Parameters
    ----------
    app : fastapi.FastAPI
        The application that serves the page.
    """
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
