"""What makes an update into a larger base slower per trained word? One thread, the kernel alone.

``update_steady.py`` times whole updates on 2 threads; on a shared machine its ratios move by
±0.1 from run to run. This script isolates the training kernel: for each base of
``update_steady.py`` (half the Wikipedia extract, the whole extract, the extract + a renamed copy)
an update's training job is built (vocabulary grown, documents placed, downsampling refreshed)
and captured before training; then the same first ``--docs`` documents of the batch are trained
by `paravec.kernel.train_range` on one thread, the jobs taking turns (interleaved), CPU time of
that thread per word trained. Varied one at a time:

- the base (the output rows that negative samples draw from: 2x for the renamed copy, 1.26x for
  more text of the same kind);
- the batch's length (the Lee corpus ``--short`` and ``--long`` times: the model's counts, hence
  downsampling and the noise table, change with it);
- 4 KB pages or 2 MB pages for ``syn1neg`` and ``wv`` (`paravec.huge_pages`: fewer translation
  misses; nested page walks are costly in a virtual machine);
- the minor page faults while training (``resource.getrusage``): first touches of grown arrays.

Run:  python benchmarks/update_footprint.py     (about 3 minutes on a quiet core)
Writes benchmarks/results/update_footprint.md and .json.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import statistics
import sys
import time
from typing import Any

from _common import RESULTS, write_results
from update_steady import base_model, renamed_copy, repeated

import paravec
from paravec import kernel
from paravec.datasets import lee_background_documents, wiki_documents
from paravec.huge_pages import use_huge_pages
from paravec.updating import driver

OUT = RESULTS / "update_footprint.md"


def captured_job(
    base: paravec.Doc2Vec, batch: list[Any], huge: bool
) -> tuple[paravec.Doc2Vec, kernel.Prepared]:
    """The training job ``paravec.update(copy of base, batch)`` would run, not yet trained."""
    model = copy.deepcopy(base)
    got: dict[str, kernel.Prepared] = {}

    def capture(model: paravec.Doc2Vec, job: driver.TrainingJob, progress: Any) -> int:
        if huge:
            for table in (model.syn1neg, model.wv.vectors):
                use_huge_pages(table)
        weights, tables, config = driver._weights(model), driver._tables(model), driver._config(model)
        got["job"] = kernel.prepare(job.corpus, weights, job.locks, tables, config)
        return 0

    paravec.update(model, batch, workers=1, trainer=capture)
    return model, got["job"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--short", type=int, default=4, help="Lee corpus repeats of the short batch")
    parser.add_argument("--long", type=int, default=19, help="Lee corpus repeats of the long batch")
    parser.add_argument("--docs", type=int, default=600, help="documents trained per timed pass")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    started, load_start = time.perf_counter(), os.getloadavg()
    wiki, lee = wiki_documents(), lee_background_documents()
    bases = {
        "half": base_model(wiki[::2], args.vector_size, 5),
        "whole": base_model(wiki, args.vector_size, 5),
        "renamed": base_model(wiki + renamed_copy(wiki), args.vector_size, 5),
    }
    jobs = {
        (reps, name, huge): captured_job(base, repeated(lee, reps), huge)
        for reps in (args.short, args.long)
        for name, base in bases.items()
        for huge in (False, True)
    }
    ns: dict[Any, list[float]] = {key: [] for key in jobs}
    faults: dict[Any, list[int]] = {key: [] for key in jobs}
    for r in range(args.rounds):
        for key in list(jobs) if r % 2 == 0 else list(jobs)[::-1]:
            _, job = jobs[key]
            minflt = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start = time.thread_time()
            n = kernel.train_range(
                job, 0, args.docs, kernel.Schedule(0.025, 0.0001, 0.0, 1.0), kernel.initial_state(r)
            )
            ns[key].append(1e9 * (time.thread_time() - start) / n)
            faults[key].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - minflt)
    med = {key: statistics.median(v[1:]) for key, v in ns.items()}  # the first round warms the caches
    rows = []
    for reps in (args.short, args.long):
        for huge in (False, True):
            m = {name: med[reps, name, huge] for name in bases}
            mb = {name: jobs[reps, name, huge][0].syn1neg.nbytes / 2**20 for name in bases}
            rows.append(
                f"| {reps} | {'2 MB' if huge else '4 KB'} | {m['half']:.0f} ({mb['half']:.1f} MB) | "
                f"{m['whole']:.0f} ({mb['whole']:.1f} MB) | {m['renamed']:.0f} ({mb['renamed']:.1f} MB) | "
                f"**{m['whole'] / m['half']:.3f}** | **{m['renamed'] / m['whole']:.3f}** | "
                f"{max(max(faults[reps, n, huge]) for n in bases)} |"
            )
    load_end = os.getloadavg()
    table = "\n".join(rows)
    md = f"""# Kernel cost per trained word as the base grows (one thread)

Command: `python benchmarks/update_footprint.py{"".join(" " + a for a in (argv if argv is not None else sys.argv[1:]))}` ({time.perf_counter() - started:.0f} s; load average
(1 min) {load_start[0]:.1f} at start, {load_end[0]:.1f} at end, on {os.cpu_count()} shared CPUs). The first {args.docs} documents of
the batch trained by one thread from each captured update job, {args.rounds} interleaved rounds,
median of all but the first: CPU nanoseconds of the thread per word trained, and in brackets the
size of `syn1neg` (the output rows negative samples draw from). {args.vector_size} dimensions.

| batch (Lee corpus x) | pages of syn1neg, wv | half extract | whole extract | extract + renamed copy | whole / half (more text) | renamed / whole (renamed copy) | most minor faults in a pass |
|---:|---|---:|---:|---:|---:|---:|---:|
{table}
"""
    data = {
        "args": vars(args),
        "ns_per_word": {f"{r}/{n}/{'huge' if h else 'small'}": v for (r, n, h), v in ns.items()},
        "minor_faults": {f"{r}/{n}/{'huge' if h else 'small'}": v for (r, n, h), v in faults.items()},
        "load": [load_start[0], load_end[0]],
    }
    write_results(OUT, md, data)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
