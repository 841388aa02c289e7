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

from fastapi import APIRouter, Body, Depends, Request

from paravec.service.auth import require_writer
from paravec.service.inputs import document_texts
from paravec.service.results import added_model
from paravec.service.schemas import ERROR_RESPONSES, AddDocumentsRequest, AddDocumentsResponse, ErrorModel
from paravec.service.state import VERSION_KEY, CurrentSettings, CurrentVersions

__all__ = ["router"]

router = APIRouter(
    tags=["documents"], responses={**ERROR_RESPONSES, 401: {"model": ErrorModel}, 403: {"model": ErrorModel}}
)


@router.post("/api/documents", response_model=AddDocumentsResponse, dependencies=[Depends(require_writer)])
def add_documents(
    request: Request,
    served: CurrentVersions,
    settings: CurrentSettings,
    payload: Annotated[AddDocumentsRequest, Body()],
) -> AddDocumentsResponse:
    """Add or replace documents: builds the next version with them and serves it.

    Reads go on from the current version while the next one is built. Needs
    ``Authorization: Bearer <token>``; the service is read-only unless started with
    a token (``--token-env``).
    """
    texts, titles = document_texts(payload.documents, max_chars=settings.max_body_bytes)
    written = served.write(texts, titles or {})
    setattr(request.state, VERSION_KEY, written.version.version)
    return added_model(written.report, written.version.version)
