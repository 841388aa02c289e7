"""How errors become HTTP answers: every expected failure is a JSON 4xx/5xx, never a bare 500.

Each answer is ``{"detail": "<a sentence saying what to do>", "error": "<stable code>"}``. A
`paravec.errors.ParavecError` raised by the index maps by its class: ``NotFoundError`` 404,
``ParameterError``/``CorpusError`` 422, ``IndexStateError`` 409 on writes (the index changed under
the request) and 503 on reads, ``ModelFileError``/``ModelBrokenError`` 503. FastAPI's own request
validation errors become one readable line instead of a list of pydantic records, and Starlette's
HTTP errors (401, 403, 404, 405) keep their status with a code of their own.

Examples
--------
>>> from paravec.errors import IndexStateError, NotFoundError
>>> from paravec.service.errors import error_status
>>> error_status(NotFoundError("no document tagged 'x'"), method="GET")
(404, 'not_found')
>>> error_status(IndexStateError("the index changed"), method="GET")
(503, 'index_unavailable')
>>> error_status(IndexStateError("the index changed"), method="POST")
(409, 'index_state')
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from paravec.errors import (
    CorpusError,
    IndexStateError,
    ModelBrokenError,
    ModelFileError,
    NotFoundError,
    ParameterError,
    ParavecError,
)

__all__ = ["add_error_handlers", "error_status", "validation_message"]

_HTTP_ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
_LOCATIONS = {"query": "query parameter", "path": "path parameter", "body": "body field"}
_MAX_REPORTED = 5  # a body with a thousand bad fields gets a readable line, not a page


def error_status(err: ParavecError, *, method: str) -> tuple[int, str]:
    """The HTTP status and error code for a paravec error raised while answering a request.

    Parameters
    ----------
    err : ParavecError
        The error the index raised.
    method : str
        The request's HTTP method: an `paravec.errors.IndexStateError` is a conflict (409)
        for a write and "unavailable" (503) for a read.

    Returns
    -------
    (int, str)
        The status and the ``error`` code of the JSON answer.
    """
    if isinstance(err, NotFoundError):
        return 404, "not_found"
    if isinstance(err, (ParameterError, CorpusError)):
        return 422, "bad_parameter"
    if isinstance(err, IndexStateError) and method != "GET":
        return 409, "index_state"
    if isinstance(err, (IndexStateError, ModelFileError, ModelBrokenError)):
        return 503, "index_unavailable"
    return 400, "bad_request"


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One line that names each bad parameter and what is wrong with it.

    Parameters
    ----------
    errors : list of dict
        ``RequestValidationError.errors()``: pydantic's error records.

    Returns
    -------
    str
        E.g. ``"query parameter 'k': Input should be greater than or equal to 1"``.

    Examples
    --------
    >>> validation_message([{"loc": ("query", "k"), "msg": "Input should be a valid integer"}])
    "query parameter 'k': Input should be a valid integer"
    """
    parts = []
    for item in errors[:_MAX_REPORTED]:
        if item.get("type") == "json_invalid":
            reason = item.get("ctx", {}).get("error", "parse error")
            parts.append(f"the request body is not valid JSON ({reason})")
            continue
        loc = [str(x) for x in item.get("loc", ()) if x not in ("query", "path", "body")]
        where = ".".join(loc) or "request"
        kind = _LOCATIONS.get(str(item.get("loc", ("",))[0]), "field")
        if where == "request" and kind == "body field":
            parts.append(
                f"request body: {item.get('msg', 'is invalid')} "
                "(send a JSON object with the header Content-Type: application/json)"
            )
            continue
        parts.append(f"{kind} {where!r}: {item.get('msg', 'is invalid')}")
    return "; ".join(parts) or "the request is invalid"


async def _paravec_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, ParavecError)  # registered for ParavecError only
    status, code = error_status(err, method=request.method)
    return JSONResponse({"detail": str(err), "error": code}, status_code=status)


async def _validation_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestValidationError)
    detail = validation_message(list(err.errors()))
    return JSONResponse({"detail": detail, "error": "bad_parameter"}, status_code=422)


async def _http_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, HTTPException)
    return JSONResponse(
        {"detail": str(err.detail), "error": _HTTP_ERROR_CODES.get(err.status_code, "http_error")},
        status_code=err.status_code,
        headers=err.headers,
    )


def add_error_handlers(app: FastAPI) -> None:
    """Make ``app`` answer every expected error with ``{"detail": ..., "error": ...}``.

    Parameters
    ----------
    app : fastapi.FastAPI
        The application (the whole service, or a bare app around one router in a test).
    """
    app.add_exception_handler(ParavecError, _paravec_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
