"""The routes of the service, one router per kind of resource.

=========================================  ===================================================
``GET  /``                                 the web page (`.page`)
``GET  /docs``, ``GET /redoc``              the API's documentation, served offline (`.docs`)
``GET  /api/info``                         name, version, size, example queries (`.info`)
``GET  /api/search?q=&mode=&k=&expand=``   hybrid / keyword / vector / document search (`.search`)
``POST /api/similar``                      a whole document -> documents like it (`.search`)
``POST /api/explore``                      free text -> nearest words and documents (`.search`)
``GET  /api/documents/{tag}``              one document: tag, title, text (`.documents`)
``GET  /api/documents/{tag}/words``        the words nearest to a document (`.documents`)
``GET  /api/documents/{tag}/similar``      the documents nearest to a document (`.documents`)
``GET  /api/document?tag=``                one document, for tags ending in ``/words`` etc.
``GET  /api/words/{word}/neighbors``       the words nearest to a word (`.words`)
``GET  /api/words/{word}/documents``       the documents nearest to a word (`.words`)
``POST /api/documents``                    add documents; bearer token, off by default (`.writes`)
=========================================  ===================================================

Each router reaches the index only through the dependency
`paravec.service.state.get_index`, so it can be served alone over any index. Every answer
of a route that read the index names the version that answered in its ``Paravec-Version`` header.

Examples
--------
>>> from paravec.service.routes import ROUTERS
>>> sum(len(router.routes) for router in ROUTERS)
15
"""

from __future__ import annotations

from fastapi import APIRouter

from paravec.service.routes import docs, documents, info, page, search, words, writes

__all__ = ["ROUTERS"]

#: Every router of the service, in the order the application includes them.
ROUTERS: tuple[APIRouter, ...] = (
    info.router,
    search.router,
    documents.router,
    writes.router,
    words.router,
    page.router,
    docs.router,
)
