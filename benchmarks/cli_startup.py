"""Start-up time of the ``paravec`` command line: every ``--help``, and ``info`` / ``check`` on a small model.

Each command runs ``--repeats`` times after one unmeasured warm-up run (as hyperfine does), each in
a fresh process; the result is the median and the minimum of wall time and of the child's CPU time
(user + system, from ``os.wait4``), since other processes on a shared machine inflate wall time.
Floors measured the same way: the bare interpreter (``python -c pass``) and ``import gensim``
(what ``info`` and ``check`` cannot avoid: they load a gensim model).

The first run after an install pays once for what later runs find on disk: Python's bytecode
(``__pycache__``) and numba's compiled kernels (``cache=True``). That cost is measured by running
``check`` and an update of the small model (which compiles paravec's training kernel) with an empty
bytecode prefix (``PYTHONPYCACHEPREFIX``) and an empty ``NUMBA_CACHE_DIR``, then again warm.

Goals (issue 14): every ``--help`` <= 0.5 s; ``info`` and ``check`` on a small model <= 1.5 s.

Writes benchmarks/results/cli_startup.md.

Run:  python benchmarks/cli_startup.py              (about 2-4 minutes on 2 cores)
      python benchmarks/cli_startup.py --repeats 3  (quicker)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, write_results

OUT = RESULTS / "cli_startup.md"
HELP_GOAL = 0.5
MODEL_GOAL = 1.5


def paravec_command() -> list[str]:
    """The ``paravec`` console script of this interpreter's environment (or its entry point)."""
    script = Path(sys.executable).with_name("paravec")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from paravec.cli import main; main()"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and exit code of one run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def timed(argv: list[str], repeats: int, env: dict[str, str]) -> dict[str, float]:
    """Median and minimum wall and CPU seconds over ``repeats`` runs after one warm-up."""
    run_once(argv, env)
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu, code = run_once(argv, env)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} exited with {code}")
        walls.append(wall)
        cpus.append(cpu)
    return {
        "wall": statistics.median(walls),
        "wall_min": min(walls),
        "cpu": statistics.median(cpus),
        "cpu_min": min(cpus),
    }


def small_model(folder: Path) -> Path:
    """A Doc2Vec of 300 Lee articles, 32 dimensions, saved with paravec."""
    import paravec
    from paravec import datasets

    docs = datasets.lee_background_documents()
    model = paravec.train(docs, vector_size=32, epochs=2, min_count=2, seed=0, workers=1)
    path = folder / "small.model"
    paravec.save(model, path)
    return path


def first_run(model: Path, folder: Path, env: dict[str, str]) -> list[str]:
    """Rows of what the first run after an install costs, against the same command warm."""
    cold_env = dict(env, PYTHONPYCACHEPREFIX=str(folder / "pycache"), NUMBA_CACHE_DIR=str(folder / "numba"))
    # The first run writes the bytecode the next runs read, as after an install.
    cold_env.pop("PYTHONDONTWRITEBYTECODE", None)
    batch = folder / "batch.txt"
    batch.write_text("a new document about bushfires near sydney\nanother one about the shuttle\n")
    update = [*paravec_command(), "update", str(model), str(batch), "--out", str(folder / "u.model")]
    check = [*paravec_command(), "check", str(model)]
    rows = []
    for label, argv in (("check", check), ("update (compiles the training kernel)", update)):
        cold, cold_cpu, _ = run_once(argv, cold_env)
        warm = timed(argv, 3, cold_env)
        rows.append(
            f"| {label} | {cold:.2f} s ({cold_cpu:.2f} s CPU) | {warm['wall']:.2f} s ({warm['cpu']:.2f} s CPU) |"
        )
        print(rows[-1], flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    from paravec.cli import _COMMAND_MODULES

    started = time.perf_counter()
    load_start = os.getloadavg()
    env = dict(os.environ)
    folder = Path(tempfile.mkdtemp(prefix="paravec-cli-"))
    try:
        model = small_model(folder)
        cases: list[tuple[str, list[str], float | None]] = [
            ("python -c pass (floor)", [sys.executable, "-c", "pass"], None),
            (
                "python -c 'import gensim' (floor of info/check)",
                [sys.executable, "-c", "import gensim"],
                None,
            ),
            ("paravec --help", [*paravec_command(), "--help"], HELP_GOAL),
        ]
        cases += [
            (f"paravec {c} --help", [*paravec_command(), c, "--help"], HELP_GOAL) for c in _COMMAND_MODULES
        ]
        cases += [
            ("paravec info small.model", [*paravec_command(), "info", str(model)], MODEL_GOAL),
            ("paravec check small.model", [*paravec_command(), "check", str(model)], MODEL_GOAL),
        ]
        rows = []
        for label, command, goal in cases:
            t = timed(command, args.repeats, env)
            verdict = "" if goal is None else ("met" if t["wall"] <= goal else "NOT met")
            cpu_verdict = "" if goal is None else ("met" if t["cpu"] <= goal else "NOT met")
            rows.append(
                f"| {label} | {t['wall']:.2f} | {t['wall_min']:.2f} | {t['cpu']:.2f} | {t['cpu_min']:.2f} | "
                f"{'' if goal is None else f'{goal:g} s'} | {verdict} | {cpu_verdict} |"
            )
            print(rows[-1], flush=True)
        cold_rows = first_run(model, folder, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load_end = os.getloadavg()
    lines = [
        "# Command-line start-up",
        "",
        f"Generated by `python benchmarks/cli_startup.py` in {time.perf_counter() - started:.0f} s on "
        f"{platform.machine()} with {os.cpu_count()} CPUs, Python {platform.python_version()}. Load average "
        f"(1 min) at start {load_start[0]:.1f}, at end {load_end[0]:.1f}: other processes shared the CPUs, "
        "which inflates wall time; the child's CPU time is shown beside it.",
        "",
        f"Each command: one warm-up run, then {args.repeats} runs, each a fresh process; seconds. The small "
        "model: 300 Lee articles, 32 dimensions.",
        "",
        "| command | wall median | wall min | CPU median | CPU min | goal | wall | CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        *rows,
        "",
        "First run after an install (no bytecode, no numba cache) against the next runs:",
        "",
        "| command | first run | warm (median of 3) |",
        "| --- | ---: | ---: |",
        *cold_rows,
        "",
    ]
    write_results(args.out, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
