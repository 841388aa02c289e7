"""Build the service: one FastAPI application over a `paravec.search.SearchIndex`.

`create_app` checks its settings, opens the index, and wires the parts together: the
routes (`paravec.service.routes`), the index and settings they depend on
(`paravec.service.state`), the JSON error answers (`paravec.service.errors`) and the
HTTP limits and security headers (`paravec.service.middleware`). Swagger UI and ReDoc are
off, because they load their scripts from a CDN and the service must work offline; the schema is
at ``/openapi.json``.

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

import os
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from paravec.params import InstanceOf, Integer, validate
from paravec.search import SearchIndex
from paravec.service.auth import WriteToken
from paravec.service.errors import add_error_handlers
from paravec.service.middleware import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_URL_BYTES,
    RequestLimits,
    SecurityHeaders,
)
from paravec.service.routes import ROUTERS
from paravec.service.routes.page import mount_static
from paravec.service.state import ServedIndex, ServiceSettings, install_state

__all__ = ["create_app"]


@validate(
    index=InstanceOf((str, os.PathLike, SearchIndex), "an index folder or a SearchIndex"),
    token=WriteToken(),
    max_body_bytes=Integer(min=1),
    max_url_bytes=Integer(min=1),
)
def create_app(
    index: str | os.PathLike[str] | SearchIndex,
    *,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_url_bytes: int = DEFAULT_MAX_URL_BYTES,
) -> FastAPI:
    """Build the FastAPI application serving ``index``.

    Parameters
    ----------
    index : str, os.PathLike or SearchIndex
        An index folder written by `SearchIndex.build`, or an open index.
    token : str, optional
        Secret that ``POST /api/documents`` requires as ``Authorization: Bearer <token>``. Without
        it the service is read-only and that endpoint answers 403. At least
        `paravec.service.auth.MIN_TOKEN_CHARS` characters.
    max_body_bytes : int
        Largest request body accepted; larger ones get 413.
    max_url_bytes : int
        Longest path + query string accepted; longer ones get 414.

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
    """
    if not isinstance(index, SearchIndex):
        index = SearchIndex.open(index)
    app = FastAPI(
        title="paravec",
        summary="Search and explore the joint word/document space of a gensim Doc2Vec model.",
        version=_package_version(),
        docs_url=None,
        redoc_url=None,
    )
    install_state(
        app,
        ServedIndex(index),
        ServiceSettings(token=token, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes),
    )
    add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_static(app)
    # Added last, so outermost: the limits' own 413/414 answers carry the security headers too.
    app.add_middleware(RequestLimits, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def _package_version() -> str:
    try:
        return version("paravec")
    except PackageNotFoundError:  # a checkout that was never installed still serves
        return "0"
