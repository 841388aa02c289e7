"""paravec.service.schemas: request models take their limits from paravec.search.validate."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from paravec.search.validate import MAX_K, MAX_KEY_CHARS
from paravec.service.schemas import (
    ERROR_RESPONSES,
    AddDocumentsRequest,
    ExploreRequest,
    NewDocument,
    SimilarRequest,
)


@pytest.mark.parametrize("model", [ExploreRequest, SimilarRequest])
def test_text_requests_take_k_up_to_the_index_limit(model):
    assert model(text="fire").k == 10
    assert model(text="fire", k=MAX_K).k == MAX_K
    for k in (0, MAX_K + 1):
        with pytest.raises(ValidationError):
            model(text="fire", k=k)
    with pytest.raises(ValidationError, match="extra_forbidden"):
        model(text="fire", mode="hybrid")


def test_new_documents():
    assert NewDocument(tag="t", text="x").title is None
    NewDocument(tag="t" * MAX_KEY_CHARS, text="x", title="y" * MAX_KEY_CHARS)
    for fields in (
        {"tag": "", "text": "x"},
        {"tag": "t" * (MAX_KEY_CHARS + 1), "text": "x"},
        {"tag": "t", "text": ""},
        {"tag": "t", "text": "x", "title": "y" * (MAX_KEY_CHARS + 1)},
        {"tag": "t", "text": "x", "path": "/etc/passwd"},
    ):
        with pytest.raises(ValidationError):
            NewDocument(**fields)
    with pytest.raises(ValidationError, match="too_short"):
        AddDocumentsRequest(documents=[])


def test_error_responses_cover_the_statuses_the_service_gives():
    assert sorted(ERROR_RESPONSES) == [400, 404, 409, 413, 414, 422, 503]
