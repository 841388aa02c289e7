"""Document mode under load: how queries arrive, and how many candidates each side gives, at 100k.

``search_latency.py`` times document mode with queries sent back to back, one right after the
other. A service's users send them with pauses between. This script times the same warmed
index (`SearchIndex.warm`, as the service serves a version) and the same whole-document queries,
with three arrival patterns: back to back, and with a pause of 10 ms or 50 ms before each query
(the pause is not timed). Each pattern runs idle, while two processes spin on both cores in the
benchmark's session ("busy"), and while they spin in a session of their own ("busy in another
session"; `search_latency.busy_cores`). Back to back and with the 10 ms pause it also times the
index as it queried before the tenth pass (`tenth_pass_undone`: the keyword query's lightest
words kept, tantivy's snippets), side by side with today's. Beside them, back to back, it times the index with 50
(the default) and 100 (the default before) candidates from each side
(`SearchIndex.document_candidates`), to see how much of a query's cost follows the number of
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
from document_mode_quality import term_share
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
CANDIDATES = (50, 100)
SNIPPET_LENGTHS = (250, 1000, 4000)
_PART_HITS = 100  # the keyword hits a part's timing asks for (the candidates a side of the runs so far)
# (label, pause before each query in seconds, candidates a side, keyword search on a second
# thread, the tenth pass undone)
SETTINGS = [
    *(
        (f"{pause * 1000:.0f} ms pause" if pause else "back to back", pause, CANDIDATES[0], False, False)
        for pause in PAUSES
    ),
    *(
        (f"{pause * 1000:.0f} ms pause" if pause else "back to back", pause, CANDIDATES[0], False, True)
        for pause in PAUSES[:2]
    ),
    *((f"back to back, {n} candidates a side", 0.0, n, False, False) for n in CANDIDATES[1:]),
    ("back to back, keyword search on a second thread", 0.0, CANDIDATES[0], True, False),
]
_UNDONE = ", before the tenth pass"


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


@contextlib.contextmanager
def tenth_pass_undone() -> Iterator[None]:
    """Document mode as before the tenth pass: every one of the 64 heaviest words in the keyword
    query (`ranking.document_terms` with ``min_share=0``) and tantivy's snippets, which match
    stems and analyse each hit's text, instead of the words as written."""
    snippets = EmbeddedView.snippets

    def stems(view: EmbeddedView, tags: Any, words: Any, expansions: Any, *, as_written: bool = False) -> Any:
        return snippets(view, tags, words, expansions)

    EmbeddedView.snippets = stems  # type: ignore[method-assign]
    try:
        with term_share(0.0):
            yield
    finally:
        EmbeddedView.snippets = snippets  # type: ignore[method-assign]


def pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))


def timed(idx: SearchIndex, queries: list[str], pause: float) -> tuple[np.ndarray, np.ndarray]:
    """Wall and process CPU milliseconds of each document query, ``pause`` seconds before each."""
    wall, cpu = [], []
    for text in queries:
        if pause:
            time.sleep(pause)
        t0, c0 = time.perf_counter(), time.process_time()
        idx.search(text, mode="document", k=10)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return np.array(wall) * 1000, np.array(cpu) * 1000


def overlap(idx: SearchIndex, queries: list[str]) -> dict[str, tuple[float, float]]:
    """Milliseconds per query of three parts of a document query, alone and two at once (a helper
    thread runs the same call beside the calling thread): which parts let go of the GIL."""
    view, encoder = idx.backend.view(), idx._encoder
    cache = DocumentCache(view, idx.model.wv, encoder.analysis)
    words = [encoder.analysis(text) for text in queries]
    weights = [ranking.document_terms(w, cache, ranking.MAX_QUERY_TERMS) for w in words]
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
        before = thread_ticks()
        for text in queries:
            idx.search(text, mode="document", k=10)
        ticks = {tid: n - before.get(tid, 0) for tid, n in thread_ticks().items()}
        caller = str(threading.get_native_id())
        for load in LOADS:
            spinning = busy_cores(own_session=load != "busy") if load != "idle" else contextlib.nullcontext()
            with spinning:
                for _round in range(args.rounds):
                    for label, pause, candidates, two_threads, undone in SETTINGS:
                        idx.document_candidates = candidates
                        label += _UNDONE if undone else ""
                        with contextlib.ExitStack() as stack:
                            if two_threads:
                                stack.enter_context(keyword_search_beside())
                            if undone:
                                stack.enter_context(tenth_pass_undone())
                            wall, cpu = timed(idx, queries, pause)
                        rows.setdefault((load, label), []).append(
                            (pct(wall, 50), pct(wall, 95), pct(cpu, 50), pct(cpu, 95))
                        )
                        print(load, label, f"wall p50 {pct(wall, 50):.2f} ms, CPU p50 {pct(cpu, 50):.2f} ms")
                idx.document_candidates = CANDIDATES[0]
    finally:
        if own_folder:
            shutil.rmtree(tmp, ignore_errors=True)
    load_end = os.getloadavg()

    def cell(values: list[tuple[float, float, float, float]], i: int) -> str:
        return f"{np.median([v[i] for v in values]):.2f}"

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
            "two at once": overlapped,
            "snippet microseconds": snippets,
            "thread ticks": ticks,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
