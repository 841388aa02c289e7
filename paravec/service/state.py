"""What the running service holds, and the FastAPI dependencies that hand it to the routes.

The application keeps two objects in ``app.state``: a `ServedIndex` (the index it answers
from, with the lock that keeps readers off a half-done write) and the `ServiceSettings`
it was started with. Routes never reach for them directly; they declare
``Depends(get_index)`` / ``Depends(get_settings)``, so a test mounts one router on a bare
FastAPI app and overrides the dependency with an index of its own, and a service that switches
between index versions only has to change what `get_index` returns: each request keeps
the `ServedIndex` it was given for the whole answer.

Examples
--------
>>> from paravec.service.state import ServiceSettings
>>> ServiceSettings().writable
False
>>> ServiceSettings(token="a-secret-of-16-chars").writable
True

A test serves one router over its own index (see `paravec.service.routes`)::

    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_index] = lambda: ServedIndex(SearchIndex.open("lee.index"))
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request

from paravec.errors import ParavecError
from paravec.search import SearchIndex
from paravec.service.middleware import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_URL_BYTES

__all__ = [
    "CurrentIndex",
    "CurrentSettings",
    "ServedIndex",
    "ServiceSettings",
    "get_index",
    "get_settings",
    "install_state",
]

_T = TypeVar("_T")


class ServedIndex:
    """A `paravec.search.SearchIndex` shared by the requests, with one lock for every call.

    Adding documents retrains the model and rewrites the index, and readers must not see them
    half-updated; reads are short, so one lock serves a local service. Reads and writes are
    named apart so that a service which builds the next version while serving the current one
    changes only this class.

    Parameters
    ----------
    index : SearchIndex
        The open index to serve.
    """

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self._lock = threading.RLock()

    def read(self, call: Callable[[SearchIndex], _T]) -> _T:
        """Return ``call(index)``, run while no write is changing the index."""
        with self._lock:
            return call(self.index)

    def write(self, call: Callable[[SearchIndex], _T]) -> _T:
        """Return ``call(index)``, run while no other request uses the index."""
        with self._lock:
            return call(self.index)

    def title(self, tag: str) -> str:
        """The title of an indexed document; ``""`` when the index cannot give one."""
        try:
            return str(self.read(lambda index: index.document(tag)).get("title") or "")
        except ParavecError:
            return ""


@dataclass(frozen=True)
class ServiceSettings:
    """How the service was started: the write token and the HTTP limits.

    Attributes
    ----------
    token : str or None
        The secret ``POST /api/documents`` requires; ``None`` keeps the service read-only.
    max_body_bytes : int
        Largest request body accepted; also the longest text one added document may have.
    max_url_bytes : int
        Longest path + query string accepted.
    """

    token: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_url_bytes: int = DEFAULT_MAX_URL_BYTES

    @property
    def writable(self) -> bool:
        """True when documents may be added (a token was configured)."""
        return self.token is not None


def install_state(app: FastAPI, index: ServedIndex, settings: ServiceSettings) -> None:
    """Keep ``index`` and ``settings`` in ``app.state``, where the dependencies find them.

    Parameters
    ----------
    app : fastapi.FastAPI
        The application.
    index : ServedIndex
        The index to answer from.
    settings : ServiceSettings
        The token and limits.
    """
    app.state.served = index
    app.state.settings = settings


def get_index(request: Request) -> ServedIndex:
    """FastAPI dependency: the index this request is answered from."""
    served: ServedIndex = request.app.state.served
    return served


def get_settings(request: Request) -> ServiceSettings:
    """FastAPI dependency: the settings the service was started with."""
    settings: ServiceSettings = request.app.state.settings
    return settings


#: A route parameter that receives `get_index`'s answer.
CurrentIndex = Annotated[ServedIndex, Depends(get_index)]
#: A route parameter that receives `get_settings`'s answer.
CurrentSettings = Annotated[ServiceSettings, Depends(get_settings)]
