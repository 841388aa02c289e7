"""Shared by the tests of paravec.service: a real index of the Lee corpus and ways to call it.

The index is built from lee_background.cor (300 news articles) with a small DBOW Doc2Vec
(dbow_words=1, 50 dimensions, 20 epochs); tags contain "/" ("lee/007") so every route is exercised
with the path converter. pytest imports test files in importlib mode, so helpers are fixtures that
return the function.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from gensim.test.utils import datapath

from paravec.search import SearchIndex
from paravec.service import create_app
from paravec.service.errors import add_error_handlers
from paravec.service.state import ServedIndex, ServiceSettings, get_index, get_served, get_settings
from paravec.tokenizer import tokenize

with warnings.catch_warnings():  # starlette >= 1.x asks for httpx2; httpx is what we declare
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient

TOKEN = "test-token-0123456789abcdef"


def _lee_texts() -> list[tuple[str, str]]:
    with open(datapath("lee_background.cor"), encoding="latin-1") as fh:
        lines = [line.strip() for line in fh.read().splitlines() if line.strip()]
    return [(f"lee/{i:03d}", line) for i, line in enumerate(lines)]


def _title(text: str) -> str:
    return " ".join(text.split()[:8])


def _build_lee_index(root: Path, extra: Sequence[tuple[str, str]] = ()) -> tuple[Path, list[tuple[str, str]]]:
    """Train the small test model on the Lee corpus (+ ``extra``) and build an index in ``root``."""
    texts = _lee_texts() + list(extra)
    docs = [TaggedDocument(tokenize(text), [tag]) for tag, text in texts]
    model = Doc2Vec(docs, dm=0, dbow_words=1, vector_size=50, epochs=20, min_count=2, workers=2, seed=7)
    model_path = root / "lee.model"
    model.save(str(model_path))
    index_dir = root / "lee.index"
    SearchIndex.build(model_path, texts, index_dir, titles={tag: _title(text) for tag, text in texts})
    return index_dir, texts


def _json_error(response: Any, status: int) -> str:
    """Assert ``response`` is the JSON error answer with ``status``; return its detail."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert "Traceback" not in body["detail"]
    return str(body["detail"])


def _raw_get(app: Any, path: str, query_string: bytes) -> tuple[int, dict[str, Any]]:
    """Call the ASGI app directly: httpx refuses to send URLs over 64 KiB, a server passes them on."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query_string,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


@pytest.fixture(scope="session")
def token() -> str:
    """The write token of the writable apps."""
    return TOKEN


@pytest.fixture(scope="session")
def lee(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The index folder over the Lee corpus, and its texts by tag."""
    index_dir, texts = _build_lee_index(tmp_path_factory.mktemp("serve"))
    return index_dir, dict(texts)


@pytest.fixture(scope="session")
def lee_index(lee: tuple[Path, dict[str, str]]) -> SearchIndex:
    """The Lee index, open (shared by the read-only tests)."""
    return SearchIndex.open(lee[0])


@pytest.fixture(scope="session")
def lee_title() -> Callable[[str], str]:
    """The title the Lee index gives a text: its first eight words."""
    return _title


@pytest.fixture(scope="session")
def client(lee: tuple[Path, dict[str, str]]) -> Iterator[TestClient]:
    """The whole service over the Lee index, read-only."""
    with TestClient(create_app(lee[0])) as c:
        yield c


@pytest.fixture
def writable_index_dir(lee: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """A Lee index folder of the test's own, which the test may change.

    A copy of the shared index and its model (the index records its model's path relative to
    itself), so the test changes neither the shared one nor waits for a second training.
    """
    copy = shutil.copytree(lee[0].parent, tmp_path / "lee")
    index_dir = copy / lee[0].name
    assert SearchIndex.open(index_dir).model_path == copy / "lee.model"
    return index_dir


@pytest.fixture
def writable(writable_index_dir: Path) -> Iterator[TestClient]:
    """The whole service over its own index, with a write token (POST changes index and model)."""
    with TestClient(create_app(writable_index_dir, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="session")
def serve_router() -> Callable[..., TestClient]:
    """Serve one router alone: ``serve_router(router, index, settings=None)`` -> a TestClient.

    The router is mounted on a bare FastAPI app (with the service's error answers) and its
    dependencies are overridden with ``index`` and ``settings``: nothing else of the service runs.
    """

    def serve(router: APIRouter, index: SearchIndex, settings: ServiceSettings | None = None) -> TestClient:
        app = FastAPI()
        add_error_handlers(app)
        app.include_router(router)
        served = ServedIndex(index)
        app.dependency_overrides[get_index] = lambda: served.current
        app.dependency_overrides[get_served] = lambda: served
        app.dependency_overrides[get_settings] = lambda: settings or ServiceSettings()
        return TestClient(app)

    return serve


@pytest.fixture(scope="session")
def client_for() -> Callable[[Any], TestClient]:
    """``client_for(app)``: a TestClient (use it as a context manager to run the app's lifespan)."""
    return TestClient


@pytest.fixture(scope="session")
def json_error() -> Callable[[Any, int], str]:
    """``json_error(response, status)``: assert a JSON error answer with exactly ``status``."""
    return _json_error


@pytest.fixture(scope="session")
def raw_get() -> Callable[[Any, str, bytes], tuple[int, dict[str, Any]]]:
    """``raw_get(app, path, query_string)``: call the ASGI app without an HTTP client's URL limits."""
    return _raw_get


@pytest.fixture(scope="session")
def words_of() -> Callable[[str], set[str]]:
    """The set of words :func:`paravec.tokenizer.tokenize` makes of a text."""
    return lambda text: set(tokenize(text))
