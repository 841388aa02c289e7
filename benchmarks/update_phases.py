"""Where does an update into a larger base spend more time? Every phase timed, the work counted.

``update_steady.py`` times whole updates of the same steady batch into a base and a base twice as
large. This script takes the same bases and batch apart, side by side in one run, interleaved:

- **each phase of** ``paravec.update``, wall time and CPU time (the phase's own thread, or every
  training thread's for the kernel): checking the inputs, the batch's analysis warnings, growing the
  vocabulary (which copies ``wv`` and ``syn1neg`` once to append rows), placing the documents,
  refreshing downsampling and the negative-sampling table, flattening the corpus, the locks,
  preparing the job (the input checks over the corpus and vocabulary, the bucket index of the
  noise table), and the compiled training on 2 threads;
- **the work the batch makes in each base, counted**: the batch's words that reach the kernel
  (in the vocabulary), the share of them that are pretrained (frozen rows, never written) and new,
  the words downsampling is expected to keep per epoch and the words trained (the kernel's count);
- **the memory it touches**: how many output rows (``syn1neg``) and input rows (``wv``) hold 50%,
  90% and 99% of the row reads of one epoch, in MB, against the caches (1 MB L2 a core, 32 MB L3
  shared here). Row reads are counted from the job: each kept word is the target of about
  ``window + 1`` predictions (the shrunk window's mean context plus the document's tag), each
  reading its own row and ``negative`` noise rows drawn from ``cum_table``; each kept word is a
  context word about ``window + 1`` times.

Run:  python benchmarks/update_phases.py          (about 4 minutes on 2 quiet cores)
Writes benchmarks/results/update_phases.md and .json.
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import resource
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import RESULTS, write_results
from update_steady import base_model, renamed_copy, repeated

import paravec
from paravec import kernel
from paravec.datasets import lee_background_documents, wiki_documents
from paravec.updating import driver, pipeline

OUT = RESULTS / "update_phases.md"

# (module, attribute, phase): the functions paravec.update calls, looked up at call time.
PHASES = [
    (pipeline, "ensure_intact", "check: model intact"),
    (pipeline, "validate_documents", "check: documents"),
    (pipeline, "validate_rehearsal", "check: rehearsal"),
    (pipeline, "analysis_warnings", "batch analysis warnings"),
    (pipeline, "grow_vocabulary", "grow vocabulary (rows appended)"),
    (pipeline, "place_documents", "place documents (dv rows)"),
    (pipeline, "refresh_sampling", "downsampling + noise table"),
    (pipeline, "build_corpus", "flatten corpus"),
    (pipeline, "build_locks", "locks"),
    (driver, "_weights", "train: weights"),
    (driver, "_tables", "train: tables"),
    (kernel, "prepare", "train: prepare (checks, bucket index)"),
]
KERNEL = "train: kernel, 2 threads (CPU of both)"
TRAIN = "train, all of it (process CPU)"

_SPENT: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])  # wall, CPU, minor page faults
_LOCK = threading.Lock()


def _timed_phase(fn: Callable[..., Any], phase: str) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu, faults = time.perf_counter(), time.thread_time(), _thread_faults()
        try:
            return fn(*args, **kwargs)
        finally:
            with _LOCK:
                _SPENT[phase][0] += time.perf_counter() - wall
                _SPENT[phase][1] += time.thread_time() - cpu
                _SPENT[phase][2] += _thread_faults() - faults

    return wrapper


def instrument() -> None:
    """Wrap every phase's function, and `paravec.kernel.train_range` (CPU of each training thread)."""
    for module, name, phase in PHASES:
        setattr(module, name, _timed_phase(getattr(module, name), phase))
    train_range = kernel.train_range

    def timed_range(*args: Any, **kwargs: Any) -> int:
        cpu, faults = time.thread_time(), _thread_faults()
        try:
            return train_range(*args, **kwargs)
        finally:
            with _LOCK:
                _SPENT[KERNEL][1] += time.thread_time() - cpu
                _SPENT[KERNEL][2] += _thread_faults() - faults

    kernel.train_range = timed_range  # type: ignore[assignment]


def _thread_faults() -> int:
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Phases = dict[str, tuple[float, float, float]]


def one_update(base: paravec.Doc2Vec, batch: list[Any]) -> tuple[Phases, Any, dict[str, Any]]:
    """Update a copy of ``base``: (wall, CPU seconds, minor page faults) of each phase, the report,
    the job's counts."""
    model = copy.deepcopy(base)
    _SPENT.clear()
    seen: dict[str, Any] = {}

    def trainer(model: paravec.Doc2Vec, job: driver.TrainingJob, progress: Any) -> int:
        seen["job"], seen["n_words_old"] = job, job.n_words_old
        wall, cpu = time.perf_counter(), _cpu()
        done = driver.train(model, job, progress)
        _SPENT[TRAIN][0] += time.perf_counter() - wall
        _SPENT[TRAIN][1] += _cpu() - cpu
        return done

    wall, cpu, faults = time.perf_counter(), _cpu(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    report = paravec.update(model, batch, workers=2, trainer=trainer)
    totals = (time.perf_counter() - wall, _cpu() - cpu)
    phases: Phases = {phase: (w, c, f) for phase, (w, c, f) in _SPENT.items()}
    phases["update (total)"] = (*totals, float(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults))
    return phases, report, counts(model, seen["job"], seen["n_words_old"])


def _rows_holding(weights: np.ndarray, shares: tuple[float, ...]) -> list[int]:
    ordered = np.sort(weights)[::-1]
    cumulative = np.cumsum(ordered) / max(ordered.sum(), 1e-300)
    return [int(np.searchsorted(cumulative, s) + 1) for s in shares]


SHARES = (0.5, 0.9, 0.99)


def counts(model: paravec.Doc2Vec, job: driver.TrainingJob, n_words_old: int) -> dict[str, Any]:
    """The batch's work in this model, counted from the job (see the module's docstring)."""
    ids = job.corpus.word_ids
    n = len(model.wv)
    keep = (
        (model.wv.expandos["sample_int"].astype(np.float64) + 1.0) / 2.0**32 if model.sample else np.ones(n)
    )
    occurrences = np.bincount(ids, minlength=n).astype(np.float64)
    kept = occurrences * np.minimum(keep, 1.0)
    predictions = model.window + 1.0  # mean context of a window shrunk uniformly to 1..window, + the tag
    cum = model.cum_table.astype(np.float64)
    noise = np.diff(np.concatenate([[0.0], cum])) / cum[-1]
    out_reads = kept * predictions + kept.sum() * predictions * model.negative * noise
    in_reads = kept * predictions
    row_mb = model.layer1_size * 4 / 2**20
    out_rows, in_rows = _rows_holding(out_reads, SHARES), _rows_holding(in_reads, SHARES)
    return {
        "vocabulary": n,
        "new_words": n - n_words_old,
        "batch_words_in_vocabulary": len(ids),
        "pretrained_share": float((ids < n_words_old).mean()),
        "expected_kept_per_epoch": float(kept.sum()),
        "noise_share_on_pretrained_rows": float(noise[:n_words_old].sum()),
        "out_rows": dict(zip(map(str, SHARES), out_rows, strict=True)),
        "out_mb": {str(s): r * row_mb for s, r in zip(SHARES, out_rows, strict=True)},
        "in_rows": dict(zip(map(str, SHARES), in_rows, strict=True)),
        "in_mb": {str(s): r * row_mb for s, r in zip(SHARES, in_rows, strict=True)},
        "syn1neg_mb": model.syn1neg.nbytes / 2**20,
        "wv_mb": model.wv.vectors.nbytes / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lee-repeats", type=int, default=17, help="Lee corpora in the steady batch")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--renamed", action="store_true", help="also the extract + a renamed copy")
    args = parser.parse_args(argv)
    started, load_start = time.perf_counter(), os.getloadavg()
    wiki, lee = wiki_documents(), lee_background_documents()
    bases = {
        "half": base_model(wiki[::2], args.vector_size, args.epochs),
        "whole": base_model(wiki, args.vector_size, args.epochs),
    }
    if args.renamed:
        bases["renamed"] = base_model(wiki + renamed_copy(wiki), args.vector_size, args.epochs)
    batch = repeated(lee, args.lee_repeats)
    paravec.update(copy.deepcopy(bases["half"]), lee[:10], workers=2)  # compile / load the kernel
    instrument()
    runs: dict[str, list[Phases]] = {name: [] for name in bases}
    trained: dict[str, list[int]] = {name: [] for name in bases}
    counted: dict[str, dict[str, Any]] = {}
    loads = []
    for r in range(args.repeats):
        for name in list(bases) if r % 2 == 0 else list(bases)[::-1]:
            phases, report, counted[name] = one_update(bases[name], batch)
            runs[name].append(phases)
            trained[name].append(int(report.words_trained))
            loads.append(os.getloadavg()[0])
            wall, cpu, _ = phases["update (total)"]
            print(f"{name:8s} {wall:6.2f} s {cpu:6.2f} CPU-s kernel {phases[KERNEL][1]:6.2f} CPU-s "
                  f"{report.words_trained:,} words", flush=True)  # fmt: skip
    names = list(bases)
    phase_names = list(runs[names[0]][0])

    def med(name: str, phase: str, i: int) -> float:
        return statistics.median(run[phase][i] for run in runs[name])

    def spread(name: str, phase: str, i: int) -> str:
        values = [run[phase][i] for run in runs[name]]
        return f"{min(values):.3f}-{max(values):.3f}"

    medians = {n: {p: (med(n, p, 0), med(n, p, 1), med(n, p, 2)) for p in phase_names} for n in names}
    rows = []
    for phase in phase_names:
        cells = " | ".join(
            ("—" if phase == KERNEL else f"{medians[n][phase][0]:.3f}")
            + f" / {medians[n][phase][1]:.3f} ({spread(n, phase, 1)}), {medians[n][phase][2]:,.0f}"
            for n in names
        )
        cpu_half, cpu_whole = medians["half"][phase][1], medians["whole"][phase][1]
        ratio = f"{cpu_whole / cpu_half:.3f}" if cpu_half > 0 else "—"
        rows.append(f"| {phase} | {cells} | {ratio} |")
    kernel_ns = {
        n: statistics.median(1e9 * run[KERNEL][1] / w for run, w in zip(runs[n], trained[n], strict=True))
        for n in names
    }
    count_rows = []
    labels = {
        "vocabulary": "vocabulary after the update (rows)",
        "new_words": "new words (trainable rows)",
        "batch_words_in_vocabulary": "batch words reaching the kernel per epoch",
        "pretrained_share": "their share on pretrained (frozen) rows",
        "expected_kept_per_epoch": "expected kept by downsampling per epoch",
        "noise_share_on_pretrained_rows": "noise draws landing on pretrained rows",
        "syn1neg_mb": "syn1neg (MB)",
    }
    for key, label in labels.items():
        cells = " | ".join(f"{counted[n][key]:,.3f}" if isinstance(counted[n][key], float) and counted[n][key] < 10
                           else f"{counted[n][key]:,.0f}" for n in names)  # fmt: skip
        count_rows.append(f"| {label} | {cells} | {counted['whole'][key] / counted['half'][key]:.3f} |")
    cells = " | ".join(f"{statistics.median(trained[n]):,.0f}" for n in names)
    count_rows.append(
        f"| words trained (kernel's count, all epochs) | {cells} | "
        f"{statistics.median(trained['whole']) / statistics.median(trained['half']):.3f} |"
    )
    cells = " | ".join(f"{kernel_ns[n]:.0f}" for n in names)
    count_rows.append(
        f"| kernel CPU-ns per word trained | {cells} | {kernel_ns['whole'] / kernel_ns['half']:.3f} |"
    )
    for kind, key in (("output", "out"), ("input", "in")):
        for share in map(str, SHARES):
            cells = " | ".join(
                f"{counted[n][key + '_rows'][share]:,} rows, {counted[n][key + '_mb'][share]:.2f} MB"
                for n in names
            )
            ratio = counted["whole"][key + "_rows"][share] / counted["half"][key + "_rows"][share]
            count_rows.append(
                f"| {kind} rows holding {float(share):.0%} of the reads | {cells} | {ratio:.3f} |"
            )
    load_end = os.getloadavg()
    head = " | ".join(names)
    md = f"""# Where an update into a larger base spends its time

Command: `python benchmarks/update_phases.py{"".join(" " + a for a in (argv if argv is not None else sys.argv[1:]))}`
({time.perf_counter() - started:.0f} s on {os.cpu_count()} shared CPUs; load average (1 min) {load_start[0]:.1f} at start,
{load_end[0]:.1f} at end, median {statistics.median(loads):.1f} after the updates). The bases of
`update_steady.py` (PV-DBOW + words, {args.vector_size} dimensions, {args.epochs} epochs): half the
Wikipedia extract, the whole extract{", the extract + a renamed copy" if args.renamed else ""}; the batch: the Lee corpus
{args.lee_repeats} times ({len(batch):,} documents, {sum(len(d.words) for d in batch):,} words); {args.repeats} interleaved updates
into each, 2 threads. Ratio: whole / half (CPU, or the count).

Each phase: median wall / CPU seconds (CPU range over the runs), minor page faults (its threads):

| phase | {head} | ratio |
|---|{"---|" * len(names)}---:|
{chr(10).join(rows)}

The work, counted (one epoch unless said):

| count | {head} | ratio |
|---|{"---|" * len(names)}---:|
{chr(10).join(count_rows)}
"""
    data = {
        "args": vars(args),
        "runs": runs,
        "words_trained": trained,
        "counts": counted,
        "kernel_cpu_ns_per_word": kernel_ns,
        "load": [load_start[0], load_end[0]],
        "loads": loads,
    }
    write_results(OUT, md, data)
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
