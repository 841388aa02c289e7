"""paravec.service.auth: the write token, checked at start-up and on every write."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from paravec.errors import ParameterError
from paravec.service.auth import MIN_TOKEN_CHARS, WriteToken, require_writer
from paravec.service.errors import add_error_handlers
from paravec.service.state import ServiceSettings, get_settings


def test_write_token_constraint():
    check = WriteToken()
    assert check("token", None) is None
    assert check("token", "x" * MIN_TOKEN_CHARS) == "x" * MIN_TOKEN_CHARS
    for bad in ("short", " " * 20 + "abc", "x" * (MIN_TOKEN_CHARS - 1), 1234567890123456789, b"x" * 20):
        with pytest.raises(ParameterError, match=f"at least {MIN_TOKEN_CHARS} characters"):
            check("token", bad)
    assert WriteToken(min_chars=4)("token", "abcd") == "abcd"


def _app(settings: ServiceSettings) -> TestClient:
    app = FastAPI()
    add_error_handlers(app)

    @app.post("/write")
    def write(_: Annotated[None, Depends(require_writer)]) -> str:
        return "written"

    app.dependency_overrides[get_settings] = lambda: settings
    return TestClient(app)


def test_a_read_only_service_refuses_writes_and_says_how_to_enable_them(json_error):
    c = _app(ServiceSettings())
    detail = json_error(c.post("/write", headers={"Authorization": "Bearer anything-at-all-here"}), 403)
    assert "--token-env PARAVEC_TOKEN" in detail and "secrets.token_urlsafe" in detail


def test_writes_need_the_configured_bearer_token(json_error):
    token = "a-token-of-more-than-16-chars"
    c = _app(ServiceSettings(token=token))
    assert c.post("/write", headers={"Authorization": f"Bearer {token}"}).json() == "written"
    assert c.post("/write", headers={"Authorization": f"bearer  {token} "}).json() == "written"
    for headers in (
        {},
        {"Authorization": token},
        {"Authorization": f"Bearer {token}x"},
        {"Authorization": "Bearer"},
    ):
        r = c.post("/write", headers=headers)
        assert "Authorization: Bearer <token>" in json_error(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
