"""paravec.service.errors: every expected failure becomes a JSON answer with the right status."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
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
from paravec.service.errors import add_error_handlers, error_status, validation_message

RAISED = {
    "not-found": (NotFoundError("no document tagged 'x'"), 404, "not_found"),
    "parameter": (ParameterError("k must be an integer"), 422, "bad_parameter"),
    "corpus": (CorpusError("document 'x' has no words"), 422, "bad_parameter"),
    "model-file": (ModelFileError("lee.model is truncated"), 503, "index_unavailable"),
    "model-broken": (ModelBrokenError("dv has 3 rows, expected 4"), 503, "index_unavailable"),
    "other": (ParavecError("something else"), 400, "bad_request"),
}


@pytest.mark.parametrize(("err", "status", "code"), RAISED.values(), ids=RAISED.keys())
def test_error_status_by_class(err, status, code):
    assert error_status(err, method="GET") == (status, code)
    assert error_status(err, method="POST") == (status, code)


def test_an_index_state_error_is_503_on_reads_and_409_on_writes():
    err = IndexStateError("text index holds 2020 documents but the vectors 2000")
    assert error_status(err, method="GET") == (503, "index_unavailable")
    assert error_status(err, method="POST") == (409, "index_state")


def test_validation_message_names_each_parameter():
    errors = [
        {
            "loc": ("query", "k"),
            "msg": "Input should be greater than or equal to 1",
            "type": "greater_than_equal",
        },
        {"loc": ("path", "tag"), "msg": "Field required", "type": "missing"},
        {"loc": ("body", "documents", 0, "tag"), "msg": "String should have at least 1 character"},
    ]
    assert validation_message(errors) == (
        "query parameter 'k': Input should be greater than or equal to 1; "
        "path parameter 'tag': Field required; "
        "body field 'documents.0.tag': String should have at least 1 character"
    )


def test_validation_message_of_bodies_that_are_not_json_objects():
    invalid = [{"loc": ("body", 7), "type": "json_invalid", "ctx": {"error": "Expecting value"}}]
    assert validation_message(invalid) == "the request body is not valid JSON (Expecting value)"
    not_object = [{"loc": ("body",), "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    assert validation_message(not_object) == (
        "request body: Input should be a valid dictionary "
        "(send a JSON object with the header Content-Type: application/json)"
    )
    assert validation_message([]) == "the request is invalid"


def test_validation_message_reports_at_most_five_problems():
    errors = [{"loc": ("body", f"f{i}"), "msg": "Field required"} for i in range(40)]
    assert validation_message(errors).count("Field required") == 5


@pytest.fixture(scope="module")
def raising() -> TestClient:
    """A bare app whose routes raise what they are told, answered by the service's handlers."""
    app = FastAPI()
    add_error_handlers(app)
    by_name = {name: err for name, (err, _, _) in RAISED.items()}
    by_name["index-state"] = IndexStateError("the index changed")

    @app.get("/raise/{name}")
    def get_raise(name: str) -> None:
        raise by_name[name]

    @app.post("/raise/{name}")
    def post_raise(name: str) -> None:
        raise by_name[name]

    @app.get("/http/{status}")
    def http(status: int) -> None:
        raise HTTPException(status, f"status {status}")

    @app.get("/k")
    def k(k: Annotated[int, Query(ge=1)]) -> int:
        return k

    return TestClient(app)


@pytest.mark.parametrize(("name", "status", "code"), [(n, s, c) for n, (_, s, c) in RAISED.items()])
def test_handlers_answer_paravec_errors_with_json(raising, name, status, code):
    r = raising.get(f"/raise/{name}")
    assert r.status_code == status
    assert r.json() == {"detail": str(RAISED[name][0]), "error": code}


def test_handlers_use_the_method_for_index_state_errors(raising):
    assert raising.get("/raise/index-state").status_code == 503
    assert raising.post("/raise/index-state").json() == {
        "detail": "the index changed",
        "error": "index_state",
    }


def test_handlers_answer_validation_and_http_errors_with_json(raising):
    r = raising.get("/k", params={"k": 0})
    assert r.status_code == 422
    assert r.json() == {
        "detail": "query parameter 'k': Input should be greater than or equal to 1",
        "error": "bad_parameter",
    }
    for status, code in ((401, "unauthorized"), (403, "forbidden"), (404, "not_found"), (418, "http_error")):
        r = raising.get(f"/http/{status}")
        assert (r.status_code, r.json()) == (status, {"detail": f"status {status}", "error": code})
    r = raising.delete("/k")
    assert (r.status_code, r.json()["error"]) == (405, "method_not_allowed")
