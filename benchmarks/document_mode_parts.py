"""Where a document-mode query spends its time, part by part, at 100k documents.

The index, model and queries are those of ``search_latency.py`` (same functions, same seed): a
PV-DBOW model on gensim's Wikipedia extract, synthetic documents of 50-250 words drawn from its
vocabulary, whole indexed documents as queries. Each query runs the steps of
`paravec.search.ranking` one by one, with BLAS on the calling thread as ranking runs it, and
each step's CPU time of the calling thread (``time.thread_time``) is recorded: the query's
analysis and key terms, the keyword and vector candidates, the query's inference, the
candidates' rows from the per-version cache (``first sight`` on a new cache, then ``cached``),
the query's row, the three measures, the snippets of the top 10; and on a cache warmed first
(``warmed``, `DocumentCache.warm`, as the service serves a version). Beside them, in the same run
and on the same candidates, the reference formula computed afresh
(`paravec.search.similarity.similarities`, what scoring costs with no cache at all).

Run:  python benchmarks/document_mode_parts.py            (100k documents, about 5 minutes)
      python benchmarks/document_mode_parts.py --size 10000
      python benchmarks/document_mode_parts.py --keep DIR    (builds in DIR once; later runs reuse it)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import RESULTS, write_results
from search_latency import embedded_index, synthetic, train_model

from paravec.linalg import limited_blas
from paravec.search import SearchIndex, ranking
from paravec.search.document_cache import DocumentCache
from paravec.search.feedback import FEEDBACK_DOCUMENTS, FEEDBACK_WEIGHT, rocchio_vector
from paravec.search.forward import KEYS as FORWARD_KEYS
from paravec.search.forward import ForwardIndex
from paravec.search.similarity import similarities
from paravec.tokenizer import tokenize

OUT = RESULTS / "document_mode_parts.md"
# The rows that make up a query as ranking runs it (the others are beside it, for comparison).
_IN_THE_QUERY = (
    "query analysis",
    "key terms",
    "keyword candidates",
    "query inference",
    "vector candidates",
    "candidate rows",
    "feedback (Rocchio",
    "second-order similarities",
    "query row",
    "three measures (TF-IDF, soft, Doc2Vec), pruned",
    "snippets",
)


def _timed(parts: dict[str, list[float]], name: str, fn: Callable[[], Any]) -> Any:
    start = time.thread_time()
    result = fn()
    parts.setdefault(name, []).append((time.thread_time() - start) * 1000)
    return result


def one_query(parts: dict[str, list[float]], idx: Any, cache: DocumentCache, text: str, label: str) -> None:
    """The steps of ``rank(mode="document", k=10)`` for ``text``, with the index's settings
    (its ``document_candidates`` a side, feedback, second-order similarity); rows timed under
    ``label``."""
    view, encoder = idx.backend.view(), idx._encoder
    n, feedback = max(10, idx.document_candidates), FEEDBACK_DOCUMENTS
    words = _timed(parts, "query analysis", lambda: encoder.analysis(text))
    weights = _timed(
        parts,
        "key terms",
        lambda: ranking.document_terms(tokenize(text), cache, ranking.MAX_DOCUMENT_TERMS),
    )
    terms = list(weights)
    keyword = _timed(
        parts, "keyword candidates (BM25)", lambda: view.document_candidates(weights, max(n, feedback))
    )
    inferred = _timed(
        parts,
        "query inference",
        lambda: encoder.infer(words, ranking.document_epochs(idx.model, idx.infer_epochs)),
    )
    vector_query = _timed(
        parts,
        "feedback (Rocchio: the top keyword hits' vectors, the moved query)",
        lambda: rocchio_vector(
            inferred, view.unit_vectors([slot for slot, _score in keyword[:feedback]]), FEEDBACK_WEIGHT
        ).astype(np.float32),
    )
    vector = _timed(parts, "vector candidates", lambda: view.vector_candidates(vector_query, n))
    metric = idx._metrics.get(view)
    vector_slots = [slot for slot, _cosine in vector]
    seen = set(vector_slots)
    every = vector_slots + [slot for slot, _score in keyword if slot not in seen]
    rescored = _timed(
        parts,
        "second-order similarities of the candidates (both sides', one call)",
        lambda: dict(
            zip(every, ranking._similarities(view, metric, vector_query, every).tolist(), strict=True)
        ),
    )
    candidates = list(dict.fromkeys([s for s, _ in keyword] + vector_slots))
    found = _timed(parts, "candidate rows", lambda: cache.candidates(candidates))
    slots = found.slots
    cosines = np.array([rescored[s] for s in slots])
    query_row = _timed(parts, "query row and soft norm", lambda: cache.query_row(words))
    calibration = idx.calibration()
    z = calibration.z
    kept, pruned = _timed(
        parts,
        "three measures (TF-IDF, soft, Doc2Vec), pruned to the top 10's reach",
        lambda: cache.best(query_row, found, cosines, calibration, 10),
    )
    parts.setdefault("candidates whose soft cosine was computed (count)", []).append(len(kept))
    measures = _timed(
        parts,
        "three measures of every candidate (not pruned; before this pass)",
        lambda: cache.measures(query_row, found, cosines),
    )
    scores = z(measures)
    top = [slots[i] for i in np.argsort(-scores, kind="stable")[:10]]
    # Pruning keeps the top 10 and their scores. The word cosines come from float32 products of
    # the candidates computed together, so a score may differ from the unpruned one in its last
    # bits, or by more where a word pair rounds to either side of the soft cosine's threshold.
    assert set(top) <= {slots[i] for i in kept}
    np.testing.assert_allclose(pruned, scores[kept], rtol=0, atol=5e-3)
    shown = terms[: ranking._SNIPPET_TERMS]
    _timed(
        parts,
        "snippets of the top 10",
        lambda: view.snippets([view.tag(s) for s in top], shown, {}, as_written=True),
    )
    if label == "cached":
        # The reference formula, computed afresh for the same candidates (no cache at all).
        texts = view.texts([view.tag(s) or "" for s in slots])
        tokens = [encoder.analysis(texts[view.tag(s) or ""]) for s in slots]

        def afresh() -> np.ndarray:
            df, n = view.document_frequencies(words + [w for doc in tokens for w in doc])
            return similarities(words, tokens, cosines, df, n, encoder.model.wv)

        reference = _timed(parts, "reference formula afresh (no cache)", afresh)
        np.testing.assert_allclose(measures, reference, rtol=0, atol=1e-3)


def kept_index(folder: Path, size: int, n_queries: int, seed: int) -> tuple[SearchIndex, list[str]]:
    """``search_latency.py``'s index of ``size`` documents in ``folder`` (reused when there) and
    the texts of ``n_queries`` of its documents, spread over it."""
    queries_file = folder / f"document_queries{size}.json"
    if (folder / f"i{size}").is_dir() and queries_file.exists():
        queries: list[str] = json.loads(queries_file.read_text())
        return SearchIndex.open(folder / f"i{size}"), queries[:n_queries]
    rng = np.random.default_rng(seed)
    base = train_model(seed)
    texts, vectors = synthetic(base, size, rng, "syn:")
    idx, _model_path, _build, _reopen = embedded_index(base, texts, vectors, size, folder)
    picks = np.linspace(0, size - 1, n_queries).round().astype(int)
    queries = [texts[i][1] for i in picks]
    queries_file.write_text(json.dumps(queries))
    return idx, queries


def _p(values: Any, q: float) -> str:
    return "" if values is None else f"{np.percentile(values, q):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="build the index (and its queries) in this folder once, reuse it",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load_start = os.getloadavg()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="paravec-docparts-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        idx, queries = kept_index(tmp, args.size, args.queries, args.seed)
        idx.calibration()
        view = idx.backend.view()
        n_segments = view._searcher.num_segments
        cache = DocumentCache(view, idx.model.wv, idx._encoder.analysis)
        kept_words = cache._forward is not None
        # The same queries on a second new cache that analyses each candidate's text (an index
        # built before the words were kept, or a document added since the build).
        analysing = DocumentCache(view, idx.model.wv, idx._encoder.analysis)
        analysing._forward = None
        # And on a third cache warmed first, as the service warms a version (`DocumentCache.warm`).
        warmed = DocumentCache(view, idx.model.wv, idx._encoder.analysis)
        parts: dict[str, dict[str, list[float]]] = {
            "first sight": {},
            "analysed": {},
            "cached": {},
            "warmed": {},
        }
        with limited_blas(1):
            start = time.process_time()
            warmed.warm()
            warm_cpu = time.process_time() - start
            caches = {"first sight": cache, "analysed": analysing, "cached": cache, "warmed": warmed}
            for label, timings in parts.items():
                for text in queries:
                    one_query(timings, idx, caches[label], text, label)
        # What keeping the words costs a build: analysing every text once, timed alone.
        texts = view.texts(view.tags())
        digests = view.digests()
        start = time.process_time()
        kept = ForwardIndex.build(((texts[t], digests[t] or "") for t in view.tags()), idx._encoder.analysis)
        analysis_cpu = time.process_time() - start
        kept_bytes = sum(
            (idx.path / name).stat().st_size
            for key, name in json.loads((idx.path / "manifest.json").read_text())["files"].items()
            if key in FORWARD_KEYS and name
        )
        del kept, texts
        idx = None
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    load_end = os.getloadavg()
    whole = {
        label: np.sum([v for k, v in timings.items() if k.startswith(_IN_THE_QUERY)], axis=0)
        for label, timings in parts.items()
    }
    first, analysed, cached, warm = parts["first sight"], parts["analysed"], parts["cached"], parts["warmed"]
    lines = [
        "# Document mode, part by part",
        "",
        f"Generated by `python benchmarks/document_mode_parts.py --size {args.size}"
        f"{' --keep DIR' if args.keep else ''}` in "
        f"{time.perf_counter() - started:.0f} s on {platform.machine()} with {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}. Load average (1 min) at start "
        f"{load_start[0]:.1f}, at end {load_end[0]:.1f}. CPU time of the querying thread per "
        f"whole-document query ({len(queries)} indexed documents as queries, k=10, "
        f"{args.size:,} documents), BLAS on one thread; median and 95th percentile over the queries.",
        "",
        f"'First sight': a new cache, every candidate new to it; the words of each candidate "
        f"{'kept at the build (`paravec.search.forward`)' if kept_words else 'analysed from its text (the index keeps none)'}. "
        "'First sight, texts analysed': the same queries on another new cache that fetches and "
        "analyses each candidate's text, as an index without kept words does. 'Cached': the "
        "first cache again. 'Warmed': a third cache on which `DocumentCache.warm` computed every "
        f"document's row and soft norm first ({warm_cpu:.1f} s of CPU), as the service does "
        "before it serves a version.",
        "",
        "| part | first sight CPU p50 (ms) | first sight, texts analysed, CPU p50 (ms) "
        "| cached CPU p50 (ms) | cached CPU p95 (ms) | warmed CPU p50 (ms) | warmed CPU p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {name} | {_p(first.get(name), 50)} | {_p(analysed.get(name), 50)} | {_p(v, 50)} | {_p(v, 95)} "
            f"| {_p(warm.get(name), 50)} | {_p(warm.get(name), 95)} |"
            for name, v in cached.items()
        ],
        f"| **whole query (sum of the parts ranking runs: not the unpruned measures, the count, "
        f"the reference)** | {_p(whole['first sight'], 50)} | {_p(whole['analysed'], 50)} | "
        f"{_p(whole['cached'], 50)} | {_p(whole['cached'], 95)} | {_p(whole['warmed'], 50)} | "
        f"{_p(whole['warmed'], 95)} |",
        "",
        "The reference formula afresh scores the same candidates from their texts, which are fetched "
        "and analysed outside the timing; its measures equal the cache's to 1e-3, and the pruned "
        "measures give the same top 10 with the same scores (to 5e-3: float32 word cosines) as the unpruned (checked on every query). "
        f"Text index segments: {n_segments}.",
        "",
        f"Keeping the words costs a build one analysis of every text: {analysis_cpu:.1f} s of CPU for "
        f"the {args.size:,} documents here (`ForwardIndex.build`, timed alone in this run), and "
        f"{kept_bytes / 1e6:.0f} MB of files in the index folder"
        + ("." if kept_words else " (this index keeps none: built before the words were kept)."),
        "",
    ]
    write_results(args.out, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
