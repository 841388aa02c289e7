"""Speed of batched inference (`paravec.infer`) against a loop over gensim's ``infer_vector``.

The same documents, the same epochs, the same model, timed side by side in one run:

- short documents: 5-20 consecutive words cut from the Lee news articles (like search queries);
- long documents: 300-1,000 consecutive words cut from the Wikipedia extract;

each inferred by a loop over ``model.infer_vector`` and by ``paravec.infer`` with 1 and with 2
threads. Each round times every contestant once, in an order that rotates from round to round
(the machine is shared), and the report gives medians and their ratios.

The arithmetic limit: each kept word of an epoch costs ``1 + negative`` logistic units of
``vector_size`` multiply-adds for the dot product (and as many again for the error, which this
limit leaves out, as the issue defines it). A compiled dot-product loop over rows in cache, timed
in the same rounds, gives one core's multiply-adds per second, hence the documents per second no
inference on one core can beat.

Model: PV-DBOW with negative sampling as ``paravec.train`` makes it (300 dimensions, negative 5,
sample 1e-4, 20 inference epochs), trained on the Wikipedia extract (3 training epochs: inference
cost does not depend on how well the model is trained).

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


def _median_times(contestants: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contestants}
    names = list(contestants)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            start = time.perf_counter()
            contestants[name]()
            times[name].append(time.perf_counter() - start)
        print(f"  round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.3f}s" for n in names), flush=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few documents and rounds (a smoke run)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    n_short, n_long = (300, 8) if args.quick else (3000, 60)
    rng = np.random.default_rng(0)

    wiki = wiki_documents()
    model = Doc2Vec(vector_size=300, dm=0, negative=5, hs=0, sample=1e-4, min_count=2, window=8,
                    epochs=3, workers=2, seed=1)  # fmt: skip
    model.build_vocab(wiki)
    print(f"training the model on the Wikipedia extract ({model.corpus_total_words:,} words)", flush=True)
    model.train(wiki, total_examples=len(wiki), epochs=3)
    model.epochs = 20  # inference epochs (paravec.train's default)
    short, long = _short_documents(n_short, rng), _long_documents(wiki, n_long, rng)
    paravec.infer(model, short[:2], workers=1)  # compile (cached on disk) before anything is timed

    known = model.wv.key_to_index
    sample_int = model.wv.expandos["sample_int"].astype(np.float64) / 2**32
    long_words = sum(sum(1 for w in d if w in known) for d in long)
    long_kept = sum(sum(min(1.0, sample_int[known[w]]) for w in d if w in known) for d in long)
    dim, neg, epochs = model.vector_size, model.negative, model.epochs

    peak_rows = np.random.default_rng(1).random((64, dim), dtype=np.float32)
    peak_vec = np.random.default_rng(2).random(dim, dtype=np.float32)
    peak_repeats = 20_000 if not args.quick else 2_000
    _dot_loop(peak_rows, peak_vec, 1)
    peak_macs = peak_repeats * peak_rows.shape[0] * dim

    results: dict[str, Any] = {"cpus": os.cpu_count(), "rounds": rounds, "epochs": epochs, "vector_size": dim,
                               "negative": neg, "sample": model.sample, "vocabulary": len(model.wv)}  # fmt: skip
    for label, docs in (("short", short), ("long", long)):
        print(f"{label} documents: {len(docs)}", flush=True)
        contestants = {
            "gensim": lambda docs=docs: _gensim_loop(model, docs),
            "paravec-1": lambda docs=docs: paravec.infer(model, docs, workers=1),
            "paravec-2": lambda docs=docs: paravec.infer(model, docs, workers=2),
        }
        if label == "long":
            contestants["peak"] = lambda: _dot_loop(peak_rows, peak_vec, peak_repeats)
        times = _median_times(contestants, rounds)
        medians = {name: statistics.median(t) for name, t in times.items()}
        results[label] = {
            "documents": len(docs),
            "words": sum(len(d) for d in docs),
            "median_seconds": medians,
            "all_seconds": times,
            "docs_per_second": {n: len(docs) / medians[n] for n in medians if n != "peak"},
            "speedup_1": medians["gensim"] / medians["paravec-1"],
            "speedup_2": medians["gensim"] / medians["paravec-2"],
        }
        if label == "long":
            peak = peak_macs / medians["peak"]
            limit_docs = peak / (long_words / len(docs) * epochs * (1 + neg) * dim)
            limit_kept = peak / (long_kept / len(docs) * epochs * (1 + neg) * dim)
            results["peak_macs_per_second"] = peak
            results["long"].update(
                known_words=long_words,
                expected_kept_words=long_kept,
                limit_docs_per_second_one_core=limit_docs,
                limit_kept_docs_per_second_one_core=limit_kept,
            )
    markdown = _markdown(results)
    print(markdown)
    write_results(RESULTS / ("infer_speed_quick.md" if args.quick else "infer_speed.md"), markdown, results)


def _markdown(r: dict[str, Any]) -> str:
    short, long = r["short"], r["long"]
    rows = []
    for label, res in (("short (5-20 words)", short), ("long (300-1,000 words)", long)):
        dps = res["docs_per_second"]
        med = res["median_seconds"]
        rows.append(
            f"| {label} | {res['documents']:,} | {med['gensim']:.3f} s ({dps['gensim']:,.0f}/s) | "
            f"{med['paravec-1']:.3f} s ({dps['paravec-1']:,.0f}/s) | "
            f"{med['paravec-2']:.3f} s ({dps['paravec-2']:,.0f}/s) | "
            f"**{res['speedup_1']:.1f}x** | **{res['speedup_2']:.1f}x** |"
        )
    one = long["docs_per_second"]["paravec-1"]
    two = long["docs_per_second"]["paravec-2"]
    limit, limit_kept = long["limit_docs_per_second_one_core"], long["limit_kept_docs_per_second_one_core"]
    return "\n".join(
        [
            "# Batched inference vs a gensim infer_vector loop",
            "",
            "`python benchmarks/infer_speed.py`: the same documents and epochs inferred by a loop over "
            "gensim's `infer_vector` and by `paravec.infer` with 1 and 2 threads; medians of "
            f"{r['rounds']} rounds in rotating order on a shared machine ({r['cpus']} CPUs). Model: "
            f"PV-DBOW, {r['vector_size']} dimensions, negative {r['negative']}, sample {r['sample']:g}, "
            f"{r['vocabulary']:,} words; {r['epochs']} epochs.",
            "",
            "| documents | n | gensim loop | paravec, 1 thread | paravec, 2 threads | "
            "speed-up 1 thread | speed-up 2 threads |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Arithmetic limit for the long documents: one core does {r['peak_macs_per_second'] / 1e9:.2f} G "
            "multiply-adds/s in a compiled dot-product loop (measured in the same rounds); at "
            f"{long['known_words'] / long['documents']:.0f} known words a document x {r['epochs']} epochs x "
            f"(1 + {r['negative']}) x {r['vector_size']} that is **{limit:.1f} documents/s** per core. "
            f"paravec reaches {one:.1f}/s on 1 thread (**{one / limit:.0%}** of it) and {two:.1f}/s on 2 "
            f"threads ({two / (2 * limit):.0%} of two cores). Downsampling keeps about "
            f"{long['expected_kept_words'] / long['known_words']:.0%} of the words; counting kept words "
            f"only, the limit is {limit_kept:.1f}/s per core and 1 thread reaches {one / limit_kept:.0%}.",
            "",
        ]
    )


if __name__ == "__main__":
    main()
