"""Document mode before and after a change: two commits' code on the same index, interleaved.

A query's CPU time moves by 10-30% between runs on a shared machine, more than most changes to
document mode; so both commits are measured in one run, alternately, on the same index and
queries. ``--before REV`` is checked out into a temporary ``git worktree``; "after" is the code of
this checkout. For each round, load and commit, a fresh process imports that commit's paravec,
opens the index, readies it as that code serves a version (`SearchIndex.warm` where the commit has
it, else one pass of the queries fills the per-version cache), then runs
``SearchIndex.search(text, mode="document")`` for every query twice, idle and while two spinning
processes keep both cores busy (`search_latency.busy_cores`). It records the wall p50 / p95 and the
CPU p50 of the querying thread.

The index and its queries are `document_mode_parts.py`'s (``--keep DIR``, built there once; the
same synthetic 100k-document index as ``search_latency.py``).

Writes benchmarks/results/document_mode_versions.md.

Run:  python benchmarks/document_mode_versions.py --before a82bf0d --keep DIR   (~12 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import RESULTS, write_results

OUT = RESULTS / "document_mode_versions.md"
ROOT = Path(__file__).resolve().parent.parent


def measure(index_dir: Path, queries_file: Path, busy: bool) -> dict[str, float]:
    """In a child process whose paravec is one commit's: the figures of one round."""
    from search_latency import busy_cores

    import paravec
    from paravec.search import SearchIndex

    print(f"paravec from {Path(paravec.__file__).parent}", file=sys.stderr)
    index = SearchIndex.open(index_dir)
    queries: list[str] = json.loads(queries_file.read_text())
    if hasattr(index, "warm"):
        index.warm()
    for text in queries:  # the code before warm(): its cache filled as a served version's fills
        index.search(text, mode="document")
    wall, cpu = [], []
    with busy_cores() if busy else _nothing():
        for _ in range(2):
            for text in queries:
                t0, c0 = time.perf_counter(), time.thread_time()
                index.search(text, mode="document")
                wall.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
    return {
        "wall50": float(np.percentile(wall, 50) * 1000),
        "wall95": float(np.percentile(wall, 95) * 1000),
        "cpu50": float(np.percentile(cpu, 50) * 1000),
    }


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _round(tree: Path, index_dir: Path, queries_file: Path, busy: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": f"{tree}{os.pathsep}{ROOT / 'benchmarks'}"}
    args = [sys.executable, __file__, "--measure", str(index_dir), str(queries_file)]
    done = subprocess.run([*args, "--busy"] if busy else args, env=env, cwd=tempfile.gettempdir(),
                          capture_output=True, text=True, check=True)  # fmt: skip
    if f"paravec from {tree / 'paravec'}" not in done.stderr:
        raise RuntimeError(f"the child did not import {tree}'s paravec: {done.stderr[-500:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="the commit to compare this checkout with (required)")
    parser.add_argument("--keep", type=Path, help="document_mode_parts.py's --keep folder (required)")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--busy", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1], args.busy)))
        return 0
    if not args.before or not args.keep:
        parser.error("give --before REV and --keep DIR")
    index_dir, queries_file = args.keep / f"i{args.size}", args.keep / f"document_queries{args.size}.json"
    if not index_dir.is_dir() or not queries_file.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "document_mode_parts.py"), "--size",
                        str(args.size), "--keep", str(args.keep)], check=True)  # fmt: skip
    before_rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.before],
                                capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    after_rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    started, load_start = time.perf_counter(), os.getloadavg()
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="paravec-before-") as tmp:
        before_tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before_tree), before_rev],
                       check=True, capture_output=True)  # fmt: skip
        try:
            for n in range(args.rounds):
                for load in ("idle", "busy"):
                    for label, tree in (("before", before_tree), ("after", ROOT)):
                        got = _round(tree, index_dir, queries_file, load == "busy")
                        rows.setdefault((load, label), []).append(got)
                        print(f"round {n + 1} {load:4s} {label:6s} " + json.dumps(got), flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before_tree)],
                           check=False, capture_output=True)  # fmt: skip

    def cells(load: str, label: str, key: str) -> str:
        return " / ".join(f"{r[key]:.1f}" for r in rows[(load, label)])

    lines = [
        "# Document mode: two commits side by side",
        "",
        f"Generated by `python benchmarks/document_mode_versions.py --before {args.before} --keep DIR` in "
        f"{time.perf_counter() - started:.0f} s on {platform.machine()} with {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. Load average (1 min) at start {load_start[0]:.1f}, at end "
        f"{os.getloadavg()[0]:.1f}. Before: `{before_rev}`; after: `{after_rev}`. "
        f"{args.size:,} documents; each figure is one round's (a fresh process per round, load and "
        "commit, rounds interleaved), milliseconds; 'busy': two spinning processes on both cores.",
        "",
        "| load | measure | before | after | after / before (median of rounds) |",
        "| --- | --- | --- | --- | ---: |",
    ]
    for load in ("idle", "busy"):
        for key, name in (("cpu50", "CPU p50"), ("wall50", "wall p50"), ("wall95", "wall p95")):
            ratio = np.median(
                [a[key] / b[key] for a, b in zip(rows[(load, "after")], rows[(load, "before")], strict=True)]
            )
            lines.append(
                f"| {load} | {name} | {cells(load, 'before', key)} | {cells(load, 'after', key)} | {ratio:.2f} |"
            )
    lines.append("")
    write_results(args.out, "\n".join(lines), {f"{load} {label}": r for (load, label), r in rows.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
