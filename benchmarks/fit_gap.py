"""Where fit="domain" falls short of retraining at the same min_count on Lee: a diagnosis (issue 17, item 1).

Lee r is computed from vectors ``infer_vector`` trains on lee.cor against the final model, so only
the vocabulary, the sampling tables (``sample_int``, the noise table ``cum_table``) and the output
layer (``syn1neg``) can make two models differ. For each seed this script takes the base (the Lau &
Baldwin recipe of ``_common.RECIPES``, cached), retraining on base + Lee batch at ``min_count`` one
below the base's (cached), and ``fit="domain"``, and measures each part:

- vocabulary: lee.cor tokens and types each model knows, the words only one of them has;
- sampling: the largest difference in keep probability of a lee.cor word, and the fit's Lee r with
  its ``sample_int`` recomputed at retraining's total count;
- noise table: retraining's Lee r with the words the fit lacks taken out of its noise table, with
  their output rows zeroed but left in the table, and the fit's with those words added (zero rows);
- output rows: Lee r from the lee.cor words the base knew only, from the new words only, and from
  the new words that also occur in the base text; the same for a fit whose pretrained word vectors
  learn (``freeze=(1, 1)``).

Every Lee r here is the mean over 4 inference seeds (the benchmarks' figure is seed 0's; one
model's spread over inference seeds is about 0.006), so that the parts stand out of that noise.

Run: ``python benchmarks/fit_gap.py --seeds 0 3 --cache DIR`` (~4 minutes a seed for retraining,
1 minute for the rest) → ``benchmarks/results/fit_gap.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import copy
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from _common import INFER_EPOCHS, RECIPES, RESULTS, LeeData, cosines, infer, warm_up, write_results
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.vocab import add_words, cum_table, refresh_sampling

INFER_SEEDS = 4


def _lee(data: LeeData, model: Doc2Vec, keep: Any = None) -> float:
    docs = (
        data.lee
        if keep is None
        else [TaggedDocument([w for w in d.words if keep(w)], d.tags) for d in data.lee]
    )
    return float(
        np.mean(
            [
                data.lee_pearson(cosines(infer(model, docs, seed=s, epochs=INFER_EPOCHS)))
                for s in range(INFER_SEEDS)
            ]
        )
    )


def _cached(path: Path, build: Any) -> Doc2Vec:
    if path.exists():
        return Doc2Vec.load(str(path))
    model = build()
    model.save(str(path))
    return model


def _keep_probability(model: Doc2Vec, word: str) -> float:
    return min(int(model.wv.get_vecattr(word, "sample_int")) / 2**32, 1.0)


def diagnose(data: LeeData, seed: int, cache: Path) -> dict[str, Any]:
    params = dict(RECIPES["lau-baldwin"])
    base = _cached(cache / f"base{seed}.model", lambda: paravec.train(data.wiki, seed=seed, **params))
    mc = int(base.min_count) - 1
    batch = data.batches["lee"]
    retrained = _cached(
        cache / f"retrain_mc{mc}_{seed}.model",
        lambda: paravec.train(data.wiki + batch, seed=seed, **{**params, "min_count": mc}),
    )
    fit = copy.deepcopy(base)
    cpu = time.process_time()
    paravec.update(fit, batch, fit="domain", rehearse=data.wiki, seed=seed)
    fit_cpu = time.process_time() - cpu
    out: dict[str, Any] = {"seed": seed, "min_count": mc, "fit_cpu": fit_cpu}
    wiki_counts = Counter(w for d in data.wiki for w in d.words)
    batch_counts = Counter(w for d in batch for w in d.words)
    tokens = [w for d in data.lee for w in d.words]
    old = set(base.wv.key_to_index)
    new = set(fit.wv.key_to_index) - old

    # Vocabulary.
    for name, model in (("fit", fit), ("retrain", retrained)):
        known = model.wv.key_to_index
        out[f"{name}_vocab"] = len(known)
        out[f"{name}_lee_tokens_known"] = sum(w in known for w in tokens) / len(tokens)
        out[f"{name}_lee_types_known"] = len({w for w in tokens if w in known})
    lacking = [w for w in retrained.wv.index_to_key if w not in fit.wv.key_to_index]
    out["lee_types"] = len(set(tokens))
    out["only_in_retrain"] = len(lacking)
    out["only_in_retrain_lee_tokens"] = sum(w in set(lacking) for w in tokens)
    out["only_in_retrain_base_counts"] = dict(Counter(wiki_counts[w] for w in lacking))
    out["only_in_retrain_batch_tokens"] = sum(batch_counts[w] for w in lacking)
    out["only_in_fit"] = sum(w not in retrained.wv.key_to_index for w in fit.wv.index_to_key)
    common = [w for w in set(tokens) if w in fit.wv.key_to_index and w in retrained.wv.key_to_index]
    out["lee_count_differs"] = sum(
        int(fit.wv.get_vecattr(w, "count")) != int(retrained.wv.get_vecattr(w, "count")) for w in common
    )

    # Sampling tables.
    out["max_keep_difference"] = max(
        abs(_keep_probability(fit, w) - _keep_probability(retrained, w)) for w in common
    )
    out["lee_fit"] = _lee(data, fit)
    out["lee_retrain"] = _lee(data, retrained)
    swapped = copy.copy(fit)
    swapped.wv = copy.copy(fit.wv)
    swapped.wv.expandos = dict(fit.wv.expandos)
    counts = np.maximum(np.asarray(fit.wv.expandos["count"], dtype=np.float64), 1.0)
    threshold = fit.sample * float(np.sum(retrained.wv.expandos["count"]))
    keep = np.minimum((np.sqrt(counts / threshold) + 1.0) * (threshold / counts), 1.0)
    swapped.wv.expandos["sample_int"] = (keep * (2**32 - 1)).astype(np.uint32)
    out["lee_fit_retrain_sampling"] = _lee(data, swapped)

    # Noise table.
    lacks = np.array([w not in fit.wv.key_to_index for w in retrained.wv.index_to_key])
    weights = np.asarray(retrained.wv.expandos["count"], dtype=np.float64) ** retrained.ns_exponent
    out["noise_mass_fit_lacks"] = float(weights[lacks].sum() / weights.sum())
    no_extra = copy.copy(retrained)
    table_counts = np.asarray(retrained.wv.expandos["count"], dtype=np.float64).copy()
    table_counts[lacks] = 0
    no_extra.cum_table = cum_table(table_counts, retrained.ns_exponent)
    out["lee_retrain_without_them_in_noise"] = _lee(data, no_extra)
    zeroed = copy.copy(retrained)
    zeroed.syn1neg = retrained.syn1neg.copy()
    zeroed.syn1neg[lacks] = 0.0
    out["lee_retrain_their_rows_zeroed"] = _lee(data, zeroed)
    grown = copy.deepcopy(fit)
    add_words(grown, {w: c for w, c in fit.raw_vocab.items() if c >= mc}, seed=seed)
    refresh_sampling(grown)
    out["lee_fit_plus_them_zero_rows"] = _lee(data, grown)

    # Output rows, by the words a document keeps.
    subsets = {
        "old": lambda w: w in old,
        "new": lambda w: w in new,
        "new_in_base": lambda w: w in new and wiki_counts[w] > 0,
        "new_not_in_base": lambda w: w in new and wiki_counts[w] == 0,
    }
    out["lee_token_share"] = {k: sum(map(f, tokens)) / len(tokens) for k, f in subsets.items()}
    learning = copy.deepcopy(base)
    paravec.update(learning, batch, fit="domain", rehearse=data.wiki, seed=seed, freeze=(1.0, 1.0))
    out["wordsim"] = {
        "fit": data.wordsim(fit),
        "retrain": data.wordsim(retrained),
        "fit_words_learn": data.wordsim(learning),
    }
    out["lee_fit_words_learn"] = _lee(data, learning)
    for name, model in (("fit", fit), ("retrain", retrained), ("fit_words_learn", learning), ("base", base)):
        out[f"lee_by_words_{name}"] = {k: _lee(data, model, f) for k, f in subsets.items()}
    names = ("fit", "retrain")
    out["new_output_row_norm"] = {
        n: float(np.linalg.norm(m.syn1neg[[m.wv.key_to_index[w] for w in new]], axis=1).mean())
        for n, m in zip(names, (fit, retrained), strict=True)
    }
    out["old_output_row_norm"] = {
        n: float(
            np.linalg.norm(m.syn1neg[[m.wv.key_to_index[w] for w in old if batch_counts[w]]], axis=1).mean()
        )
        for n, m in zip(names, (fit, retrained), strict=True)
    }
    return out


def _markdown(runs: list[dict[str, Any]], command: str) -> str:
    def row(label: str, key: Any, fmt: str = "{:.3f}") -> str:
        cells = [fmt.format(key(r)) for r in runs]
        return f"| {label} | " + " | ".join(cells) + " |"

    seeds = " | ".join(f"seed {r['seed']}" for r in runs)
    lines = [
        "# Where fit='domain' falls short of retraining at the same min_count (Lee batch)",
        "",
        f"Generated by `{command}`. Lee r = mean over {INFER_SEEDS} inference seeds; retraining on base + "
        f"Lee batch at min_count {runs[0]['min_count']} (one below the base's). Load average at the end: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        f"| | {seeds} |",
        "|---|" + "---|" * len(runs),
        row("Lee r, fit='domain'", lambda r: r["lee_fit"]),
        row("Lee r, retraining", lambda r: r["lee_retrain"]),
        row(
            "**vocabulary**: lee.cor tokens known, fit / retraining",
            lambda r: f"{r['fit_lee_tokens_known']:.4f} / {r['retrain_lee_tokens_known']:.4f}",
            "{}",
        ),
        row(
            "lee.cor types known, fit / retraining (of all)",
            lambda r: f"{r['fit_lee_types_known']} / {r['retrain_lee_types_known']} ({r['lee_types']})",
            "{}",
        ),
        row(
            "words only retraining has (their lee.cor tokens, batch tokens)",
            lambda r: (
                f"{r['only_in_retrain']} ({r['only_in_retrain_lee_tokens']}, {r['only_in_retrain_batch_tokens']})"
            ),
            "{}",
        ),
        row("their counts in the base text", lambda r: r["only_in_retrain_base_counts"], "{}"),
        row("words only the fit has", lambda r: r["only_in_fit"], "{}"),
        row("lee.cor words whose counts differ", lambda r: r["lee_count_differs"], "{}"),
        row(
            "**sampling**: largest keep-probability difference of a lee.cor word",
            lambda r: r["max_keep_difference"],
            "{:.4f}",
        ),
        row("Lee r, fit with retraining's downsampling threshold", lambda r: r["lee_fit_retrain_sampling"]),
        row(
            "**noise table**: share of retraining's noise mass on the words the fit lacks",
            lambda r: r["noise_mass_fit_lacks"],
        ),
        row(
            "Lee r, retraining without them in its noise table",
            lambda r: r["lee_retrain_without_them_in_noise"],
        ),
        row(
            "Lee r, retraining with their output rows zeroed (still in the table)",
            lambda r: r["lee_retrain_their_rows_zeroed"],
        ),
        row("Lee r, fit with them added (zero rows)", lambda r: r["lee_fit_plus_them_zero_rows"]),
        row(
            "**output rows**: share of lee.cor tokens old / new (in base text) / new (not)",
            lambda r: "{old:.3f} / {new_in_base:.3f} / {new_not_in_base:.3f}".format(**r["lee_token_share"]),
            "{}",
        ),
    ]
    for part, label in (
        ("old", "old words only"),
        ("new", "new words only"),
        ("new_in_base", "new words that occur in the base text"),
        ("new_not_in_base", "new words absent from the base text"),
    ):
        lines.append(
            row(
                f"Lee r from {label}: fit / retraining / fit, word vectors learn / base",
                lambda r, p=part: " / ".join(
                    f"{r[f'lee_by_words_{n}'][p]:.3f}" for n in ("fit", "retrain", "fit_words_learn", "base")
                ),
                "{}",
            )
        )
    lines += [
        row(
            "Lee r, fit with pretrained word vectors learning (`freeze=(1, 1)`)",
            lambda r: r["lee_fit_words_learn"],
        ),
        row(
            "WordSim-353: fit / retraining / fit, word vectors learn",
            lambda r: "{fit:.3f} / {retrain:.3f} / {fit_words_learn:.3f}".format(**r["wordsim"]),
            "{}",
        ),
        row(
            "mean output-row norm of new words: fit / retraining",
            lambda r: "{fit:.2f} / {retrain:.2f}".format(**r["new_output_row_norm"]),
            "{}",
        ),
        row(
            "mean output-row norm of old words the batch uses: fit / retraining",
            lambda r: "{fit:.2f} / {retrain:.2f}".format(**r["old_output_row_norm"]),
            "{}",
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 3])
    parser.add_argument(
        "--cache", type=Path, default=Path("/tmp/fit_gap"), help="folder keeping bases and retrained models"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "fit_gap.md")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    data = LeeData()
    warm_up()
    runs = []
    for seed in args.seeds:
        runs.append(diagnose(data, seed, args.cache))
        print(runs[-1], flush=True)
    command = "python benchmarks/fit_gap.py --seeds " + " ".join(map(str, args.seeds)) + " --cache DIR"
    write_results(args.out, _markdown(runs, command), {"command": command, "runs": runs})


if __name__ == "__main__":
    main()
