"""kill -9 of ``paravec serve STORE`` during writes, and what the store looks like afterwards (issue 12, item 4).

Each round starts the real server (a child process, writes on) over one Lee store that lives
through all rounds, sends ``POST /api/documents`` with a batch of 3 new articles, and kills the
server with SIGKILL after a random delay drawn from [0, 1.3 x the time a write takes] (measured
first on two writes that are not killed), so kills land in every step of a write: before it starts,
while the model trains, while the version is written, around the publish, and after the answer.
After each kill the script checks, with a fresh ``paravec.Store.open``:

* the store opens, and the killed write's leftovers (``pending.json``, ``versions/.tmp-*``) are gone;
* the current version's model loads (pickle-free) and passes `paravec.check`;
* its index opens with that model (fingerprints match) and holds exactly the documents with texts;
* nothing the user had is lost: every document of a write that was answered 200 is in the current
  model, its index and the store's texts; the killed batch is there whole or not at all.

The next round's server must start on the store too. Run: ``python benchmarks/service_kill.py``
(``--kills 50``, ~10 min); results in ``benchmarks/results/service_kill.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from _common import RESULTS, progress_log, write_results
from _service import batches, free_port, make_store, post_documents, start_server, wait_ready

import paravec

BATCH = 3


def check_store(path: Path, acknowledged: set[str], killed: list[str]) -> dict[str, Any]:
    """Open the store as a new process would and check everything the module docstring lists."""
    problems: list[str] = []
    store = paravec.Store.open(path)
    leftovers = [p.name for p in (path / "versions").iterdir() if p.name.startswith(".")]
    if (path / "pending.json").exists():
        leftovers.append("pending.json")
    if leftovers:
        problems.append(f"leftovers after open: {leftovers}")
    current = store.current
    model = store.model()
    broken = paravec.check(model)
    if broken:
        problems.append(f"current version {current} fails check: {broken[:2]}")
    index = store.index(model=model)  # refuses a model of another version
    texts = store.texts()
    tags = {str(t) for t in model.dv.index_to_key}
    indexed = set(index.tags)
    if indexed != set(texts) or not indexed <= tags:
        problems.append(f"index holds {len(indexed)} documents, texts {len(texts)}, model {len(tags)}")
    lost = sorted(acknowledged - (tags & indexed & set(texts)))
    if lost:
        problems.append(f"acknowledged documents lost: {lost[:5]}")
    present = [tag in tags for tag in killed]
    if any(present) and not all(present):
        problems.append(f"killed batch half there: {dict(zip(killed, present, strict=True))}")
    return {
        "current": current,
        "documents": len(tags),
        "killed_batch_published": bool(present) and all(present),
        "problems": problems,
    }


def timed_write(port: int, pairs: list[tuple[str, str]], answer: dict[str, Any]) -> None:
    try:
        status, version, body = post_documents(port, pairs)
        answer.update(status=status, version=version, body=body, at=time.perf_counter())
    except OSError as err:  # the server died under the request
        answer.update(status=0, error=type(err).__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--window",
        type=float,
        nargs=2,
        default=(0.0, 1.3),
        metavar=("FROM", "TO"),
        help="kill at a random moment in [FROM, TO] x the time a write takes (default 0 1.3)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "service_kill.md")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    log = progress_log()
    work = Path(tempfile.mkdtemp(prefix="paravec-kill-"))
    store_path = work / "lee.store"
    log("creating the store (Lee base model, 300 articles)")
    make_store(store_path)
    texts = batches()
    acknowledged: set[str] = set()
    server_log = work / "server.log"

    def batch_of(round_: int) -> list[tuple[str, str]]:
        return [(f"kill/{round_:03d}/{j}", texts[(round_ * BATCH + j) % len(texts)][1]) for j in range(BATCH)]

    # Calibration: how long one write takes, from POST to answer (not killed).
    durations = []
    for round_ in (-2, -1):
        port = free_port()
        proc = start_server(store_path, port, server_log)
        wait_ready(proc, port)
        pairs = batch_of(round_ + 1000)
        started = time.perf_counter()
        status, _, _ = post_documents(port, pairs)
        durations.append(time.perf_counter() - started)
        if status == 200:
            acknowledged.update(tag for tag, _ in pairs)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    write_seconds = sorted(durations)[len(durations) // 2]
    low, high = args.window
    log(
        f"a write takes {write_seconds:.2f} s; killing in [{low * write_seconds:.2f}, {high * write_seconds:.2f}] s"
    )

    rounds: list[dict[str, Any]] = []
    for round_ in range(args.kills):
        port = free_port()
        started_at = time.perf_counter()
        proc = start_server(store_path, port, server_log)
        try:
            wait_ready(proc, port)
        except RuntimeError as err:
            rounds.append({"round": round_, "problems": [f"server did not start: {err}"]})
            proc.kill()
            proc.wait()
            continue
        startup = time.perf_counter() - started_at
        pairs = batch_of(round_)
        answer: dict[str, Any] = {}
        writer = threading.Thread(target=timed_write, args=(port, pairs, answer), daemon=True)
        delay = rng.uniform(low * write_seconds, high * write_seconds)
        sent = time.perf_counter()
        writer.start()
        time.sleep(delay)
        children = psutil.Process(proc.pid).children(recursive=True)  # the write's child process
        os.kill(proc.pid, signal.SIGKILL)
        killed_at = time.perf_counter()
        proc.wait()
        # The write's child dies with the service (PR_SET_PDEATHSIG); wait until it is gone.
        _, alive = psutil.wait_procs(children, timeout=10)
        writer.join(timeout=30)
        answered = answer.get("status") == 200 and answer.get("at", killed_at) <= killed_at
        if answered:
            acknowledged.update(tag for tag, _ in pairs)
        try:
            outcome = check_store(store_path, acknowledged, [tag for tag, _ in pairs])
        except Exception as err:  # a store that cannot be opened is the failure this script looks for
            outcome = {"problems": [f"{type(err).__name__}: {err}"]}
        if alive:
            outcome["problems"].append(f"the write outlived the killed service: {[p.pid for p in alive]}")
            for child in alive:
                child.kill()
        outcome.update(
            round=round_,
            delay_s=round(delay, 3),
            at_fraction_of_write=round(delay / write_seconds, 2),
            answered_before_kill=answered,
            status=answer.get("status"),
            startup_s=round(startup, 2),
            killed_after_s=round(killed_at - sent, 3),
        )
        rounds.append(outcome)
        flag = "OK" if not outcome["problems"] else "PROBLEM " + "; ".join(outcome["problems"])
        log(
            f"kill {round_ + 1}/{args.kills} at {delay:.2f} s: answered={answered} "
            f"published={outcome.get('killed_batch_published')} {flag}"
        )

    failed = [r for r in rounds if r["problems"]]
    answered_n = sum(1 for r in rounds if r.get("answered_before_kill"))
    published_unanswered = sum(
        1 for r in rounds if r.get("killed_batch_published") and not r.get("answered_before_kill")
    )
    not_published = sum(1 for r in rounds if not r.get("killed_batch_published") and not r["problems"])
    final = check_store(store_path, acknowledged, [])
    payload = {
        "kills": len(rounds),
        "write_seconds": round(write_seconds, 3),
        "rounds_with_problems": len(failed),
        "answered_before_kill": answered_n,
        "published_but_killed_before_answer": published_unanswered,
        "not_published": not_published,
        "acknowledged_documents": len(acknowledged),
        "final": final,
        "rounds": rounds,
    }
    lines = [
        "# kill -9 of `paravec serve STORE` during writes",
        "",
        f"`python benchmarks/service_kill.py --kills {args.kills} --seed {args.seed} --window {low:g} {high:g}`: "
        f"{len(rounds)} kills of the real server during `POST /api/documents` (batches of {BATCH} Lee test "
        f"articles into a store over the 300 Lee background articles), each at a random moment in "
        f"[{low:g}, {high:g}] x {write_seconds:.2f} s (the time one write took here before the kills), on one "
        "store that lives through all kills.",
        "",
        "| after the kill | rounds |",
        "|---|---|",
        f"| store opens, no leftovers, current loads and passes `paravec check`, index matches, nothing acknowledged lost | **{len(rounds) - len(failed)} of {len(rounds)}** |",
        f"| write answered 200 before the kill (its documents must stay) | {answered_n} |",
        f"| batch published but the server died before answering (whole batch there) | {published_unanswered} |",
        f"| batch not published (killed before the publish; store unchanged) | {not_published} |",
        f"| rounds with a problem | **{len(failed)}** |",
        "",
        f"At the end: current version {final.get('current')}, {final.get('documents')} documents, "
        f"{len(acknowledged)} acknowledged documents all present: {not final.get('problems')}.",
    ]
    for r in failed:
        lines.append(f"- round {r['round']}: {'; '.join(r['problems'])}")
    write_results(args.out, "\n".join(lines) + "\n", payload)


if __name__ == "__main__":
    main()
