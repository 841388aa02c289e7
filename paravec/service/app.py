"""Build the service: one FastAPI application over an index folder or a `paravec.Store`.

`create_app` checks its settings, opens the index (or the store's current version), and wires
the parts together: the routes (`paravec.service.routes`), the versions and settings they
depend on (`paravec.service.state`), the JSON error answers (`paravec.service.errors`) and
the HTTP limits, security and version headers (`paravec.service.middleware`). Over a store,
a background thread polls the store's current version every ``follow_seconds`` and switches to
it when another process publishes or rolls back. The schema is at ``/openapi.json``; Swagger UI
(``/docs``) and ReDoc (``/redoc``) are served from local copies, never a CDN.

Examples
--------
>>> import asyncio, httpx
>>> from gensim.models.doc2vec import Doc2Vec, TaggedDocument
>>> from paravec.search import SearchIndex
>>> from paravec.service import create_app
>>> texts = [("d0", "the shuttle launch was delayed"), ("d1", "bushfires burned near Sydney"),
...          ("d2", "the shuttle crew landed safely"), ("d3", "firefighters fought the bushfires")]
>>> folder = getfixture("tmp_path")
>>> docs = [TaggedDocument(text.split(), [tag]) for tag, text in texts]
>>> Doc2Vec(docs, vector_size=8, min_count=1, epochs=5, workers=1, seed=1).save(str(folder / "m.model"))
>>> app = create_app(SearchIndex.build(folder / "m.model", texts, folder / "m.index"))
>>> async def get(url: str, **params: str) -> httpx.Response:
...     transport = httpx.ASGITransport(app=app)
...     async with httpx.AsyncClient(transport=transport, base_url="http://paravec") as client:
...         return await client.get(url, params=params)
>>> sorted(hit["tag"] for hit in asyncio.run(get("/api/search", q="shuttle", mode="keyword")).json()["hits"])
['d0', 'd2']
>>> asyncio.run(get("/api/documents/d9")).json()["error"]
'not_found'

Run it with ``uvicorn.run(create_app("lee.index"), port=8000)``, or from the shell:
``paravec serve lee.index --port 8000``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from paravec.params import InstanceOf, Integer, Real, validate
from paravec.search import SearchIndex
from paravec.search.pgsql import is_dsn
from paravec.search.store import MANIFEST
from paravec.service.auth import WriteToken
from paravec.service.errors import add_error_handlers
from paravec.service.middleware import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_URL_BYTES,
    RequestLimits,
    SecurityHeaders,
    VersionHeader,
)
from paravec.service.routes import ROUTERS
from paravec.service.routes.docs import mount_assets
from paravec.service.routes.page import mount_static
from paravec.service.state import ServedIndex, ServiceSettings, install_state
from paravec.service.versions import FolderSource, PostgresSource, Source, StoreSource

logger = logging.getLogger(__name__)

#: How often a service over a store checks for a new current version (seconds).
DEFAULT_FOLLOW_SECONDS = 1.0

__all__ = ["DEFAULT_FOLLOW_SECONDS", "create_app", "open_source"]


@validate(
    index=InstanceOf(
        (str, os.PathLike, SearchIndex, FolderSource, StoreSource),
        "an index or store folder, or a SearchIndex",
    ),
    token=WriteToken(),
    max_body_bytes=Integer(min=1),
    max_url_bytes=Integer(min=1),
    follow_seconds=Real(min=0.01),
    write_options=InstanceOf(dict, "a dict of store.update options", none=True),
)
def create_app(
    index: str | os.PathLike[str] | SearchIndex | Source,
    *,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_url_bytes: int = DEFAULT_MAX_URL_BYTES,
    follow_seconds: float = DEFAULT_FOLLOW_SECONDS,
    write_options: dict[str, Any] | None = None,
) -> FastAPI:
    """Build the FastAPI application serving ``index``.

    Parameters
    ----------
    index : str, os.PathLike, SearchIndex or Source
        An index folder written by `SearchIndex.build`, a store folder (`paravec.Store`; its
        current version is served, and followed), an open index, or a
        `paravec.service.versions.Source`.
    token : str, optional
        Secret that ``POST /api/documents`` requires as ``Authorization: Bearer <token>``. Without
        it the service is read-only and that endpoint answers 403. At least
        `paravec.service.auth.MIN_TOKEN_CHARS` characters.
    max_body_bytes : int
        Largest request body accepted; larger ones get 413.
    max_url_bytes : int
        Longest path + query string accepted; longer ones get 414.
    follow_seconds : float
        Over a store: how often to check whether another process published or rolled back.
    write_options : dict, optional
        Over a store: options of ``store.update`` for writes through the service (``force``,
        ``epochs``, ...; see `paravec.service.versions.StoreSource`).

    Returns
    -------
    fastapi.FastAPI
        The application; run it with ``uvicorn.run(app, host=..., port=...)``.

    Raises
    ------
    ParameterError
        If ``token`` is too short, a limit is not a positive integer, or ``index`` is neither a
        folder nor a `SearchIndex`.
    IndexStateError
        If the index folder cannot be opened (raised by `SearchIndex.open`).
    StoreError
        If the store cannot be opened (raised by `paravec.Store.open`).
    """
    source: Source | SearchIndex = (
        open_source(index, **(write_options or {})) if isinstance(index, (str, os.PathLike)) else index
    )
    served = ServedIndex(source)
    app = FastAPI(
        title="paravec",
        summary="Search and explore the joint word/document space of a gensim Doc2Vec model.",
        version=_package_version(),
        docs_url=None,
        redoc_url=None,
        lifespan=_follow(served, follow_seconds)
        if isinstance(served.source, (StoreSource, PostgresSource))
        else None,
    )
    install_state(
        app,
        served,
        ServiceSettings(token=token, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes),
    )
    add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_static(app)
    mount_assets(app)
    app.add_middleware(VersionHeader)
    # Added last, so outermost: the limits' own 413/414 answers carry the security headers too.
    app.add_middleware(RequestLimits, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def open_source(path: str | os.PathLike[str], **write_options: Any) -> Source:
    """The versions kept at ``path``: an index folder, a store, or an index in PostgreSQL.

    Parameters
    ----------
    path : str or os.PathLike
        A folder written by `SearchIndex.build` (it holds the index manifest), a
        `paravec.Store`, or the PostgreSQL URI of an index.
    **write_options
        For a store: ``store.update`` options of writes through the service.

    Returns
    -------
    Source
        A `FolderSource`, a `StoreSource` or a `PostgresSource`.
    """
    if is_dsn(path):
        return PostgresSource(SearchIndex.open(str(path)))
    folder = Path(path)
    if (folder / MANIFEST).is_file() or not folder.is_dir():
        return FolderSource(SearchIndex.open(folder))
    from paravec.store import Store  # the store is only needed to serve one

    return StoreSource(Store.open(folder), **write_options)


def _follow(served: ServedIndex, seconds: float) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that polls the store (or PostgreSQL index) while the app runs, in a thread of its own."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()

        def poll() -> None:
            while not stop.wait(seconds):
                try:
                    served.refresh()
                except Exception:  # keep serving the current version; say why, try again
                    logger.exception(
                        "could not follow the store; still serving version %d", served.current.version
                    )

        thread = threading.Thread(target=poll, name="paravec-follow", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    return lifespan


def _package_version() -> str:
    try:
        return version("paravec")
    except PackageNotFoundError:  # a checkout that was never installed still serves
        return "0"
