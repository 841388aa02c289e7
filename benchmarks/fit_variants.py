"""Variants of fit="domain" on one seed's base, Lee batch: a quick screen before a full run (issue 17).

Each variant updates a copy of the same base (the Lau & Baldwin recipe of ``_common.RECIPES``,
trained once and kept in ``--cache``) with the Lee batch and prints one JSON line: Lee Pearson of
inferred vectors (``doc``), of the trained vectors (``doc_trained``), WordSim-353, wall and CPU
seconds, words trained. Variants: ``domain`` (the fit), ``domain_aX`` (alpha X), ``domain_epN``
(N epochs), ``domain_out0.5`` (pretrained output rows at half rate), ``domain_settleN`` (then N
settling passes of every new document, weights fixed), ``warmN`` (first N epochs training only the
new rows, every pretrained weight frozen, then the fit), ``domain_rX_epN`` (rehearsal of X times
the batch's words, N epochs), ``focus_top`` / ``focus_mix`` (rehearsal
passages chosen for the batch's words: the best-scoring ones, or drawn with probability following
the score), ``words4`` (the fit without rehearsal), ``words4_out0.5``, ``replayX`` (generative
replay of X times the batch's words), ``replay_out0.5``, ``domain_negN[wM]`` (N negative
samples, and window M, while updating), ``domain_winN`` (skip-gram window N while updating), ``domain_newF`` (the new
rows, words, output rows and the batch's documents, at F times the rate).

Run: ``python benchmarks/fit_variants.py 0 domain,words4,replay0.6`` (one line per variant);
the screens (seed 0, then seeds 0 and 3) are in ``benchmarks/results/fit_variants.log``.
"""

import argparse
import copy
import json
import math
import os
import time
from collections import Counter

import numpy as np
from _common import RECIPES, LeeData, warm_up
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.replay import sample_replay

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("seed", type=int)
parser.add_argument("variants", help="comma-separated names (see kwargs_for)")
parser.add_argument("--cache", default="/tmp/fit_variants", help="folder keeping the base of each seed")
args = parser.parse_args()
seed, variants = args.seed, args.variants.split(",")
params = dict(RECIPES["lau-baldwin"])
data = LeeData()
warm_up()
os.makedirs(args.cache, exist_ok=True)
path = f"{args.cache}/base{seed}.model"
if os.path.exists(path):
    base = Doc2Vec.load(path)
else:
    t = time.process_time()
    base = paravec.train(data.wiki, seed=seed, **params)
    base.save(path)
    print("base cpu", time.process_time() - t, flush=True)
batch = data.batches["lee"]
bw = sum(len(d.words) for d in batch)


def focused(n_words, mode):
    bc = Counter(w for d in batch for w in d.words)
    bt = sum(bc.values())
    wc = Counter(w for d in data.wiki for w in d.words)
    wt = sum(wc.values())
    rng = np.random.default_rng(seed)
    cands = []
    for i, d in enumerate(data.wiki):
        n = len(d.words)
        for s in range(0, max(n - 999, 1), 500):
            ws = d.words[s : s + 1000]
            sc = sum(math.log1p((bc[w] / bt) / (wc[w] / wt)) for w in ws) / len(ws)
            cands.append((sc, i, s))
    cands.sort(reverse=True)
    out, tot = [], 0
    if mode == "top":
        pool = cands
    else:
        sc = np.array([c[0] for c in cands])
        p = sc**2 / (sc**2).sum()
        idx = rng.choice(len(cands), size=len(cands) // 4, replace=False, p=p)
        pool = [cands[i] for i in idx]
    for _score, i, s in pool:
        if tot >= n_words:
            break
        d = data.wiki[i]
        out.append(TaggedDocument(d.words[s : s + 1000], d.tags))
        tot += len(out[-1].words)
    return out


def _warm_trainer(warm_epochs):
    """Train the new rows alone (pretrained output rows frozen too) for ``warm_epochs``, then the job."""
    import dataclasses

    from paravec.updating.driver import train

    def trainer(model, job, progress):
        out = job.locks.out.copy()
        out[: job.n_words_old] = 0.0
        node = job.locks.node.copy()
        node[: job.n_nodes_old] = 0.0
        warm = dataclasses.replace(
            job,
            locks=job.locks._replace(out=out, node=node),
            settings=dataclasses.replace(job.settings, epochs=warm_epochs),
        )
        return train(model, warm, None) + train(model, job, progress)

    return trainer


def _attr_trainer(**attrs):
    """Train with the model's training attributes (``negative``, ``window``) set to ``attrs``, then restore them."""
    from paravec.updating.driver import train

    def trainer(model, job, progress):
        saved = {k: getattr(model, k) for k in attrs}
        for k, x in attrs.items():
            setattr(model, k, x)
        try:
            return train(model, job, progress)
        finally:
            for k, x in saved.items():
                setattr(model, k, x)

    return trainer


def _new_rows_trainer(factor):
    """Train new rows (words, output rows, the batch's documents) at ``factor`` times the rate."""
    import dataclasses

    from paravec.updating.driver import train

    def trainer(model, job, progress):
        word, out, doc = job.locks.word.copy(), job.locks.out.copy(), job.locks.doc * factor
        word[job.n_words_old :] *= factor
        out[job.n_words_old :] *= factor
        return train(
            model, dataclasses.replace(job, locks=job.locks._replace(word=word, out=out, doc=doc)), progress
        )

    return trainer


def kwargs_for(v):
    """The update's keyword arguments for variant ``v`` (rehearsal samples drawn here, not timed)."""
    reh_n = round(0.6 * bw)
    if v == "domain":
        return dict(fit="domain", rehearse=data.wiki)
    if v == "keep":
        return dict(fit="keep")
    if v == "words4_out0.5":
        return dict(freeze=(0.0, 0.5), min_count=4, epochs=30)
    if v == "domain_out0.5":
        return dict(fit="domain", rehearse=data.wiki, freeze=(0.0, 0.5))
    if v == "replay_out0.5":
        return dict(fit="domain", rehearse="replay", freeze=(0.0, 0.5))
    if v.startswith("domain_settle"):
        return dict(fit="domain", rehearse=data.wiki, _settle=int(v[13:]))
    if v == "words4":
        return dict(freeze="words", min_count=4, epochs=30)
    if v == "focus_top":
        return dict(freeze="words", min_count=4, epochs=30, rehearsal=focused(reh_n, "top"))
    if v == "focus_mix":
        return dict(freeze="words", min_count=4, epochs=30, rehearsal=focused(reh_n, "mix"))
    if v.startswith("warm"):  # warmN[_epM]: N epochs with every pretrained weight frozen first
        n, _, rest = v[4:].partition("_ep")
        extra = dict(epochs=int(rest)) if rest else {}
        return dict(fit="domain", rehearse=data.wiki, trainer=_warm_trainer(int(n)), **extra)
    if v.startswith("domain_r"):  # domain_rX_epN: rehearsal X times the batch's words, N epochs
        share, _, ep = v[8:].partition("_ep")
        return dict(
            freeze="words",
            min_count=4,
            epochs=int(ep or 30),
            rehearsal=paravec.sample_rehearsal(data.wiki, round(float(share) * bw), seed=seed),
        )
    if v.startswith("domain_new"):  # domain_newF: new rows at F times the rate
        return dict(fit="domain", rehearse=data.wiki, trainer=_new_rows_trainer(float(v[10:])))
    if v.startswith("domain_neg"):  # domain_negN[wM]: N negative samples (and window M) while updating
        neg, _, win = v[10:].partition("w")
        attrs = dict(negative=int(neg), **({"window": int(win)} if win else {}))
        return dict(fit="domain", rehearse=data.wiki, trainer=_attr_trainer(**attrs))
    if v.startswith("domain_win"):  # domain_winN: skip-gram window N while updating
        return dict(fit="domain", rehearse=data.wiki, trainer=_attr_trainer(window=int(v[10:])))
    if v.startswith("domain_ep"):
        return dict(fit="domain", rehearse=data.wiki, epochs=int(v[9:]))
    if v.startswith("domain_a"):
        return dict(fit="domain", rehearse=data.wiki, alpha=float(v[8:]))
    if v.startswith("domain_ma"):
        return dict(fit="domain", rehearse=data.wiki, min_alpha=float(v[9:]))
    if v.startswith("replay"):  # replayX  X = share of batch words
        share = float(v[6:] or 0.6)
        return dict(
            freeze="words",
            min_count=4,
            epochs=30,
            rehearsal=sample_replay(base, round(share * bw), seed=seed),
        )
    raise SystemExit(v)


for v in variants:
    m = copy.deepcopy(base)
    kw = kwargs_for(v)
    t, c = time.perf_counter(), time.process_time()
    post = kw.pop("_settle", 0)
    rep = paravec.update(m, batch, seed=seed, **kw)
    if post:
        from paravec.updating.placement import document_rows
        from paravec.updating.settling import settle_documents

        settle_documents(m, batch, document_rows(m.dv, batch), post, seed, trained_epochs=0)
        m.dv.norms = None
    t, c = time.perf_counter() - t, time.process_time() - c
    s = data.score("lee", m)
    print(
        json.dumps(
            {
                "seed": seed,
                "v": v,
                **{k: round(x, 4) for k, x in s.items()},
                "wall": round(t, 1),
                "cpu": round(c, 1),
                "trained": rep.words_trained,
            }
        ),
        flush=True,
    )
