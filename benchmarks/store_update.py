"""What a store costs: `store update` vs a bare update + save, and the disk of ten versions (issue 12, item 9).

Base: PV-DBOW + word training on gensim's Wikipedia extract (106 articles, ~486k words), the
demo's full settings (300 dimensions, 10 epochs). Batch: Lee news articles, 1/100 of the base in
words (~24 articles), ``freeze="all"``.

1. Time, side by side in one run (median of alternating repeats, each from the same base):

   * bare: ``paravec.load(base.model)`` + ``paravec.update`` + ``paravec.save`` to a new file;
   * ``Store.update`` with its defaults: load the current version from the pickle-free format,
     update, ``paravec.check``, the verification report (``paravec.evaluate``), index sync, write
     the version, publish;
   * ``Store.update(evaluate=False)``: the same without the verification report;
   * bare with its saved files fsynced: ``paravec.save`` does not fsync, the store fsyncs every
     file it writes (a version must survive a power cut once published), so this row compares
     like with like. Every fsync of this process is counted and timed (tantivy's own are not).

   After each store repeat the store is rolled back to the base, so every repeat starts alike.

2. Disk: a store of ten versions (the base and nine batches) against ten full copies (each
   version saved as a gensim model with ``paravec.save`` plus its own index folder). Sizes are
   file sizes, a hard-linked file counted once.

3. ``--big``: disk of ten versions of a model of about 1 GB (`big_disk`): a Doc2Vec whose
   document vectors alone take ~1 GB (1,000,000 synthetic documents of 8 words drawn from the
   Wikipedia extract's vocabulary by frequency, 256 dimensions; vectors as gensim initialises them,
   untrained: only bytes matter here), indexed with exact vector search (``--ann`` keeps the
   default ANN threshold), nine batches of 100 such documents with ``evaluate=False``, against ten
   copies each saved with ``paravec.save`` plus its own index (saved one at a time, measured and
   deleted). Works in ``--work`` (default a temporary folder, deleted afterwards).

    python benchmarks/store_update.py              # ~10 min on 2 shared cores
    python benchmarks/store_update.py --quick      # 100 dimensions, 3 repeats: a smoke run
    python benchmarks/store_update.py --big        # ~1 GB model, ten versions (~30 min, ~25 GB free disk)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from _common import RESULTS, folder_bytes, progress_log, work_folder, write_results
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec.datasets import wiki_documents, wiki_texts
from paravec.tokenizer import tokenize

_FSYNC = {"count": 0, "seconds": 0.0}
_real_fsync = os.fsync


def _counted_fsync(fd: int) -> None:
    # Every thread's fsync, counted and timed: a store writes each file durably, a bare save does not.
    started = time.perf_counter()
    _real_fsync(fd)
    _FSYNC["count"] += 1
    _FSYNC["seconds"] += time.perf_counter() - started


def _fsyncs(since: tuple[int, float] | None = None) -> tuple[int, float]:
    """Fsyncs so far (count, seconds waited), or since ``since``."""
    now = (int(_FSYNC["count"]), float(_FSYNC["seconds"]))
    return now if since is None else (now[0] - since[0], now[1] - since[1])


def _model_files_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*"))


def _lee() -> list[tuple[str, str]]:
    with open(datapath("lee_background.cor"), encoding="latin-1") as fh:
        return [(f"lee:{i}", line.strip()) for i, line in enumerate(fh) if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 dimensions, 3 repeats")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--big", action="store_true", help="disk of ten versions of a ~1 GB model")
    parser.add_argument("--documents", type=int, default=1_000_000, help="--big: documents of the base")
    parser.add_argument("--dimensions", type=int, default=256, help="--big: vector size")
    parser.add_argument("--ann", action="store_true", help="--big: index with the default ANN threshold")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="--big: measure the store an interrupted run left in --work",
    )
    args = parser.parse_args()
    if args.big:
        from store_big import big_disk, measure_existing

        if args.measure_only:
            measure_existing(args.work, args.out or RESULTS / "store_update_big.md", args.versions)
        else:
            big_disk(args, args.out or RESULTS / "store_update_big.md")
        return
    args.out = args.out or RESULTS / "store_update.md"
    os.fsync = _counted_fsync  # this process only: see _counted_fsync
    repeats = 3 if args.quick else args.repeats
    dims = 100 if args.quick else 300
    log = progress_log()
    work, own = work_folder(args.work, "paravec-store-bench-")
    log("reading the Wikipedia extract")
    wiki = wiki_documents()
    texts = dict(wiki_texts())
    base_words = sum(len(d.words) for d in wiki)
    log(f"training the base ({dims} dimensions, 10 epochs)")
    base = paravec.train(wiki, vector_size=dims, epochs=10, min_count=5, seed=1, workers=2)
    base_path = work / "base.model"
    paravec.save(base, base_path)
    lee = _lee()
    # consecutive batches of Lee articles, each 1/100 of the base in words
    batches: list[dict[str, str]] = []
    batch: dict[str, str] = {}
    for tag, text in lee:
        batch[tag] = text
        if sum(len(tokenize(t)) for t in batch.values()) >= base_words / 100:
            batches.append(batch)
            batch = {}
    docs_of = [[TaggedDocument(tokenize(t), [tag]) for tag, t in b.items()] for b in batches]
    batch_words = sum(len(d.words) for d in docs_of[0])
    options: dict[str, Any] = {"seed": 1, "workers": 2}
    store_path = work / "store"
    shutil.rmtree(store_path, ignore_errors=True)
    log("creating the store")
    store = paravec.Store.create(store_path, base, texts)
    del base

    kinds = ("bare", "bare_fsync", "store", "store_no_report")
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    syncs: dict[str, list[tuple[int, float]]] = {k: [] for k in kinds}

    def bare(durable: bool = False) -> float:
        started, cpu_started, synced = time.perf_counter(), time.process_time(), _fsyncs()
        model = paravec.load(base_path)
        paravec.update(model, docs_of[0], **options)
        paravec.save(model, work / "bare.model")
        if durable:  # what the store does for each file it writes: on disk before it counts
            for path in sorted(work.glob("bare.model*")):
                with open(path, "rb") as handle:
                    os.fsync(handle.fileno())
        kind = "bare_fsync" if durable else "bare"
        cpu[kind].append(time.process_time() - cpu_started)
        syncs[kind].append(_fsyncs(synced))
        return time.perf_counter() - started

    parts: list[dict[str, float]] = []

    def stored(evaluate: bool) -> float:
        started, cpu_started, synced = time.perf_counter(), time.process_time(), _fsyncs()
        info = store.update(docs_of[0], batches[0], evaluate=evaluate, force=True, **options)
        seconds = time.perf_counter() - started
        cpu["store" if evaluate else "store_no_report"].append(time.process_time() - cpu_started)
        syncs["store" if evaluate else "store_no_report"].append(_fsyncs(synced))
        if evaluate:
            parts.append(info.timings)
        store.rollback(1)
        return seconds

    log("warming up")  # each path once: compiled kernels loaded, files in the page cache
    bare()
    stored(True)
    stored(False)
    parts.clear()
    for values in [*cpu.values(), *syncs.values()]:
        values.clear()
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for i in range(repeats):
        log(f"repeat {i + 1}/{repeats}")
        times["bare"].append(bare())
        times["bare_fsync"].append(bare(durable=True))
        times["store"].append(stored(True))
        times["store_no_report"].append(stored(False))
    medians = {k: statistics.median(v) for k, v in times.items()}
    breakdown = {k: round(statistics.median(p.get(k, 0.0) for p in parts), 3) for k in parts[0]}

    log(f"disk: a store of {args.versions} versions")
    shutil.rmtree(store_path)
    base = paravec.load(base_path)
    store = paravec.Store.create(store_path, base, texts)
    for i in range(args.versions - 1):
        store.update(docs_of[i % len(docs_of)], batches[i % len(batches)], evaluate=False, **options)
    store_bytes = folder_bytes(store_path)
    usage = store.disk_usage()
    copies = 0
    copies_models = 0
    for info in store.versions():
        target = work / "copy" / f"v{info.number}.model"
        target.parent.mkdir(exist_ok=True)
        paravec.save(store.model(info.number), target)
        model_bytes = _model_files_bytes(target)
        copies_models += model_bytes
        copies += model_bytes + folder_bytes(store_path / "versions" / f"{info.number:06d}" / "index")
    shutil.rmtree(work / "copy")
    one_model = _model_files_bytes(base_path)

    result: dict[str, Any] = {
        "settings": {
            "dimensions": dims,
            "base_words": base_words,
            "batch_documents": len(docs_of[0]),
            "batch_words": batch_words,
            "repeats": repeats,
            "versions": args.versions,
        },
        "seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "median_seconds": {k: round(v, 3) for k, v in medians.items()},
        "median_cpu_seconds": {k: round(statistics.median(v), 3) for k, v in cpu.items()},
        "ratio_cpu_store_vs_bare": round(statistics.median(cpu["store"]) / statistics.median(cpu["bare"]), 3),
        "load_average": list(os.getloadavg()),
        "ratio_store_vs_bare": round(medians["store"] / medians["bare"], 3),
        "ratio_store_no_report_vs_bare": round(medians["store_no_report"] / medians["bare"], 3),
        "ratio_store_vs_bare_fsync": round(medians["store"] / medians["bare_fsync"], 3),
        "fsyncs_median": {k: statistics.median(n for n, _ in v) for k, v in syncs.items()},
        "fsync_seconds_median": {k: round(statistics.median(w for _, w in v), 3) for k, v in syncs.items()},
        "store_update_breakdown": breakdown,
        "disk": {
            "store_bytes": store_bytes,
            "store_objects_bytes": usage["objects"],
            "store_indexes_bytes": usage["indexes"],
            "ten_full_copies_bytes": copies,
            "ten_model_copies_bytes": copies_models,
            "one_model_bytes": one_model,
            "ratio_store_vs_copies": round(store_bytes / copies, 3),
            "ratio_models_vs_model_copies": round(usage["objects"] / copies_models, 3),
        },
    }
    write_results(args.out, _markdown(result), result)
    if own:
        shutil.rmtree(work, ignore_errors=True)


def _markdown(r: dict[str, Any]) -> str:
    s, m, d, b = r["settings"], r["median_seconds"], r["disk"], r["store_update_breakdown"]
    c = r["median_cpu_seconds"]
    fs = r["fsync_seconds_median"]
    mb = 1e6
    return "\n".join(
        [
            "# Store: update cost and disk of versions",
            "",
            f"`python benchmarks/store_update.py`: base {s['base_words']:,} words ({s['dimensions']} dimensions), "
            f"batch {s['batch_documents']} Lee articles ({s['batch_words']:,} words, 1/100 of the base), "
            f"freeze=all, medians of {s['repeats']} alternating repeats.",
            "",
            f"Load average at the end: {' / '.join(f'{x:.1f}' for x in r['load_average'])} (2 cores).",
            "",
            "| what | seconds (median) | vs bare update + save | CPU seconds (median, all threads) |",
            "|---|---|---|---|",
            f"| bare: load + `paravec.update` + `paravec.save` | {m['bare']:.2f} | 1.00 | {c['bare']:.2f} |",
            f"| `Store.update` (update, check, verification report, index sync, write, publish) | {m['store']:.2f} | "
            f"{r['ratio_store_vs_bare']:.2f} | {c['store']:.2f} ({r['ratio_cpu_store_vs_bare']:.2f}x) |",
            f"| `Store.update(evaluate=False)` (no verification report) | {m['store_no_report']:.2f} | "
            f"{r['ratio_store_no_report_vs_bare']:.2f} | {c['store_no_report']:.2f} |",
            f"| bare, its saved files then fsynced (durable, as the store writes) | {m['bare_fsync']:.2f} | "
            f"{m['bare_fsync'] / m['bare']:.2f} | {c['bare_fsync']:.2f} |",
            "",
            f"`Store.update` vs the durable bare save: **{r['ratio_store_vs_bare_fsync']:.2f}x**. Fsyncs per step "
            "(median count, seconds waited summed over threads): "
            + ", ".join(f"{k} {n:g} ({fs[k]:.3f} s)" for k, n in r["fsyncs_median"].items()),
            "",
            "Where `Store.update`'s time goes (median seconds; the report runs beside the model write and "
            "the index sync, which run beside each other, so these overlap and total is the wall time): "
            + ", ".join(f"{k} {v:.2f}" for k, v in b.items()),
            "",
            f"Disk of {s['versions']} versions (the base and {s['versions'] - 1} batches):",
            "",
            "| what | MB |",
            "|---|---|",
            f"| one saved model (gensim file + side files) | {d['one_model_bytes'] / mb:.1f} |",
            f"| {s['versions']} full copies (each version's model saved + its own index) | "
            f"{d['ten_full_copies_bytes'] / mb:.1f} |",
            f"| the store (all {s['versions']} versions, models + indexes + texts) | {d['store_bytes'] / mb:.1f} "
            f"(**{d['ratio_store_vs_copies']:.2f}x** the copies) |",
            f"| of which model chunks (all versions) vs {s['versions']} model copies | "
            f"{d['store_objects_bytes'] / mb:.1f} vs {d['ten_model_copies_bytes'] / mb:.1f} "
            f"({d['ratio_models_vs_model_copies']:.2f}x) |",
            f"| of which indexes (hard links shared) | {d['store_indexes_bytes'] / mb:.1f} |",
            "",
        ]
    )


if __name__ == "__main__":
    main()
