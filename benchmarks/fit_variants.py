"""Variants of fit="domain" on one seed's base, Lee batch: a quick screen before a full run (issue 17).

Each variant updates a copy of the same base (the Lau & Baldwin recipe of ``_common.RECIPES``,
trained once and kept in ``--cache``) with the Lee batch and prints one JSON line: Lee Pearson of
inferred vectors (``doc``), of the trained vectors (``doc_trained``), WordSim-353, wall and CPU
seconds, words trained. Variants: ``domain`` (the fit), ``domain_aX`` (alpha X), ``domain_epN``
(N epochs), ``domain_mcN`` (``min_count`` N), ``domain_out0.5`` (pretrained output rows at half
rate), ``domain_settleN`` (then N settling passes of every new document, weights fixed),
``warmN`` (first N epochs training only the
new rows, every pretrained weight frozen, then the fit), ``domain_rX_epN`` (rehearsal of X times
the batch's words, N epochs), ``focus_top`` / ``focus_mix`` (rehearsal
passages chosen for the batch's words: the best-scoring ones, or drawn with probability following
the score), ``words4`` (the fit without rehearsal), ``words4_out0.5``, ``replayX`` (generative
replay of X times the batch's words), ``replay_out0.5``, ``domain_negN[wM]`` (N negative
samples, and window M, while updating), ``domain_winN`` (skip-gram window N while updating), ``domain_newF`` (the new
rows, words, output rows and the batch's documents, at F times the rate); and, for the diagnosis of
``fit_gap.py``: ``domain_last`` / ``domain_shuffle`` (the rehearsal trained before the batch in each
epoch, or both shuffled together), ``domain_newoutF`` (only the new output rows at F times the
rate), ``domain_fwX`` (pretrained word vectors learning at X times the rate), ``domain_dboN`` (then N
epochs of plain PV-DBOW, no skip-gram), ``domain_targetR_P`` (rehearsal: windows of +-R words
around the first P base occurrences of each word that enters, topped up with random passages),
``domain_plusR_P`` (those windows on top of the fit's rehearsal), ``domain_preR_P_E`` (E epochs of
the new rows alone on those windows, then the fit). ``--infer-seeds 4`` adds ``doc4``, Lee r averaged
over 4 inference seeds, and ``old`` / ``new_in_base``, Lee r from lee.cor's words the base knew only
/ the new words that occur in the base text only.

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
parser.add_argument(
    "--infer-seeds", type=int, default=1, help="also average Lee r over this many inference seeds"
)
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


def _entering_windows(radius, per_word):
    """Windows of +-radius base words around the first per_word base occurrences of each word that enters."""
    batch_counts = Counter(w for d in batch for w in d.words)
    entering = {
        w
        for w, c in batch_counts.items()
        if w not in base.wv.key_to_index and base.raw_vocab.get(w, 0) + c >= 4
    }
    seen, out = Counter(), []
    for d in data.wiki:
        end = -1
        for i, w in enumerate(d.words):
            if w in entering and seen[w] < per_word and i - radius >= end:
                seen[w] += 1
                start, end = max(0, i - radius), min(len(d.words), i + radius + 1)
                out.append(TaggedDocument(list(d.words[start:end]), list(d.tags)))
    return out


def _order_trainer(kind):
    """Train the rehearsal before the batch in each epoch ("last"), or all documents shuffled."""
    import dataclasses

    from paravec import kernel
    from paravec.updating.driver import train

    def trainer(model, job, progress):
        c, n = job.corpus, len(job.corpus.doc_starts) - 1
        order = list(range(len(batch), n)) + list(range(len(batch)))
        if kind == "shuffle":
            order = list(np.random.default_rng(seed).permutation(n))
        ws = [c.word_ids[c.doc_starts[d] : c.doc_starts[d + 1]] for d in order]
        ts = [c.tag_ids[c.tag_starts[d] : c.tag_starts[d + 1]] for d in order]
        starts = np.concatenate([[0], np.cumsum([len(a) for a in ws])]).astype(np.int64)
        tag_starts = np.concatenate([[0], np.cumsum([len(a) for a in ts])]).astype(np.int64)
        corpus = kernel.Corpus(
            np.concatenate(ws).astype(np.int32), starts, np.concatenate(ts).astype(np.int32), tag_starts
        )
        return train(model, dataclasses.replace(job, corpus=corpus), progress)

    return trainer


def _locks_trainer(out_new=1.0):
    """Only the new output rows at ``out_new`` times the rate."""
    import dataclasses

    from paravec.updating.driver import train

    def trainer(model, job, progress):
        out = job.locks.out.copy()
        out[job.n_words_old :] *= out_new
        return train(model, dataclasses.replace(job, locks=job.locks._replace(out=out)), progress)

    return trainer


def _phase_trainer(pre_docs=None, pre_epochs=0, dbow_after=0):
    """E epochs of the new rows alone on ``pre_docs`` first, and/or N epochs of plain PV-DBOW after."""
    import dataclasses

    from paravec.updating.driver import build_corpus, train
    from paravec.updating.placement import document_rows

    def trainer(model, job, progress):
        done = 0
        if pre_docs:
            word, out = job.locks.word.copy(), job.locks.out.copy()
            word[: job.n_words_old] = 0.0
            out[: job.n_words_old] = 0.0
            pre = dataclasses.replace(
                job,
                corpus=build_corpus(model, pre_docs, document_rows(model.dv, pre_docs)),
                locks=job.locks._replace(word=word, out=out, doc=np.zeros_like(job.locks.doc)),
                settings=dataclasses.replace(job.settings, epochs=pre_epochs),
            )
            done += train(model, pre, None)
        done += train(model, job, progress)
        if dbow_after:
            model.dbow_words = 0
            try:
                done += train(
                    model,
                    dataclasses.replace(job, settings=dataclasses.replace(job.settings, epochs=dbow_after)),
                    None,
                )
            finally:
                model.dbow_words = 1
        return done

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
    if v in ("domain_last", "domain_shuffle"):
        return dict(fit="domain", rehearse=data.wiki, trainer=_order_trainer(v[7:]))
    if v.startswith("domain_newout"):  # domain_newoutF: only the new output rows at F times the rate
        return dict(fit="domain", rehearse=data.wiki, trainer=_locks_trainer(float(v[13:])))
    if v.startswith("domain_fw"):  # domain_fwX: pretrained word vectors at X times the rate
        return dict(fit="domain", rehearse=data.wiki, freeze=(float(v[9:]), 1.0))
    if v.startswith("domain_dbo"):  # domain_dboN: then N epochs of plain PV-DBOW
        return dict(fit="domain", rehearse=data.wiki, trainer=_phase_trainer(dbow_after=int(v[10:])))
    if v.startswith("domain_target"):  # domain_targetR_P: windows around base occurrences, topped up
        r, p = map(int, v[13:].split("_"))
        windows = _entering_windows(r, p)
        top_up = reh_n - sum(len(d.words) for d in windows)
        extra = paravec.sample_rehearsal(data.wiki, top_up, seed=seed) if top_up > 0 else []
        return dict(freeze="words", min_count=4, epochs=30, rehearsal=windows + extra)
    if v.startswith("domain_plus"):  # domain_plusR_P: those windows on top of the fit's rehearsal
        r, p = map(int, v[11:].split("_"))
        rehearsal = _entering_windows(r, p) + paravec.sample_rehearsal(data.wiki, reh_n, seed=seed)
        return dict(freeze="words", min_count=4, epochs=30, rehearsal=rehearsal)
    if v.startswith("domain_pre"):  # domain_preR_P_E: E epochs of the new rows alone on the windows first
        r, p, e = map(int, v[10:].split("_"))
        return dict(fit="domain", rehearse=data.wiki, trainer=_phase_trainer(_entering_windows(r, p), e))
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
    if v.startswith("domain_mc"):  # domain_mcN: min_count N instead of one below the base's
        return dict(fit="domain", rehearse=data.wiki, min_count=int(v[9:]))
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


def _extra_scores(m):
    """Lee r over ``--infer-seeds`` inference seeds, and (seed 0) from old words / new words in the base text only."""
    from _common import INFER_EPOCHS, cosines, infer

    old = set(base.wv.key_to_index)
    wiki_counts = Counter(w for d in data.wiki for w in d.words)

    def lee_r(keep, seeds):
        docs = [TaggedDocument([w for w in d.words if keep(w)], d.tags) for d in data.lee]
        return float(
            np.mean(
                [data.lee_pearson(cosines(infer(m, docs, seed=i, epochs=INFER_EPOCHS))) for i in range(seeds)]
            )
        )

    return {
        "doc4": lee_r(lambda w: True, args.infer_seeds),
        "old": lee_r(lambda w: w in old, 1),
        "new_in_base": lee_r(lambda w: w in m.wv.key_to_index and w not in old and wiki_counts[w] > 0, 1),
    }


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
    if args.infer_seeds > 1:
        s.update(_extra_scores(m))
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
