"""Search routes: ``GET /api/search``, ``POST /api/similar`` and ``POST /api/explore``.

``/api/search`` ranks the documents for a few words: by keywords (BM25), by meaning (the model's
vectors), both fused (``hybrid``), or by likeness to a whole document (``document``).
``/api/similar`` is the document ranking for a text too long for a URL, and ``/api/explore``
infers a vector for free text and lists the words and documents nearest to it. Each route checks
its input (`paravec.service.inputs`), makes one call on the index it depends on
(`paravec.service.state.get_index`) and returns a response model.

Examples
--------
Serve this router alone, over an index of one's own (as the tests do)::

    app = FastAPI()
    add_error_handlers(app)
    app.include_router(router)
    app.dependency_overrides[get_index] = lambda: ServedIndex(SearchIndex.open("lee.index")).current

>>> from paravec.service.routes.search import router
>>> sorted(route.path for route in router.routes)
['/api/explore', '/api/search', '/api/similar']
"""

from __future__ import annotations

import time
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query

from paravec.service.inputs import free_text, query_text
from paravec.service.results import document_scores, hit_model, word_scores
from paravec.service.schemas import (
    ERROR_RESPONSES,
    ExploreRequest,
    ExploreResponse,
    KQuery,
    Mode,
    SearchResponse,
    SimilarRequest,
)
from paravec.service.state import CurrentIndex

__all__ = ["router"]

router = APIRouter(tags=["search"], responses=ERROR_RESPONSES)


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 2)


@router.get("/api/search", response_model=SearchResponse)
def search(
    index: CurrentIndex,
    q: Annotated[str, Query(description="The query: a few words.")],
    mode: Annotated[Mode, Query()] = "hybrid",
    k: KQuery = 10,
    expand: Annotated[bool, Query(description="Add the query words' nearest words.")] = False,
    similarity: Annotated[
        Literal["second_order", "cosine"] | None,
        Query(
            description="How the vector side compares vectors (paravec.search.second_order); default by mode."
        ),
    ] = None,
) -> SearchResponse:
    """Search the documents by keywords (BM25), by meaning (vectors), both, or by likeness to a whole document."""
    query = query_text(q)
    start = time.perf_counter()
    hits = index.read(lambda ix: ix.search(query, mode=mode, k=k, expand=expand, similarity=similarity))
    return SearchResponse(
        query=q,
        mode=mode,
        k=k,
        expand=expand,
        took_ms=_ms_since(start),
        hits=[hit_model(h, index) for h in hits],
    )


@router.post("/api/explore", response_model=ExploreResponse)
def explore(index: CurrentIndex, payload: Annotated[ExploreRequest, Body()]) -> ExploreResponse:
    """Infer a vector for free text and list the words and documents nearest to it."""
    text = free_text(payload.text)
    return ExploreResponse(
        words=word_scores(index.read(lambda ix: ix.text_to_words(text, k=payload.k))),
        documents=document_scores(index.read(lambda ix: ix.text_to_documents(text, k=payload.k)), index),
    )


@router.post("/api/similar", response_model=SearchResponse)
def similar(index: CurrentIndex, payload: Annotated[SimilarRequest, Body()]) -> SearchResponse:
    """Documents like a whole document: search with mode="document" (TF-IDF, soft and Doc2Vec cosine).

    A POST, because a document is longer than a URL should be.
    """
    text = free_text(payload.text)
    start = time.perf_counter()
    hits = index.read(lambda ix: ix.search(text, mode="document", k=payload.k))
    return SearchResponse(
        query=payload.text,
        mode="document",
        k=payload.k,
        expand=False,
        took_ms=_ms_since(start),
        hits=[hit_model(h, index) for h in hits],
    )
