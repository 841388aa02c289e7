"""The service over an index in PostgreSQL: two replicas on one index see each other's writes, and a
dropped database connection does not take the service down."""

from __future__ import annotations

import shutil
import time
import warnings

import psycopg

from paravec.search import SearchIndex
from paravec.service import create_app

with warnings.catch_warnings():  # starlette >= 1.x asks for httpx2; httpx is what we declare
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from fastapi.testclient import TestClient


def test_two_replicas_serve_one_index_and_see_each_others_writes(
    lee, pg_target, postgres_dsn, token, tmp_path
):
    index_dir, texts = lee
    source = SearchIndex.open(index_dir)
    shutil.copy(source.model_path, tmp_path / "lee.model")
    dsn = pg_target()
    SearchIndex.build(tmp_path / "lee.model", list(texts.items()), dsn)
    new = {"tag": "new/wombat-1", "text": "Wombats dig burrows with their claws; rangers counted wombats."}
    with (
        TestClient(create_app(dsn, token=token)) as writer,
        TestClient(create_app(dsn, follow_seconds=0.05)) as reader,
    ):
        first = reader.get("/api/search", params={"q": "bushfires Sydney", "k": 5})
        assert len(first.json()["hits"]) == 5
        r = writer.post(
            "/api/documents", json={"documents": [new]}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        # The reader polls the index's generation and switches to the writer's sync by itself.
        deadline = time.monotonic() + 30
        while True:
            answer = reader.get("/api/search", params={"q": "wombats", "mode": "keyword"})
            if answer.json()["hits"] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [h["tag"] for h in answer.json()["hits"]] == ["new/wombat-1"]
        assert int(answer.headers["Paravec-Version"]) > int(first.headers["Paravec-Version"])
        # The reader follows the model file the writer saved: its queries infer with the new model.
        served = reader.app.state.served.current.index
        assert served.model_path == (tmp_path / "lee.model").resolve()
        assert "new/wombat-1" in served.model.dv
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'paravec-read'"
            )
        again = reader.get("/api/search", params={"q": "wombats", "mode": "keyword"})
        assert again.status_code == 200 and again.json()["hits"][0]["tag"] == "new/wombat-1"
