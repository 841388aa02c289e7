"""Does an update's cost follow the batch? Two side-by-side comparisons with steady batches.

1. **The same batch into a base twice as large.** The base is a model of the Wikipedia extract
   that ships with gensim; the double base adds a renamed copy of every article (each word ``w``
   becomes ``w_b``, each tag ``copy:TAG``): twice the documents, twice the vocabulary, twice the
   words, the batch's words counted the same. The batch is the Lee news corpus, repeated under new
   tags until one update of the base takes at least ``--steady`` seconds (5 by default), so that
   start-up costs and timer noise do not decide the ratio. Updates of the two bases alternate
   (interleaved runs); medians. Goal (issue 14): the double base's time within 1.10x.
2. **paravec vs gensim per trained word.** The same batch trained by ``paravec.update`` and by
   gensim's own ``train()`` on a copy of the updated model (same documents, epochs, workers);
   seconds per word trained (the update's count for both sides: gensim's ``Doc2Vec.train`` returns
   none), for the steady Lee
   batch and for a batch of long documents larger than the base: the Wikipedia extract (106
   articles, ~486k words, up to 10,000 words each) added to a base trained on the Lee corpus
   (~60k words). Goal: paravec never slower per trained word.

Model: PV-DBOW with word training (``paravec.train`` defaults), ``--vector-size`` 300, 20 epochs,
2 workers; the bases are trained with 1 epoch (what an update costs does not depend on how well
the base was trained).

Run:  python benchmarks/update_steady.py            (about 10 minutes on 2 quiet cores)
      python benchmarks/update_steady.py --quick    (100 dimensions, 2 s batches, 1 repeat)
Writes benchmarks/results/update_steady.md and .json.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import statistics
import sys
import time

from _common import RESULTS, timed, write_results
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.datasets import lee_background_documents, wiki_documents

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


def update_time(
    base: paravec.Doc2Vec, batch: list[TaggedDocument], name: str = ""
) -> tuple[float, int, paravec.Doc2Vec]:
    """Seconds of ``paravec.update`` of a copy of ``base``, words it trained, the updated copy;
    the report's seconds per stage are kept in `STAGES` under ``name``."""
    model = copy.deepcopy(base)
    seconds, report = timed(paravec.update, model, batch, workers=2)
    if name:
        STAGES.setdefault(name, []).append(dict(report.seconds))
    return seconds, int(report.words_trained), model


def stage_medians(name: str) -> dict[str, float]:
    runs = STAGES.get(name, [])
    return {stage: statistics.median(r[stage] for r in runs) for stage in (runs[0] if runs else {})}


def gensim_time(
    updated: paravec.Doc2Vec, batch: list[TaggedDocument], words_trained: int
) -> tuple[float, int]:
    """Seconds of gensim's ``train()`` on the same batch in a copy of the updated model, and the
    words it trained: ``Doc2Vec.train`` returns no count, and its downsampling draws from the same
    formula over the same counts as the update's, so the update's count stands for both."""
    model = copy.deepcopy(updated)
    model.workers = 2
    seconds, _ = timed(model.train, batch, total_examples=len(batch), epochs=updated.epochs)
    return seconds, words_trained


def steady_batch(base: paravec.Doc2Vec, lee: list[TaggedDocument], seconds: float) -> list[TaggedDocument]:
    """The Lee corpus repeated until an update of ``base`` takes at least ``seconds``."""
    t, _, _ = update_time(base, lee)
    times = max(1, math.ceil(seconds * 1.2 / t))
    print(f"one Lee corpus: {t:.2f} s -> batch of {times} repeats", flush=True)
    return repeated(lee, times)


def double_base(base, double, batch, repeats: int) -> dict[str, object]:
    """Interleaved updates of ``batch`` into the base and the double base, plus gensim on the base's."""
    runs: dict[str, list[tuple[float, int]]] = {"base": [], "double": [], "gensim": [], "gensim_double": []}
    for r in range(repeats):
        order = [("base", base), ("double", double)]
        for name, model in order if r % 2 == 0 else order[::-1]:
            seconds, trained, updated = update_time(model, batch, name)
            runs[name].append((seconds, trained))
            print(f"{name:6s} {seconds:6.2f} s, {trained:,} words trained", flush=True)
            # gensim on the same side: does the larger base slow gensim's own training alike?
            side = "gensim" if name == "base" else "gensim_double"
            runs[side].append(gensim_time(updated, batch, trained))
            print(f"{side} {runs[side][-1][0]:6.2f} s", flush=True)
    return _summary(runs)


def long_documents(base, batch, repeats: int) -> dict[str, object]:
    """Interleaved paravec updates and gensim trainings of a batch of long documents."""
    runs: dict[str, list[tuple[float, int]]] = {"base": [], "gensim": []}
    for _ in range(repeats):
        seconds, trained, updated = update_time(base, batch)
        runs["base"].append((seconds, trained))
        runs["gensim"].append(gensim_time(updated, batch, trained))
        print(
            f"long: paravec {seconds:.2f} s ({trained:,} words), gensim {runs['gensim'][-1][0]:.2f} s "
            f"({runs['gensim'][-1][1]:,} words)",
            flush=True,
        )
    return _summary(runs)


def _summary(runs: dict[str, list[tuple[float, int]]]) -> dict[str, object]:
    return {
        name: {
            "seconds": statistics.median(s for s, _ in values),
            "words_trained": statistics.median(w for _, w in values),
            "us_per_word": statistics.median(1e6 * s / w for s, w in values),
            "runs": values,
        }
        for name, values in runs.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--vector-size", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steady", type=float, default=5.0, help="least seconds of one update of the base")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--long-repeats", type=int, default=3)
    parser.add_argument("--long-articles", type=int, default=106, help="Wikipedia articles in the long batch")
    args = parser.parse_args(argv)
    if args.quick:
        args.vector_size, args.steady, args.repeats, args.long_repeats = 100, 2.0, 1, 1

    started = time.perf_counter()
    load_start = os.getloadavg()
    wiki = wiki_documents()
    lee = lee_background_documents()
    base = base_model(wiki, args.vector_size, args.epochs)
    double = base_model(wiki + renamed_copy(wiki), args.vector_size, args.epochs)
    batch = steady_batch(base, lee, args.steady)
    doubled = double_base(base, double, batch, args.repeats)
    small = base_model(lee, args.vector_size, args.epochs)
    long_batch = wiki[: args.long_articles]
    long = long_documents(small, long_batch, args.long_repeats)
    load_end = os.getloadavg()

    b, d, g, gd = doubled["base"], doubled["double"], doubled["gensim"], doubled["gensim_double"]
    lp, lg = long["base"], long["gensim"]
    ratio = d["seconds"] / b["seconds"]  # type: ignore[index]
    ratio_word = d["us_per_word"] / b["us_per_word"]  # type: ignore[index]
    vs_gensim = b["us_per_word"] / g["us_per_word"]  # type: ignore[index]
    gensim_ratio_word = gd["us_per_word"] / g["us_per_word"]  # type: ignore[index]
    long_vs = lp["us_per_word"] / lg["us_per_word"]  # type: ignore[index]
    data = {
        "vector_size": args.vector_size,
        "epochs": args.epochs,
        "repeats": args.repeats,
        "base": {"docs": len(base.dv), "words": len(base.wv)},
        "double": {"docs": len(double.dv), "words": len(double.wv)},
        "batch": {"docs": len(batch), "words": sum(len(x.words) for x in batch)},
        "long_batch": {"docs": len(long_batch), "words": sum(len(x.words) for x in long_batch)},
        "long_base": {"docs": len(small.dv), "words": len(small.wv)},
        "double_base": doubled,
        "long_documents": long,
        "ratios": {
            "double_vs_base": ratio,
            "double_vs_base_per_trained_word": ratio_word,
            "gensim_double_vs_base_per_trained_word": gensim_ratio_word,
            "paravec_vs_gensim_per_word": vs_gensim,
            "long_paravec_vs_gensim_per_word": long_vs,
        },
        "load": [load_start[0], load_end[0]],
        "stages": {name: stage_medians(name) for name in ("base", "double")},
    }
    stages = data["stages"]
    stage_rows = "\n".join(
        f"| {stage} | {stages['base'][stage]:.3f} | {stages['double'][stage]:.3f} |"  # type: ignore[index]
        for stage in stages["base"]  # type: ignore[union-attr]
    )

    def held(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    md = f"""# Update cost follows the batch

Command: `python benchmarks/update_steady.py{"".join(" " + a for a in (argv if argv is not None else sys.argv[1:]))}` ({time.perf_counter() - started:.0f} s
on {os.cpu_count()} CPUs; load average (1 min) {load_start[0]:.1f} at start, {load_end[0]:.1f} at end: other
processes shared the CPUs, which slows both sides of each ratio alike). PV-DBOW + word training,
{args.vector_size} dimensions, {args.epochs} epochs, 2 workers; medians of interleaved runs.

| comparison | paravec | other side | ratio | goal |
|---|---|---|---|---|
| the same batch into a base twice as large ({len(double.dv):,} vs {len(base.dv):,} documents, {len(double.wv):,} vs {len(base.wv):,} words), {args.repeats} runs each | {d["seconds"]:.2f} s | {b["seconds"]:.2f} s | **{ratio:.3f}** ({ratio_word:.3f} per word trained) | within 1.10: {held(ratio <= 1.10)} |
| for reference: gensim's own `train()` of the batch in the two updated models, per word trained | {gd["us_per_word"]:.3f} µs | {g["us_per_word"]:.3f} µs | {gensim_ratio_word:.3f} | — |
| update vs gensim `train()`, the steady batch ({len(batch):,} Lee documents, {data["batch"]["words"]:,} words), per word trained | {b["us_per_word"]:.3f} µs | {g["us_per_word"]:.3f} µs | **{vs_gensim:.2f}** | at most 1: {held(vs_gensim <= 1.0)} |
| update vs gensim `train()`, long documents ({len(long_batch)} Wikipedia articles, {data["long_batch"]["words"]:,} words) into a smaller base ({len(small.dv)} Lee documents, {len(small.wv):,} words), per word trained, {args.long_repeats} runs | {lp["us_per_word"]:.3f} µs | {lg["us_per_word"]:.3f} µs | **{long_vs:.2f}** | at most 1: {held(long_vs <= 1.0)} |

Words trained by the steady batch: {b["words_trained"]:,.0f} into the base, {d["words_trained"]:,.0f} into the double
base (downsampling uses the counts of everything the model has seen: in a base with twice the text
the batch's words are relatively rarer, so fewer of their occurrences are dropped). Update of the
base: {b["seconds"]:.2f} s (the batch is steady when it is at least {args.steady:g} s). The gensim side trains the same
documents and epochs in a copy of the model `update` produced; `update`'s side includes checking the
model, growing the vocabulary and placing the documents.

Where the time of the steady batch goes (the update report's stages, medians, seconds):

| stage | base | double base |
|---|---:|---:|
{stage_rows}
"""
    write_results(OUT, md, data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
