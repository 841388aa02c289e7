"""Does an update's cost follow the batch? Two side-by-side comparisons with steady batches.

1. **The same batch into a base twice as large.** Two doublings, interleaved in one run:

   - *more text of the same kind* (the goal's measure): half the Wikipedia extract that ships with
     gensim (every other article) and the whole extract: twice the documents and the words; the
     vocabulary grows as natural text's does (1.26x), not twice;
   - *a renamed copy* (the worst case, reported beside it): the whole extract, and the extract plus
     a renamed copy of every article (each word ``w`` becomes ``w_b``, each tag ``copy:TAG``):
     twice the documents, the words and the vocabulary, but every word's share of the text halved,
     which no real corpus does (``benchmarks/README.md``, "Update cost follows the batch").

   The batch is the Lee news corpus, repeated under new tags until one update of the middle base
   (the whole extract) takes at least ``--steady`` CPU-seconds (10 by default, 5 wall-seconds or
   more on 2 quiet cores), so that start-up costs and timer noise do not decide the ratio.
   Updates of the three bases alternate (interleaved runs); medians, wall and CPU time of the
   process, and as the spread the ratio within each round (the two updates one after the other):
   its median and range. Goal (issue 14): the double base's time within 1.10x. Where the time
   goes phase by phase, and the work counted: ``update_phases.py``.
2. **paravec vs gensim per trained word.** The same batch trained by ``paravec.update`` and by
   gensim's own ``train()`` on a copy of the updated model (same documents, epochs, workers);
   seconds per word trained (the update's count for both sides: gensim's ``Doc2Vec.train`` returns
   none), for the steady Lee
   batch and for a batch of long documents larger than the base: the Wikipedia extract (106
   articles, ~486k words, up to 10,000 words each) added to a base trained on the Lee corpus
   (~60k words). Goal: paravec never slower per trained word. gensim takes 2-3 times as long as
   the update: ``--gensim-rounds N`` runs it in the first N rounds only.

Model: PV-DBOW with word training (``paravec.train`` defaults), ``--vector-size`` 300, 20 epochs,
2 workers; the bases are trained with 1 epoch (what an update costs does not depend on how well
the base was trained).

Run:  python benchmarks/update_steady.py            (about 15 minutes on 2 quiet cores)
      python benchmarks/update_steady.py --quick    (100 dimensions, 2 CPU-s batches, 1 repeat)
Writes benchmarks/results/update_steady.md and .json.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import RESULTS, write_results
from gensim.models.doc2vec import TaggedDocument
from gensim.models.word2vec import Word2Vec
from numba import njit

import paravec
from paravec.datasets import lee_background_documents, wiki_documents
from paravec.kernel import _prefetch_l2

OUT = RESULTS / "update_steady.md"


def renamed_copy(docs: list[TaggedDocument]) -> list[TaggedDocument]:
    """Every document again with every word and tag renamed: new words, the same statistics."""
    return [TaggedDocument([w + "_b" for w in d.words], [f"copy:{d.tags[0]}"]) for d in docs]


def repeated(docs: list[TaggedDocument], times: int) -> list[TaggedDocument]:
    """``docs`` ``times`` over, each repeat under new tags."""
    return [TaggedDocument(d.words, [f"r{r}:{d.tags[0]}"]) for r in range(times) for d in docs]


def base_model(docs: list[TaggedDocument], vector_size: int, epochs: int) -> paravec.Doc2Vec:
    model = paravec.train(docs, vector_size=vector_size, epochs=1, min_count=5, seed=1, workers=2)
    model.epochs = epochs  # updates train with the model's epochs
    return model


STAGES: dict[str, list[dict[str, float]]] = {}
Run = tuple[float, float, int]  # wall seconds, CPU seconds of this process (all threads), words trained


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


LOADS: list[float] = []  # the 1-minute load average after each timed run


def timed(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[float, float, Any]:
    """Call ``fn(*args, **kwargs)``; return (wall seconds, CPU seconds, its result)."""
    wall, cpu = time.perf_counter(), _cpu()
    out = fn(*args, **kwargs)
    result = time.perf_counter() - wall, _cpu() - cpu, out
    LOADS.append(os.getloadavg()[0])
    return result


def update_time(
    base: paravec.Doc2Vec, batch: list[TaggedDocument], name: str = ""
) -> tuple[Run, paravec.Doc2Vec]:
    """``paravec.update`` of a copy of ``base``: (wall, CPU seconds, words it trained), the updated
    copy; the report's seconds per stage are kept in `STAGES` under ``name``."""
    model = copy.deepcopy(base)
    seconds, cpu, report = timed(paravec.update, model, batch, workers=2)
    if name:
        STAGES.setdefault(name, []).append(dict(report.seconds))
    return (seconds, cpu, int(report.words_trained)), model


def stage_medians(name: str) -> dict[str, float]:
    runs = STAGES.get(name, [])
    return {stage: statistics.median(r[stage] for r in runs) for stage in (runs[0] if runs else {})}


def gensim_time(updated: paravec.Doc2Vec, batch: list[TaggedDocument]) -> Run:
    """gensim's ``train()`` of the same batch in a copy of the updated model: (wall, CPU seconds,
    words it trained). ``Doc2Vec.train`` only passes its arguments on to ``Word2Vec.train`` and
    drops the count that returns, so that is called; its count includes one per document tag and
    epoch, which is taken off. It stops each document at 10,000 kept words, so on long documents
    it may train fewer words than the update."""
    model = copy.deepcopy(updated)
    model.workers = 2
    seconds, cpu, (trained, _raw) = timed(
        Word2Vec.train, model, corpus_iterable=batch, total_examples=len(batch), epochs=updated.epochs
    )
    tags = sum(len(d.tags) for d in batch) * updated.epochs
    return seconds, cpu, int(trained) - tags


def steady_batch(base: paravec.Doc2Vec, lee: list[TaggedDocument], seconds: float) -> list[TaggedDocument]:
    """The Lee corpus repeated until an update of ``base`` takes at least ``seconds`` of CPU time.

    CPU time, not wall time: on a loaded machine an update waits for a core several times as long
    as it computes, and a batch sized by the wall clock would then be too short to be steady."""
    update_time(base, lee[:10])  # the first update in a process may compile the kernel
    (t, cpu, _), _ = update_time(base, lee)
    times = max(1, math.ceil(seconds * 1.2 / cpu))
    print(f"one Lee corpus: {t:.2f} s, {cpu:.2f} CPU-s -> batch of {times} repeats", flush=True)
    return repeated(lee, times)


def doubled_bases(
    models: dict[str, paravec.Doc2Vec], batch, repeats: int, gensim_rounds: int
) -> dict[str, object]:
    """Interleaved updates of ``batch`` into each of ``models``; in the first ``gensim_rounds``
    rounds each is followed by gensim's ``train()`` of the batch in the model the update produced
    (``gensim:NAME``), which takes 2-3 times as long."""
    runs: dict[str, list[Run]] = {}
    for r in range(repeats):
        order = list(models.items())
        for name, model in order if r % 2 == 0 else order[::-1]:
            run, updated = update_time(model, batch, name)
            runs.setdefault(name, []).append(run)
            print(f"{name:8s} {run[0]:6.2f} s, {run[1]:6.2f} CPU-s, {run[2]:,} words trained", flush=True)
            if r < gensim_rounds:
                # gensim on the same side: does the larger base slow gensim's own training alike?
                theirs = gensim_time(updated, batch)
                runs.setdefault(f"gensim:{name}", []).append(theirs)
                print(f"{'':8s} gensim {theirs[0]:6.2f} s, {theirs[1]:6.2f} CPU-s", flush=True)
    return _summary(runs)


def long_documents(base, batch, repeats: int) -> dict[str, object]:
    """Interleaved paravec updates and gensim trainings of a batch of long documents."""
    runs: dict[str, list[Run]] = {"base": [], "gensim": []}
    updated = None
    for r in range(repeats):
        # Interleaved: every other run gensim goes first, on the model the update before produced.
        if r % 2 and updated is not None:
            theirs = gensim_time(updated, batch)
            run, updated = update_time(base, batch)
        else:
            run, updated = update_time(base, batch)
            theirs = gensim_time(updated, batch)
        runs["base"].append(run)
        runs["gensim"].append(theirs)
        print(f"long: paravec {run[0]:.2f} s {run[1]:.2f} CPU-s ({run[2]:,} words), gensim {theirs[0]:.2f} s "
              f"{theirs[1]:.2f} CPU-s ({theirs[2]:,} words)", flush=True)  # fmt: skip
    return _summary(runs)


def _summary(runs: dict[str, list[Run]]) -> dict[str, object]:
    return {
        name: {
            "seconds": statistics.median(s for s, _, _ in values),
            "cpu_seconds": statistics.median(c for _, c, _ in values),
            "words_trained": statistics.median(w for _, _, w in values),
            "us_per_word": statistics.median(1e6 * s / w for s, _, w in values),
            "cpu_us_per_word": statistics.median(1e6 * c / w for _, c, w in values),
            "runs": values,
        }
        for name, values in runs.items()
    }


@njit(nogil=True, fastmath=True, cache=True)
def _touch_rows(matrix, rows, l1, ahead):  # type: ignore[no-untyped-def]
    """What a unit of negative sampling does to its output row: a dot product with ``l1``, the
    error added to a buffer, a small step of the row; for each of ``rows`` in turn, with the row
    ``ahead`` places on prefetched as paravec's kernel does (0: none, as gensim)."""
    work = np.zeros_like(l1)
    size = l1.shape[0]
    for i in range(rows.shape[0]):
        if ahead > 0 and i + ahead < rows.shape[0]:
            for a in range(0, size, 16):
                _prefetch_l2(matrix, rows[i + ahead], a)
        r = rows[i]
        f = np.float32(0.0)
        for a in range(size):
            f += l1[a] * matrix[r, a]
        g = np.float32(1e-3) * np.tanh(f)
        for a in range(size):
            work[a] += g * matrix[r, a]
            matrix[r, a] -= g * l1[a]
    return work.sum()


def row_access(models: dict[str, paravec.Doc2Vec], draws: int, repeats: int) -> dict[str, object]:
    """Nanoseconds per negative-sample row of each model's ``syn1neg``, the rows drawn from its own
    unigram table as training draws them, without and with prefetching 6 rows ahead; one thread,
    CPU time, interleaved repeats."""
    rng = np.random.default_rng(0)
    setup = {}
    for name, model in models.items():
        cum = model.cum_table
        rows = np.searchsorted(cum, rng.integers(0, int(cum[-1]), draws), side="left").astype(np.int64)
        setup[name] = (model.syn1neg.copy(), rows, rng.random(model.layer1_size, dtype=np.float32) - 0.5)
    for matrix, rows, l1 in setup.values():
        _touch_rows(matrix, rows[:1000], l1, 0)  # compile
    ns: dict[tuple[str, int], list[float]] = {(name, ahead): [] for name in setup for ahead in (0, 6)}
    for r in range(repeats):
        for name, ahead in list(ns) if r % 2 == 0 else list(ns)[::-1]:
            matrix, rows, l1 = setup[name]
            start = time.thread_time()
            _touch_rows(matrix, rows, l1, ahead)
            ns[name, ahead].append(1e9 * (time.thread_time() - start) / draws)
    return {
        name: {
            "rows": len(setup[name][0]),
            "mb": setup[name][0].nbytes / 2**20,
            "ns_per_row": statistics.median(ns[name, 0]),
            "ns_per_row_prefetched": statistics.median(ns[name, 6]),
            "runs": ns[name, 0],
            "runs_prefetched": ns[name, 6],
        }
        for name in setup
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--vector-size", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--steady", type=float, default=10.0, help="least CPU-seconds of one update of the whole extract"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gensim-rounds", type=int, default=None, help="rounds with gensim's train() (all)")
    parser.add_argument("--long-repeats", type=int, default=3)
    parser.add_argument("--long-articles", type=int, default=106, help="Wikipedia articles in the long batch")
    parser.add_argument("--row-draws", type=int, default=2_000_000, help="draws of the row-access reference")
    args = parser.parse_args(argv)
    if args.quick:
        args.vector_size, args.steady, args.repeats, args.long_repeats = 100, 2.0, 1, 1

    started = time.perf_counter()
    load_start = os.getloadavg()
    wiki = wiki_documents()
    lee = lee_background_documents()
    bases = {
        "half": base_model(wiki[::2], args.vector_size, args.epochs),
        "whole": base_model(wiki, args.vector_size, args.epochs),
        "renamed": base_model(wiki + renamed_copy(wiki), args.vector_size, args.epochs),
    }
    batch = steady_batch(bases["whole"], lee, args.steady)
    gensim_rounds = (
        args.repeats if args.gensim_rounds is None else max(1, min(args.gensim_rounds, args.repeats))
    )
    doubled = doubled_bases(bases, batch, args.repeats, gensim_rounds)
    small = base_model(lee, args.vector_size, args.epochs)
    long_batch = wiki[: args.long_articles]
    long = long_documents(small, long_batch, args.long_repeats)
    rows = row_access(bases, args.row_draws, max(args.repeats, 3))
    load_end = os.getloadavg()
    lp, lg = long["base"], long["gensim"]

    def ratio(x: Any, y: Any, key: str) -> float:
        return float(x[key] / y[key])

    # (name, label, double side, base side)
    doublings = [
        ("natural", "more text of the same kind (half extract → whole extract)", "whole", "half"),
        ("renamed", "a renamed copy (whole extract → extract + renamed copy)", "renamed", "whole"),
    ]

    def paired(x: Any, y: Any, i: int) -> list[float]:
        """Round by round, the ratio of one measure of two sides: 0 wall, 1 CPU, 3 CPU per word trained."""

        def pick(run: Run) -> float:
            return run[1] / run[2] if i == 3 else run[i]

        return [pick(a) / pick(b) for a, b in zip(x["runs"], y["runs"], strict=True)]

    ratios: dict[str, float] = {}
    for key, _, big, little in doublings:
        d, b = doubled[big], doubled[little]
        gd, g = doubled[f"gensim:{big}"], doubled[f"gensim:{little}"]
        ratios |= {
            f"{key}_words_trained": ratio(d, b, "words_trained"),
            f"{key}_wall": ratio(d, b, "seconds"),
            f"{key}_cpu": ratio(d, b, "cpu_seconds"),
            f"{key}_per_trained_word": ratio(d, b, "us_per_word"),
            f"{key}_cpu_per_trained_word": ratio(d, b, "cpu_us_per_word"),
            f"{key}_gensim_per_trained_word": ratio(gd, g, "us_per_word"),
            f"{key}_gensim_cpu_per_trained_word": ratio(gd, g, "cpu_us_per_word"),
            # Spread: the ratio within each round (the two updates ran one after the other).
            **{
                f"{key}_{kind}_paired_{stat}": fn(paired(d, b, i_kind))
                for kind, i_kind in (("wall", 0), ("cpu", 1), ("cpu_per_word", 3))
                for stat, fn in (("median", statistics.median), ("min", min), ("max", max))
            },
            f"{key}_row_access": ratio(rows[big], rows[little], "ns_per_row"),
            f"{key}_row_access_prefetched": ratio(rows[big], rows[little], "ns_per_row_prefetched"),
        }
    for name in bases:
        ratios[f"paravec_vs_gensim_per_word_{name}"] = ratio(
            doubled[name], doubled[f"gensim:{name}"], "us_per_word"
        )
        ratios[f"paravec_vs_gensim_cpu_per_word_{name}"] = ratio(
            doubled[name], doubled[f"gensim:{name}"], "cpu_us_per_word"
        )
    ratios["long_paravec_vs_gensim_per_word"] = ratio(lp, lg, "us_per_word")
    ratios["long_paravec_vs_gensim_cpu_per_word"] = ratio(lp, lg, "cpu_us_per_word")
    sizes = {
        name: {"docs": len(m.dv), "words": len(m.wv), "corpus_words": int(m.corpus_total_words)}
        for name, m in bases.items()
    }
    data = {
        "vector_size": args.vector_size,
        "epochs": args.epochs,
        "repeats": args.repeats,
        "gensim_rounds": gensim_rounds,
        "bases": sizes,
        "batch": {"docs": len(batch), "words": sum(len(x.words) for x in batch)},
        "long_batch": {"docs": len(long_batch), "words": sum(len(x.words) for x in long_batch)},
        "long_base": {"docs": len(small.dv), "words": len(small.wv)},
        "double_base": doubled,
        "long_documents": long,
        "row_access": rows,
        "ratios": ratios,
        "load": [load_start[0], load_end[0]],
        "load_during_runs": {"median": statistics.median(LOADS), "min": min(LOADS), "max": max(LOADS)},
        "stages": {name: stage_medians(name) for name in bases},
    }
    stages: dict[str, dict[str, float]] = data["stages"]  # type: ignore[assignment]
    stage_rows = "\n".join(
        f"| {stage} | " + " | ".join(f"{stages[name][stage]:.3f}" for name in bases) + " |"
        for stage in stages["half"]
    )
    r = ratios
    batch_words = sum(len(x.words) for x in batch)

    def held(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    def us(x: Any) -> str:
        return f"{x['us_per_word']:.2f} µs ({x['cpu_us_per_word']:.2f} CPU-µs)"

    def size(name: str) -> str:
        z = sizes[name]
        return f"{z['docs']:,} documents, {z['corpus_words']:,} words, vocabulary {z['words']:,}"

    def secs(x: Any) -> str:
        walls, cpus = [run[0] for run in x["runs"]], [run[1] for run in x["runs"]]
        return (
            f"{x['seconds']:.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
            f"{x['cpu_seconds']:.2f} CPU-s ({min(cpus):.2f}-{max(cpus):.2f})"
        )

    def spread(key: str, kind: str) -> str:
        return (
            f"{r[f'{key}_{kind}_paired_median']:.3f} "
            f"({r[f'{key}_{kind}_paired_min']:.3f}-{r[f'{key}_{kind}_paired_max']:.3f})"
        )

    doubling_rows = []
    for key, label, big, little in doublings:
        d, b = doubled[big], doubled[little]
        gd, g = doubled[f"gensim:{big}"], doubled[f"gensim:{little}"]
        goal = (
            f"within 1.10 in wall and CPU time: {held(max(r[f'{key}_wall'], r[f'{key}_cpu']) <= 1.10)}"
            if key == "natural"
            else "(worst case, reported)"
        )
        doubling_rows.append(f"""| **doubled by {label}**: the same batch into {size(big)} vs {size(little)}; {args.repeats} runs each | {secs(d)} | {secs(b)} | **{r[f"{key}_wall"]:.3f}** | {r[f"{key}_cpu"]:.3f} | {goal} |
| the ratio within each round (the two updates one after the other), median (range) of the {args.repeats} rounds | — | — | {spread(key, "wall")} | {spread(key, "cpu")} | — |
| words the batch trained (after downsampling) | {d["words_trained"]:,.0f} | {b["words_trained"]:,.0f} | {r[f"{key}_words_trained"]:.3f} | — | — |
| the same, per word trained | {us(d)} | {us(b)} | **{r[f"{key}_per_trained_word"]:.3f}** | {r[f"{key}_cpu_per_trained_word"]:.3f} (within rounds {spread(key, "cpu_per_word")}) | — |
| for reference: gensim's own `train()` of the batch in the two updated models, per word trained ({gensim_rounds} runs each) | {us(gd)} | {us(g)} | {r[f"{key}_gensim_per_trained_word"]:.3f} | {r[f"{key}_gensim_cpu_per_trained_word"]:.3f} | — |
| for reference: one thread touching the output rows that negative samples draw (dot product and step of each row), {args.row_draws:,} draws from each model's own table | {rows[big]["ns_per_row"]:.1f} ns/row ({rows[big]["mb"]:.1f} MB of rows) | {rows[little]["ns_per_row"]:.1f} ns/row ({rows[little]["mb"]:.1f} MB) | — | {r[f"{key}_row_access"]:.3f} | — |
| the same, each row prefetched into L2 6 rows ahead (as paravec's kernel does) | {rows[big]["ns_per_row_prefetched"]:.1f} ns/row | {rows[little]["ns_per_row_prefetched"]:.1f} ns/row | — | {r[f"{key}_row_access_prefetched"]:.3f} | — |""")
    gensim_rows = "\n".join(
        f"| update vs gensim `train()` ({gensim_rounds} runs), the steady batch, per word trained, into {label} | "
        f"{us(doubled[name])} | {us(doubled[f'gensim:{name}'])} | **{r[f'paravec_vs_gensim_per_word_{name}']:.2f}** | "
        f"{r[f'paravec_vs_gensim_cpu_per_word_{name}']:.2f} | at most 1: {held(r[f'paravec_vs_gensim_per_word_{name}'] <= 1.0)} |"
        for name, label in (
            ("half", "half the extract"),
            ("whole", "the whole extract"),
            ("renamed", "the extract + renamed copy"),
        )
    )
    trained = ", ".join(f"{doubled[n]['words_trained']:,.0f} ({n})" for n in bases)
    gensim_trained = ", ".join(f"{doubled['gensim:' + n]['words_trained']:,.0f}" for n in bases)
    newline = "\n"

    md = f"""# Update cost follows the batch

Command: `python benchmarks/update_steady.py{"".join(" " + a for a in (argv if argv is not None else sys.argv[1:]))}` ({time.perf_counter() - started:.0f} s
on {os.cpu_count()} CPUs; load average (1 min) {load_start[0]:.1f} at start, {load_end[0]:.1f} at end, median
{statistics.median(LOADS):.1f} (range {min(LOADS):.1f}-{max(LOADS):.1f}) after the timed runs: other processes shared the CPUs, which slows both sides of each ratio alike). PV-DBOW + word training,
{args.vector_size} dimensions, {args.epochs} epochs, 2 workers; medians of interleaved runs. Wall time is the
goal's measure; CPU time (this process, all threads) is given beside it because on a loaded
machine a thread waits for a core for as long as it computes. The steady batch: {len(batch):,} Lee documents,
{batch_words:,} words.

| comparison | paravec (double) | other side (base) | ratio (wall) | ratio (CPU) | goal |
|---|---|---|---|---|---|
{newline.join(doubling_rows)}
{gensim_rows}
| update vs gensim `train()`, long documents ({len(long_batch)} Wikipedia articles, {data["long_batch"]["words"]:,} words) into a smaller base ({len(small.dv)} Lee documents, {len(small.wv):,} words), per word trained, {args.long_repeats} runs | {us(lp)} | {us(lg)} | **{r["long_paravec_vs_gensim_per_word"]:.2f}** | {r["long_paravec_vs_gensim_cpu_per_word"]:.2f} | at most 1: {held(r["long_paravec_vs_gensim_per_word"] <= 1.0)} |

Words trained by the steady batch: {trained}
(downsampling uses the counts of everything the model has seen: in a base with more text the
batch's words are relatively rarer, so fewer of their occurrences are dropped); gensim trained
{gensim_trained} (its own count). Long documents: paravec trained {lp["words_trained"]:,.0f} words,
gensim {lg["words_trained"]:,.0f} (it stops a document at 10,000 kept words). Update of the whole extract:
{secs(doubled["whole"])}; the batch is steady when it takes at least {args.steady:g} CPU-s. The gensim side trains the same documents
and epochs in a copy of the model `update` produced; `update`'s side includes checking the model,
growing the vocabulary and placing the documents.

Where the time of the steady batch goes (the update report's stages, medians, seconds):

| stage | half extract | whole extract | extract + renamed copy |
|---|---:|---:|---:|
{stage_rows}
"""
    write_results(OUT, md, data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
