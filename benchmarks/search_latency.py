"""Search latency (p50/p95) of keyword, vector, hybrid and document ranking on 1k, 10k and 100k documents.

Setup: a PV-DBOW model (dbow_words=1, 100 dimensions) is trained on gensim's Wikipedia extract
(real vocabulary, ~30k words). Synthetic documents are drawn from that vocabulary with the
words' corpus frequencies (50-250 words each); their document vectors are the mean of their words'
vectors, added to ``model.dv`` (a stand-in for training that gives the vectors real structure at no
training cost; latency does not depend on how the vectors were learnt). ``model.epochs`` is 20, so
each query pays for a realistic ``infer_vector``.

For each size the index is built with :meth:`SearchIndex.build`, reopened (timed), and queried
with the same 300 queries of 1-4 words (mid-frequency vocabulary words) in each mode; k=10,
snippets included. Document mode is queried with the texts of 100 indexed documents (its use), and
the first document query of each index (which calibrates it) is timed on its own. Latency is wall time per call (``time.perf_counter``) and CPU time of the
calling thread (``time.thread_time``); the load average is printed because other processes on a
shared machine inflate wall time. At 100k documents vector search uses the usearch ANN graph
(the default threshold is 50k); its recall@10 against exact search is measured on the same
queries, and exact search is timed beside it. Finally 100 documents are added to the 100k index
with :meth:`SearchIndex.sync`, timed against the full build.

Writes benchmarks/results/search_latency.md.

``--backend postgresql`` measures the PostgreSQL backend (`paravec.search.postgres`) beside the
embedded one in the same run, mode by mode (``postgres_latency``; server from ``_postgres.py``),
on the same model, documents and queries: p50/p95 per mode, recall@10 of pgvector's HNSW index
against an exact scan at every size, build time, and the sync of 100 new documents, into
benchmarks/results/search_latency_postgres.md (rewritten after every size).

Run:  python benchmarks/search_latency.py             (about 5-8 minutes on 2 cores)
      python benchmarks/search_latency.py --sizes 1000 10000   (quick)
      python benchmarks/search_latency.py --backend postgresql --sizes 10000 100000 1000000 --queries 100
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import gensim
import numpy as np
from _common import RESULTS, write_results

import paravec
from paravec import datasets
from paravec.search import SearchIndex

OUT = RESULTS / "search_latency.md"
MODES = ("keyword", "vector", "hybrid")
# mode="document" takes a whole document as the query: indexed documents' texts are used.
DOCUMENT_QUERIES = 100


def train_model(seed: int) -> gensim.models.Doc2Vec:
    model = paravec.train(
        datasets.wiki_documents(),
        vector_size=100,
        epochs=3,
        min_count=3,
        seed=seed,
        dm=0,
        dbow_words=1,
        workers=2,
    )
    model.epochs = 20  # queries infer with 20 epochs, as a model trained for real would
    return model


def synthetic(
    model, n: int, rng: np.random.Generator, prefix: str
) -> tuple[list[tuple[str, str]], np.ndarray]:
    """``n`` documents drawn from the model's vocabulary by frequency, and their mean word vectors."""
    words = model.wv.index_to_key
    counts = np.array([model.wv.get_vecattr(w, "count") for w in words], dtype=np.float64)
    p = counts / counts.sum()
    unit = model.wv.get_normed_vectors()
    texts, vectors = [], np.empty((n, model.vector_size), dtype=np.float32)
    for start in range(0, n, 2_000):
        stop = min(n, start + 2_000)
        lengths = rng.integers(50, 251, size=stop - start)
        ids = rng.choice(len(words), size=int(lengths.sum()), p=p)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        vectors[start:stop] = np.add.reduceat(unit[ids], offsets, axis=0) / lengths[:, None]
        for i, (off, length) in enumerate(zip(offsets, lengths, strict=True)):
            chunk = ids[off : off + length]
            texts.append((f"{prefix}{start + i}", " ".join(words[j] for j in chunk).capitalize() + "."))
    return texts, vectors


def queries(model, n: int, rng: np.random.Generator) -> list[str]:
    words = model.wv.index_to_key
    pool = [w for w in words[200:5000] if w.isalpha()]  # mid-frequency: neither stop words nor hapaxes
    return [" ".join(rng.choice(pool, size=int(rng.integers(1, 5)), replace=False)) for _ in range(n)]


def latencies(fn, items) -> tuple[np.ndarray, np.ndarray]:
    """Wall and thread CPU milliseconds of ``fn(item)`` for each item."""
    wall, cpu = [], []
    for item in items:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(item)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return np.array(wall) * 1000, np.array(cpu) * 1000


def pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))


def _record(
    rows: list[tuple], size: int, label: str, wall: np.ndarray, cpu: np.ndarray, note: str = ""
) -> None:
    """Add a row of percentiles to ``rows`` and print it."""
    row = (size, label, pct(wall, 50), pct(wall, 95), pct(cpu, 50), pct(cpu, 95))
    rows.append(row)
    print(
        f"{size:>7} {label:14s} wall p50 {row[2]:6.2f} ms p95 {row[3]:6.2f} ms | "
        f"cpu p50 {row[4]:6.2f} ms p95 {row[5]:6.2f} ms{note}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--backend", choices=("embedded", "postgresql"), default="embedded")
    parser.add_argument(
        "--pg-document-queries", type=int, default=20, help="--backend postgresql: document-mode queries"
    )
    args = parser.parse_args(argv)
    if args.backend == "postgresql":
        return postgres_latency(args)
    args.out = args.out or OUT

    started = time.perf_counter()
    load_start = os.getloadavg()
    rng = np.random.default_rng(args.seed)
    base = train_model(args.seed)
    qs = queries(base, args.queries, rng)
    largest = max(args.sizes)
    texts, vectors = synthetic(base, largest, rng, "syn:")
    print(
        f"model {len(base.wv)} words; {largest} synthetic documents ready "
        f"({time.perf_counter() - started:.0f}s)",
        flush=True,
    )

    rows, extras = [], []
    ann_line = sync_line = None
    tmp = Path(tempfile.mkdtemp(prefix="paravec-latency-"))
    try:
        for size in sorted(args.sizes):
            model = paravec.load(_save_base(base, tmp))
            model.dv.add_vectors([t for t, _ in texts[:size]], vectors[:size])
            model_path = tmp / f"m{size}.model"
            paravec.save(model, model_path)
            folder = tmp / f"i{size}"
            t0 = time.perf_counter()
            SearchIndex.build(model_path, texts[:size], folder, model=model)
            build = time.perf_counter() - t0
            t0 = time.perf_counter()
            idx = SearchIndex.open(folder)
            reopen = time.perf_counter() - t0
            for q in qs[:20]:  # warm caches (memory-mapped files, tantivy readers)
                for mode in MODES:
                    idx.search(q, mode=mode)
            for mode in MODES:
                wall, cpu = latencies(lambda q, m=mode, i=idx: i.search(q, mode=m, k=10), qs)
                label = mode + (" (ANN)" if idx.uses_ann and mode != "keyword" else "")
                _record(rows, size, label, wall, cpu)
            doc_qs = [text for _tag, text in texts[:DOCUMENT_QUERIES]]
            # The first document query of an index version measures how its documents' pairs spread.
            t0 = time.perf_counter()
            idx.search(doc_qs[0], mode="document")
            calibration = time.perf_counter() - t0
            wall, cpu = latencies(lambda q, i=idx: i.search(q, mode="document", k=10), doc_qs)
            label = "document" + (" (ANN)" if idx.uses_ann else "")
            _record(rows, size, label, wall, cpu, f"; first document query {calibration * 1000:.0f} ms")
            extras.append(
                f"| {size:,} | {build:.1f} s | {reopen * 1000:.0f} ms | "
                f"{'ANN (usearch)' if idx.uses_ann else 'exact'} | {calibration * 1000:.0f} ms |"
            )
            if idx.uses_ann:
                view = idx.backend.view()
                qvecs = [idx.model.infer_vector(q.split(), epochs=idx.model.epochs) for q in qs]
                recall = np.mean(
                    [
                        len(
                            {s for s, _ in view.vector_candidates(v, 10)}
                            & {s for s, _ in view.vector_candidates(v, 10, exact=True)}
                        )
                        / 10
                        for v in qvecs
                    ]
                )
                ann_wall, _ = latencies(lambda v, s=view: s.vector_candidates(v, 10), qvecs)
                exact_wall, _ = latencies(lambda v, s=view: s.vector_candidates(v, 10, exact=True), qvecs)
                print(
                    f"ANN recall@10 {recall:.3f}; vector lookup p50 ANN {pct(ann_wall, 50):.2f} ms vs exact "
                    f"{pct(exact_wall, 50):.2f} ms",
                    flush=True,
                )
                ann_line = (
                    f"ANN recall@10 against exact search at {size:,} documents: **{recall:.3f}** "
                    f"({len(qs)} inferred queries); nearest-vector lookup alone p50 "
                    f"{pct(ann_wall, 50):.2f} ms with the ANN graph vs {pct(exact_wall, 50):.2f} ms exact."
                )
            if size == largest:
                more, more_vectors = synthetic(base, 100, rng, "new:")
                model.dv.add_vectors([t for t, _ in more], more_vectors)
                paravec.save(model, model_path)
                t0 = time.perf_counter()
                report = idx.sync(model, more, model_path=model_path)
                sync_s = time.perf_counter() - t0
                sync_line = (
                    f"Sync of 100 new documents into the {size:,}-document index: {sync_s:.2f} s "
                    f"({len(report.added)} added, {report.unchanged:,} untouched) vs {build:.1f} s "
                    "for the full build."
                )
                print(sync_line, flush=True)
            idx = None  # let the mapped files go before the folder is removed
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - started
    load_end = os.getloadavg()

    lines = [
        "# Search latency: keyword vs vector vs hybrid vs document",
        "",
        f"Generated by `python benchmarks/search_latency.py` in {seconds:.0f} s on {platform.machine()} with "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, gensim {gensim.__version__}, "
        f"numpy {np.__version__}. Load average (1 min) at start {load_start[0]:.1f}, at end {load_end[0]:.1f}: "
        "other processes shared the CPUs, which inflates wall times; CPU time of the querying thread is "
        "shown beside it.",
        "",
        f"{len(qs)} queries of 1-4 mid-frequency words, k=10, snippets included; vector and hybrid include "
        "`infer_vector` of the query (20 epochs). Documents: synthetic, 50-250 words drawn from the "
        "Wikipedia-trained vocabulary by frequency (see the script's docstring). Document mode "
        f"(`mode='document'`) is queried with the texts of {DOCUMENT_QUERIES} indexed documents instead, "
        "its use: documents like a whole document; the first such query of an index also measures how the "
        "index's document pairs spread (64 documents), shown as 'first document query'.",
        "",
        "| documents | mode | wall p50 (ms) | wall p95 (ms) | CPU p50 (ms) | CPU p95 (ms) |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
        *[f"| {s:,} | {m} | {a:.2f} | {b:.2f} | {c:.2f} | {d:.2f} |" for s, m, a, b, c, d in rows],
        "",
        "| documents | build | reopen | vector search | first document query |",
        "| ---: | ---: | ---: | --- | ---: |",
        *extras,
        "",
    ]
    for line in (ann_line, sync_line):
        if line:
            lines += [line, ""]
    hybrid_big = [r for r in rows if r[0] == largest and r[1].startswith("hybrid")]
    if hybrid_big:
        r = hybrid_big[0]
        lines += [
            f"Goal: hybrid p50 under 20 ms at {largest:,} documents -> wall p50 {r[2]:.2f} ms, "
            f"CPU p50 {r[4]:.2f} ms: {'met' if r[2] < 20 else 'NOT met on wall time'}.",
            "",
        ]
    write_results(args.out, "\n".join(lines))
    return 0


def postgres_latency(args: argparse.Namespace) -> int:
    """PostgreSQL and the embedded backend side by side, same model, documents and queries, one run."""
    from _postgres import postgres_server, schema_dsn, server_settings

    from paravec.search.pgview import PostgresView

    started = time.perf_counter()
    load_start = os.getloadavg()
    rng = np.random.default_rng(args.seed)
    base = train_model(args.seed)
    qs = queries(base, args.queries, rng)
    largest = max(args.sizes)
    texts, vectors = synthetic(base, largest, rng, "syn:")
    print(f"{largest} synthetic documents ready ({time.perf_counter() - started:.0f}s)", flush=True)
    rows: list[tuple] = []
    extras: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="paravec-latency-pg-"))
    with postgres_server() as dsn:
        settings = server_settings(dsn)
        try:
            for size in sorted(args.sizes):
                model = paravec.load(_save_base(base, tmp))
                model.dv.add_vectors([t for t, _ in texts[:size]], vectors[:size])
                model_path = tmp / f"m{size}.model"
                paravec.save(model, model_path)
                built, builds = {}, {}
                for backend, target in (
                    ("embedded", tmp / f"i{size}"),
                    ("postgresql", schema_dsn(dsn, f"latency_{size}")),
                ):
                    t0 = time.perf_counter()
                    SearchIndex.build(model_path, texts[:size], target, model=model, overwrite=True)
                    builds[backend] = time.perf_counter() - t0
                    built[backend] = SearchIndex.open(target, model=model)
                    print(f"{size} {backend} built in {builds[backend]:.1f}s", flush=True)
                doc_qs = [text for _tag, text in texts[: args.pg_document_queries]]
                for mode in (*MODES, "document"):
                    for backend, idx in built.items():  # the two backends one after the other, per mode
                        items = doc_qs if mode == "document" else qs
                        for q in items[:5]:  # warm caches (and calibrate document mode)
                            idx.search(q, mode=mode)
                        wall, cpu = latencies(lambda q, m=mode, i=idx: i.search(q, mode=m, k=10), items)
                        ann = " (ANN)" if idx.uses_ann and mode != "keyword" else ""
                        _record(rows, size, f"{backend} {mode}{ann}", wall, cpu)
                idx = built["postgresql"]
                # HNSW against an exact scan at every size (a view that always takes the HNSW index).
                view = idx.backend.view()
                hnsw = PostgresView(
                    view._reader, idx.backend._schema, view.generation, {**view.manifest, "ann_threshold": 0}
                )
                qvecs = [idx.model.infer_vector(q.split(), epochs=idx.model.epochs) for q in qs]
                exact = [{s for s, _ in hnsw.vector_candidates(v, 10, exact=True)} for v in qvecs]
                recall = np.mean(
                    [
                        len({s for s, _ in hnsw.vector_candidates(v, 10)} & e) / 10
                        for v, e in zip(qvecs, exact, strict=True)
                    ]
                )
                ann_wall, _ = latencies(lambda v, s=hnsw: s.vector_candidates(v, 10), qvecs)
                exact_wall, _ = latencies(lambda v, s=hnsw: s.vector_candidates(v, 10, exact=True), qvecs)
                more, more_vectors = synthetic(base, 100, rng, f"new{size}:")
                model.dv.add_vectors([t for t, _ in more], more_vectors)
                paravec.save(model, model_path)
                syncs = {}
                for backend, index in built.items():
                    t0 = time.perf_counter()
                    index.sync(model, more, model_path=model_path)
                    syncs[backend] = time.perf_counter() - t0
                extras.append(
                    f"| {size:,} | {builds['embedded']:.1f} s / {builds['postgresql']:.1f} s | "
                    f"{syncs['embedded']:.2f} s / {syncs['postgresql']:.2f} s | {recall:.3f} | "
                    f"{pct(ann_wall, 50):.2f} / {pct(exact_wall, 50):.2f} ms |"
                )
                print(extras[-1], flush=True)
                _write_postgres(args, rows, extras, settings, started, load_start, done=size == largest)
                idx.backend.close()  # type: ignore[attr-defined]
                built.clear()
                shutil.rmtree(tmp / f"i{size}", ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _write_postgres(args, rows, extras, settings, started, load_start, *, done: bool) -> None:
    """Write what has been measured so far (after every size: a long run keeps its finished sizes)."""
    lines = [
        "# Search latency: PostgreSQL beside the embedded backend",
        "",
        f"Generated by `python benchmarks/search_latency.py --backend postgresql --sizes "
        f"{' '.join(map(str, args.sizes))} --queries {args.queries} --pg-document-queries "
        f"{args.pg_document_queries}` in {time.perf_counter() - started:.0f} s on {platform.machine()} with "
        f"{os.cpu_count()} CPUs, gensim {gensim.__version__}; {settings}. Load average (1 min) at start "
        f"{load_start[0]:.1f}, now {os.getloadavg()[0]:.1f}: a shared machine, so the two backends are "
        "measured in the same run, mode by mode one after the other; read the ratios."
        + ("" if done else " **The run did not reach every size: the sizes below are those finished.**"),
        "",
        "Same model, synthetic documents and queries as search_latency.md; the server runs on the same "
        "machine (Unix socket). PostgreSQL keyword = ts_rank_cd over the GIN-indexed tsvector ('simple'); "
        "vector = pgvector, exact below 50,000 documents and HNSW (m=16, ef_construction=64, ef_search = "
        "max(40, candidates)) from 50,000, as the embedded backend switches to usearch; hybrid = both "
        "rankings and the fusion in one SQL query. CPU = the client thread's only: PostgreSQL's work "
        "shows in the wall time. Document mode: whole indexed documents as queries.",
        "",
        "| documents | backend and mode | wall p50 (ms) | wall p95 (ms) | client CPU p50 (ms) | client CPU p95 (ms) |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
        *[f"| {s:,} | {m} | {a:.2f} | {b:.2f} | {c:.2f} | {d:.2f} |" for s, m, a, b, c, d in rows],
        "",
        "| documents | build embedded / PostgreSQL | sync of 100 new, embedded / PostgreSQL | "
        "pgvector HNSW recall@10 vs exact | top-10 lookup p50, HNSW / exact |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *extras,
        "",
    ]
    write_results(args.out or RESULTS / "search_latency_postgres.md", "\n".join(lines))


def _save_base(base, tmp: Path) -> Path:
    path = tmp / "base.model"
    if not path.exists():
        paravec.save(base, path)
    return path


if __name__ == "__main__":
    sys.exit(main())
