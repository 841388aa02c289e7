"""Document mode under load: how queries arrive, and how many candidates each side gives, at 100k.

``search_latency.py`` times document mode with queries sent back to back, one right after the
other. A service's users send them with pauses between. This script times the same warmed
index (`SearchIndex.warm`, as the service serves a version) and the same whole-document queries,
with three arrival patterns: back to back, and with a pause of 10 ms or 50 ms before each query
(the pause is not timed). Each pattern runs idle, while two processes spin on both cores in the
benchmark's session ("busy"), and while they spin in a session of their own ("busy in another
session"; `search_latency.busy_cores`). Beside each query, back to back and with the 10 ms
pause, it times a stand-in job that is not paravec's (`stand_in`: small matrix products taking
the idle query's median CPU time): the two take the same wall time for their CPU time when
what a query waits for is the scheduler's share of a busy machine, not anything of its own.
Back to back, it also times the index with 25 (the default) and 50 (the default before)
candidates from each side (`SearchIndex.document_candidates`), to see how much of a query's cost follows the number of
candidates, and with the keyword search on a second thread
while the querying thread infers the query (a prototype of two threads per query, made here by
wrapping the index view's keyword search; CPU is then the process's, both threads). Rounds alternate the settings, so a change in the
machine's speed hits each alike; the table gives the median of the rounds' p50 and p95. Before
all that, idle, three parts of a query are timed alone and two at once on two threads: which
parts let go of the GIL, so that one query could overlap them; which threads of the process a
query's CPU time falls on; and what one snippet costs by text length with the text field's regex
tokenizer against tantivy's simple one.

The index and queries are ``document_mode_parts.py``'s (``search_latency.py``'s functions and
seed): a PV-DBOW model on gensim's Wikipedia extract, 100,000 synthetic documents of 50-250 words
drawn from its vocabulary, 100 indexed documents as queries, k=10.

Run:  python benchmarks/document_mode_load.py --keep DIR      (builds in DIR once, ~3 minutes
      to build and ~5 to measure; later runs reuse it)
      python benchmarks/document_mode_load.py --size 10000    (quick)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import tantivy
from _common import RESULTS, work_folder, write_results
from document_mode_parts import kept_index
from search_latency import busy_cores
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer

from paravec.linalg import limited_blas
from paravec.search import SearchIndex, ranking
from paravec.search.analyzer import TOKEN_PATTERN
from paravec.search.document_cache import DocumentCache
from paravec.search.embedded import EmbeddedView

OUT = RESULTS / "document_mode_load.md"
LOADS = ("idle", "busy", "busy in another session")
PAUSES = (0.0, 0.01, 0.05)
CANDIDATES = (25, 50)
SNIPPET_LENGTHS = (250, 1000, 4000)
GOAL_P50 = 15.0  # issue 14, item 3: document mode's wall p50 in ms, idle and busy
_PART_HITS = 100  # the keyword hits a part's timing asks for (the candidates a side of the runs so far)
_STAND_IN = "stand-in job of the idle query's CPU, not paravec's"
# (label, pause before each query in seconds, candidates a side, keyword search on a second
# thread, the stand-in job instead of the query)
SETTINGS = [
    *(
        (f"{pause * 1000:.0f} ms pause" if pause else "back to back", pause, CANDIDATES[0], False, False)
        for pause in PAUSES
    ),
    *((f"back to back, {n} candidates a side", 0.0, n, False, False) for n in CANDIDATES[1:]),
    ("back to back, keyword search on a second thread", 0.0, CANDIDATES[0], True, False),
    *(
        (
            f"{_STAND_IN}, {pause * 1000:.0f} ms pause" if pause else f"{_STAND_IN}, back to back",
            pause,
            0,
            False,
            True,
        )
        for pause in PAUSES[:2]
    ),
]


class _Later(Sequence[tuple[int, float]]):
    """A keyword ranking still being computed on another thread; reading it waits for it."""

    def __init__(self, future: Future[list[tuple[int, float]]]) -> None:
        self._future = future

    def __len__(self) -> int:
        return len(self._future.result())

    def __getitem__(self, i: Any) -> Any:
        return self._future.result()[i]

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return iter(self._future.result())


@contextlib.contextmanager
def keyword_search_beside() -> Iterator[None]:
    """Document mode's keyword search (tantivy lets go of the GIL) on a helper thread while the
    querying thread infers the query: ranking reads the keyword ranking only after the inference."""
    original = EmbeddedView.document_candidates
    with ThreadPoolExecutor(1) as helper:

        def beside(view: EmbeddedView, weights: Any, n: int) -> Any:
            return _Later(helper.submit(original, view, weights, n))

        EmbeddedView.document_candidates = beside  # type: ignore[method-assign]
        try:
            yield
        finally:
            EmbeddedView.document_candidates = original  # type: ignore[method-assign]


def pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))


def timed(calls: Sequence[Callable[[], Any]], pause: float) -> tuple[np.ndarray, np.ndarray]:
    """Wall and process CPU milliseconds of each call, ``pause`` seconds before each."""
    wall, cpu = [], []
    for call in calls:
        if pause:
            time.sleep(pause)
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return np.array(wall) * 1000, np.array(cpu) * 1000


def stand_in(cpu_ms: float) -> Callable[[], None]:
    """A job of about ``cpu_ms`` milliseconds of one thread's CPU that is not paravec's: products of
    a small matrix that stays in the cache, repeated. Timed like a query under each load, it
    shows what the scheduler gives any job of that length, whatever the job does."""
    a = np.random.default_rng(0).random((48, 48), dtype=np.float32)
    out = np.empty_like(a)
    with limited_blas(1):
        c0 = time.thread_time()
        for _ in range(2000):
            np.dot(a, a, out=out)
        each = (time.thread_time() - c0) / 2000
    repeats = max(1, round(cpu_ms / 1000 / each))

    def job() -> None:
        with limited_blas(1):
            for _ in range(repeats):
                np.dot(a, a, out=out)

    return job


def overlap(idx: SearchIndex, queries: list[str]) -> dict[str, tuple[float, float]]:
    """Milliseconds per query of three parts of a document query, alone and two at once (a helper
    thread runs the same call beside the calling thread): which parts let go of the GIL."""
    view, encoder = idx.backend.view(), idx._encoder
    cache = DocumentCache(view, idx.model.wv, encoder.analysis)
    words = [encoder.analysis(text) for text in queries]
    weights = [ranking.document_terms(w, cache, ranking.MAX_DOCUMENT_TERMS) for w in words]
    tops = [
        [view.tag(slot) or "" for slot, _ in view.document_candidates(w, _PART_HITS)[:10]] for w in weights
    ]
    parts: dict[str, Callable[[int], object]] = {
        f"keyword search (BM25, 64 words, {_PART_HITS} hits)": lambda i: view.document_candidates(
            weights[i], _PART_HITS
        ),
        "query inference": lambda i: encoder.infer(words[i]),
        "snippets of the top 10": lambda i: view.snippets(
            tops[i], list(weights[i])[: ranking._SNIPPET_TERMS], {}, as_written=True
        ),
    }
    out = {}
    with ThreadPoolExecutor(1) as helper, limited_blas(1):
        for name, part in parts.items():
            for i in range(len(queries)):  # first calls of the helper thread
                helper.submit(part, i).result()
            start = time.perf_counter()
            for i in range(len(queries)):
                part(i)
            alone = time.perf_counter() - start
            start = time.perf_counter()
            for i in range(len(queries)):
                beside = helper.submit(part, i)
                part(i)
                beside.result()
            both = time.perf_counter() - start
            out[name] = (alone * 1000 / len(queries), both * 1000 / len(queries))
    return out


def snippet_costs(texts: list[str]) -> dict[str, list[float]]:
    """Microseconds of one tantivy snippet per 250, 1,000 and 4,000 characters of text, with the
    regex tokenizer of the text field (`paravec.search.analyzer.TOKEN_PATTERN`) and with tantivy's
    simple tokenizer, each without and with the English stemmer."""
    text = " ".join(texts)[:4000]
    tokenizers = {"regex": lambda: Tokenizer.regex(TOKEN_PATTERN), "simple": Tokenizer.simple}
    out = {}
    for name, tokenizer in tokenizers.items():
        for stem in (False, True):
            builder = tantivy.SchemaBuilder()
            builder.add_text_field("text", stored=True, tokenizer_name="a")
            schema = builder.build()
            index = tantivy.Index(schema)
            analyzer = TextAnalyzerBuilder(tokenizer()).filter(Filter.lowercase())
            if stem:
                analyzer = analyzer.filter(Filter.stemmer("english"))
            index.register_tokenizer("a", analyzer.build())
            writer = index.writer(15_000_000, 1)
            for length in SNIPPET_LENGTHS:
                writer.add_document(tantivy.Document(text=text[:length]))
            writer.commit()
            index.reload()
            searcher = index.searcher()
            query = Query.boolean_query(
                [(Occur.Should, Query.term_query(schema, "text", w.lower())) for w in text.split()[:16]]
            )
            generator = tantivy.SnippetGenerator.create(searcher, query, schema, "text")
            generator.set_max_num_chars(240)
            docs = sorted(
                (searcher.doc(address) for _score, address in searcher.search(Query.all_query(), 10).hits),
                key=lambda doc: len(doc.get_first("text") or ""),
            )
            costs = []
            for doc in docs:
                start = time.perf_counter()
                for _ in range(200):
                    generator.snippet_from_doc(doc)
                costs.append((time.perf_counter() - start) / 200 * 1e6)
            out[f"{name}{' + English stemmer' if stem else ''}"] = costs
    return out


def thread_ticks() -> dict[str, int]:
    """CPU clock ticks so far of each thread of this process (Linux), by thread id."""
    ticks = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):  # the thread ended meanwhile (either error)
            continue
        ticks[tid] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the index in this folder once, reuse it"
    )
    args = parser.parse_args(argv)
    started, load_start = time.perf_counter(), os.getloadavg()
    tmp, own_folder = work_folder(args.keep, "paravec-docload-")
    rows: dict[tuple[str, str], list[tuple[float, float, float, float]]] = {}
    try:
        idx, queries = kept_index(tmp, args.size, args.queries, args.seed)
        warm_start = time.process_time()
        idx.warm()
        warm_cpu = time.process_time() - warm_start
        for text in queries[:10]:  # first calls: compiled kernels, readers
            idx.search(text, mode="document", k=10)
        overlapped = overlap(idx, queries)
        snippets = snippet_costs(queries)
        searches = [lambda text=text: idx.search(text, mode="document", k=10) for text in queries]
        before = thread_ticks()
        _wall, idle_cpu = timed(searches, 0.0)
        ticks = {tid: n - before.get(tid, 0) for tid, n in thread_ticks().items()}
        # Calibrated idle and alone, before any load: the median query's CPU, in a job of its own.
        jobs = [stand_in(pct(idle_cpu, 50))] * len(queries)
        caller = str(threading.get_native_id())
        for load in LOADS:
            spinning = busy_cores(own_session=load != "busy") if load != "idle" else contextlib.nullcontext()
            with spinning:
                for _round in range(args.rounds):
                    for label, pause, candidates, two_threads, standing_in in SETTINGS:
                        idx.document_candidates = candidates or CANDIDATES[0]
                        with contextlib.ExitStack() as stack:
                            if two_threads:
                                stack.enter_context(keyword_search_beside())
                            wall, cpu = timed(jobs if standing_in else searches, pause)
                        rows.setdefault((load, label), []).append(
                            (pct(wall, 50), pct(wall, 95), pct(cpu, 50), pct(cpu, 95))
                        )
                        print(load, label, f"wall p50 {pct(wall, 50):.2f} ms, CPU p50 {pct(cpu, 50):.2f} ms")
                idx.document_candidates = CANDIDATES[0]
    finally:
        if own_folder:
            shutil.rmtree(tmp, ignore_errors=True)
    load_end = os.getloadavg()

    def median(values: list[tuple[float, float, float, float]], i: int) -> float:
        return float(np.median([v[i] for v in values]))

    def cell(values: list[tuple[float, float, float, float]], i: int) -> str:
        return f"{median(values, i):.2f}"

    def share(load: str, label: str) -> tuple[float, float, float]:
        # Wall over CPU p50 of the query and of the stand-in; the CPU a 15 ms wall p50 allows.
        query, job = rows[(load, label)], rows[(load, f"{_STAND_IN}, {label}")]
        job_ratio = median(job, 0) / median(job, 2)
        return median(query, 0) / median(query, 2), job_ratio, GOAL_P50 / job_ratio

    scheduled = [
        (load, label, *share(load, label)) for load in LOADS for label in ("back to back", "10 ms pause")
    ]

    lines = [
        "# Document mode under load: arrival and candidates",
        "",
        f"Generated by `python benchmarks/document_mode_load.py --size {args.size} --rounds {args.rounds}"
        f"{' --keep DIR' if args.keep else ''}` in {time.perf_counter() - started:.0f} s on "
        f"{platform.machine()} with {os.cpu_count()} CPUs, Python {platform.python_version()}, numpy "
        f"{np.__version__}. Load average (1 min) at start {load_start[0]:.1f}, at end {load_end[0]:.1f}. "
        f"{args.size:,} documents, {len(queries)} whole indexed documents as queries, k=10, on an index "
        f"warmed first ({warm_cpu:.1f} s of CPU). Each figure is the median over {args.rounds} "
        "interleaved rounds of that round's percentile; CPU is the process's (all its threads).",
        "",
        "| load | queries | wall p50 (ms) | wall p95 (ms) | CPU p50 (ms) | CPU p95 (ms) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {load} | {label} | {cell(v, 0)} | {cell(v, 1)} | {cell(v, 2)} | {cell(v, 3)} |"
            for (load, label), v in rows.items()
        ],
        "",
        f"What the scheduler gives a job of a query's length: wall p50 over CPU p50 of the query and "
        f"of the stand-in job (the idle query's CPU p50 in small matrix products, one thread, "
        f"calibrated idle before the loads), and so the CPU p50 a query may take for a wall p50 of "
        f"{GOAL_P50:.0f} ms (issue 14, item 3) under each load.",
        "",
        f"| load | queries | query wall / CPU | stand-in wall / CPU | CPU for a {GOAL_P50:.0f} ms p50 (ms) |",
        "| --- | --- | ---: | ---: | ---: |",
        *[f"| {load} | {label} | {q:.2f} | {j:.2f} | {c:.1f} |" for load, label, q, j, c in scheduled],
        "",
        "Two calls of one part of a document query at once, idle: each part alone, then with a "
        "helper thread running the same call beside the calling thread (wall milliseconds per "
        "query). A part that lets go of the GIL takes little more for two than for one.",
        "",
        "| part | one call (ms) | two at once (ms) |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {one:.2f} | {two:.2f} |" for name, (one, two) in overlapped.items()],
        "",
        f"CPU clock ticks of the process's threads over the {len(queries)} queries once more, "
        f"idle: the calling thread {ticks.get(caller, 0)}, all others {sum(ticks.values()) - ticks.get(caller, 0)}.",
        "",
        "One tantivy snippet (16 highlighted words, at most 240 characters) of a text of 250, "
        "1,000 and 4,000 characters, microseconds, by the tokenizer of the field:",
        "",
        "| tokenizer | 250 | 1,000 | 4,000 |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | " + " | ".join(f"{c:.0f}" for c in costs) + " |" for name, costs in snippets.items()],
        "",
    ]
    payload = {f"{load} / {label}": v for (load, label), v in rows.items()}
    write_results(
        args.out,
        "\n".join(lines),
        {
            "latency": payload,
            "scheduler": {f"{load} / {label}": [q, j, c] for load, label, q, j, c in scheduled},
            "two at once": overlapped,
            "snippet microseconds": snippets,
            "thread ticks": ticks,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
