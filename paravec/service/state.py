"""What the running service holds, and the FastAPI dependencies that hand it to the routes.

The application keeps two objects in ``app.state``: a `ServedIndex` (the version being served,
where new versions come from, and the writer's lock) and the `ServiceSettings` it was started
with. Routes never reach for them directly; they declare ``Depends(get_index)`` (the
`paravec.service.versions.ServedVersion` this request answers from, taken once when the
request starts) or ``Depends(get_served)`` (the holder, for writes), so a test mounts one router
on a bare FastAPI app and overrides the dependency with an index of its own.

Reads never wait for a write: a write builds the next version while readers keep the current
one, then `ServedIndex.switch` replaces the reference in one assignment. Requests in flight
finish on the version they started on; `get_index` notes that version in the request's state and
`paravec.service.middleware.VersionHeader` names it in the answer's ``Paravec-Version`` header.

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
    served = ServedIndex(FolderSource(SearchIndex.open("lee.index")))
    app.dependency_overrides[get_index] = lambda: served.current
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from paravec.search import SearchIndex
from paravec.service.middleware import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_URL_BYTES
from paravec.service.versions import FolderSource, ServedVersion, Source, Written

__all__ = [
    "CurrentIndex",
    "CurrentSettings",
    "CurrentVersions",
    "ServedIndex",
    "ServiceSettings",
    "get_index",
    "get_served",
    "get_settings",
    "install_state",
]

logger = logging.getLogger(__name__)

#: Where `get_index` notes the answering version, read by the ``Paravec-Version`` header.
VERSION_KEY = "paravec_version"


class ServedIndex:
    """The version the service answers from, swapped whole when a newer one is ready.

    Parameters
    ----------
    source : Source or SearchIndex
        Where versions come from; an open `SearchIndex` is served as a `FolderSource`.
    """

    def __init__(self, source: Source | SearchIndex) -> None:
        self.source: Source = FolderSource(source) if isinstance(source, SearchIndex) else source
        self._current = self.source.load()
        self._current.warm_in_background()  # requests are served meanwhile
        # Writers wait for each other (one version is built at a time); readers never take it.
        self._write_lock = threading.Lock()
        self._switch_lock = threading.Lock()

    @property
    def current(self) -> ServedVersion:
        """The version new requests answer from."""
        return self._current

    def switch(self, version: ServedVersion) -> bool:
        """Serve ``version`` from now on, unless that version is already served; True if switched.

        A rollback switches to a lower number, so any other number switches.
        """
        with self._switch_lock:
            if version.version == self._current.version:
                return False
            logger.info("serving version %d (was %d)", version.version, self._current.version)
            self._current = version
            return True

    def write(self, texts: Sequence[tuple[str, str]], titles: dict[str, str]) -> Written:
        """Add documents through the source, then serve the version that holds them.

        Readers go on with the current version meanwhile; writers take turns. The new version's
        documents are warmed beside it once it serves (`ServedVersion.warm_in_background`).
        """
        with self._write_lock:
            written = self.source.write(texts, titles, self._current)
            written.version.warm(documents=False)
            if self.switch(written.version):
                written.version.warm_in_background()
            return written

    def refresh(self) -> bool:
        """Follow the source when another process published or rolled back; True if switched.

        The new version is opened and warmed (`ServedVersion.warm`, its documents included)
        before the switch, so no request waits for it. While this
        service writes, the write switches to its own version: polling then would open it twice.
        """
        if self._write_lock.locked():
            return False
        newer = self.source.poll(self._current)
        if newer is None:
            return False
        newer.warm()
        return self.switch(newer)


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


def install_state(app: FastAPI, served: ServedIndex, settings: ServiceSettings) -> None:
    """Keep ``served`` and ``settings`` in ``app.state``, where the dependencies find them.

    Parameters
    ----------
    app : fastapi.FastAPI
        The application.
    served : ServedIndex
        The versions to answer from.
    settings : ServiceSettings
        The token and limits.
    """
    app.state.served = served
    app.state.settings = settings


def get_served(request: Request) -> ServedIndex:
    """FastAPI dependency: the service's `ServedIndex` (writes go through it)."""
    served: ServedIndex = request.app.state.served
    return served


def get_index(request: Request) -> ServedVersion:
    """FastAPI dependency: the version this request is answered from, fixed for the whole request."""
    version = get_served(request).current
    setattr(request.state, VERSION_KEY, version.version)
    return version


def get_settings(request: Request) -> ServiceSettings:
    """FastAPI dependency: the settings the service was started with."""
    settings: ServiceSettings = request.app.state.settings
    return settings


#: A route parameter that receives `get_index`'s answer.
CurrentIndex = Annotated[ServedVersion, Depends(get_index)]
#: A route parameter that receives `get_served`'s answer.
CurrentVersions = Annotated[ServedIndex, Depends(get_served)]
#: A route parameter that receives `get_settings`'s answer.
CurrentSettings = Annotated[ServiceSettings, Depends(get_settings)]
