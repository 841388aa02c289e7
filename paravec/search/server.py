"""HTTP API and a small offline web page over a :class:`~paravec.search.SearchIndex`.

What it does
------------
:func:`create_app` wraps a search index in a FastAPI application:

=========================================  ===================================================
``GET  /``                                 the web page (static HTML + JS + CSS, no CDN)
``GET  /api/search?q=&mode=&k=&expand=``   hybrid / keyword / vector / document search -> hits
``GET  /api/documents/{tag}``              one document: tag, title, text
``GET  /api/documents/{tag}/words``        the words nearest to a document vector
``GET  /api/documents/{tag}/similar``      the documents nearest to a document vector
``GET  /api/document?tag=``                one document, for tags ending in ``/words`` etc.
``GET  /api/words/{word}/neighbors``       the words nearest to a word vector
``GET  /api/words/{word}/documents``       the documents nearest to a word vector
``POST /api/explore``                      free text -> nearest words and documents
``POST /api/similar``                      a whole document -> documents like it (document search)
``POST /api/documents``                    add documents (bearer token; off by default)
``GET  /openapi.json``                     the OpenAPI schema of all of the above
=========================================  ===================================================

Approach
--------
The service is a thin layer: every endpoint validates its input, calls one
:class:`~paravec.search.SearchIndex` method and turns the result into a pydantic model. Every
:class:`~paravec.errors.ParavecError` becomes a JSON answer ``{"detail": "...", "error": "..."}``:
``NotFoundError`` 404, ``ParameterError``/``CorpusError`` 422, ``IndexStateError`` 409 on writes
and 503 on reads, ``ModelFileError``/``ModelBrokenError`` 503, so bad input never produces a 500.
Limits are enforced before any endpoint runs: request bodies over ``max_body_bytes`` get 413 (by
``Content-Length`` at once, and by counting the bytes of chunked bodies), URLs longer than
``max_url_bytes`` get 414. Request data never names a file: tags and words are only looked up in the index, and the page's files are served by Starlette's
``StaticFiles``, which refuses paths outside its folder.

The service is read-only unless a token is given: ``POST /api/documents`` then needs the header
``Authorization: Bearer <token>``; without a configured token it answers 403 and says how to enable
writing. Calls into the index are serialized by one lock, because adding documents retrains the
model and rewrites the index while readers would otherwise see it half-updated.

Example
-------
>>> from fastapi.testclient import TestClient             # doctest: +SKIP
>>> from paravec.search.server import create_app          # doctest: +SKIP
>>> client = TestClient(create_app("lee.index"))            # doctest: +SKIP
>>> client.get("/api/search", params={"q": "bushfires"}).json()["hits"][0]["why"]  # doctest: +SKIP
'both'
>>> import uvicorn; uvicorn.run(create_app("lee.index"), port=8000)  # doctest: +SKIP

or from the shell: ``paravec serve lee.index --port 8000``.
"""

from __future__ import annotations

import hmac
import math
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paravec.errors import (
    CorpusError,
    IndexStateError,
    ModelBrokenError,
    ModelFileError,
    ParameterError,
    ParavecError,
)
from paravec.search import MAX_KEY_CHARS, MAX_TEXT_CHARS, NotFoundError, SearchIndex

__all__ = [
    "create_app",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_URL_BYTES",
    "MAX_QUERY_CHARS",
    "MAX_EXPLORE_CHARS",
    "MAX_KEY_CHARS",
    "MAX_K",
    "MIN_TOKEN_CHARS",
]

#: Largest request body accepted (bytes). One MiB holds a batch of a few hundred news articles.
DEFAULT_MAX_BODY_BYTES = 1_048_576
#: Largest path + query string accepted (bytes); longer URLs get 414. Browsers and proxies commonly
#: stop at 8 KiB as well.
DEFAULT_MAX_URL_BYTES = 8_192
#: Longest search query (characters). A query is a few words, not a document; use /api/explore
#: to search with a whole text.
MAX_QUERY_CHARS = 1_000
#: Longest free text for /api/explore (characters): the index's own limit.
MAX_EXPLORE_CHARS = MAX_TEXT_CHARS
#: Most results one request may ask for.
MAX_K = 100
#: Shortest accepted write token: shorter secrets can be guessed over the network.
MIN_TOKEN_CHARS = 16

_STATIC_DIR = Path(__file__).resolve().parent / "static"
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_T = TypeVar("_T")

# Headers on every answer: the page loads only its own files (no inline script, no CDN), so a
# snippet that slipped past escaping still could not run script or send data elsewhere.
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


# --------------------------------------------------------------------------------------------
# Response and request models
# --------------------------------------------------------------------------------------------


class SnippetPart(BaseModel):
    """A piece of a snippet; ``match`` is true for the words the query matched."""

    text: str
    match: bool


class HitModel(BaseModel):
    """One search result."""

    tag: str
    title: str
    snippet: str
    highlights: list[tuple[int, int]] = Field(
        description="Spans [start, end) of matched words in `snippet`, in Unicode code points."
    )
    snippet_parts: list[SnippetPart] = Field(
        description="`snippet` cut at the highlights, so clients need no offset arithmetic."
    )
    score: float | None
    keyword_rank: int | None
    vector_rank: int | None
    why: Literal["keyword", "vector", "both"]


class SearchResponse(BaseModel):
    query: str
    mode: Literal["hybrid", "keyword", "vector", "document"]
    k: int
    expand: bool
    took_ms: float
    hits: list[HitModel]


class DocumentModel(BaseModel):
    tag: str
    title: str
    text: str


class WordScore(BaseModel):
    word: str
    score: float | None


class DocumentScore(BaseModel):
    tag: str
    title: str
    score: float | None


class DocumentWordsResponse(BaseModel):
    tag: str
    words: list[WordScore]


class DocumentSimilarResponse(BaseModel):
    tag: str
    documents: list[DocumentScore]


class WordNeighborsResponse(BaseModel):
    word: str
    words: list[WordScore]


class WordDocumentsResponse(BaseModel):
    word: str
    documents: list[DocumentScore]


class ExploreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description=f"Free text, at most {MAX_EXPLORE_CHARS} characters.")
    k: int = Field(10, ge=1, le=MAX_K)


class SimilarRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description=f"A whole document (an article, a post), at most {MAX_EXPLORE_CHARS} characters.")
    k: int = Field(10, ge=1, le=MAX_K)


class ExploreResponse(BaseModel):
    words: list[WordScore]
    documents: list[DocumentScore]


class NewDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tag: str = Field(min_length=1, max_length=MAX_KEY_CHARS)
    text: str = Field(min_length=1)
    title: str | None = Field(None, max_length=MAX_KEY_CHARS)


class AddDocumentsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[NewDocument] = Field(min_length=1)


class AddDocumentsResponse(BaseModel):
    """What adding the documents changed (a :class:`~paravec.search.SyncReport`)."""

    added: list[str] = Field(description="Tags that became searchable.")
    removed: list[str] = Field(description="Tags dropped because the model no longer has them.")
    replaced: list[str] = Field(description="Tags whose text or vector changed.")
    skipped: list[str] = Field([], description="Tags of given texts the model does not have.")
    unchanged: int | None = None
    unindexed: int | None = None
    seconds: float | None = None


class ErrorModel(BaseModel):
    detail: str
    error: str


_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel} for code in (400, 404, 409, 413, 414, 422, 503)
}


# --------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------


def _check_text(name: str, value: str, *, max_chars: int, allow_blank: bool = False) -> str:
    """Refuse blank, over-long and control-character input with a message saying what to do."""
    if len(value) > max_chars:
        raise ParameterError(
            f"{name} is {len(value)} characters long; at most {max_chars} are allowed"
            + ("; use POST /api/explore to search with a whole text" if name == "q" else "")
        )
    if not allow_blank and not value.strip():
        raise ParameterError(f"{name} is empty; give at least one word")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs") and ch not in _ALLOWED_CONTROLS:
            raise ParameterError(
                f"{name} contains the control character U+{ord(ch):04X}; remove it"
            )
    return value


def _finite(score: float | None) -> float | None:
    # JSON has no NaN/Infinity; an index returning one must not turn an answer into a 500.
    if score is None:
        return None
    score = float(score)
    return score if math.isfinite(score) else None


def _snippet_parts(snippet: str, highlights: Iterable[tuple[int, int]]) -> list[SnippetPart]:
    spans = sorted(
        (max(0, int(s)), min(len(snippet), int(e))) for s, e in highlights if int(e) > int(s)
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[SnippetPart] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            parts.append(SnippetPart(text=snippet[pos:start], match=False))
        parts.append(SnippetPart(text=snippet[start:end], match=True))
        pos = end
    if pos < len(snippet):
        parts.append(SnippetPart(text=snippet[pos:], match=False))
    return parts


# --------------------------------------------------------------------------------------------
# Limits middleware
# --------------------------------------------------------------------------------------------


class _RequestLimits:
    """Answer 414 for over-long URLs and 413 for over-long bodies before the app sees them.

    A body announced by ``Content-Length`` is refused without reading it; a chunked body is read
    and counted, and refused as soon as it passes the limit. Accepted bodies are replayed to the
    app unchanged, so the app never reads more than ``max_body_bytes``.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_url_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_url_bytes = max_url_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
        url_bytes = len(raw_path) + len(scope.get("query_string", b""))
        if url_bytes > self.max_url_bytes:
            await _send_error(
                scope, send, 414, "uri_too_long",
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
                await _send_error(scope, send, 400, "bad_request", "the Content-Length header is not a number")
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


def _with_security_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {key.lower() for key, _ in headers}
            headers.extend((k, v) for k, v in _SECURITY_HEADERS if k not in present)
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


async def _send_error(scope: Scope, send: Send, status: int, error: str, detail: str) -> None:
    response = JSONResponse({"detail": detail, "error": error}, status_code=status)
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - responses never read the request
    return {"type": "http.disconnect"}


# --------------------------------------------------------------------------------------------
# The application
# --------------------------------------------------------------------------------------------


def _error_kind(err: ParavecError) -> tuple[int, str]:
    if isinstance(err, NotFoundError):
        return 404, "not_found"
    if isinstance(err, (ParameterError, CorpusError)):
        return 422, "bad_parameter"
    if isinstance(err, (IndexStateError, ModelFileError, ModelBrokenError)):
        return 503, "index_unavailable"
    return 400, "bad_request"


def _validation_message(err: RequestValidationError) -> str:
    parts = []
    for item in err.errors()[:5]:
        if item.get("type") == "json_invalid":
            parts.append(f"the request body is not valid JSON ({item.get('ctx', {}).get('error', 'parse error')})")
            continue
        loc = [str(x) for x in item.get("loc", ()) if x not in ("query", "path", "body")]
        where = ".".join(loc) or "request"
        kind = {"query": "query parameter", "path": "path parameter", "body": "body field"}.get(
            str(item.get("loc", ("",))[0]), "field"
        )
        if where == "request" and kind == "body field":
            parts.append(f"request body: {item.get('msg', 'is invalid')} "
                         "(send a JSON object with the header Content-Type: application/json)")
            continue
        parts.append(f"{kind} {where!r}: {item.get('msg', 'is invalid')}")
    return "; ".join(parts) or "the request is invalid"


def create_app(
    index: str | os.PathLike[str] | SearchIndex,
    *,
    token: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_url_bytes: int = DEFAULT_MAX_URL_BYTES,
) -> FastAPI:
    """Build the FastAPI application serving ``index``.

    Parameters
    ----------
    index : str, os.PathLike or SearchIndex
        An index folder written by :meth:`SearchIndex.build`, or an open index.
    token : str, optional
        Secret that ``POST /api/documents`` requires as ``Authorization: Bearer <token>``. Without
        it the service is read-only and that endpoint answers 403. At least
        :data:`MIN_TOKEN_CHARS` characters.
    max_body_bytes : int
        Largest request body accepted; larger ones get 413.
    max_url_bytes : int
        Longest path + query string accepted; longer ones get 414.

    Returns
    -------
    fastapi.FastAPI
        The application; run it with ``uvicorn.run(app, host=..., port=...)``.

    Raises
    ------
    ParameterError
        If ``token`` is too short or a limit is not a positive integer.
    IndexStateError
        If the index folder cannot be opened (raised by :meth:`SearchIndex.open`).
    """
    for name, value in (("max_body_bytes", max_body_bytes), ("max_url_bytes", max_url_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    if token is not None:
        if not isinstance(token, str) or len(token.strip()) < MIN_TOKEN_CHARS:
            raise ParameterError(
                f"the write token must be a string of at least {MIN_TOKEN_CHARS} characters; "
                "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
    if isinstance(index, (str, os.PathLike)):
        index = SearchIndex.open(index)
    elif not isinstance(index, SearchIndex):
        raise ParameterError(f"index must be an index folder or a SearchIndex, got {type(index).__name__}")

    idx = index
    # One lock for every index call: add_documents rewrites the model and the index, and readers
    # must not see them half-updated. Reads are short; the local service does not need more.
    lock = threading.RLock()

    def locked(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        with lock:
            return fn(*args, **kwargs)

    def title_of(tag: str) -> str:
        try:
            return str(locked(idx.document, tag).get("title") or "")
        except ParavecError:
            return ""

    def doc_scores(neighbors: Iterable[Any]) -> list[DocumentScore]:
        return [
            DocumentScore(tag=str(n.key), title=title_of(str(n.key)), score=_finite(n.score))
            for n in neighbors
        ]

    def word_scores(neighbors: Iterable[Any]) -> list[WordScore]:
        return [WordScore(word=str(n.key), score=_finite(n.score)) for n in neighbors]

    app = FastAPI(
        title="paravec",
        summary="Search and explore the joint word/document space of a gensim Doc2Vec model.",
        version=_package_version(),
        # Swagger UI and ReDoc load their scripts from a CDN; the service must work offline.
        docs_url=None,
        redoc_url=None,
    )
    app.state.index = idx
    app.state.writable = token is not None

    # ---- error handlers: every expected failure is a JSON 4xx -----------------------------

    @app.exception_handler(ParavecError)
    async def _paravec_error(request: Request, err: ParavecError) -> JSONResponse:
        status, kind = _error_kind(err)
        if isinstance(err, IndexStateError) and request.method != "GET":
            status, kind = 409, "index_state"
        return JSONResponse({"detail": str(err), "error": kind}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": _validation_message(err), "error": "bad_parameter"}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        kinds = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        return JSONResponse(
            {"detail": str(err.detail), "error": kinds.get(err.status_code, "http_error")},
            status_code=err.status_code,
            headers=getattr(err, "headers", None),
        )

    # ---- search -------------------------------------------------------------------------

    @app.get("/api/search", response_model=SearchResponse, responses=_ERROR_RESPONSES, tags=["search"])
    def search(
        q: Annotated[str, Query(description="The query: a few words.")],
        mode: Annotated[Literal["hybrid", "keyword", "vector", "document"], Query()] = "hybrid",
        k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
        expand: Annotated[bool, Query(description="Add the query words' nearest words.")] = False,
    ) -> SearchResponse:
        """Search the documents by keywords (BM25), by meaning (vectors), both, or by likeness to a whole document."""
        _check_text("q", q, max_chars=MAX_QUERY_CHARS)
        start = time.perf_counter()
        hits = locked(idx.search, q, mode=mode, k=k, expand=expand)
        took = (time.perf_counter() - start) * 1000.0
        return SearchResponse(
            query=q, mode=mode, k=k, expand=expand, took_ms=round(took, 2),
            hits=[_hit_model(h) for h in hits],
        )

    # ---- documents ----------------------------------------------------------------------
    # The /words and /similar routes come before the plain document route: tags may contain "/",
    # so "/api/documents/a/b/words" means the words of document "a/b". A tag that itself ends in
    # "/words" or "/similar" is fetched with GET /api/document?tag=...

    @app.get(
        "/api/documents/{tag:path}/words", response_model=DocumentWordsResponse,
        responses=_ERROR_RESPONSES, tags=["documents"],
    )
    def document_words(tag: str, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10) -> DocumentWordsResponse:
        """The words whose vectors are nearest to the document's vector."""
        _check_text("tag", tag, max_chars=MAX_KEY_CHARS)
        return DocumentWordsResponse(tag=tag, words=word_scores(locked(idx.words_near_document, tag, k=k)))

    @app.get(
        "/api/documents/{tag:path}/similar", response_model=DocumentSimilarResponse,
        responses=_ERROR_RESPONSES, tags=["documents"],
    )
    def document_similar(tag: str, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10) -> DocumentSimilarResponse:
        """The documents whose vectors are nearest to the document's vector."""
        _check_text("tag", tag, max_chars=MAX_KEY_CHARS)
        return DocumentSimilarResponse(tag=tag, documents=doc_scores(locked(idx.documents_like, tag, k=k)))

    @app.get("/api/documents/{tag:path}", response_model=DocumentModel, responses=_ERROR_RESPONSES, tags=["documents"])
    def document(tag: str) -> DocumentModel:
        """One document: its tag, title and text."""
        return _document(tag)

    @app.get("/api/document", response_model=DocumentModel, responses=_ERROR_RESPONSES, tags=["documents"])
    def document_by_query(tag: Annotated[str, Query()]) -> DocumentModel:
        """One document, with the tag in the query string (works for every tag)."""
        return _document(tag)

    def _document(tag: str) -> DocumentModel:
        _check_text("tag", tag, max_chars=MAX_KEY_CHARS)
        doc = locked(idx.document, tag)
        return DocumentModel(tag=str(doc["tag"]), title=str(doc.get("title") or ""), text=str(doc["text"]))

    @app.post(
        "/api/documents", response_model=AddDocumentsResponse, tags=["documents"],
        responses={**_ERROR_RESPONSES, 401: {"model": ErrorModel}, 403: {"model": ErrorModel}},
    )
    def add_documents(request: Request, payload: Annotated[AddDocumentsRequest, Body()]) -> AddDocumentsResponse:
        """Add or replace documents: trains them into the model and updates the index.

        Needs ``Authorization: Bearer <token>``; the service is read-only unless started with a
        token (``paravec serve INDEX --token-env PARAVEC_TOKEN``).
        """
        _require_token(request, token)
        for i, doc in enumerate(payload.documents):
            _check_text(f"documents[{i}].tag", doc.tag, max_chars=MAX_KEY_CHARS)
            _check_text(f"documents[{i}].text", doc.text, max_chars=max_body_bytes)
            if doc.title is not None:
                _check_text(f"documents[{i}].title", doc.title, max_chars=MAX_KEY_CHARS, allow_blank=True)
        texts = [(d.tag, d.text) for d in payload.documents]
        titles = {d.tag: d.title for d in payload.documents if d.title}
        kwargs: dict[str, Any] = {"titles": titles} if titles else {}
        report = locked(idx.add_documents, texts, **kwargs)
        fields = {name: getattr(report, name, None) for name in AddDocumentsResponse.model_fields}
        return AddDocumentsResponse(**{
            name: ([str(t) for t in value] if isinstance(value, (list, tuple, set, frozenset)) else
                   _finite(value) if isinstance(value, float) else value)
            for name, value in fields.items() if value is not None
        })

    # ---- words --------------------------------------------------------------------------

    @app.get(
        "/api/words/{word:path}/neighbors", response_model=WordNeighborsResponse,
        responses=_ERROR_RESPONSES, tags=["words"],
    )
    def word_neighbors(word: str, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10) -> WordNeighborsResponse:
        """The words whose vectors are nearest to the word's vector."""
        _check_text("word", word, max_chars=MAX_KEY_CHARS)
        return WordNeighborsResponse(word=word, words=word_scores(locked(idx.words_near_word, word, k=k)))

    @app.get(
        "/api/words/{word:path}/documents", response_model=WordDocumentsResponse,
        responses=_ERROR_RESPONSES, tags=["words"],
    )
    def word_documents(word: str, k: Annotated[int, Query(ge=1, le=MAX_K)] = 10) -> WordDocumentsResponse:
        """The documents whose vectors are nearest to the word's vector."""
        _check_text("word", word, max_chars=MAX_KEY_CHARS)
        return WordDocumentsResponse(word=word, documents=doc_scores(locked(idx.documents_near_word, word, k=k)))

    # ---- free text ----------------------------------------------------------------------

    @app.post("/api/explore", response_model=ExploreResponse, responses=_ERROR_RESPONSES, tags=["search"])
    def explore(payload: Annotated[ExploreRequest, Body()]) -> ExploreResponse:
        """Infer a vector for free text and list the words and documents nearest to it."""
        _check_text("text", payload.text, max_chars=MAX_EXPLORE_CHARS)
        return ExploreResponse(
            words=word_scores(locked(idx.text_to_words, payload.text, k=payload.k)),
            documents=doc_scores(locked(idx.text_to_documents, payload.text, k=payload.k)),
        )

    @app.post("/api/similar", response_model=SearchResponse, responses=_ERROR_RESPONSES, tags=["search"])
    def similar(payload: Annotated[SimilarRequest, Body()]) -> SearchResponse:
        """Documents like a whole document: search with mode="document" (TF-IDF, soft and Doc2Vec cosine).

        A POST, because a document is longer than a URL should be.
        """
        _check_text("text", payload.text, max_chars=MAX_EXPLORE_CHARS)
        start = time.perf_counter()
        hits = locked(idx.search, payload.text, mode="document", k=payload.k)
        took = (time.perf_counter() - start) * 1000.0
        return SearchResponse(query=payload.text, mode="document", k=payload.k, expand=False,
                              took_ms=round(took, 2), hits=[_hit_model(h) for h in hits])

    # ---- the page -----------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(_STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=_STATIC_DIR), name="static")

    app.add_middleware(_RequestLimits, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes)
    return app


def _require_token(request: Request, token: str | None) -> None:
    if token is None:
        raise StarletteHTTPException(
            403,
            "this server is read-only: adding documents is disabled. Start it with a token to "
            "enable writing: export PARAVEC_TOKEN=$(python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'); paravec serve INDEX --token-env PARAVEC_TOKEN; "
            "then send the header 'Authorization: Bearer <token>'",
        )
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    # compare_digest: the time taken must not tell an attacker how much of the token was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), token.encode("utf-8")
    ):
        raise StarletteHTTPException(
            401,
            "adding documents needs the header 'Authorization: Bearer <token>' with the token the "
            "server was started with",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _hit_model(hit: Any) -> HitModel:
    highlights = [(int(s), int(e)) for s, e in (hit.highlights or [])]
    return HitModel(
        tag=str(hit.tag),
        title=str(hit.title or ""),
        snippet=str(hit.snippet or ""),
        highlights=highlights,
        snippet_parts=_snippet_parts(str(hit.snippet or ""), highlights),
        score=_finite(hit.score),
        keyword_rank=hit.keyword_rank,
        vector_rank=hit.vector_rank,
        why=hit.why,
    )


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("paravec")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still serves
        return "0"
