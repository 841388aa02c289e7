"""Benchmark: every way to add a batch of documents to a pretrained Doc2Vec, measured side by side.

Scenario: the base is a PV-DBOW + skip-gram model (``paravec.train`` defaults) of the Wikipedia
extract that ships with gensim (106 articles, cut into passages of at most 1,000 words); the batch
is the Lee news corpus (``lee_background.cor``, 300 articles). Same data, seeds and epochs for all:

* ``paravec.update`` with ``freeze`` = all / words / none, old document vectors kept and dropped;
* retraining from scratch on base + batch (``paravec.train``);
* the seed scenario's published workaround (``benchmarks/workaround.py``), at 100 and 300 dimensions;
* gensim's ``build_vocab(update=True)`` + ``train``, at 100 and 300 dimensions;
* infer-only (vectors inferred for the new documents, no new words: Top2Vec's ``add_documents``).

Each variant runs in its own subprocess (so a segfault is a result, and peak memory is that
process's ``VmHWM``, its peak resident set since it started; numba's kernels are compiled in a
warm-up process first, so no timed variant pays for compilation); the updated model is then checked in another subprocess
with ``paravec.check``, ``paravec.evaluate`` (placement, new words, drift, word benchmarks) and the
Lee document-similarity correlation (the 50 ``lee.cor`` articles inferred with ``infer_vector``,
Pearson of cosine vs the human scores of ``similarities0-1.txt`` over the upper triangle; LSI reaches
0.60 in Lee, Pincombe & Welsh 2005).

Run (about 10 minutes on 2 cores)::

    python benchmarks/update_suite.py            # writes benchmarks/results/update_suite.{md,json} + PNGs
    python benchmarks/update_suite.py --quick    # smaller, for a smoke test
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import time
from pathlib import Path

import numpy as np
from _common import (
    RESULTS,
    cosines,
    hwm_mb,
    infer,
    pyplot,
    rss_mb,
    save_figure,
    spawn,
    warm_up,
    work_folder,
    write_results,
)

# name -> (method, dim, options); the order is the order of the table
VARIANTS: dict[str, dict] = {
    "paravec freeze=all (default)": {"method": "paravec", "freeze": "all", "keep": True},
    "paravec freeze=words": {"method": "paravec", "freeze": "words", "keep": True},
    "paravec freeze=none": {"method": "paravec", "freeze": "none", "keep": True},
    "paravec freeze=all, old docs dropped": {"method": "paravec", "freeze": "all", "keep": False},
    "paravec freeze=words, old docs dropped": {"method": "paravec", "freeze": "words", "keep": False},
    "paravec freeze=none, old docs dropped": {"method": "paravec", "freeze": "none", "keep": False},
    "retrain from scratch (base + batch)": {"method": "retrain"},
    "infer only (Top2Vec add_documents)": {"method": "infer"},
    "seed workaround": {"method": "workaround"},
    "gensim build_vocab(update=True) + train": {"method": "plain"},
    "paravec freeze=all @100": {"method": "paravec", "freeze": "all", "keep": True, "dim": 100},
    "seed workaround @100": {"method": "workaround", "dim": 100},
    "gensim build_vocab(update=True) + train @100": {"method": "plain", "dim": 100},
}


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()


# ---------------------------------------------------------------------------------------------
# data


def _wiki_passages(max_words: int) -> list:
    from gensim.models.doc2vec import TaggedDocument

    from paravec.datasets import wiki_documents

    articles = [(d.tags[0], list(d.words)) for d in wiki_documents()]
    docs = []
    for title, words in articles:
        for j in range(0, len(words), max_words):
            docs.append(TaggedDocument(words[j : j + max_words], [f"{title}#{j // max_words}"]))
    return docs


def _prepare(work: Path, cfg: dict) -> None:
    from paravec.datasets import lee_background_documents, lee_similarities, lee_test_documents

    wiki = _wiki_passages(cfg["passage_words"])
    batch = lee_background_documents()
    if cfg["quick"]:
        wiki, batch = wiki[:150], batch[:100]
    data = {"wiki": wiki, "batch": batch, "lee_test": lee_test_documents(), "lee_sims": lee_similarities()}
    with open(work / "data.pkl", "wb") as fh:
        pickle.dump(data, fh)


def _load_data(work: Path) -> dict:
    with open(work / "data.pkl", "rb") as fh:
        return pickle.load(fh)


# ---------------------------------------------------------------------------------------------
# children


def _child_run(work: Path, name: str) -> None:
    """One variant in this (child) process: load the base, apply the method, save the result."""
    cfg = json.loads((work / "config.json").read_text())
    data = _load_data(work)
    from gensim.models.doc2vec import Doc2Vec

    import paravec

    out: dict = {}
    if name == "warmup":
        warm_up()
        return
    if name.startswith("base@"):
        dim = int(name[5:])
        t = time.perf_counter()
        model = paravec.train(
            data["wiki"], vector_size=dim, epochs=cfg["epochs"], seed=cfg["seed"], workers=cfg["workers"]
        )
        out["seconds"] = time.perf_counter() - t
        model.save(str(work / f"base{dim}.model"))
        (work / f"{_slug(name)}.json").write_text(json.dumps(out))
        return
    spec = VARIANTS[name]
    dim = spec.get("dim", cfg["dim"])
    batch = data["batch"]
    method = spec["method"]
    if method == "retrain":
        t = time.perf_counter()
        model = paravec.train(
            data["wiki"] + batch,
            vector_size=dim,
            epochs=cfg["epochs"],
            seed=cfg["seed"],
            workers=cfg["workers"],
        )
        out["seconds"] = time.perf_counter() - t
    else:
        model = Doc2Vec.load(str(work / f"base{dim}.model"))
        out["rss_after_load_mb"] = rss_mb()
        t = time.perf_counter()
        if method == "paravec":
            rep = paravec.update(
                model,
                batch,
                freeze=spec["freeze"],
                keep_old_docs=spec["keep"],
                epochs=cfg["epochs"],
                seed=cfg["seed"],
                workers=cfg["workers"],
            )
            out["update_report"] = rep.to_dict()
        else:
            import workaround

            if method == "workaround":
                workaround.seed_workaround(model, batch, cfg["epochs"])
            elif method == "plain":
                workaround.plain_update(model, batch, cfg["epochs"])
            elif method == "infer":
                workaround.infer_only(model, batch)
        out["seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    model.save(str(work / f"{_slug(name)}.model"))
    out["save_seconds"] = time.perf_counter() - t
    out["rss_mb"] = rss_mb()
    (work / f"{_slug(name)}.json").write_text(json.dumps(out))


def _lee_correlation(model, docs, sims, seed: int) -> float:
    cos = cosines(infer(model, docs, seed))
    iu = np.triu_indices(len(docs), 1)
    return float(np.corrcoef(cos[iu], sims[iu])[0, 1])


def _child_eval(work: Path, name: str) -> None:
    """Check and evaluate one variant's model in this (child) process."""
    cfg = json.loads((work / "config.json").read_text())
    data = _load_data(work)
    from gensim.models.doc2vec import Doc2Vec

    import paravec

    spec = VARIANTS.get(name, {})
    dim = int(name[5:]) if name.startswith("base@") else spec.get("dim", cfg["dim"])
    base_path = work / f"base{dim}.model"
    path = base_path if name.startswith("base@") else work / f"{_slug(name)}.model"
    model = Doc2Vec.load(str(path))
    out: dict = {"check": paravec.check(model)}
    rng = np.random.default_rng(cfg["seed"])
    olds = [
        data["wiki"][i]
        for i in sorted(
            rng.choice(len(data["wiki"]), size=min(cfg["sample"], len(data["wiki"])), replace=False)
        )
    ]
    t = time.perf_counter()
    before = None if name.startswith("base@") else Doc2Vec.load(str(base_path), mmap="r")
    new_words = None
    upd = None
    run = work / f"{_slug(name)}.json"
    if run.exists():
        upd = json.loads(run.read_text()).get("update_report")
    if upd is not None:
        new_words = upd["new_words"]
    if name.startswith("base@"):
        batch = data["wiki"]  # the base judged on its own documents
        report = paravec.evaluate(
            model, batch, old_documents=olds, new_words=[], sample=cfg["sample"], seed=cfg["seed"]
        )
    else:
        report = paravec.evaluate(
            model,
            data["batch"],
            before=before,
            old_documents=olds,
            new_words=new_words,
            update_report=upd,
            sample=cfg["sample"],
            seed=cfg["seed"],
        )
    out["evaluate_seconds"] = time.perf_counter() - t
    out["report"] = report.to_dict()
    out["lee_pearson"] = _lee_correlation(model, data["lee_test"], data["lee_sims"], cfg["seed"])
    report.save(work / f"{_slug(name)}_report", plots=True)
    (work / f"{_slug(name)}.eval.json").write_text(json.dumps(out))


# ---------------------------------------------------------------------------------------------
# parent


def _spawn(work: Path, mode: str, name: str, timeout: float) -> dict:
    """Run a child (``--run`` or ``--eval`` of one variant): exit status, wall time and peak RSS."""
    cmd = [sys.executable, __file__, f"--{mode}", name, "--workdir", str(work)]
    out = spawn(cmd, work / f"{_slug(name)}.{mode}.log", timeout)
    reported = work / f"{_slug(name)}.{mode}.peak"
    if reported.exists():  # exact figure written by the child as it finished
        out["peak_rss_mb"] = max(out["peak_rss_mb"], float(reported.read_text()))
    return out


def _metric(report: dict | None, section: str, key: str):
    if not report:
        return None
    for s in report["sections"]:
        if s["key"] == section:
            return s["metrics"].get(key)
    return None


def _verdict(report: dict | None, section: str | None = None):
    if not report:
        return None
    if section is None:
        return report["verdict"]
    for s in report["sections"]:
        if s["key"] == section:
            return s["verdict"]
    return None


def _f(v, fmt="{:.2f}") -> str:
    if v is None:
        return "–"
    if isinstance(v, (int, np.integer)) and fmt == "{:.2f}":
        return str(v)
    return fmt.format(v)


def _row(name: str, r: dict) -> dict:
    rep = r.get("eval", {}).get("report")
    run = r.get("run", {})
    return {
        "variant": name,
        "status": run.get("status"),
        "eval_status": r.get("eval_proc", {}).get("status"),
        "update_seconds": r.get("child", {}).get("seconds"),
        "peak_rss_mb": run.get("peak_rss_mb"),
        "check_problems": len(r["eval"]["check"]) if r.get("eval") else None,
        "check_first": (r["eval"]["check"][:1] or [None])[0] if r.get("eval") else None,
        "doc_vectors": _metric(rep, "placement", "doc_vectors_ranked_against"),
        "new_self_top1": _metric(rep, "placement", "self_top1"),
        "new_distinctive_hit": _metric(rep, "placement", "distinctive_hit"),
        "new_words": _metric(rep, "new_words", "new_words"),
        "new_words_cooccur": _metric(rep, "new_words", "cooccur_share"),
        "new_words_chance": _metric(rep, "new_words", "chance_share"),
        "old_examined": _metric(rep, "old_documents", "documents_examined"),
        "old_still_in_model": _metric(rep, "old_documents", "still_in_model"),
        "old_stored_unchanged": _metric(rep, "old_documents", "stored_unchanged"),
        "old_self_top1_before": _metric(rep, "old_documents", "before_self_top1"),
        "old_self_top1_after": _metric(rep, "old_documents", "after_self_top1"),
        "old_cosine_before": _metric(rep, "old_documents", "before_mean_cosine"),
        "old_cosine_after": _metric(rep, "old_documents", "after_mean_cosine"),
        "overlap_frequent": _metric(rep, "word_neighbours", "frequent_overlap"),
        "overlap_batch": _metric(rep, "word_neighbours", "batch_overlap"),
        "wordsim353": _metric(rep, "word_benchmarks", "wordsim353_after"),
        "simlex999": _metric(rep, "word_benchmarks", "simlex999_after"),
        "analogies": _metric(rep, "word_benchmarks", "analogies_after"),
        "lee_pearson": r.get("eval", {}).get("lee_pearson"),
        "verdict": _verdict(rep),
        "section_verdicts": {s["key"]: s["verdict"] for s in rep["sections"]} if rep else None,
    }


def _markdown(cfg: dict, rows: list[dict], base_rows: dict, total: float) -> str:
    out = [
        "# Update suite: adding the Lee news corpus to a Wikipedia Doc2Vec",
        "",
        f"Generated by `python benchmarks/update_suite.py{' --quick' if cfg['quick'] else ''}` in {total / 60:.1f} min "
        f"on {os.cpu_count()} cores (load average {cfg.get('load_start', 0):.1f} at start, {cfg.get('load_end', 0):.1f} at end: "
        f"times are side by side in one run, compare them as ratios); gensim {cfg['gensim']}, numpy {cfg['numpy']}, Python {cfg['python']}.",
        "",
        f"Base: `paravec.train` defaults (PV-DBOW + skip-gram, window 8, negative 5, min_count 2) on the gensim "
        f"Wikipedia extract cut into {cfg['base_docs']} passages of <= {cfg['passage_words']} words "
        f"({cfg['base_words']:,} words), vector_size {cfg['dim']} (and 100 where marked @100), {cfg['epochs']} epochs, seed {cfg['seed']}. "
        f"Batch: `lee_background.cor`, {cfg['batch_docs']} documents ({cfg['batch_words']:,} words). Every method trains "
        f"the batch {cfg['epochs']} epochs with {cfg['workers']} workers. Evaluation: `paravec.evaluate` with sample {cfg['sample']} "
        "(old documents = a seeded sample of the Wikipedia passages) and the Lee correlation.",
        "",
    ]
    for dim, b in base_rows.items():
        out.append(
            f"- base @{dim}: trained in {_f(b.get('seconds'), '{:.1f}')} s, peak {_f(b.get('peak_rss_mb'), '{:.0f}')} MB; "
            f"its own passages re-infer to themselves {_f(b.get('self_top1'), '{:.0%}')}; "
            f"Lee correlation {_f(b.get('lee_pearson'), '{:.3f}')}; wordsim353 {_f(b.get('wordsim353'), '{:.3f}')}, "
            f"simlex999 {_f(b.get('simlex999'), '{:.3f}')}, analogies {_f(b.get('analogies'), '{:.3f}')}"
        )
    out += [
        "",
        "| variant | status | update s | peak MB | `check` problems | new docs self-top1 | distinctive hit | new words | "
        "new-word co-occur (chance) | old doc vectors: tags kept, intact | old docs self-top1 before→after | old docs cos before→after | "
        "nbr overlap frequent / batch words | wordsim / simlex / analogies | Lee r | verdict |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        status = (
            r["status"]
            if r["eval_status"] in (None, "ok")
            else f"{r['status']}; evaluation {r['eval_status']}"
        )
        out.append(
            f"| {r['variant']} | {status} | {_f(r['update_seconds'], '{:.1f}')} | {_f(r['peak_rss_mb'], '{:.0f}')} | "
            f"{_f(r['check_problems'])} | {_f(r['new_self_top1'], '{:.0%}')} | {_f(r['new_distinctive_hit'], '{:.0%}')} | "
            f"{_f(r['new_words'])} | {_f(r['new_words_cooccur'], '{:.0%}')} ({_f(r['new_words_chance'], '{:.1%}')}) | "
            f"{_f(r['old_still_in_model'])}/{_f(r['old_examined'])}, {_f(r['old_stored_unchanged'], '{:.0%}')} | "
            f"{_f(r['old_self_top1_before'], '{:.0%}')}→{_f(r['old_self_top1_after'], '{:.0%}')} | "
            f"{_f(r['old_cosine_before'], '{:.2f}')}→{_f(r['old_cosine_after'], '{:.2f}')} | "
            f"{_f(r['overlap_frequent'])} / {_f(r['overlap_batch'])} | "
            f"{_f(r['wordsim353'], '{:.3f}')} / {_f(r['simlex999'], '{:.3f}')} / {_f(r['analogies'], '{:.3f}')} | "
            f"{_f(r['lee_pearson'], '{:.3f}')} | {r['verdict'] or '–'} |"
        )
    out += ["", "`check` problems, first of each:", ""]
    for r in rows:
        if r["check_problems"]:
            out.append(f"- {r['variant']}: {r['check_problems']} — {r['check_first']}")
    out += [
        "",
        "How to read it:",
        "",
        "- *new docs self-top1*: share of new documents whose re-inferred vector finds their own stored vector first "
        "among all document vectors. *distinctive hit*: share whose 10 nearest words include one of their 5 top tf-idf words.",
        "- *old doc vectors*: how many of the sampled old tags still resolve in `model.dv`, and the share of those whose "
        "vector is unchanged (cosine >= 0.9999). gensim's `build_vocab(update=True)` keeps the old tags but points them at "
        "rows the new documents overwrote.",
        "- *new-word co-occur*: share of a new word's 10 nearest words that occur in one of its documents (chance in brackets).",
        "- *old docs*: old passages re-inferred by the model before and after, ranked/compared against the vectors stored "
        "before the update. A retrained model has a new coordinate system, so its stored-vector comparison is expected to fail: "
        "every vector computed from the old model (an index, cached vectors) is invalid after a retrain.",
        "- *nbr overlap*: share of the 10 nearest pretrained words that are the same before and after, for the 200 most frequent "
        "pretrained words and the 200 pretrained words the batch uses most.",
        "- *Lee r*: Pearson correlation of inferred-vector cosine with human similarity for the 50 `lee.cor` articles "
        "(reference: LSI 0.60, Lee, Pincombe & Welsh 2005).",
        "- verdicts per section are in update_suite.json; thresholds in `paravec.evaluation`.",
        "",
        "Plots: `update_suite_drift.png` (drift and quality per variant), `update_suite_map.png` (the default update's new "
        "documents among their nearest words, PCA).",
    ]
    return "\n".join(out) + "\n"


def _plot(rows: list[dict], path: Path) -> None:
    plt = pyplot()
    if plt is None:
        return
    names = [r["variant"].replace("paravec ", "").replace(" (default)", "*") for r in rows]
    panels = [
        ("nearest-word overlap before/after (batch words)", "overlap_batch"),
        ("old docs: cosine re-inferred vs stored-before", "old_cosine_after"),
        ("new documents self-top1", "new_self_top1"),
        ("Lee document similarity (Pearson r)", "lee_pearson"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9), dpi=100)
    for ax, (title, key) in zip(axes.ravel(), panels, strict=True):
        vals = [r[key] if r[key] is not None else 0.0 for r in rows]
        colors = ["#1f77b4" if r["variant"].startswith("paravec") else "#ff7f0e" for r in rows]
        ax.barh(range(len(rows)), vals, color=colors)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(names, fontsize=7)
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9)
        ax.set_xlim(min(0.0, min(vals)), 1.0)
        for i, r in enumerate(rows):
            if r["verdict"] is None:  # no model to measure: say why instead of drawing a zero
                ax.text(0.01, i, r["status"] or "not run", va="center", fontsize=7, color="#d62728")
        if key == "lee_pearson":
            ax.axvline(0.6, color="grey", ls="--", lw=0.8)
    fig.suptitle("Drift and quality per update method (blue: paravec, orange: others)")
    save_figure(fig, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", help=argparse.SUPPRESS)
    ap.add_argument("--eval", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--quick", action="store_true", help="small data, few epochs: a smoke test")
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="run only variants whose name contains one of these strings")
    args = ap.parse_args()
    if args.run or args.eval:
        mode, name = ("run", args.run) if args.run else ("eval", args.eval)
        (_child_run if args.run else _child_eval)(args.workdir, name)
        (args.workdir / f"{_slug(name)}.{mode}.peak").write_text(str(hwm_mb()))
        return

    import gensim

    started = time.perf_counter()
    work, own_work = work_folder(args.workdir, "paravec_suite_")
    cfg = {
        "dim": args.dim,
        "epochs": 3 if args.quick else args.epochs,
        "sample": 50 if args.quick else args.sample,
        "seed": args.seed,
        "workers": min(2, os.cpu_count() or 1),
        "quick": args.quick,
        "passage_words": 1000,
        "gensim": gensim.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }
    cfg["load_start"] = os.getloadavg()[0]
    print(f"workdir {work}", flush=True)
    (work / "config.json").write_text(json.dumps(cfg))
    _prepare(work, cfg)
    data = _load_data(work)
    cfg.update(
        base_docs=len(data["wiki"]),
        base_words=sum(len(d.words) for d in data["wiki"]),
        batch_docs=len(data["batch"]),
        batch_words=sum(len(d.words) for d in data["batch"]),
    )
    (work / "config.json").write_text(json.dumps(cfg))
    del data

    warm = _spawn(work, "run", "warmup", 1800)
    if warm["status"] != "ok":
        raise SystemExit(f"warm-up (paravec.update on a tiny model) failed: {warm['status']} (see {work})")
    names = [n for n in VARIANTS if not args.only or any(s in n for s in args.only)]
    dims = sorted({VARIANTS[n].get("dim", cfg["dim"]) for n in names})
    base_rows: dict[int, dict] = {}
    for dim in dims:
        name = f"base@{dim}"
        proc = _spawn(work, "run", name, 3600)
        if proc["status"] != "ok":
            raise SystemExit(f"training the base @{dim} failed: {proc['status']} (see {work})")
        child = json.loads((work / f"{_slug(name)}.json").read_text())
        ev_proc = _spawn(work, "eval", name, 3600)
        ev = json.loads((work / f"{_slug(name)}.eval.json").read_text()) if ev_proc["status"] == "ok" else {}
        rep = ev.get("report")
        base_rows[dim] = {
            "seconds": child["seconds"],
            "peak_rss_mb": proc["peak_rss_mb"],
            "self_top1": _metric(rep, "placement", "self_top1"),
            "lee_pearson": ev.get("lee_pearson"),
            "wordsim353": _metric(rep, "word_benchmarks", "wordsim353_after"),
            "simlex999": _metric(rep, "word_benchmarks", "simlex999_after"),
            "analogies": _metric(rep, "word_benchmarks", "analogies_after"),
        }
        print(f"{name}: {child['seconds']:.1f}s train, Lee r {ev.get('lee_pearson')}", flush=True)

    results: dict[str, dict] = {}
    for name in names:
        r: dict = {"run": _spawn(work, "run", name, 1800)}
        child_json = work / f"{_slug(name)}.json"
        if r["run"]["status"] == "ok" and child_json.exists():
            r["child"] = json.loads(child_json.read_text())
            r["eval_proc"] = _spawn(work, "eval", name, 1800)
            ev_json = work / f"{_slug(name)}.eval.json"
            if r["eval_proc"]["status"] == "ok" and ev_json.exists():
                r["eval"] = json.loads(ev_json.read_text())
        results[name] = r
        row = _row(name, r)
        print(
            f"{name}: {row['status']} {_f(row['update_seconds'], '{:.1f}')}s {_f(row['peak_rss_mb'], '{:.0f}')}MB "
            f"verdict={row['verdict']} eval={row['eval_status']} lee={_f(row['lee_pearson'], '{:.3f}')}",
            flush=True,
        )

    total = time.perf_counter() - started
    cfg["load_end"] = os.getloadavg()[0]
    rows = [_row(n, r) for n, r in results.items()]
    stem = "update_suite_quick" if args.quick else "update_suite"
    payload = {"config": cfg, "base": base_rows, "variants": rows, "total_seconds": total}
    payload = json.loads(json.dumps(payload, default=float))  # NumPy scalars as plain numbers
    write_results(args.out / f"{stem}.md", _markdown(cfg, rows, base_rows, total), payload)
    _plot(rows, args.out / f"{stem}_drift.png")
    default_map = work / f"{_slug('paravec freeze=all (default)')}_report" / "map.png"
    if default_map.exists():
        shutil.copyfile(default_map, args.out / f"{stem}_map.png")
    print(f"done in {total / 60:.1f} min", flush=True)
    if own_work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
