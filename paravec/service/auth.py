"""Who may write: the service is read-only unless started with a token, then writes need it.

``POST /api/documents`` depends on `require_writer`. Without a configured token it answers
403 and says how to enable writing; with one, the request must carry
``Authorization: Bearer <token>`` or it gets 401. The comparison takes the same time however
much of the token was right, so the time of an answer does not leak the secret. A token shorter
than `MIN_TOKEN_CHARS` is refused at start-up by the `WriteToken` constraint.

Examples
--------
>>> from paravec.service.auth import WriteToken
>>> WriteToken()("token", None) is None      # no token: a read-only service
True
>>> WriteToken()("token", "short")
Traceback (most recent call last):
...
paravec.errors.ParameterError: the write token must be a string of at least 16 characters; \
make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.exceptions import HTTPException

from paravec.errors import ParameterError
from paravec.service.state import ServiceSettings, get_settings

__all__ = ["MIN_TOKEN_CHARS", "WriteToken", "require_writer"]

#: Shortest accepted write token: shorter secrets can be guessed over the network.
MIN_TOKEN_CHARS = 16

_READ_ONLY = (
    "this server is read-only: adding documents is disabled. Start it with a token to "
    "enable writing: export PARAVEC_TOKEN=$(python -c 'import secrets; "
    "print(secrets.token_urlsafe(32))'); paravec serve INDEX --token-env PARAVEC_TOKEN; "
    "then send the header 'Authorization: Bearer <token>'"
)
_WRONG_TOKEN = (
    "adding documents needs the header 'Authorization: Bearer <token>' with the token the "
    "server was started with"
)


@dataclass(frozen=True)
class WriteToken:
    """A `paravec.params.Constraint` for the write token: ``None``, or a long enough str.

    Parameters
    ----------
    min_chars : int
        Fewest characters (not counting surrounding whitespace) a token may have.
    """

    min_chars: int = MIN_TOKEN_CHARS

    def __call__(self, name: str, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or len(value.strip()) < self.min_chars:
            raise ParameterError(
                f"the write token must be a string of at least {self.min_chars} characters; "
                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value


def require_writer(request: Request, settings: Annotated[ServiceSettings, Depends(get_settings)]) -> None:
    """FastAPI dependency of the write routes: pass only a request with the configured token.

    Raises
    ------
    starlette.exceptions.HTTPException
        403 when the service has no token (read-only), 401 when the request's
        ``Authorization: Bearer`` header is missing or holds another token.
    """
    if settings.token is None:
        raise HTTPException(403, _READ_ONLY)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), settings.token.encode("utf-8")
    ):
        raise HTTPException(401, _WRONG_TOKEN, headers={"WWW-Authenticate": "Bearer"})
