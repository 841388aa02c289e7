"""paravec.store.publishing: a store publishes its current version to an index in a real PostgreSQL
(pgvector), on update, delete and rollback, and fails safely: a refused login, a connection dropped in
the middle of the sync and a publisher killed with SIGKILL leave PostgreSQL on the version it held,
intact, and the store's own publish done; `publish` catches up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

import paravec
from paravec.errors import IndexStateError, StoreError
from paravec.search import SearchIndex
from paravec.search.pgsql import parse_dsn
from paravec.search.postgres import PostgresBackend
from paravec.store.publishing import PublishWarning

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "a-secret-of-16-chars-or-more"
FAST_EVALUATION = {"word_benchmarks": False, "sample": 50}


@pytest.fixture
def admin(postgres_dsn):
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        yield conn


def _held(dsn: str) -> tuple[int | None, dict[str, str | None], int]:
    """What the index at ``dsn`` holds, read by a fresh connection: (store version, digests, generation)."""
    backend = PostgresBackend.open(dsn)
    try:
        view = backend.view()
        source = view.manifest.get("source") or {}
        return source.get("version"), dict(view.digests()), view.generation
    finally:
        backend.close()


def _local(store: paravec.Store, version: int) -> dict[str, str | None]:
    return dict(store.index(version).backend.view().digests())


def _update(store: paravec.Store, docs, **options):
    return store.update(docs, evaluate=False, workers=1, **options)


def test_every_change_of_the_current_version_is_published_and_rollback_moves_postgres_back(
    store, batch, pg_target
):
    dsn = pg_target()
    publication = store.publish_to(dsn)
    assert publication is not None and publication.in_sync and publication.version == 1
    assert _held(dsn)[:2] == (1, _local(store, 1))
    # The index serves with the version's pickle-free model, loaded from the store.
    served = SearchIndex.open(dsn)
    assert served.model_path == (store.path / "versions" / "000001" / "model.json").resolve()
    ours = [(h.tag, round(h.score, 5)) for h in served.search("bushfires near Sydney", mode="vector", k=5)]
    embedded = store.index(1).search("bushfires near Sydney", mode="vector", k=5)
    assert ours == [(h.tag, round(h.score, 5)) for h in embedded]

    _update(store, batch[:20])
    version, digests, _ = _held(dsn)
    assert version == 2 and digests == _local(store, 2) and len(digests) == len(_local(store, 1)) + 20
    store.delete(["bg0", "bg1"])
    version, digests, _ = _held(dsn)
    assert version == 3 and digests == _local(store, 3) and "bg0" not in digests
    assert store.rollback().number == 2  # back to 2: bg0 and bg1 return, with their texts
    version, digests, _ = _held(dsn)
    assert version == 2 and digests == _local(store, 2)
    assert store.rollback(1).number == 1
    assert _held(dsn)[:2] == (1, _local(store, 1))
    served = SearchIndex.open(dsn)
    assert served.document("bg0")["text"] == store.index(1).document("bg0")["text"]
    assert store.publication().in_sync


def test_a_rejected_update_publishes_nothing_and_a_forced_rollback_publishes_it(
    store, batch, batch_texts, pg_target
):
    dsn = pg_target()
    store.publish_to(dsn)
    before = _held(dsn)
    # one epoch on a 50-dimension model: the new documents do not find themselves again -> fail
    info = store.update(
        batch[:10], batch_texts, epochs=1, workers=1, seed=1, evaluate_options=FAST_EVALUATION
    )
    assert not info.accepted and store.current == 1
    assert _held(dsn) == before  # not even a new generation
    store.rollback(info.number, force=True)
    assert _held(dsn)[:2] == (info.number, _local(store, info.number))


def test_refused_connection_keeps_postgres_on_its_version_and_publish_catches_up(
    store, batch, pg_target, admin, postgres_dsn
):
    admin.execute("DROP ROLE IF EXISTS paravec_pub")
    admin.execute("CREATE ROLE paravec_pub LOGIN SUPERUSER")
    try:
        parts = urlsplit(pg_target())
        dsn = urlunsplit(parts._replace(netloc=f"paravec_pub@{parts.netloc.rsplit('@', 1)[-1]}"))
        store.publish_to(dsn)
        before = _held(dsn)
        admin.execute("ALTER ROLE paravec_pub NOLOGIN")  # PostgreSQL now refuses the publisher
        with pytest.warns(PublishWarning) as caught:
            info = _update(store, batch[:10])
        message = str(caught[0].message)
        assert "\n" not in message and "version 2 is current" in message
        assert "still holds version 1, intact" in message and "paravec store publish" in message
        assert info.current and store.current == 2  # the store's own publish is done
        admin.execute("ALTER ROLE paravec_pub LOGIN")
        assert _held(dsn) == before  # PostgreSQL: version 1, untouched
        status = store.publication()
        assert status.version == 1 and status.current == 2 and not status.in_sync and status.error
        admin.execute("ALTER ROLE paravec_pub NOLOGIN")
        with pytest.raises(IndexStateError, match="did not get it"):
            store.publish()
        # gc keeps the version PostgreSQL holds: its replicas load that version's model.
        with pytest.warns(PublishWarning):
            store.delete(["bg5"])
        assert store.gc(keep=1) == [2]
        assert [v.number for v in store.versions()] == [1, 3]
        admin.execute("ALTER ROLE paravec_pub LOGIN")
        assert store.publish().in_sync
        assert _held(dsn)[:2] == (3, _local(store, 3))
    finally:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'paravec_pub'")
        admin.execute("DROP OWNED BY paravec_pub CASCADE")  # the schema it published
        admin.execute("DROP ROLE IF EXISTS paravec_pub")


def test_an_unreachable_server_is_one_line_and_the_setting_is_kept(store, batch, pg_target):
    with pytest.raises(IndexStateError, match="cannot connect to PostgreSQL") as err:
        store.publish_to("postgresql://nobody@127.0.0.1:1/none?schema=news")
    assert "\n" not in str(err.value)
    status = store.publication()
    assert status.dsn.endswith(":1/none?schema=news") and status.version is None and status.error
    with pytest.warns(PublishWarning, match="holds no version of this store"):
        _update(store, batch[:5])
    assert store.current == 2
    dsn = pg_target()
    assert store.publish_to(dsn).in_sync  # pointed at a reachable server: it catches up
    assert _held(dsn)[:2] == (2, _local(store, 2))
    assert store.publish_to(None) is None and store.publication() is None
    _update(store, batch[5:8])
    assert _held(dsn)[0] == 2  # no longer published
    with pytest.raises(StoreError, match="does not publish"):
        store.publish()


def _blocked_sync(admin, dsn: str) -> threading.Event:
    """Hold a SHARE lock on the index's word counts so a sync blocks on them half-way, after it
    changed the documents; return an event set once a sync waits there."""
    _, schema = parse_dsn(dsn)
    admin.execute("BEGIN")
    admin.execute(f'LOCK TABLE "{schema}".terms IN SHARE MODE')
    waiting = threading.Event()

    def watch() -> None:
        with psycopg.connect(parse_dsn(dsn)[0], autocommit=True) as conn:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not waiting.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = 'paravec-sync' AND wait_event_type = 'Lock'"
                ).fetchone()
                if row[0]:
                    waiting.set()
                time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    return waiting


def test_a_connection_dropped_in_the_middle_of_the_sync_leaves_postgres_on_the_old_version(
    store, batch, pg_target, admin, postgres_dsn
):
    dsn = pg_target()
    store.publish_to(dsn)
    before = _held(dsn)
    reader = SearchIndex.open(dsn)
    answers = [(h.tag, h.score) for h in reader.search("Sydney bushfires", k=5)]
    waiting = _blocked_sync(admin, dsn)

    def cut() -> None:
        if waiting.wait(120):
            with psycopg.connect(postgres_dsn, autocommit=True) as other:
                other.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'paravec-sync'"
                )
        admin.execute("ROLLBACK")

    cutter = threading.Thread(target=cut)
    cutter.start()
    with pytest.warns(PublishWarning, match="still holds version 1, intact"):
        _update(store, batch[:10])
    cutter.join()
    assert waiting.is_set()  # it was cut in the middle, not before
    assert store.current == 2 and _held(dsn) == before
    assert [(h.tag, h.score) for h in reader.search("Sydney bushfires", k=5)] == answers
    assert store.publish().in_sync and _held(dsn)[:2] == (2, _local(store, 2))


_PUBLISHER = """
import sys
from gensim.models.doc2vec import TaggedDocument
import paravec
from paravec.tokenizer import tokenize
store = paravec.Store.open(sys.argv[1])
texts = [line for line in open(sys.argv[2], encoding="latin-1").read().splitlines() if line.strip()][:10]
store.update([TaggedDocument(tokenize(t), [f"k{i}"]) for i, t in enumerate(texts)], evaluate=False, workers=1)
"""


def test_a_publisher_killed_in_the_middle_leaves_postgres_on_the_old_version(
    store, pg_target, admin, tmp_path
):
    from gensim.test.utils import datapath

    dsn = pg_target()
    store.publish_to(dsn)
    before = _held(dsn)
    waiting = _blocked_sync(admin, dsn)
    script = tmp_path / "publisher.py"
    script.write_text(_PUBLISHER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(store.path), datapath("lee.cor")], env=env)
    try:
        assert waiting.wait(180), "the publisher never reached the sync"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        admin.execute("ROLLBACK")  # the server now finds the dead client and rolls its transaction back
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'paravec-sync'"
    ).fetchone()[0]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert _held(dsn) == before  # version 1, the same generation, the same documents
    reopened = paravec.Store.open(store.path)  # cleans up after the killed step
    assert reopened.current == 2 and not (store.path / "pending.json").exists()
    assert reopened.publication().version == 1
    assert reopened.publish().in_sync and _held(dsn)[:2] == (2, _local(reopened, 2))


def test_an_index_the_store_did_not_publish_is_not_overwritten(store, pg_target, tmp_path, base_texts):
    dsn = pg_target()
    model = store.model(1)
    paravec.save(model, tmp_path / "m.model")
    SearchIndex.build(tmp_path / "m.model", list(base_texts.items())[:20], dsn, model=model)
    with pytest.raises(IndexStateError, match="this store did not publish") as err:
        store.publish_to(dsn)
    assert "\n" not in str(err.value) and store.publication() is None
    assert len(_held(dsn)[1]) == 20
    assert store.publish_to(dsn, overwrite=True).in_sync
    assert _held(dsn)[:2] == (1, _local(store, 1))


def test_replicas_serve_the_published_version_and_name_it(store, batch, pg_target):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx2.*")
        from fastapi.testclient import TestClient

    from paravec.service import create_app

    dsn = pg_target()
    store.publish_to(dsn)
    new = batch[0].tags[0]
    with (
        TestClient(create_app(dsn, follow_seconds=0.05, token=TOKEN)) as one,
        TestClient(create_app(dsn, follow_seconds=0.05)) as two,
    ):
        assert one.get("/api/search", params={"q": "Sydney"}).headers["Paravec-Version"] == "1"
        _update(store, batch[:3])
        for replica in (one, two):
            deadline = time.monotonic() + 30
            while (answer := replica.get("/api/document", params={"tag": new})).headers.get(
                "Paravec-Version"
            ) != "2":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert answer.status_code == 200 and answer.json()["tag"] == new
        store.rollback()
        deadline = time.monotonic() + 30
        while (answer := two.get("/api/document", params={"tag": new})).headers["Paravec-Version"] != "1":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert answer.status_code == 404
        # Writes go to the store, not around it.
        refused = one.post(
            "/api/documents",
            json={"documents": [{"tag": "x", "text": "A wombat."}]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert refused.status_code == 409 and "published by the store" in refused.text
        assert _held(dsn)[0] == 1
    assert json.loads((store.path / "publish.json").read_text())["version"] == 1
    assert (store.path / "publish.json").stat().st_mode & 0o077 == 0


def test_the_command_line_sets_publishes_catches_up_and_says_so_in_one_line(
    tmp_path, base, base_texts, batch_texts, pg_target
):
    from typer.testing import CliRunner

    from paravec.cli import app

    def run(*args: object):
        try:
            runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
        except TypeError:  # click >= 8.2 keeps stderr apart by itself
            runner = CliRunner()
        return runner.invoke(app, [str(a) for a in args])

    paravec.save(base, tmp_path / "base.model")
    corpus = tmp_path / "base.jsonl"
    corpus.write_text("".join(json.dumps({"id": t, "text": x}) + "\n" for t, x in base_texts.items()))
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "".join(json.dumps({"id": t, "text": x}) + "\n" for t, x in list(batch_texts.items())[:8])
    )
    store, dead, dsn = tmp_path / "s", "postgresql://nobody@127.0.0.1:1/none?schema=news", pg_target()

    init = run("store", "init", store, tmp_path / "base.model", corpus, "--publish", dead)
    assert init.exit_code == 1 and (store / "CURRENT").is_file()  # the store is made; PostgreSQL is not
    said = " ".join(init.stderr.split())  # one message (rich wraps it at the terminal's width)
    assert said.count("warning:") == 1 and "did not get it: cannot connect to PostgreSQL" in said, said
    update = run("store", "update", store, batch, "--no-verify")
    assert update.exit_code == 1 and "version 2 is current" in " ".join(update.stderr.split())
    assert paravec.Store.open(store).current == 2
    versions = " ".join(run("store", "versions", store).stdout.split())
    assert "publishes to postgresql://nobody@127.0.0.1:1/none?schema=news, which holds no version" in versions

    moved = run("store", "publish", store, dsn)
    assert moved.exit_code == 0, moved.stderr
    assert "holds version 2, the current one" in " ".join(moved.stdout.split())
    assert _held(dsn)[0] == 2
    rollback = run("store", "rollback", store)
    assert rollback.exit_code == 0 and _held(dsn)[0] == 1
    assert run("store", "publish", store).exit_code == 0  # nothing to catch up: fine
    assert run("store", "publish", store, "--stop").exit_code == 0
    assert run("store", "rollback", store, 2).exit_code == 0 and _held(dsn)[0] == 1


def test_a_replica_that_missed_a_publish_and_its_rollback_serves_the_newest_generation(
    store, batch, pg_target
):
    from paravec.service.state import ServedIndex
    from paravec.service.versions import PostgresSource

    dsn = pg_target()
    store.publish_to(dsn)
    served = ServedIndex(PostgresSource(SearchIndex.open(dsn)))
    first = served.current
    assert first.version == 1
    _update(store, batch[:3])
    store.rollback()  # version 1 again, in a newer generation; the replica polled in between neither
    assert served.refresh() is False and served.current is first  # the same version number...
    generation = _held(dsn)[2]
    assert served.current.index.backend.view().generation == generation  # ...on the newest rows
    _update(store, batch[3:5])  # the next sync deletes the rows of the generations before
    assert served.refresh() is True and served.current.version == 3
    hits = served.current.index.search("Sydney bushfires", k=5)
    assert len(hits) == 5
