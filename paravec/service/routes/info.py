"""``GET /api/info``: what is being served (name, version, size, example queries, modes).

The page opens with it: the index's name and size, and a few example queries drawn from the
index itself (`paravec.service.versions.ServedVersion.info`), so a first search finds something.

Examples
--------
>>> from paravec.service.routes.info import router
>>> [route.path for route in router.routes]
['/api/info']
"""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter

from paravec.service.schemas import ERROR_RESPONSES, InfoResponse, Mode
from paravec.service.state import CurrentIndex, CurrentSettings

__all__ = ["router"]

router = APIRouter(tags=["info"], responses=ERROR_RESPONSES)


@router.get("/api/info", response_model=InfoResponse)
def info(index: CurrentIndex, settings: CurrentSettings) -> InfoResponse:
    """The served index: name, version, documents, words, example queries, search modes, writes."""
    return InfoResponse(**index.info(), modes=list(get_args(Mode)), writable=settings.writable)
