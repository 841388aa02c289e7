"""The sync of 100 new documents into a kept PostgreSQL index of ``search_latency.py`` (issue 13).

``search_latency.py --backend postgresql`` times one sync per size after its queries; at 1M that is
half an hour of queries before the figure. This script times only syncs, on the index a
``--keep DIR`` run left (its model file and PostgreSQL data): it adds ``--repeats`` batches of 100
synthetic documents (new tags each time, drawn as the corpus was), one sync each, and reports wall
seconds and the client's CPU. The first sync after an upgrade also builds the dead-rows index
(`paravec.search.pgsql.DEAD_ROWS_INDEX`) of an index built without it, so it is shown apart.

    python benchmarks/pg_sync.py --keep /tmp/keep1m --size 1000000
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import search_latency as sl
from _common import RESULTS, write_results
from _postgres import postgres_server

import paravec
from paravec.search import SearchIndex
from paravec.search.pgsql import with_schema


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, required=True, help="the --keep folder of search_latency.py")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS / "pg_sync.md")
    args = parser.parse_args()
    base = sl.base_model(0, args.vector_size, args.keep)
    # The model the index was last synced to (search_latency's PostgreSQL-only run writes this copy).
    model_path = args.keep / f"m{args.size}_postgresql.model"
    if not model_path.exists():
        model_path = args.keep / f"m{args.size}.model"
    model = paravec.load(model_path)
    rows = []
    with postgres_server(args.keep) as dsn:
        index = SearchIndex.open(with_schema(dsn, f"latency_{args.size}"), model=model)
        before = len(index)
        rng = np.random.default_rng(len(model.dv))  # new draws, and new tags, on every run
        for i in range(args.repeats):
            more, vectors = sl.synthetic(base, 100, rng, f"sync{len(model.dv)}-{i}:")
            model.dv.add_vectors([t for t, _ in more], vectors)
            paravec.save(model, model_path)
            load = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            index.sync(model, more, model_path=model_path)
            rows.append((time.perf_counter() - t0, time.process_time() - c0, load))
            print(
                f"sync {i + 1}: {rows[-1][0]:.1f} s (client CPU {rows[-1][1]:.1f} s, load {load:.1f})",
                flush=True,
            )
        after = len(index)
    lines = [
        "# PostgreSQL: sync of 100 new documents into a kept index",
        "",
        f"`python benchmarks/pg_sync.py --keep DIR --size {args.size} --repeats {args.repeats}` on the "
        f"{args.size:,}-document index of `search_latency.py --keep` ({before:,} documents before, "
        f"{after:,} after; {args.vector_size} dimensions); the server on this machine.",
        "",
        "| sync | wall (s) | client CPU (s) | load (1 min) at its start |",
        "| ---: | ---: | ---: | ---: |",
        *(f"| {i + 1} | {w:.1f} | {c:.1f} | {load:.1f} |" for i, (w, c, load) in enumerate(rows)),
        "",
        "The first sync of an index built before the dead-rows index existed builds it (one read of "
        "the table); the later ones are the steady cost.",
        "",
    ]
    write_results(args.out, "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
