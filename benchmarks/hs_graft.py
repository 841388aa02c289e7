"""How new words join a hierarchical-softmax tree: hang below a leaf, or graft that leaf one level down.

Issue 17: an update gives new words a Huffman tree of their own (Morin & Bengio 2005; Mikolov et
al. 2013) rooted below one pretrained leaf, the rarest word. Two schemes (``paravec.vocab.HS_SCHEME``):

- ``"hang"``: the anchor stays a leaf and the new tree's root hangs below it, so the anchor's code is
  a prefix of every new word's: the words' probabilities sum to 1 + P(anchor), not 1;
- ``"graft"``: the anchor leaf becomes a new inner node whose children are the anchor (one more code
  bit) and the new tree: a full binary tree again, probabilities sum to 1; one pretrained code changes.

For each seed a hierarchical-softmax PV-DBOW base (skip-gram words too) is trained on the Wikipedia
extract; the Lee batch is added with ``fit="keep"`` (every pretrained weight frozen) and with the
domain recipe (``freeze="words"``, ``min_count`` 4, 3/4 epochs, rehearsal of base passages), once
per scheme from the same base. Measured: the sum over the vocabulary of P(word | context) for the
50 inferred lee.cor vectors and 200 pretrained word vectors as contexts (max |sum - 1|), the anchor's
probability, Lee (Pearson of inferred vectors with the human judgments), WordSim-353, and the mean
log-probability of lee.cor's words given their inferred document vector (normalised by each
context's probability sum, so the hang scheme's surplus is not counted as likelihood).

Run: ``python benchmarks/hs_graft.py`` (``--seeds``, ``--epochs``); writes
``benchmarks/results/hs_graft.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import gensim
import numpy as np
from _common import RESULTS, LeeData, infer, progress_log, warm_up, write_results

import paravec
import paravec.vocab

SCHEMES = ("hang", "graft")


def _path_matrix(model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every word's points and signs, padded to the longest code (sign 0 pads)."""
    codes = model.wv.expandos["code"]
    points = model.wv.expandos["point"]
    depth = max(len(c) for c in codes)
    n = len(codes)
    pts = np.zeros((n, depth), dtype=np.int64)
    sign = np.zeros((n, depth), dtype=np.float64)
    for i, (c, p) in enumerate(zip(codes, points, strict=True)):
        pts[i, : len(p)] = p
        sign[i, : len(c)] = 1.0 - 2.0 * np.asarray(c, dtype=np.float64)  # bit 0: sigma(f), bit 1: sigma(-f)
    return pts, sign, np.asarray([len(c) for c in codes])


def _log_probs(model: Any, contexts: np.ndarray) -> np.ndarray:
    """log P(word | context) for every word (columns) and context (rows), as gensim's HS trains it."""
    pts, sign, _ = _path_matrix(model)
    f = contexts.astype(np.float64) @ model.syn1.astype(np.float64).T  # (contexts, nodes)
    out = np.zeros((len(contexts), len(pts)))
    for j in range(pts.shape[1]):
        s = sign[:, j]
        active = s != 0
        x = f[:, pts[active, j]] * s[active]
        out[:, active] += -np.logaddexp(0.0, -x)  # log sigma(x)
    return out


def _measure(model: Any, data: LeeData, n_old: int, anchor: int, seed: int) -> dict[str, float]:
    lee_vecs = infer(model, data.lee, epochs=100)
    rng = np.random.default_rng(seed)
    word_ctx = model.wv.vectors[rng.choice(n_old, 200, replace=False)]
    logp = _log_probs(model, np.vstack([lee_vecs, word_ctx]))
    sums = np.exp(logp).sum(axis=1)
    k2i = model.wv.key_to_index
    ll = []
    for i, doc in enumerate(data.lee):
        ids = [k2i[w] for w in doc.words if w in k2i]
        ll.append(float(np.mean(logp[i, ids]) - np.log(sums[i])))
    return {
        "lee": data.lee_pearson(data.lee_sims(model)),
        "wordsim": data.wordsim(model),
        "max_abs_sum_minus_1": float(np.abs(sums - 1.0).max()),
        "mean_sum_minus_1": float((sums - 1.0).mean()),
        "anchor_p": float(np.exp(logp[:, anchor]).mean()),
        "lee_loglik": float(np.mean(ll)),
        "new_words": len(model.wv) - n_old,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20, help="epochs of the base")
    parser.add_argument("--vector-size", type=int, default=100)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    log = progress_log()
    data = LeeData()
    warm_up()
    params = dict(
        vector_size=args.vector_size,
        epochs=args.epochs,
        min_count=5,
        window=8,
        dm=0,
        dbow_words=1,
        hs=1,
        negative=0,
        sample=1e-5,
        workers=2,
    )
    batch = data.batches["lee"]
    fits = {
        "keep": lambda: dict(fit="keep"),
        "domain": lambda: dict(fit="domain", rehearse=data.wiki),
    }
    rows: dict[str, dict[str, list[float]]] = {}
    started = time.perf_counter()
    cpu0 = time.process_time()
    for seed in args.seeds:
        base = paravec.train(data.wiki, seed=seed, **params)
        n_old = len(base.wv)
        counts = base.wv.expandos["count"]
        codes = base.wv.expandos["code"]
        anchor = min(range(n_old), key=lambda i: (int(counts[i]), -len(codes[i]), -i))
        for fit, kwargs in fits.items():
            for scheme in SCHEMES:
                paravec.vocab.HS_SCHEME = scheme
                model = copy.deepcopy(base)
                paravec.update(model, batch, seed=seed, **kwargs())
                assert not paravec.check(model), paravec.check(model)
                m = _measure(model, data, n_old, anchor, seed)
                log(f"seed {seed} {fit} {scheme}: {m}")
                for k, v in m.items():
                    rows.setdefault(f"{fit}|{scheme}", {}).setdefault(k, []).append(v)
    paravec.vocab.HS_SCHEME = "graft"
    fmt = lambda v, d=3: f"{statistics.fmean(v):.{d}f} ± {statistics.stdev(v) if len(v) > 1 else 0:.{d}f}"  # noqa: E731
    lines = [
        "# New words in a hierarchical-softmax tree: hang vs graft",
        "",
        f"Generated by `python benchmarks/hs_graft.py{' --seeds ' + ' '.join(map(str, args.seeds))}"
        f" --epochs {args.epochs} --vector-size {args.vector_size}` (gensim {gensim.__version__}, "
        f"Python {platform.python_version()}; load average at the end {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores). Base: `paravec.train` on the Wikipedia extract with {params}; batch: "
        "the Lee corpus. Mean ± sd over seeds; each scheme updates the same base per seed.",
        "",
        "| fit | scheme | max abs(sum P - 1) | mean sum P - 1 | P(anchor) | Lee | WordSim-353 "
        "| lee.cor mean log P(word | doc) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, m in rows.items():
        fit, scheme = key.split("|")
        lines.append(
            f"| {fit} | {scheme} | {max(m['max_abs_sum_minus_1']):.2e} | {statistics.fmean(m['mean_sum_minus_1']):.2e} "
            f"| {statistics.fmean(m['anchor_p']):.2e} | {fmt(m['lee'])} | {fmt(m['wordsim'])} | {fmt(m['lee_loglik'], 4)} |"
        )
    lines += [
        "",
        f"Wall time {(time.perf_counter() - started) / 60:.1f} min, CPU {(time.process_time() - cpu0) / 60:.1f} min.",
        "",
    ]
    write_results(
        Path(args.out) / "hs_graft.md",
        "\n".join(lines),
        {"params": params, "seeds": args.seeds, "rows": rows},
    )


if __name__ == "__main__":
    main()
