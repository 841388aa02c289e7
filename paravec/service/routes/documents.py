"""Document routes: one document, the words nearest to it, the documents like it.

Tags may contain ``/`` (``lee/007``), so the routes take the tag as a path and the ``/words`` and
``/similar`` routes come before the plain document route: ``/api/documents/a/b/words`` means the
words of document ``a/b``. A tag that itself ends in ``/words`` or ``/similar`` is fetched with
``GET /api/document?tag=...``. Tags are only looked up in the index; none ever names a file.

Examples
--------
>>> from paravec.service.routes.documents import router
>>> [route.path for route in router.routes]  # the order in which they are matched
['/api/documents/{tag:path}/words', '/api/documents/{tag:path}/similar', '/api/documents/{tag:path}', '/api/document']
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from paravec.service.results import document_scores, word_scores
from paravec.service.schemas import (
    ERROR_RESPONSES,
    DocumentModel,
    DocumentSimilarResponse,
    DocumentWordsResponse,
    KQuery,
)
from paravec.service.state import CurrentIndex
from paravec.service.versions import ServedVersion

__all__ = ["router"]

router = APIRouter(tags=["documents"], responses=ERROR_RESPONSES)


@router.get("/api/documents/{tag:path}/words", response_model=DocumentWordsResponse)
def document_words(index: CurrentIndex, tag: str, k: KQuery = 10) -> DocumentWordsResponse:
    """The words whose vectors are nearest to the document's vector."""
    return DocumentWordsResponse(
        tag=tag, words=word_scores(index.read(lambda ix: ix.words_near_document(tag, k=k)))
    )


@router.get("/api/documents/{tag:path}/similar", response_model=DocumentSimilarResponse)
def document_similar(index: CurrentIndex, tag: str, k: KQuery = 10) -> DocumentSimilarResponse:
    """The documents whose vectors are nearest to the document's vector."""
    neighbors = index.read(lambda ix: ix.documents_like(tag, k=k))
    return DocumentSimilarResponse(tag=tag, documents=document_scores(neighbors, index))


@router.get("/api/documents/{tag:path}", response_model=DocumentModel)
def document(index: CurrentIndex, tag: str) -> DocumentModel:
    """One document: its tag, title and text."""
    return _document(index, tag)


@router.get("/api/document", response_model=DocumentModel)
def document_by_query(index: CurrentIndex, tag: Annotated[str, Query()]) -> DocumentModel:
    """One document, with the tag in the query string (works for every tag)."""
    return _document(index, tag)


def _document(index: ServedVersion, tag: str) -> DocumentModel:
    doc = index.read(lambda ix: ix.document(tag))
    title = str(doc.get("title") or "")
    if not title or title == tag:
        title = index.title(tag)
    return DocumentModel(tag=str(doc["tag"]), title=title, text=str(doc["text"]))
