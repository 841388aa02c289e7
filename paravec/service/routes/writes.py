"""The write route: ``POST /api/documents`` trains new or replaced documents into the model.

It depends on `paravec.service.auth.require_writer` (off unless the service was started
with a token), checks the documents (`paravec.service.inputs.document_texts`), and makes
one write call on the index: `paravec.search.SearchIndex.add_documents` updates the model,
saves it and syncs the index, and the answer says what changed.

Examples
--------
>>> from paravec.service.routes.writes import router
>>> [(route.path, sorted(route.methods)) for route in router.routes]
[('/api/documents', ['POST'])]
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from paravec.service.auth import require_writer
from paravec.service.inputs import document_texts
from paravec.service.results import added_model
from paravec.service.schemas import ERROR_RESPONSES, AddDocumentsRequest, AddDocumentsResponse, ErrorModel
from paravec.service.state import CurrentIndex, CurrentSettings

__all__ = ["router"]

router = APIRouter(
    tags=["documents"], responses={**ERROR_RESPONSES, 401: {"model": ErrorModel}, 403: {"model": ErrorModel}}
)


@router.post("/api/documents", response_model=AddDocumentsResponse, dependencies=[Depends(require_writer)])
def add_documents(
    index: CurrentIndex,
    settings: CurrentSettings,
    payload: Annotated[AddDocumentsRequest, Body()],
) -> AddDocumentsResponse:
    """Add or replace documents: trains them into the model and updates the index.

    Needs ``Authorization: Bearer <token>``; the service is read-only unless started with a
    token (``paravec serve INDEX --token-env PARAVEC_TOKEN``).
    """
    texts, titles = document_texts(payload.documents, max_chars=settings.max_body_bytes)
    if titles:
        report = index.write(lambda ix: ix.add_documents(texts, titles=titles))
    else:
        report = index.write(lambda ix: ix.add_documents(texts))
    return added_model(report)
