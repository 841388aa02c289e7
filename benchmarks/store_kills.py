"""Kill -9 a store step at random moments, then prove the store is whole (issue 12, item 4).

For each step (``update``, ``rollback``, ``gc``, ``delete``) a child process opens the store, prints
``start`` and runs the step; the parent waits a random time within the step's measured duration
and sends SIGKILL. After every kill the parent opens the store (which removes the leftovers of the
killed step) and checks, without trusting the store's own bookkeeping:

* the store opens, its current version loads from the pickle-free format and passes
  ``paravec.check``;
* its index opens with that model (same fingerprint), holds exactly the model's documents, and
  answers a query;
* nothing was lost: every version that existed before the kill still exists (except those a gc
  was asked to delete), and every object every version names is on disk; the text of every
  document of the current version is in the store;
* leftovers are gone: no temporary or trash version folder, no ``pending.json``, no object that no
  version names, no temporary file.

Where the step was when it died is read from what it left (before the cleanup): before taking the
lock, inside the step (and how far its staging folder got), after the new version was complete but
not yet published, or after the publish. It also runs two updates at once (``--wait 0``: one fails
with a clear message, the other publishes) and checks neither corrupted the other.

    python benchmarks/store_kills.py                 # 50 kills per step, ~15 min on 2 cores
    python benchmarks/store_kills.py --kills 5       # a smoke run
    python benchmarks/store_kills.py --steps update  # one step (runs of a few steps each can go side by side)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import RESULTS, progress_log, work_folder, write_results
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec.store.layout import Layout
from paravec.store.objects import ObjectStore
from paravec.store.referenced import referenced, version_objects
from paravec.tokenizer import tokenize

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("update", "rollback", "gc", "delete")

# The child: open the store, say "start", run one step. Options are JSON on argv.
CHILD = r"""
import json, sys
import paravec
from gensim.models.doc2vec import TaggedDocument
from paravec.tokenizer import tokenize
step, path, arg = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
store = paravec.Store.open(path)
if step == "update":
    docs = [TaggedDocument(tokenize(t), [tag]) for tag, t in arg["texts"].items()]
    print("start", flush=True)
    store.update(docs, arg["texts"], force=True, evaluate_options={"word_benchmarks": False, "sample": 50},
                 epochs=10, workers=1, wait=arg.get("wait", 60))
elif step == "rollback":
    print("start", flush=True)
    store.rollback(arg["to"])
elif step == "gc":
    print("start", flush=True)
    store.gc(keep=arg["keep"])
elif step == "delete":
    print("start", flush=True)
    store.delete(arg["tags"])
print("done", flush=True)
"""


def _lines(name: str) -> list[str]:
    with open(datapath(name), encoding="latin-1") as fh:
        return [line for line in fh.read().splitlines() if line.strip()]


def _texts() -> tuple[dict[str, str], list[str]]:
    base = {f"bg{i}": t for i, t in enumerate(_lines("lee_background.cor"))}
    return base, _lines("lee.cor")


def _run_child(step: str, store: Path, arg: dict[str, Any], kill_after: float | None) -> tuple[str, float]:
    """Run one step; kill it ``kill_after`` seconds after it said start (None: let it finish and
    return how long the step took)."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, step, str(store), json.dumps(arg)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    started = time.perf_counter()
    if line.strip() != "start":
        child.wait()
        raise RuntimeError(
            f"child failed before its step: {line!r} {child.stderr.read() if child.stderr else ''}"
        )
    seconds = 0.0
    if kill_after is not None:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    else:
        child.stdout.readline()  # "done": the step's own time, without the interpreter's exit
        seconds = time.perf_counter() - started
    child.wait()
    if child.returncode == -signal.SIGKILL:
        return "killed", seconds
    if child.returncode != 0:
        raise RuntimeError(f"{step} failed: {child.stderr.read() if child.stderr else ''}")
    return "completed", seconds


def _phase(layout: Layout, before_current: int, before_numbers: list[int]) -> str:
    """Where the killed step was, read from what it left (before any cleanup)."""
    numbers = layout.numbers()
    current = layout.read_pointer()
    staging = [p for p in layout.versions.iterdir() if p.name.startswith((".tmp-", ".trash-"))]
    if current != before_current:
        return "after publish"
    if set(numbers) - set(before_numbers):
        return "version complete, not yet published"
    if set(before_numbers) - set(numbers):
        return "gc: versions removed"
    if staging:
        names = sorted({q.name for p in staging for q in p.iterdir()}) if staging[0].is_dir() else []
        if staging[0].name.startswith(".trash-"):
            return "gc: deleting a version"
        if "version.json" in names:
            return "staging: record written"
        if "index" in names:
            return "staging: index being synced"
        if "model.json" in names:
            return "staging: model written"
        return "staging: writing model chunks"
    if layout.pending.exists():
        return "inside the lock, before writing"
    return "before the lock"


def _verify(path: Path, before_numbers: list[int], may_remove: set[int]) -> list[str]:
    """Open the store and list every way it is not whole (empty list: whole)."""
    problems: list[str] = []
    store = paravec.Store.open(path)
    layout = Layout(path)
    current = store.current
    model = store.model()
    problems += [f"current version {current}: {p}" for p in paravec.check(model)]
    index = store.index(model=model)
    if sorted(index.tags) != sorted(map(str, model.dv.index_to_key)):
        problems.append(f"index of version {current} holds {len(index)} documents, the model {len(model.dv)}")
    if not index.search("police fire", k=3):
        problems.append("the index answers nothing")
    texts = store.texts()
    if set(texts) != set(map(str, model.dv.index_to_key)):
        problems.append(f"texts of {len(set(model.dv.index_to_key) - set(texts))} documents are missing")
    numbers = layout.numbers()
    lost = set(before_numbers) - set(numbers) - may_remove
    if lost:
        problems.append(f"versions lost: {sorted(lost)}")
    if current not in numbers:
        problems.append(f"current version {current} has no folder")
    objects = ObjectStore(layout.objects)
    for number in numbers:
        missing = [d for d in version_objects(layout.version_dir(number)) if not objects.path(d).exists()]
        if missing:
            problems.append(f"version {number} misses {len(missing)} objects")
    leftovers = [p.name for p in layout.versions.iterdir() if p.name.startswith(".")]
    if leftovers:
        problems.append(f"leftover folders: {leftovers}")
    if layout.pending.exists():
        problems.append("pending.json left")
    orphans = {p.name for p in objects.all()} - referenced(layout)
    if orphans:
        problems.append(f"{len(orphans)} objects no version names")
    temporary = [p.name for p in path.iterdir() if p.name.startswith(".")]
    if temporary:
        problems.append(f"temporary files left: {temporary}")
    return problems


def _calibrate(step: str, store: Path, arg: dict[str, Any]) -> float:
    return _run_child(step, store, arg, None)[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=50, help="kills per step (default 50)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=RESULTS / "store_kills.md")
    parser.add_argument(
        "--steps",
        nargs="+",
        choices=STEPS,
        default=list(STEPS),
        help="the steps to kill (default all; several runs with a few steps each can share the cores)",
    )
    args = parser.parse_args()
    log = progress_log()
    rng = random.Random(args.seed)
    work, own = work_folder(args.work, "paravec-kills-")
    base_texts, lee = _texts()
    base_docs = [TaggedDocument(tokenize(t), [tag]) for tag, t in base_texts.items()]
    log("training the base (lee_background, 50 dimensions)")
    base = paravec.train(base_docs, vector_size=50, epochs=20, min_count=2, seed=3, workers=2)
    path = work / "store"
    shutil.rmtree(path, ignore_errors=True)
    paravec.Store.create(path, base, base_texts)
    layout = Layout(path)
    batch_no = 0

    def next_batch() -> dict[str, str]:
        nonlocal batch_no
        batch_no += 1
        picks = rng.sample(range(len(lee)), 5)
        return {f"b{batch_no}-lee{i}": lee[i] for i in picks}

    def quick_version(store: Any) -> None:
        # a cheap version to move between or collect: not what the kills measure
        store.update(
            [TaggedDocument(tokenize(t), [tag]) for tag, t in next_batch().items()],
            evaluate=False,
            force=True,
            epochs=2,
            workers=1,
        )

    results: dict[str, Any] = {"kills_per_step": args.kills, "steps": {}, "step_names": args.steps}
    started_all = time.perf_counter()
    for step in args.steps:
        log(f"{step}: calibrating")

        def arg_for(step: str = step) -> tuple[dict[str, Any], set[int]]:
            store = paravec.Store.open(path)
            if step == "update":
                return {"texts": next_batch()}, set()
            if step == "rollback":
                # Run alone (--steps rollback) the store holds only the base: a rollback to the
                # current version writes nothing, so make versions to move between first.
                while len(layout.numbers()) < 3:
                    quick_version(store)
                numbers = layout.numbers()
                choices = [n for n in numbers if n != store.current] or numbers
                return {"to": rng.choice(choices)}, set()
            if step == "gc":
                # make sure there is something to collect: two quick versions
                for _ in range(2):
                    quick_version(store)
                numbers = layout.numbers()
                keep = 2
                kept = set(numbers[-keep:]) | {store.current}
                return {"keep": keep}, {n for n in numbers if n not in kept}
            model = store.model()
            tags = rng.sample(
                [t for t in model.dv.index_to_key if str(t).startswith("b")] or model.dv.index_to_key, 1
            )
            return {"tags": [str(t) for t in tags]}, set()

        durations = []
        for _ in range(3):
            arg, _removable = arg_for()
            durations.append(_calibrate(step, path, arg))
        window = 1.1 * sorted(durations)[1]
        phases: Counter[str] = Counter()
        failures: list[dict[str, Any]] = []
        completed = kills = tries = 0
        while kills < args.kills and tries < 4 * args.kills:
            tries += 1
            arg, removable = arg_for()
            before_numbers = layout.numbers()
            before_current = layout.read_pointer()
            outcome, _ = _run_child(step, path, arg, rng.uniform(0, window))
            if outcome == "completed":
                completed += 1
            else:
                kills += 1
                phases[_phase(layout, before_current, before_numbers)] += 1
            problems = _verify(path, before_numbers, removable)
            if problems:
                failures.append({"try": tries, "outcome": outcome, "problems": problems})
                log(f"{step} try {tries}: NOT WHOLE: {problems}")
            results["steps"][step] = {
                "kills": kills,
                "completed_before_kill": completed,
                "step_seconds_median": round(sorted(durations)[1], 3),
                "kill_window_seconds": round(window, 3),
                "phases": dict(phases.most_common()),
                "failures": failures,
            }
            # After every round, so a run stopped early (a deadline, a busy machine) still says
            # what it found; the final write below replaces it.
            _write(args.out, results, started_all, layout, path, partial=True)
        log(f"{step}: {kills} kills, {completed} completed before the kill, {len(failures)} failures")

    if "update" in args.steps:
        log("two updates at once (--wait 0)")
        results["concurrent"] = _concurrent(path, next_batch(), next_batch())
    _write(args.out, results, started_all, layout, path, partial=False)
    if own:
        shutil.rmtree(work, ignore_errors=True)


def _write(
    out: Path, results: dict[str, Any], started: float, layout: Layout, path: Path, *, partial: bool
) -> None:
    results["partial"] = partial
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["versions_at_end"] = len(layout.numbers())
    results["disk_mb_at_end"] = round(paravec.Store.open(path).disk_usage()["total"] / 1e6, 1)
    write_results(out, _markdown(results), results)


def _concurrent(path: Path, first: dict[str, str], second: dict[str, str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    before = Layout(path).numbers()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, "update", str(path), json.dumps({"texts": texts, "wait": 0})],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for texts in (first, second)
    ]
    outs = [c.communicate() for c in children]
    codes = [c.returncode for c in children]
    errors = [
        err.strip().splitlines()[-1] for (_out, err), code in zip(outs, codes, strict=True) if code != 0
    ]
    problems = _verify(path, before, set())
    added = sorted(set(Layout(path).numbers()) - set(before))
    return {"exit_codes": codes, "new_versions": added, "error_of_the_other": errors, "problems": problems}


def _markdown(r: dict[str, Any]) -> str:
    names = r.get("step_names", list(STEPS))
    steps = "" if list(names) == list(STEPS) else " --steps " + " ".join(names)
    out = [
        "# Kill -9 during store steps",
        "",
        f"`python benchmarks/store_kills.py --kills {r['kills_per_step']}{steps}`: {r['seconds']:.0f} s, "
        f"{r['versions_at_end']} versions and {r['disk_mb_at_end']} MB at the end."
        + (" **Partial: the run was stopped before every step had its kills.**" if r.get("partial") else ""),
        "",
        "After every kill the store was opened and checked: current version loads (pickle-free) and passes "
        "`paravec.check`, its index opens with it and holds exactly its documents, every earlier version and "
        "every object it names is there, every document's text is kept, and no leftover (temporary or trash "
        "folder, `pending.json`, unnamed object, temporary file) remains.",
        "",
        "| step | kills | finished before the kill | step time (median) | stores not whole after a kill |",
        "|---|---|---|---|---|",
    ]
    for step, s in r["steps"].items():
        out.append(
            f"| {step} | {s['kills']} | {s['completed_before_kill']} | {s['step_seconds_median']:.2f} s | "
            f"{len(s['failures'])} |"
        )
    out += ["", "Where the killed steps were (read from what they left, before the cleanup):", ""]
    for step, s in r["steps"].items():
        phases = ", ".join(f"{k}: {v}" for k, v in s["phases"].items())
        out.append(f"- {step}: {phases}")
    c = r.get("concurrent")
    if c is not None:
        out += [
            "",
            f"Two updates at once with `wait=0`: exit codes {c['exit_codes']}, new versions {c['new_versions']}, "
            f"the other's error: {c['error_of_the_other'] or 'none'}; problems after: {c['problems'] or 'none'}.",
        ]
    failures = [(step, f) for step, s in r["steps"].items() for f in s["failures"]]
    if failures:
        out += ["", "## Failures", ""]
        out += [
            f"- {step} try {f['try']} ({f['outcome']}): {'; '.join(f['problems'])}" for step, f in failures
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
