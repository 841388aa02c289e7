"""Speed of batched inference (`paravec.infer`) against a loop over gensim's ``infer_vector``.

The same documents, the same epochs, the same model, timed side by side in one run:

- short documents: 5-20 consecutive words cut from the Lee news articles (like search queries);
- long documents: 300-1,000 consecutive words cut from the Wikipedia extract;

each inferred by a loop over ``model.infer_vector`` and by ``paravec.infer`` with 1 and with 2
threads (short documents also by one ``paravec.infer`` call per document, as queries come, so
per-call costs count). Each round times every contestant once, in an order that rotates from round to round
(the machine is shared), and the report gives medians and their ratios.

The arithmetic limit: each kept word of an epoch costs ``1 + negative`` logistic units of
``vector_size`` multiply-adds for the dot product (and as many again for the error, which this
limit leaves out, as the issue defines it). A compiled dot-product loop over rows in cache, timed
in the same rounds, gives one core's multiply-adds per second, hence the documents per second no
inference on one core can beat.

Models: PV-DBOW with negative sampling as ``paravec.train`` makes it (300 dimensions, negative 5,
sample 1e-4, 20 inference epochs), and the same at gensim's default 100 dimensions, trained on the
Wikipedia extract (3 training epochs: inference cost does not depend on how well the model is
trained).

Run: ``python benchmarks/infer_speed.py`` (about 5 minutes on 2 cores; ``--quick`` for a smoke
run). Writes ``benchmarks/results/infer_speed.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import RESULTS, write_results
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument
from numba import njit

import paravec
from paravec.datasets import lee_background_documents, lee_test_documents, wiki_documents


def _short_documents(n: int, rng: np.random.Generator) -> list[list[str]]:
    docs = [d.words for d in lee_background_documents() + lee_test_documents() if len(d.words) >= 20]
    out = []
    for _ in range(n):
        words = docs[rng.integers(len(docs))]
        length = int(rng.integers(5, 21))
        at = int(rng.integers(0, len(words) - length + 1))
        out.append(list(words[at : at + length]))
    return out


def _long_documents(wiki: list[TaggedDocument], n: int, rng: np.random.Generator) -> list[list[str]]:
    articles = [d.words for d in wiki if len(d.words) >= 1000]
    out = []
    for _ in range(n):
        words = articles[rng.integers(len(articles))]
        length = int(rng.integers(300, 1001))
        at = int(rng.integers(0, len(words) - length + 1))
        out.append(list(words[at : at + length]))
    return out


@njit(cache=True, fastmath=True)
def _dot_loop(matrix, vector, repeats):  # type: ignore[no-untyped-def]
    total = np.float32(0.0)
    for _ in range(repeats):
        for r in range(matrix.shape[0]):
            f = np.float32(0.0)
            for a in range(vector.shape[0]):
                f += vector[a] * matrix[r, a]
            total += f
        vector[0] += np.float32(1e-7) * total  # a dependency, so the loop is not hoisted
    return total


def _gensim_loop(model: Doc2Vec, docs: list[list[str]]) -> np.ndarray:
    return np.vstack([model.infer_vector(words) for words in docs])


def _timings(
    contestants: dict[str, Callable[[], Any]], rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall and CPU seconds (this process, all its threads) of each contestant in each round."""
    wall: dict[str, list[float]] = {name: [] for name in contestants}
    cpu: dict[str, list[float]] = {name: [] for name in contestants}
    names = list(contestants)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            contestants[name]()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
        shown = ", ".join(f"{n} {wall[n][-1]:.3f}s ({cpu[n][-1]:.3f}s cpu)" for n in names)
        print(f"  round {r + 1}: {shown}", flush=True)
    return wall, cpu


class _Peak:
    """A compiled dot-product loop over rows in cache: one core's multiply-adds per second."""

    def __init__(self, quick: bool) -> None:
        self.rows = np.random.default_rng(1).random((64, 300), dtype=np.float32)
        self.vector = np.random.default_rng(2).random(300, dtype=np.float32)
        self.repeats = 2_000 if quick else 20_000
        self.macs = self.repeats * self.rows.size
        _dot_loop(self.rows, self.vector, 1)

    def __call__(self) -> None:
        _dot_loop(self.rows, self.vector, self.repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few documents and rounds (a smoke run)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    n_short, n_long = (300, 8) if args.quick else (3000, 60)
    rng = np.random.default_rng(0)
    wiki = wiki_documents()
    short, long = _short_documents(n_short, rng), _long_documents(wiki, n_long, rng)
    peak = _Peak(args.quick)
    results: dict[str, Any] = {"cpus": os.cpu_count(), "rounds": rounds, "models": [],
                               "load_start": os.getloadavg()[0]}  # fmt: skip
    for dim in (300, 100):
        model = Doc2Vec(vector_size=dim, dm=0, negative=5, hs=0, sample=1e-4, min_count=2, window=8,
                        epochs=3, workers=2, seed=1)  # fmt: skip
        model.build_vocab(wiki)
        print(f"training a {dim}-dimensional model on the Wikipedia extract", flush=True)
        model.train(wiki, total_examples=len(wiki), epochs=3)
        model.epochs = 20  # inference epochs (paravec.train's default)
        paravec.infer(model, short[:2], workers=1)  # compile (cached on disk) before anything is timed
        results["models"].append(_measure(model, short, long, rounds, peak))
    results["load_end"] = os.getloadavg()[0]
    markdown = _markdown(results)
    print(markdown)
    write_results(RESULTS / ("infer_speed_quick.md" if args.quick else "infer_speed.md"), markdown, results)


def _measure(
    model: Doc2Vec, short: list[list[str]], long: list[list[str]], rounds: int, peak: _Peak
) -> dict[str, Any]:
    known = model.wv.key_to_index
    keep = np.minimum(model.wv.expandos["sample_int"].astype(np.float64) / 2**32, 1.0)
    dim, neg, epochs = model.vector_size, model.negative, model.epochs
    out: dict[str, Any] = {"epochs": epochs, "vector_size": dim, "negative": neg, "sample": model.sample,
                           "vocabulary": len(model.wv)}  # fmt: skip
    for label, docs in (("short", short), ("long", long)):
        print(f"{dim} dimensions, {label} documents: {len(docs)}", flush=True)
        contestants: dict[str, Callable[[], Any]] = {
            "gensim": lambda docs=docs: _gensim_loop(model, docs),
            "paravec-1": lambda docs=docs: paravec.infer(model, docs, workers=1),
            "paravec-2": lambda docs=docs: paravec.infer(model, docs, workers=2),
        }
        if label == "short":  # queries come one at a time: one call a document, per-call costs included
            contestants["paravec-calls"] = lambda docs=docs: [
                paravec.infer(model, [d], workers=1) for d in docs
            ]
        contestants["peak"] = peak
        wall, cpu = _timings(contestants, rounds)
        med = {name: statistics.median(t) for name, t in wall.items()}
        med_cpu = {name: statistics.median(t) for name, t in cpu.items()}
        out[label] = {
            "documents": len(docs),
            "words": sum(len(d) for d in docs),
            "median_seconds": med,
            "median_cpu_seconds": med_cpu,
            "all_seconds": wall,
            "all_cpu_seconds": cpu,
            "docs_per_second": {n: len(docs) / med[n] for n in med if n != "peak"},
            "docs_per_cpu_second": {n: len(docs) / med_cpu[n] for n in med_cpu if n != "peak"},
            "speedup_1": med["gensim"] / med["paravec-1"],
            "speedup_2": med["gensim"] / med["paravec-2"],
            "cpu_ratio_1": med_cpu["gensim"] / med_cpu["paravec-1"],
            "cpu_ratio_2": med_cpu["gensim"] / med_cpu["paravec-2"],
        }
        if "paravec-calls" in med:
            out[label]["speedup_calls"] = med["gensim"] / med["paravec-calls"]
            out[label]["cpu_ratio_calls"] = med_cpu["gensim"] / med_cpu["paravec-calls"]
        # The arithmetic limit, from the documents' known words and one core's rate in these rounds.
        macs = peak.macs / med_cpu["peak"]  # per CPU second: what one core does while it runs
        per_doc = epochs * (1 + neg) * dim / len(docs)
        words = sum(sum(1 for w in d if w in known) for d in docs)
        kept = float(sum(sum(keep[known[w]] for w in d if w in known) for d in docs))
        out[label].update(
            peak_macs_per_cpu_second=macs,
            known_words=words,
            expected_kept_words=kept,
            limit_docs_per_cpu_second=macs / (words * per_doc),
            limit_kept_docs_per_cpu_second=macs / (kept * per_doc),
        )
    return out


def _markdown(r: dict[str, Any]) -> str:
    rows, limits, cpu_based, calls = [], [], [], []
    for m in r["models"]:
        res = m["short"]
        calls.append(
            f"- {m['vector_size']} dimensions: {res['median_seconds']['paravec-calls']:.3f} s "
            f"({res['docs_per_second']['paravec-calls']:,.0f}/s), **{res['speedup_calls']:.1f}x** gensim's loop "
            f"(CPU time {res['cpu_ratio_calls']:.1f}x); in one call on 1 thread {res['speedup_1']:.1f}x."
        )
        for label, res in (("short (5-20 words)", m["short"]), ("long (300-1,000 words)", m["long"])):
            dps, med = res["docs_per_second"], res["median_seconds"]
            rows.append(
                f"| {m['vector_size']} | {label} | {res['documents']:,} "
                f"| {med['gensim']:.3f} s ({dps['gensim']:,.0f}/s) "
                f"| {med['paravec-1']:.3f} s ({dps['paravec-1']:,.0f}/s) "
                f"| {med['paravec-2']:.3f} s ({dps['paravec-2']:,.0f}/s) "
                f"| **{res['speedup_1']:.1f}x** | **{res['speedup_2']:.1f}x** "
                f"| {res['cpu_ratio_1']:.1f}x / {res['cpu_ratio_2']:.1f}x |"
            )
        for label, res in (("short", m["short"]), ("long", m["long"])):
            cpu_based.append(
                f"- {m['vector_size']} dimensions, {label}: gensim used {res['cpu_ratio_2']:.1f}x the CPU time of "
                f"paravec's 2 threads together, so on two cores of its own paravec would do "
                f"**{2 * res['cpu_ratio_2']:.1f}x** gensim's documents per second if its threads kept both busy "
                f"(measured here with wall clocks: {res['speedup_2']:.1f}x)."
            )
            one = res["docs_per_cpu_second"]["paravec-1"]
            two = res["docs_per_second"]["paravec-2"]
            limit, limit_kept = res["limit_docs_per_cpu_second"], res["limit_kept_docs_per_cpu_second"]
            limits.append(
                f"- {m['vector_size']} dimensions, {label}: {res['known_words'] / res['documents']:.1f} known words a "
                f"document x {m['epochs']} epochs x (1 + {m['negative']}) x {m['vector_size']} at "
                f"{res['peak_macs_per_cpu_second'] / 1e9:.1f} G multiply-adds per CPU second is **{limit:,.0f} "
                f"documents per CPU second**. paravec does {one:,.0f} on 1 thread (**{one / limit:.0%}** of the "
                f"limit; gensim {res['docs_per_cpu_second']['gensim']:,.0f}, {res['docs_per_cpu_second']['gensim'] / limit:.0%}); "
                f"with 2 threads it did {two:,.0f} documents per wall-clock second ({two / (2 * limit):.0%} of two "
                f"idle cores' limit). Downsampling keeps about "
                f"{res['expected_kept_words'] / res['known_words']:.0%} of the words: counting kept words only, "
                f"the limit is {limit_kept:,.0f} and paravec reaches {one / limit_kept:.0%} of it."
            )
    m0 = r["models"][0]
    return "\n".join(
        [
            "# Batched inference vs a gensim infer_vector loop",
            "",
            "`python benchmarks/infer_speed.py`: the same documents and epochs inferred by a loop over "
            "gensim's `infer_vector` and by `paravec.infer` with 1 and 2 threads; medians of "
            f"{r['rounds']} rounds in rotating order on a shared machine ({r['cpus']} CPUs, load average "
            f"{r['load_start']:.1f} at the start and {r['load_end']:.1f} at the end: other processes shared the "
            "cores). Models: "
            f"PV-DBOW, negative {m0['negative']}, sample {m0['sample']:g}, {m0['vocabulary']:,} words, "
            f"trained on the Wikipedia extract; {m0['epochs']} inference epochs.",
            "",
            "| dimensions | documents | n | gensim loop | paravec, 1 thread | paravec, 2 threads "
            "| speed-up, 1 thread | speed-up, 2 threads | CPU time, gensim / paravec (1 / 2 threads) |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Times are wall-clock medians and the speed-ups ratios of documents per second. The last "
            "column compares the CPU time each side used (all its threads), which the other processes "
            "on the machine disturb less.",
            "",
            "The speed-up with 2 threads from CPU time (gensim's loop runs on one core, paravec's two "
            "threads share the batch):",
            "",
            *cpu_based,
            "",
            "Short documents inferred one call a document (1 thread), as queries come, with every per-call "
            "cost (checks, word lookup, dispatch) included:",
            "",
            *calls,
            "",
            "Arithmetic limit (one core's multiply-adds per CPU second, from a compiled dot-product loop "
            "over rows in cache, timed in the same rounds as each kind of document):",
            "",
            *limits,
            "",
        ]
    )


if __name__ == "__main__":
    main()
