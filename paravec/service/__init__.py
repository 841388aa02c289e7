"""The HTTP service: a JSON API and an offline web page over an index folder or a `paravec.Store`.

``paravec serve INDEX`` or ``paravec serve STORE`` runs it; `create_app` builds it for uvicorn or
a test client. Every endpoint checks its input, makes one call on the version of the index it
is answered from and answers with a pydantic model (the version named in the ``Paravec-Version``
header); every expected failure is a JSON ``{"detail", "error"}`` answer with a 4xx/5xx status,
never a bare 500. Reads never wait for a write: a write builds the next version while the current
one serves (`paravec.service.versions`). The service is read-only unless it is given a write token.

The package is laid out by job: `paravec.service.app` wires the parts together,
`paravec.service.routes` holds the endpoints (one router per resource, each testable
alone), `paravec.service.state` what they depend on, `paravec.service.versions` the
versions served and where they come from, `paravec.service.writer` the child process of a
store write, `paravec.service.schemas` the JSON models, `paravec.service.inputs` the
request checks, `paravec.service.results` the answers, `paravec.service.errors` the error
answers, `paravec.service.auth` the write token, and `paravec.service.middleware` the HTTP
limits, security and version headers.

Examples
--------
>>> from paravec.service import DEFAULT_MAX_BODY_BYTES, MIN_TOKEN_CHARS
>>> DEFAULT_MAX_BODY_BYTES, MIN_TOKEN_CHARS
(1048576, 16)

See `paravec.service.app` for an application answering requests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paravec.service.app import create_app
    from paravec.service.auth import MIN_TOKEN_CHARS
    from paravec.service.middleware import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_URL_BYTES

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_URL_BYTES", "MIN_TOKEN_CHARS", "create_app"]

# Imported on first use: the child process of a store write (``python -m
# paravec.service.writer``) must start in a fraction of a second, without FastAPI and the index.
_LAZY = {
    "create_app": "paravec.service.app",
    "MIN_TOKEN_CHARS": "paravec.service.auth",
    "DEFAULT_MAX_BODY_BYTES": "paravec.service.middleware",
    "DEFAULT_MAX_URL_BYTES": "paravec.service.middleware",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'paravec.service' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
