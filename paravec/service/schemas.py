"""The JSON the service reads and writes, as pydantic models (they make the OpenAPI schema).

Every answer of the HTTP API is one of these models, so ``/openapi.json`` describes each field and
clients can be generated from it. Request models forbid unknown fields: a typo in a field name is
a 422 that names the field, not a silently ignored value. The limits in them (``k``, tag and title
lengths) come from `paravec.search.validate`, the one place that defines them.

Examples
--------
>>> from paravec.service.schemas import ExploreRequest, WordScore
>>> ExploreRequest(text="bushfires near Sydney").k
10
>>> WordScore(word="fire", score=0.5).model_dump()
{'word': 'fire', 'score': 0.5}
>>> ExploreRequest(text="x", colour="red")
Traceback (most recent call last):
...
pydantic_core._pydantic_core.ValidationError: 1 validation error for ExploreRequest
colour
  Extra inputs are not permitted [type=extra_forbidden, input_value='red', input_type=str]
...
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from paravec.search.validate import MAX_K, MAX_KEY_CHARS, MAX_TEXT_CHARS

__all__ = [
    "ERROR_RESPONSES",
    "AddDocumentsRequest",
    "AddDocumentsResponse",
    "DocumentModel",
    "DocumentScore",
    "DocumentSimilarResponse",
    "DocumentWordsResponse",
    "ErrorModel",
    "ExploreRequest",
    "ExploreResponse",
    "HitModel",
    "KQuery",
    "Mode",
    "NewDocument",
    "SearchResponse",
    "SimilarRequest",
    "SnippetPart",
    "WordDocumentsResponse",
    "WordNeighborsResponse",
    "WordScore",
]

#: How ``/api/search`` ranks: the modes of `paravec.search.SearchIndex.search`.
Mode = Literal["hybrid", "keyword", "vector", "document"]

#: The ``k`` query parameter of the routes: how many results, 1 to ``MAX_K``.
KQuery = Annotated[int, Query(ge=1, le=MAX_K, description="Number of results.")]


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
    """The hits of one search, with the parameters that produced them."""

    query: str
    mode: Mode
    k: int
    expand: bool
    took_ms: float
    hits: list[HitModel]


class DocumentModel(BaseModel):
    """One indexed document."""

    tag: str
    title: str
    text: str


class WordScore(BaseModel):
    """A word and its score near what was asked about: cosine plus output-layer score, each in
    standard deviations above the vocabulary's mean (`paravec.word_ranking`)."""

    word: str
    score: float | None


class DocumentScore(BaseModel):
    """A document and its cosine similarity to what was asked about."""

    tag: str
    title: str
    score: float | None


class DocumentWordsResponse(BaseModel):
    """The words nearest to a document."""

    tag: str
    words: list[WordScore]


class DocumentSimilarResponse(BaseModel):
    """The documents nearest to a document."""

    tag: str
    documents: list[DocumentScore]


class WordNeighborsResponse(BaseModel):
    """The words nearest to a word."""

    word: str
    words: list[WordScore]


class WordDocumentsResponse(BaseModel):
    """The documents nearest to a word."""

    word: str
    documents: list[DocumentScore]


class ExploreRequest(BaseModel):
    """Free text whose inferred vector is explored."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description=f"Free text, at most {MAX_TEXT_CHARS} characters.")
    k: int = Field(10, ge=1, le=MAX_K)


class SimilarRequest(BaseModel):
    """A whole document to find documents like."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        description=f"A whole document (an article, a post), at most {MAX_TEXT_CHARS} characters."
    )
    k: int = Field(10, ge=1, le=MAX_K)


class ExploreResponse(BaseModel):
    """The words and documents nearest to a text's inferred vector."""

    words: list[WordScore]
    documents: list[DocumentScore]


class NewDocument(BaseModel):
    """A document to add or replace."""

    model_config = ConfigDict(extra="forbid")

    tag: str = Field(min_length=1, max_length=MAX_KEY_CHARS)
    text: str = Field(min_length=1)
    title: str | None = Field(None, max_length=MAX_KEY_CHARS)


class AddDocumentsRequest(BaseModel):
    """The documents of one write."""

    model_config = ConfigDict(extra="forbid")

    documents: list[NewDocument] = Field(min_length=1)


class AddDocumentsResponse(BaseModel):
    """What adding the documents changed (a `paravec.search.SyncReport`)."""

    added: list[str] = Field(description="Tags that became searchable.")
    removed: list[str] = Field(description="Tags dropped because the model no longer has them.")
    replaced: list[str] = Field(description="Tags whose text or vector changed.")
    skipped: list[str] = Field([], description="Tags of given texts the model does not have.")
    unchanged: int | None = None
    unindexed: int | None = None
    seconds: float | None = None
    version: int | None = Field(None, description="The version that holds the documents, now served.")


class InfoResponse(BaseModel):
    """What is being served: for the page's heading and for clients that follow versions."""

    name: str = Field(description="The index's (or store's) folder name.")
    version: int = Field(description="The version answering (also in the Paravec-Version header).")
    documents: int = Field(description="Documents in the index.")
    words: int = Field(description="Words in the model's vocabulary.")
    vector_size: int
    examples: list[str] = Field(description="A few queries drawn from the index that find documents.")
    modes: list[Mode] = Field(description="The search modes of GET /api/search.")
    writable: bool = Field(description="True when POST /api/documents accepts writes (with the token).")


class ErrorModel(BaseModel):
    """Every error answer: a sentence for people and a stable code for programs."""

    detail: str
    error: str


#: The error answers every API route may give, for the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel} for code in (400, 404, 409, 413, 414, 422, 503)
}
