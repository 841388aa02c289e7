"""Load test of ``paravec serve STORE`` across three publishes and a rollback (issue 12, item 9).

A bounded load: ``--readers`` threads, each with one keep-alive connection and one request at a
time (closed loop), search the store's current version through the real server (a child process)
for the whole run. Meanwhile the timeline is: quiet; publish 1 through the service
(``POST /api/documents``: the service builds the next version while it serves the current one);
quiet; publish 2 and 3 by another process running the real command ``paravec store update STORE
BATCH.jsonl --force`` (followed by the service without a restart), publish 2 at the command's
default priority (``--nice 10``: training, report and index sync at nice 10), publish 3 with
``--nice 0`` (the caller's priority, what the command did before); quiet; a rollback by another
process; quiet. Measured side by side in the one run:

* errors: answers other than 200, and failed connections (goal 0);
* p50 / p99 latency of the requests that started during a switch (from the moment a version is
  published until 1 s after the service first answered from it) vs the requests outside switches
  and writes;
* read throughput while a write runs (in the service, and in another process at nice 10 and at
  nice 0) vs the quiet stretches (goal: at least 80%);
* how long each switch took (publish -> first answer from the new version) and whether every
  answer named a version and the service ended on the store's current version.

Run: ``python benchmarks/service_load.py`` (~3 min); ``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import RESULTS, progress_log, write_results
from _service import batches, free_port, make_store, post_documents, request, start_server, wait_ready

import paravec

QUERIES = [
    "bushfires near sydney",
    "hostage crisis",
    "cricket test match",
    "israeli palestinian peace talks",
    "space shuttle",
    "interest rates",
    "afghanistan taliban",
    "qantas strike",
]
SWITCH_AFTER = 1.0  # seconds after the first answer from a new version still counted as "the switch"

_EXTERNAL = """
import json, sys
import paravec
job = json.loads(sys.stdin.read())
store = paravec.Store.open(job["store"])
info = store.rollback(job.get("to"))
print(json.dumps({"number": info.number, "current": store.current}))
"""


class Readers:
    """Closed-loop readers recording (start, end, status, version) of every request."""

    def __init__(self, port: int, n: int) -> None:
        self.port = port
        self.records: list[tuple[float, float, int, str | None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(n)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        j = i
        while not self._stop.is_set():
            query = QUERIES[j % len(QUERIES)].replace(" ", "+")
            j += 1
            start = time.perf_counter()
            try:
                status, version, _ = request(
                    self.port, "GET", f"/api/search?q={query}&mode=hybrid&k=10", connection=conn
                )
            except (OSError, http.client.HTTPException):
                status, version = 0, None
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            with self._lock:
                self.records.append((start, time.perf_counter(), status, version))


def external(store: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Run ``paravec store update`` (the real command) or a rollback in another process, as a
    second user would."""
    if job["action"] == "rollback":
        done = subprocess.run(
            [sys.executable, "-c", _EXTERNAL],
            input=json.dumps({"store": str(store), **job}),
            capture_output=True,
            text=True,
            check=True,
        )
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer
    corpus = store.parent / f"batch-{job['pairs'][0][0].replace('/', '-')}.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": tag, "text": text}) + "\n" for tag, text in job["pairs"]), encoding="utf-8"
    )
    cmd = [sys.executable, "-c", "from paravec.cli import main; main()", "store", "update", str(store)]
    cmd += [str(corpus), "--force", "--json", "--nice", str(job["nice"])]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    record = json.loads(done.stdout[done.stdout.index("{") :])
    return {"number": record["number"], "current": record["number"], "nice": record["options"].get("nice")}


def first_seen(
    records: list[tuple[float, float, int, str | None]], after: float, version: int
) -> float | None:
    """End time of the first answer from ``version`` that started after ``after``."""
    ends = [end for start, end, _, v in records if start >= after and v == str(version)]
    return min(ends) if ends else None


def percentiles(latencies: list[float]) -> dict[str, float | int | None]:
    if not latencies:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    ms = np.asarray(latencies) * 1000.0
    return {
        "n": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
    }


def throughput(
    records: list[tuple[float, float, int, str | None]], windows: list[tuple[float, float]]
) -> float:
    """Answers completed per second inside ``windows``."""
    seconds = sum(b - a for a, b in windows)
    done = sum(1 for _, end, _, _ in records if any(a <= end < b for a, b in windows))
    return done / seconds if seconds > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=4, help="concurrent readers (closed loop)")
    parser.add_argument("--quiet", type=float, default=8.0, help="seconds of reads only between events")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 readers, 3 s quiet stretches")
    parser.add_argument("--out", type=Path, default=RESULTS / "service_load.md")
    args = parser.parse_args()
    if args.quick:
        args.readers, args.quiet = 2, 3.0
    log = progress_log()
    work = Path(tempfile.mkdtemp(prefix="paravec-load-"))
    store_path = work / "lee.store"
    log("creating the store (Lee base model, 300 articles)")
    make_store(store_path)
    batch = batches()
    port = free_port()
    server_log = work / "server.log"
    proc = start_server(store_path, port, server_log)
    events: list[dict[str, Any]] = []
    writes: dict[str, list[tuple[float, float]]] = {"service": [], "nice 10": [], "nice 0": []}
    try:
        wait_ready(proc, port)
        log(f"serving on port {port}; {args.readers} readers")
        readers = Readers(port, args.readers)
        readers.start()
        time.sleep(2.0)  # warm-up: not measured
        measured_from = time.perf_counter()
        time.sleep(args.quiet)

        pointer = paravec.Store.open(store_path)

        niceness: dict[str, Any] = {}

        def publish(kind: str, action: str, job: dict[str, Any]) -> None:
            log(f"{action} ({kind})")
            answer: dict[str, Any] = {}

            def act() -> None:
                if kind == "service":
                    answer["http"] = post_documents(port, job["pairs"])
                else:
                    done = external(store_path, job)
                    answer["number"] = int(done["current"])
                    if "nice" in job:
                        niceness[f"nice {job['nice']}"] = done.get("nice")

            before = pointer.current
            start = time.perf_counter()
            worker = threading.Thread(target=act)
            worker.start()
            published = None
            while worker.is_alive():  # the moment the pointer moves is the publish
                if published is None and pointer.current != before:
                    published = time.perf_counter()
                time.sleep(0.005)
            end = time.perf_counter()
            if kind == "service":
                status, _, body = answer["http"]
                if status != 200:
                    raise RuntimeError(f"POST /api/documents answered {status}: {body}")
                number = int(body["version"])
            else:
                number = answer["number"]
            if action != "rollback":
                writes[kind if kind == "service" else f"nice {job['nice']}"].append((start, end))
            event = {
                "action": action,
                "by": f"`paravec store update --nice {job['nice']}`" if "nice" in job else kind,
                "version": number,
                "start": start,
                "published": published or end,
            }
            events.append(event)
            time.sleep(args.quiet)

        publish("service", "publish", {"pairs": batch[0:15]})
        publish("other process", "publish", {"action": "update", "pairs": batch[15:30], "nice": 10})
        publish("other process", "publish", {"action": "update", "pairs": batch[30:45], "nice": 0})
        publish("other process", "rollback", {"action": "rollback"})
        measured_to = time.perf_counter()
        readers.stop()
        _, final_version, _ = request(port, "GET", "/api/info")
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    store_current = paravec.Store.open(store_path).current
    records = [r for r in readers.records if measured_from <= r[0] < measured_to]
    errors = [r for r in records if r[2] != 200]
    unnamed = [r for r in records if r[2] == 200 and r[3] is None]
    switches: list[tuple[float, float]] = []
    for event in events:
        seen = first_seen(readers.records, event["published"], event["version"])
        event["switch_seconds"] = round(seen - event["published"], 3) if seen is not None else None
        switches.append((event["published"], (seen or event["published"]) + SWITCH_AFTER))
    busy = switches + writes["service"] + writes["nice 10"] + writes["nice 0"]

    def outside(t: float) -> bool:
        return not any(a <= t < b for a, b in busy)

    during_switch = [
        end - start for start, end, s, _ in records if s == 200 and any(a <= start < b for a, b in switches)
    ]
    quiet = [end - start for start, end, s, _ in records if s == 200 and outside(start)]
    quiet_windows: list[tuple[float, float]] = []
    edges = sorted([measured_from, measured_to] + [t for w in busy for t in w])
    for a, b in itertools.pairwise(edges):
        if b - a > 0.2 and outside((a + b) / 2) and measured_from <= a and b <= measured_to:
            quiet_windows.append((a, b))
    base_rate = throughput(records, quiet_windows)
    rate_service = throughput(records, writes["service"])
    rate_other = throughput(records, writes["nice 10"])
    rate_other_0 = throughput(records, writes["nice 0"])
    payload = {
        "readers": args.readers,
        "quiet_seconds": args.quiet,
        "requests": len(records),
        "errors": len(errors),
        "error_statuses": sorted({r[2] for r in errors}),
        "answers_without_version": len(unnamed),
        "final_served_version": final_version,
        "store_current_version": store_current,
        "latency_during_switches": percentiles(during_switch),
        "latency_outside": percentiles(quiet),
        "throughput_quiet_rps": round(base_rate, 2),
        "throughput_during_service_write_rps": round(rate_service, 2),
        "throughput_during_other_process_write_rps": round(rate_other, 2),
        "throughput_during_other_process_write_nice0_rps": round(rate_other_0, 2),
        "service_write_seconds": [round(b - a, 2) for a, b in writes["service"]],
        "other_process_write_seconds": [round(b - a, 2) for a, b in writes["nice 10"] + writes["nice 0"]],
        "other_process_nice_recorded": niceness,
        "load_average": list(os.getloadavg()),
        "events": [{k: v for k, v in e.items() if k not in ("start", "published")} for e in events],
    }
    ratio_service = rate_service / base_rate if base_rate else float("nan")
    ratio_other = rate_other / base_rate if base_rate else float("nan")
    ratio_other_0 = rate_other_0 / base_rate if base_rate else float("nan")
    payload["throughput_ratio_service_write"] = round(ratio_service, 3)
    payload["throughput_ratio_other_process_write"] = round(ratio_other, 3)
    payload["throughput_ratio_other_process_write_nice0"] = round(ratio_other_0, 3)
    sw, qu = payload["latency_during_switches"], payload["latency_outside"]
    lines = [
        "# Service load test: three publishes and a rollback under read load",
        "",
        f"`python benchmarks/service_load.py` — {args.readers} closed-loop readers (`GET /api/search`, hybrid, k=10) "
        f"against `paravec serve STORE` (a child process) on a Lee store (300 base articles, 50 dimensions); "
        f"{args.quiet:g} s of reads only between events. Shared 2-core machine (load average at the end "
        f"{payload['load_average'][0]:.1f} / {payload['load_average'][1]:.1f} / {payload['load_average'][2]:.1f}): "
        "compare the ratios.",
        "",
        "| measure | value | goal |",
        "|---|---|---|",
        f"| requests / errors | {len(records)} / **{len(errors)}** | 0 errors |",
        f"| answers naming their version (`Paravec-Version`) | {len(records) - len(errors) - len(unnamed)} of {len(records) - len(errors)} | all |",
        f"| latency p50 during switches vs outside | {sw['p50_ms']} ms vs {qu['p50_ms']} ms (n={sw['n']} / {qu['n']}) | |",
        f"| latency p99 during switches vs outside | {sw['p99_ms']} ms vs {qu['p99_ms']} ms | |",
        f"| read throughput while the service writes vs quiet | {rate_service:.1f} vs {base_rate:.1f} req/s = **{ratio_service:.0%}** | >= 80% |",
        f"| read throughput while another process runs `paravec store update` (default `--nice 10`) vs quiet | {rate_other:.1f} vs {base_rate:.1f} req/s = **{ratio_other:.0%}** | >= 80% |",
        f"| the same with `--nice 0` (the caller's priority) vs quiet | {rate_other_0:.1f} vs {base_rate:.1f} req/s = **{ratio_other_0:.0%}** | |",
        f"| served version at the end / store's current | {final_version} / {store_current} | equal |",
        "",
        "| event | by | version | write took (s) | pointer moved -> first answer from the new version (s) |",
        "|---|---|---|---|---|",
    ]
    write_times = iter(payload["service_write_seconds"] + payload["other_process_write_seconds"])
    for e in events:
        took = "" if e["action"] == "rollback" else f"{next(write_times)}"
        lines.append(f"| {e['action']} | {e['by']} | {e['version']} | {took} | {e['switch_seconds']} |")
    lines += [
        "",
        "The service polls the store's pointer every second (`paravec serve`'s follow interval), so a "
        "publish by another process is served within about a second plus the time to open the new "
        "version; a write through the service switches when it answers the POST. Requests in flight "
        "finish on the version they started on.",
    ]
    write_results(args.out, "\n".join(lines) + "\n", payload)
    print(
        json.dumps(
            {
                k: payload[k]
                for k in (
                    "errors",
                    "throughput_ratio_service_write",
                    "throughput_ratio_other_process_write",
                    "throughput_ratio_other_process_write_nice0",
                )
            }
        )
    )
    print(
        f"median write through the service: {statistics.median(payload['service_write_seconds'] or [0]):.2f} s"
    )


if __name__ == "__main__":
    main()
