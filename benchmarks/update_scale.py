"""Benchmark: update time and peak memory against the number of document vectors in the base.

A pretrained Wikipedia Doc2Vec holds millions of document vectors. This run builds a real base
(``paravec.train`` on the gensim Wikipedia extract, 300 dimensions), then replaces its ``dv`` with
10k, 100k and 1M random document vectors (same dtype and attributes as gensim's), saves each with
gensim's ``save`` (the vectors go to a side ``.npy`` file) and, in a fresh subprocess per case,
loads it memory-mapped (``mmap='r'``), adds the Lee news corpus (300 documents) with
``paravec.update`` — old document vectors kept, and dropped — and saves the result. Peak memory is
the subprocess's ``VmHWM`` (peak resident set, including memory-mapped pages it touched) up to the
save; a subprocess that only loads the model gives the floor. A warm-up update compiles numba's
kernels first.

Run (about 5 minutes on 2 cores, ~5 GB of temporary disk)::

    python benchmarks/update_scale.py                       # writes benchmarks/results/update_scale.{md,json,png}
    python benchmarks/update_scale.py --sizes 10000 100000  # smaller
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from _common import RESULTS, pyplot, rss_mb, save_figure, spawn, work_folder, write_results


def _synthetic(base, n: int, seed: int):
    """A copy of ``base`` (sharing its word weights) whose ``dv`` holds ``n`` random document vectors."""
    import copy

    from gensim.models.keyedvectors import KeyedVectors

    model = copy.copy(base)
    kv = KeyedVectors(base.vector_size, count=0, dtype=np.float32)
    kv.index_to_key = [f"doc:{i}" for i in range(n)]
    kv.key_to_index = {k: i for i, k in enumerate(kv.index_to_key)}
    rng = np.random.default_rng(seed)
    vectors = np.empty((n, base.vector_size), dtype=np.float32)
    for s in range(0, n, 100_000):  # scale of trained doc vectors, built in slices to bound memory
        e = min(n, s + 100_000)
        vectors[s:e] = rng.standard_normal((e - s, base.vector_size), dtype=np.float32) * 0.3
    kv.vectors = vectors
    kv.expandos = {"word_count": np.full(n, 1000, dtype=np.int64), "doc_count": np.ones(n, dtype=np.int64)}
    kv.vectors_lockf = np.ones(1, dtype=np.float32)
    model.dv = kv
    model.corpus_count = n
    return model


def _child(args) -> None:
    import paravec
    from paravec.datasets import lee_background_documents

    batch = lee_background_documents()
    out: dict = {}
    t = time.perf_counter()
    model = paravec.load(args.model, mmap="r")
    out["load_seconds"] = time.perf_counter() - t
    out["rss_after_load_mb"] = rss_mb()
    out["dv_memmapped"] = isinstance(model.dv.vectors, np.memmap)
    try:
        import psutil

        info = psutil.Process().memory_full_info()
        out["after_load_rss_mb"], out["after_load_uss_mb"] = info.rss / 2**20, info.uss / 2**20
    except ImportError:
        pass
    if args.mode == "load":
        out["peak_mb"] = rss_mb()
        Path(args.result).write_text(json.dumps(out))
        return
    keep = args.mode == "keep"
    t = time.perf_counter()
    rep = paravec.update(model, batch, keep_old_docs=keep, epochs=args.epochs, seed=1, workers=2)
    out["update_seconds"] = time.perf_counter() - t
    out["update_report_seconds"] = rep.seconds
    out["rss_after_update_mb"] = rss_mb()
    out["doc_vectors_after"] = len(model.dv)
    out["new_words"] = len(rep.new_words)
    t = time.perf_counter()
    paravec.save(model, args.output)
    out["save_seconds"] = time.perf_counter() - t
    out["peak_mb"] = rss_mb()  # before the reload below, which would only add page-cache pages
    out["check"] = paravec.check(paravec.load(args.output, mmap="r"))
    Path(args.result).write_text(json.dumps(out))


def _child_cmd(mode: str, model: Path, output: Path, result: Path, epochs: int) -> list[str]:
    """The command that runs one case (``mode``: load, keep or drop) in a fresh process."""
    return [sys.executable, __file__, "--child", "--mode", mode, "--model", str(model), "--output", str(output),
            "--result", str(result), "--epochs", str(epochs)]  # fmt: skip


def _dir_mb(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths if p.exists()) / 2**20


def _plot(rows: list[dict], path: Path) -> None:
    plt = pyplot()
    if plt is None:
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4), dpi=100)
    for mode, style in (("keep", "o-"), ("drop", "s--"), ("load", "x:")):
        rs = [r for r in rows if r["mode"] == mode and r["status"] == "ok"]
        if not rs:
            continue
        xs = [r["doc_vectors"] for r in rs]
        if mode != "load":
            a.plot(
                xs,
                [r["update_seconds"] for r in rs],
                style,
                label="update, old docs " + ("kept" if mode == "keep" else "dropped"),
            )
        b.plot(
            xs,
            [r["peak_rss_mb"] for r in rs],
            style,
            label={
                "keep": "update, old docs kept",
                "drop": "update, old docs dropped",
                "load": "load only (mmap)",
            }[mode],
        )
    for ax, title, unit in ((a, "update time", "seconds"), (b, "peak memory (VmHWM)", "MB")):
        ax.set_xscale("log")
        ax.set_xlabel("document vectors in the base (300 dims)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.legend(fontsize=8)
    save_figure(fig, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return

    import gensim

    import paravec
    from paravec.datasets import wiki_documents

    started = time.perf_counter()
    work, own = work_folder(args.workdir, "paravec_scale_")
    t = time.perf_counter()
    base = paravec.train(wiki_documents(), vector_size=args.dim, epochs=5, seed=1, workers=2)
    base_seconds = time.perf_counter() - t
    print(f"base: {len(base.wv)} words, trained in {base_seconds:.1f}s", flush=True)
    warm = work / "warm.model"
    paravec.save(_synthetic(base, 1000, seed=0), warm)
    spawn(_child_cmd("drop", warm, work / "warm_out.model", work / "warm.json", 1), work / "warm.log")
    rows = []
    for n in args.sizes:
        path = work / f"base_{n}.model"
        t = time.perf_counter()
        synth = _synthetic(base, n, seed=n)
        problems = paravec.check(synth)
        if problems:
            raise SystemExit(f"synthetic base of {n} is inconsistent: {problems}")
        synth.save(str(path))
        del synth
        build = time.perf_counter() - t
        files = sorted(work.glob(f"base_{n}.model*"))
        print(f"{n:>9} doc vectors: built and saved in {build:.1f}s ({_dir_mb(files):.0f} MB)", flush=True)
        for mode in ("load", "keep", "drop"):
            result = work / f"{n}_{mode}.json"
            output = work / f"out_{n}_{mode}.model"
            proc = spawn(_child_cmd(mode, path, output, result, args.epochs), work / f"{n}_{mode}.log")
            row = {"doc_vectors": n, "mode": mode, **proc, "base_mb": _dir_mb(files)}
            if proc["status"] == "ok":
                row.update(json.loads(result.read_text()))
                row["peak_rss_mb"] = row.get("peak_mb") or row["peak_rss_mb"]
                row["output_mb"] = _dir_mb(sorted(work.glob(f"out_{n}_{mode}.model*")))
            rows.append(row)
            print(
                f"    {mode}: {proc['status']} peak {proc['peak_rss_mb']:.0f} MB "
                f"update {row.get('update_seconds', float('nan')):.1f}s save {row.get('save_seconds', float('nan')):.1f}s",
                flush=True,
            )
            for p in work.glob(f"out_{n}_{mode}.model*"):
                p.unlink()
        for p in files:
            p.unlink()

    total = time.perf_counter() - started
    md = [
        "# Update scale: time and memory against base size",
        "",
        f"Generated by `python benchmarks/update_scale.py` in {total / 60:.1f} min on {os.cpu_count()} cores; gensim "
        f"{gensim.__version__}, numpy {np.__version__}.",
        "",
        f"Base: `paravec.train` on the gensim Wikipedia extract ({len(base.wv):,} words, {args.dim} dims, 5 epochs), its "
        f"`dv` replaced by N random document vectors, saved with gensim and loaded with `mmap='r'` in a fresh process. "
        f"Batch: `lee_background.cor` (300 documents), `paravec.update(..., epochs={args.epochs}, workers=2)`. "
        "Peak = the process's VmHWM over load + update + save (resident pages, memory-mapped ones it touched included).",
        "",
        "| doc vectors in base | base on disk MB | old docs | status | load s | update s | save s | peak MB | "
        "peak − load-only MB | doc vectors after | output MB | `check` |",
        "| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    floor = {r["doc_vectors"]: r["peak_rss_mb"] for r in rows if r["mode"] == "load" and r["status"] == "ok"}
    for r in rows:
        if r["mode"] == "load":
            continue
        ok = r["status"] == "ok"
        md.append(
            f"| {r['doc_vectors']:,} | {r['base_mb']:.0f} | {'kept' if r['mode'] == 'keep' else 'dropped'} | {r['status']} | "
            + (
                f"{r['load_seconds']:.1f} | {r['update_seconds']:.1f} | {r['save_seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
                f"{r['peak_rss_mb'] - floor.get(r['doc_vectors'], float('nan')):.0f} | {r['doc_vectors_after']:,} | "
                f"{r['output_mb']:.0f} | {'ok' if not r['check'] else r['check'][0]} |"
                if ok
                else f"– | – | – | {r['peak_rss_mb']:.0f} | – | – | – | – |"
            )
        )
    md += ["", "Load only (memory-mapped), the floor:", ""]
    for r in rows:
        if r["mode"] == "load" and r["status"] == "ok":
            md.append(
                f"- {r['doc_vectors']:,} doc vectors: load {r['load_seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB"
            )
    md += [
        "",
        "Peak memory counts the pages of the memory-mapped base that the process touched (file-backed: the kernel can "
        "drop them under pressure, but they are read from disk). *peak − load-only* for old docs dropped is therefore "
        "how much of the base the update reads although it throws the old vectors away; for kept, add the new "
        "in-memory copy of `dv` (N x 300 x 4 bytes).",
        "",
        "Plot: `update_scale.png`.",
    ]
    write_results(
        args.out / "update_scale.md",
        "\n".join(md) + "\n",
        {
            "dim": args.dim,
            "epochs": args.epochs,
            "base_words": len(base.wv),
            "base_train_seconds": base_seconds,
            "rows": rows,
            "total_seconds": total,
        },
    )
    _plot(rows, args.out / "update_scale.png")
    if own:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
