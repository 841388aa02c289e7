"""``paravec serve STORE``: the service over a `paravec.Store` follows its versions.

The store is created from the service tests' Lee model (tests/service/conftest.py); a second
`paravec.Store.open` on the same folder plays the other process that publishes and rolls back.
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.errors import StoreError
from paravec.search import SearchIndex
from paravec.service import create_app
from paravec.service.versions import StoreSource
from paravec.tokenizer import tokenize

WOMBATS = [
    ("new/wombat-1", "Wombats dig burrows with their strong claws; the wombat is a marsupial of Australia."),
    ("new/wombat-2", "Rangers counted wombats near the burrows after the bushfires in the national park."),
]


@pytest.fixture
def lee_store(lee: tuple[Path, dict[str, str]], tmp_path: Path) -> Path:
    """A store whose version 1 is the Lee test model with its texts."""
    model = SearchIndex.open(lee[0]).model_path
    paravec.Store.create(tmp_path / "lee.store", Doc2Vec.load(str(model)), lee[1])
    return tmp_path / "lee.store"


def _wait_for(client, version: int, seconds: float = 60.0) -> None:
    """Poll /api/info until it answers from ``version``; every answer on the way is a 200.

    ``seconds`` only guards against a hang: how fast a switch is belongs to the benchmarks
    (`benchmarks/service_load.py`; a shared machine makes a timed assertion here flaky).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = client.get("/api/info")
        assert r.status_code == 200, r.text
        if r.headers["paravec-version"] == str(version):
            return
        time.sleep(0.05)
    raise AssertionError(f"the service did not switch to version {version} within {seconds} s")


def _publish(store_path: Path, pairs: list[tuple[str, str]]) -> int:
    store = paravec.Store.open(store_path)
    docs = [TaggedDocument(tokenize(text), [tag]) for tag, text in pairs]
    info = store.update(docs, texts=dict(pairs), force=True, epochs=5)
    return int(info.number)


def test_the_service_follows_publishes_and_rollbacks_of_another_process(lee_store, client_for):
    with client_for(create_app(lee_store, follow_seconds=0.2)) as client:
        assert client.get("/api/info").json()["version"] == 1
        hits = client.get("/api/search", params={"q": "wombat burrows", "mode": "keyword"})
        assert hits.headers["paravec-version"] == "1" and hits.json()["hits"] == []

        number = _publish(lee_store, WOMBATS[:1])
        assert number == 2
        _wait_for(client, 2)
        hits = client.get("/api/search", params={"q": "wombat burrows", "mode": "keyword"})
        assert hits.headers["paravec-version"] == "2" and hits.json()["hits"][0]["tag"] == "new/wombat-1"

        paravec.Store.open(lee_store).rollback()
        _wait_for(client, 1)
        assert client.get("/api/document", params={"tag": "new/wombat-1"}).status_code == 404


def test_writes_through_the_service_go_into_the_store(lee_store, client_for, token):
    app = create_app(
        StoreSource(paravec.Store.open(lee_store), force=True, epochs=5), token=token, follow_seconds=0.2
    )
    with client_for(app) as client:
        body = {"documents": [{"tag": tag, "text": text} for tag, text in WOMBATS]}
        r = client.post("/api/documents", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2 and sorted(r.json()["added"]) == sorted(t for t, _ in WOMBATS)
        assert r.headers["paravec-version"] == "2"
        assert client.get("/api/info").json()["documents"] == 302
    # the texts live in the store, not only in the request: a new process finds them
    store = paravec.Store.open(lee_store)
    assert store.current == 2
    texts = store.texts()
    assert all(texts[tag] == text for tag, text in WOMBATS)
    assert {t for t, _ in WOMBATS} <= set(store.index().tags)


def _payload(target: Path) -> bytes:
    """A pickle that creates ``target`` when it is loaded."""

    class Payload:
        def __reduce__(self):
            return (Path.touch, (target,))

    return pickle.dumps(Payload())


def test_a_pickle_dropped_into_the_store_does_not_run_in_the_service(lee_store, client_for, tmp_path):
    """The service loads the store's pickle-free format only: a pickle that would create a file
    when loaded, dropped where a model file would be, never runs."""
    probe = tmp_path / "probe"
    pickle.loads(_payload(probe))
    assert probe.exists()  # the payload does run when unpickled

    marker = tmp_path / "pwned"
    payload = _payload(marker)
    version = lee_store / "versions" / "000001"
    for name in ("model", "model.model", "model.pkl", "lee.model"):
        (version / name).write_bytes(payload)
    (version / "index" / "lee.model").write_bytes(payload)
    with client_for(create_app(lee_store, follow_seconds=0.2)) as client:
        assert client.get("/api/search", params={"q": "bushfires"}).status_code == 200
        assert client.get("/api/documents/lee/001/similar").status_code == 200
    assert not marker.exists()

    # in place of the model's manifest it is a broken store, not code that runs
    (version / "model.json").write_bytes(payload)
    with pytest.raises(StoreError):
        create_app(lee_store)
    assert not marker.exists()


def test_paravec_serve_store_says_what_it_serves(lee_store, monkeypatch, client_for):
    import uvicorn
    from typer.testing import CliRunner

    from paravec.cli import app

    runs: list = []
    monkeypatch.setattr(uvicorn, "run", lambda web_app, **kw: runs.append(web_app))
    monkeypatch.delenv("PARAVEC_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["serve", str(lee_store)])
    assert result.exit_code == 0, result.output
    assert f"serving store {lee_store}, version 1" in result.output and "writes: off" in result.output
    with client_for(runs[-1]) as client:
        assert client.get("/api/info").json()["name"] == "lee.store"


def test_a_failed_write_answers_with_the_updates_error_and_keeps_the_version(
    lee_store, client_for, token, json_error
):
    app = create_app(StoreSource(paravec.Store.open(lee_store), epochs=-1), token=token)
    with client_for(app) as client:
        body = {"documents": [{"tag": tag, "text": text} for tag, text in WOMBATS]}
        r = client.post("/api/documents", json=body, headers={"Authorization": f"Bearer {token}"})
        assert "epochs" in json_error(r, 422)  # the child's ParameterError, as the update raised it
        assert client.get("/api/info").headers["paravec-version"] == "1"
    assert paravec.Store.open(lee_store).current == 1


def test_a_polled_version_serves_only_once_its_documents_are_warmed(lee_store):
    from paravec.service.state import ServedIndex

    served = ServedIndex(StoreSource(paravec.Store.open(lee_store)))
    assert _publish(lee_store, WOMBATS) == 2
    assert served.refresh() is True
    index = served.current.index
    cache = index._documents.get(index.backend.view(), index.model.wv, index._encoder.analysis)
    rows = cache.rows(range(len(index)))
    assert len(rows) == len(index) and all(row.norm == row.norm for row in rows.values())  # no NaN
