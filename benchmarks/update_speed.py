"""Speed and memory of paravec.update, measured side by side in one run.

Four comparisons on the same data and machine, each a ratio of two timings taken in this run:

1. ``update`` vs retraining from scratch on base + batch, with the base 100x the batch in words;
2. ``update`` of the same batch into a base twice as large (the extract plus a second copy of every
   article under new tags: twice the documents and words, the same vocabulary), and, for
   reference, into half the extract (a smaller vocabulary, so fewer batch words are known);
3. ``update`` vs gensim's raw ``train()`` on the same batch and epochs (paravec's overhead);
4. model memory after ``keep_old_docs=False`` on a base with many document vectors (words + new
   documents only is the goal).

Base: the Wikipedia extract that ships with gensim (106 articles, ~486k tokens); batch: the first
Lee news articles up to 1/100 of the base's words. Timings alternate between the two sides and
report medians, because the machine is shared.

Run: ``python benchmarks/update_speed.py`` (about 5 minutes on 2 cores; ``--quick`` for a smoke run).
Writes ``benchmarks/results/update_speed.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
from pathlib import Path

import numpy as np
from _common import RESULTS, timed, write_results
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.datasets import lee_background_documents, wiki_documents


def _model_bytes(model) -> int:
    arrays = [model.wv.vectors, model.dv.vectors]
    arrays += [
        getattr(model, a) for a in ("syn1neg", "syn1", "cum_table") if getattr(model, a, None) is not None
    ]
    arrays += list(model.wv.expandos.values()) + list(model.dv.expandos.values())
    return int(sum(a.nbytes for a in arrays if hasattr(a, "nbytes")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small vectors and few epochs, for a smoke run")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    size, epochs = (100, 5) if args.quick else (300, 20)
    params = dict(vector_size=size, epochs=epochs, min_count=5, window=8, seed=1, workers=2)

    wiki = wiki_documents()
    base_words = sum(len(d.words) for d in wiki)
    batch, words = [], 0
    for doc in lee_background_documents():
        if words >= base_words / 100:
            break
        batch.append(doc)
        words += len(doc.words)
    print(f"base: {len(wiki)} articles, {base_words} words; batch: {len(batch)} documents, {words} words")

    t_base, base = timed(paravec.train, wiki, **params)
    double = paravec.train(wiki + [TaggedDocument(d.words, [f"copy:{d.tags[0]}"]) for d in wiki], **params)
    half = paravec.train(wiki[: len(wiki) // 2], **params)

    # 1. update vs retraining on everything
    t_retrain, _ = timed(paravec.train, wiki + batch, **params)
    update_times, double_times, half_times, gensim_times = [], [], [], []
    trained = {}
    for _ in range(args.repeats):
        m = copy.deepcopy(base)
        t, report = timed(paravec.update, m, batch, workers=2)
        update_times.append(t)
        trained["base"] = report.words_trained
        # 2. the same batch into a base twice as large
        d2 = copy.deepcopy(double)
        t_d, r_d = timed(paravec.update, d2, batch, workers=2)
        double_times.append(t_d)
        trained["double"] = r_d.words_trained
        # 3. gensim's raw train() doing the same passes over the same batch in the updated model
        g = copy.deepcopy(m)
        t_g, _ = timed(g.train, batch, total_examples=len(batch), epochs=epochs)
        gensim_times.append(t_g)
        h = copy.deepcopy(half)
        t_h, r_h = timed(paravec.update, h, batch, workers=2)
        half_times.append(t_h)
        trained["half"] = r_h.words_trained
    t_update = statistics.median(update_times)
    t_gensim = statistics.median(gensim_times)
    t_half = statistics.median(half_times)
    t_double = statistics.median(double_times)

    # 4. memory after dropping the old documents of a base with many document vectors
    many = copy.deepcopy(base)
    n_many = 200_000
    rng = np.random.default_rng(0)
    many.dv.vectors = rng.standard_normal((n_many, size), dtype=np.float32)
    many.dv.index_to_key = [f"doc{i}" for i in range(n_many)]
    many.dv.key_to_index = {k: i for i, k in enumerate(many.dv.index_to_key)}
    many.dv.expandos = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "many.model"
        paravec.save(many, path)
        del many
        mapped = paravec.load(path, mmap="r")
        bytes_before = _model_bytes(mapped)
        t_drop, drop_report = timed(paravec.update, mapped, batch, keep_old_docs=False, workers=2)
        bytes_after = _model_bytes(mapped)
    # The word side as the same update leaves it (rare base words completed by the batch included).
    words_only = _model_bytes(m) - m.dv.vectors.nbytes - sum(a.nbytes for a in m.dv.expandos.values())
    expected_after = words_only + len(batch) * size * 4 + len(batch) * 16

    rows = {
        "vector_size": size,
        "epochs": epochs,
        "base_docs": len(wiki),
        "base_words": base_words,
        "batch_docs": len(batch),
        "batch_words": words,
        "repeats": args.repeats,
        "base_train_s": t_base,
        "retrain_s": t_retrain,
        "update_s": t_update,
        "speedup_vs_retrain": t_retrain / t_update,
        "update_double_base_s": t_double,
        "update_double_vs_base": t_double / t_update,
        "update_double_vs_base_per_trained_word": (t_double / trained["double"])
        / (t_update / trained["base"]),
        "update_half_base_s": t_half,
        "update_base_vs_half": t_update / t_half,
        "vocab": {"half": len(half.wv), "base": len(base.wv), "double": len(double.wv)},
        "words_trained": trained,
        "gensim_train_s": t_gensim,
        "update_vs_gensim_train": t_update / t_gensim,
        "many_docs": n_many,
        "model_mb_before_drop": bytes_before / 2**20,
        "model_mb_after_drop": bytes_after / 2**20,
        "words_plus_new_docs_mb": expected_after / 2**20,
        "update_drop_s": t_drop,
        "dropped": drop_report.dropped_tags,
    }
    md = f"""# paravec.update: speed and memory

Command: `python benchmarks/update_speed.py{" --quick" if args.quick else ""}` (2 cores; medians of {args.repeats} alternating runs).
Base: the Wikipedia extract shipped with gensim ({len(wiki)} articles, {base_words:,} words), PV-DBOW + word
training, {size} dimensions, {epochs} epochs. Batch: {len(batch)} Lee news articles ({words:,} words, 1/100 of the base).

| comparison | paravec | other side | ratio | goal |
|---|---|---|---|---|
| update vs retrain from scratch on base + batch | {t_update:.2f} s | {t_retrain:.1f} s | **{t_retrain / t_update:.0f}x faster** | 50x or more |
| update into a base twice as large (2x documents and words) vs the base | {t_double:.2f} s | {t_update:.2f} s | **{t_double / t_update:.2f}** ({(t_double / trained["double"]) / (t_update / trained["base"]):.2f} per word trained) | within 1.10 |
| for reference: the base vs half of it ({len(base.wv):,} vs {len(half.wv):,} words in the vocabulary) | {t_update:.2f} s | {t_half:.2f} s | {t_update / t_half:.2f} | — |
| update (all of it) vs gensim's raw `train()` on the same batch | {t_update:.2f} s | {t_gensim:.2f} s | **{t_update / t_gensim:.2f}** | under 1.10 |
| model memory after `keep_old_docs=False` ({n_many:,} doc vectors, memory-mapped) | {bytes_after / 2**20:.1f} MB | {bytes_before / 2**20:.1f} MB before | words + new docs = {expected_after / 2**20:.1f} MB | words + new docs only |

Base training took {t_base:.1f} s. Words trained by the update: {trained}. Downsampling uses the counts
of everything the model has seen, so in a base with twice the text the batch's words are relatively
rarer and fewer of their occurrences are dropped: the same batch trains more words (the "per word
trained" figure divides that out). A base with a larger vocabulary knows more of the batch's words,
so it trains more of them too: that, not the base's size, is most of the difference in the reference row. The raw gensim `train()` side trains the same documents and epochs in the model
`update` produced; `update`'s side includes checking the model, growing the vocabulary and placing the documents.
"""
    write_results(RESULTS / "update_speed.md", md, rows)


if __name__ == "__main__":
    main()
