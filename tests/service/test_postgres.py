"""The service over an index in PostgreSQL: two replicas on one index see each other's writes, and a
dropped database connection does not take the service down."""

from __future__ import annotations

import shutil
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
    with TestClient(create_app(dsn, token=token)) as writer, TestClient(create_app(dsn)) as reader:
        first = reader.get("/api/search", params={"q": "bushfires Sydney", "k": 5}).json()["hits"]
        assert len(first) == 5
        r = writer.post(
            "/api/documents", json={"documents": [new]}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        hits = reader.get("/api/search", params={"q": "wombats", "mode": "keyword"}).json()["hits"]
        assert [h["tag"] for h in hits] == ["new/wombat-1"]
        # The reader follows the model file the writer saved: its queries infer with the new model.
        assert reader.app.state.served.index.model_path == (tmp_path / "lee.model").resolve()
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'paravec-read'"
            )
        again = reader.get("/api/search", params={"q": "wombats", "mode": "keyword"})
        assert again.status_code == 200 and again.json()["hits"][0]["tag"] == "new/wombat-1"
