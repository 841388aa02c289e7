"""ASGI middleware of the service: request-size limits and security headers on every answer.

`RequestLimits` refuses what is too big before any route runs: a URL (path + query string)
over ``max_url_bytes`` gets 414, a body over ``max_body_bytes`` gets 413, a body announced by
``Content-Length`` without reading it, a chunked body as soon as the bytes counted pass the limit.
These are HTTP limits, about bytes on the wire; the limits on what the words mean (characters of
a query, ``k``) are `paravec.search.validate`'s. `SecurityHeaders` adds a strict
Content-Security-Policy and friends, so a snippet that slipped past escaping still could not run
script or send data elsewhere. `VersionHeader` names, in the ``Paravec-Version`` header, the
version of the index that answered (noted by `paravec.service.state.get_index`).

Examples
--------
>>> import asyncio, httpx
>>> from starlette.applications import Starlette
>>> from paravec.service.middleware import RequestLimits, SecurityHeaders
>>> app = SecurityHeaders(RequestLimits(Starlette(), max_body_bytes=10, max_url_bytes=100))
>>> async def post(body: bytes) -> httpx.Response:
...     transport = httpx.ASGITransport(app=app)
...     async with httpx.AsyncClient(transport=transport, base_url="http://paravec") as client:
...         return await client.post("/", content=body)
>>> answer = asyncio.run(post(b"x" * 11))
>>> answer.status_code, answer.json()["error"], answer.headers["x-frame-options"]
(413, 'body_too_large', 'DENY')
>>> asyncio.run(post(b"x" * 10)).status_code  # within the limit: the app answers (no route: 404)
404
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_URL_BYTES",
    "VERSION_HEADER",
    "RequestLimits",
    "SecurityHeaders",
    "VersionHeader",
]

#: Largest request body accepted (bytes). One MiB holds a batch of a few hundred news articles.
DEFAULT_MAX_BODY_BYTES = 1_048_576
#: Largest path + query string accepted (bytes); longer URLs get 414. Browsers and proxies commonly
#: stop at 8 KiB as well.
DEFAULT_MAX_URL_BYTES = 8_192

# The page loads only its own files (no inline script, no CDN).
_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Add the security headers to every HTTP answer that does not already set them.

    Parameters
    ----------
    app : ASGI application
        The application whose answers get the headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers.extend((k, v) for k, v in _SECURITY_HEADERS if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: The answer's header naming the version of the index that answered.
VERSION_HEADER = "Paravec-Version"


class VersionHeader:
    """Add ``Paravec-Version: N`` to every answer a version of the index gave.

    The route's dependency writes the version into the request's state (``scope["state"]``);
    this middleware creates that dict before the app runs, so it sees what the route wrote.

    Parameters
    ----------
    app : ASGI application
        The application whose answers get the header.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_version(message: Message) -> None:
            version = state.get("paravec_version")
            if message["type"] == "http.response.start" and version is not None:
                headers = [
                    *message.get("headers", []),
                    (VERSION_HEADER.lower().encode(), str(version).encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_version)


class RequestLimits:
    """Answer 414 for over-long URLs and 413 for over-long bodies before the app sees them.

    Accepted bodies are replayed to the app unchanged, so the app never reads more than
    ``max_body_bytes``.

    Parameters
    ----------
    app : ASGI application
        The application behind the limits.
    max_body_bytes : int
        Largest request body accepted; larger ones get 413.
    max_url_bytes : int
        Longest path + query string accepted; longer ones get 414.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_url_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_url_bytes = max_url_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
        url_bytes = len(raw_path) + len(scope.get("query_string", b""))
        if url_bytes > self.max_url_bytes:
            await _send_error(
                scope,
                send,
                414,
                "uri_too_long",
                f"the URL is {url_bytes} bytes long; at most {self.max_url_bytes} are allowed "
                "(send long texts to POST /api/explore instead)",
            )
            return

        length_header = None
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                length_header = value
        if length_header is not None:
            try:
                length = int(length_header)
                if length < 0:
                    raise ValueError
            except ValueError:
                await _send_error(
                    scope, send, 400, "bad_request", "the Content-Length header is not a number"
                )
                return
            if length > self.max_body_bytes:
                await _send_error(scope, send, 413, "body_too_large", self._too_large(length))
                return

        chunks: list[bytes] = []
        total = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.max_body_bytes:
                await _send_error(scope, send, 413, "body_too_large", self._too_large(None))
                return
            chunks.append(body)
            more = message.get("more_body", False)

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, length: int | None) -> str:
        size = f"{length} bytes" if length is not None else "larger than the limit"
        return (
            f"the request body is {size}; at most {self.max_body_bytes} bytes are allowed "
            "(send fewer documents per request, or start the server with a larger --max-body-bytes)"
        )


async def _send_error(scope: Scope, send: Send, status: int, error: str, detail: str) -> None:
    response = JSONResponse({"detail": detail, "error": error}, status_code=status)
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - responses never read the request
    return {"type": "http.disconnect"}
