"""``store_update.py --big``: the disk of ten versions of a ~1 GB model (issue 12, item 2).

See `store_update`'s docstring. Kept apart so each script stays small.
"""

from __future__ import annotations

import os
import resource
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from _common import folder_bytes, progress_log, work_folder, write_results
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

import paravec
from paravec.datasets import wiki_documents

_WORDS_PER_DOC = 8
_BATCH = 100


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def big_disk(args: Any, out: Path) -> None:
    log = progress_log()
    work, own = work_folder(args.work, "paravec-store-big-")
    try:
        _run(args, out, work, log)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def _run(args: Any, out: Path, work: Path, log: Any) -> None:
    counts = Counter(w for d in wiki_documents() for w in d.words)
    vocabulary = [w for w, n in counts.items() if n >= 5]
    p = np.array([counts[w] for w in vocabulary], dtype=np.float64)
    p /= p.sum()
    rng = np.random.default_rng(1)
    n_docs, dims = args.documents, args.dimensions

    def documents(n: int, prefix: str) -> list[TaggedDocument]:
        rows = rng.choice(len(vocabulary), size=(n, _WORDS_PER_DOC), p=p)
        return [TaggedDocument([vocabulary[j] for j in row], [f"{prefix}{i}"]) for i, row in enumerate(rows)]

    log(f"building a Doc2Vec of {n_docs:,} synthetic documents, {dims} dimensions (untrained)")
    docs = documents(n_docs, "s")
    model = Doc2Vec(vector_size=dims, min_count=1, epochs=1, workers=2, dm=0, negative=5, seed=1)
    model.build_vocab(docs)
    texts = {d.tags[0]: " ".join(d.words) for d in docs}
    del docs
    base_path = work / "base.model"
    paravec.save(model, base_path)
    one_model = sum(q.stat().st_size for q in work.glob("base.model*"))
    log(f"one saved model: {one_model / 1e9:.2f} GB (dv {model.dv.vectors.nbytes / 1e9:.2f} GB)")
    batches = [documents(_BATCH, f"b{v}-") for v in range(args.versions - 1)]
    index_options = {} if args.ann else {"ann_threshold": n_docs + 10 * _BATCH * args.versions}
    store_path = work / "store"
    log("creating the store (version 1, its index)")
    started, cpu = time.perf_counter(), _cpu()
    store = paravec.Store.create(store_path, model, texts, **index_options)
    create_seconds, create_cpu = time.perf_counter() - started, _cpu() - cpu
    del model, texts
    log(f"created in {create_seconds:.0f} s; bare update + save of one batch for comparison")
    started, cpu = time.perf_counter(), _cpu()
    bare = paravec.load(base_path)
    paravec.update(bare, batches[0], workers=2, seed=1)
    paravec.save(bare, work / "bare.model")
    bare_seconds, bare_cpu = time.perf_counter() - started, _cpu() - cpu
    del bare
    for q in work.glob("bare.model*"):
        q.unlink()
    update_seconds, update_cpu = [], []
    for v, batch in enumerate(batches):
        log(f"version {v + 2}")
        started, cpu = time.perf_counter(), _cpu()
        texts_v = {d.tags[0]: " ".join(d.words) for d in batch}
        store.update(batch, texts_v, evaluate=False, workers=2, seed=1)
        update_seconds.append(round(time.perf_counter() - started, 1))
        update_cpu.append(round(_cpu() - cpu, 1))
    usage = store.disk_usage()
    store_bytes = folder_bytes(store_path)
    log("ten full copies, one at a time")
    copies_models, copies_indexes = 0, 0
    for info in store.versions():
        target = work / "copy" / f"v{info.number}.model"
        target.parent.mkdir(exist_ok=True)
        paravec.save(store.model(info.number), target)
        copies_models += sum(q.stat().st_size for q in target.parent.glob(f"{target.name}*"))
        shutil.rmtree(target.parent)
        index = store_path / "versions" / f"{info.number:06d}" / "index"
        copies_indexes += sum(q.stat().st_size for q in index.rglob("*") if q.is_file())
    copies = copies_models + copies_indexes
    result: dict[str, Any] = {
        "settings": {
            "documents": n_docs,
            "dimensions": dims,
            "words_per_document": _WORDS_PER_DOC,
            "vocabulary": len(vocabulary),
            "batch_documents": _BATCH,
            "versions": args.versions,
            "ann": bool(args.ann),
            "load_average": list(os.getloadavg()),
        },
        "one_model_bytes": one_model,
        "store_bytes": store_bytes,
        "store_objects_bytes": usage["objects"],
        "store_indexes_bytes": usage["indexes"],
        "copies_bytes": copies,
        "copies_models_bytes": copies_models,
        "copies_indexes_bytes": copies_indexes,
        "ratio_store_vs_copies": round(store_bytes / copies, 3),
        "ratio_models_vs_model_copies": round(usage["objects"] / copies_models, 3),
        "ratio_indexes_vs_index_copies": round(usage["indexes"] / copies_indexes, 3),
        "create_seconds": round(create_seconds, 1),
        "create_cpu_seconds": round(create_cpu, 1),
        "bare_update_save_seconds": round(bare_seconds, 1),
        "bare_update_save_cpu_seconds": round(bare_cpu, 1),
        "store_update_seconds": update_seconds,
        "store_update_cpu_seconds": update_cpu,
    }
    write_results(out, _markdown(result), result)


def _markdown(r: dict[str, Any]) -> str:
    s, gb = r["settings"], 1e9
    versions = s["versions"]
    return "\n".join(
        [
            f"# Store: disk of {versions} versions of a ~1 GB model",
            "",
            f"`python benchmarks/store_update.py --big{' --ann' if s['ann'] else ''}`: a Doc2Vec of "
            f"{s['documents']:,} synthetic documents ({s['words_per_document']} words each from the Wikipedia "
            f"extract's {s['vocabulary']:,} words), {s['dimensions']} dimensions; "
            f"{'ANN (usearch) vector search' if s['ann'] else 'exact vector search (no ANN graph)'} in the index; "
            f"{versions - 1} batches of {s['batch_documents']} documents, `evaluate=False`. "
            f"Load average at the end: {' / '.join(f'{x:.1f}' for x in s['load_average'])}.",
            "",
            "| what | GB |",
            "|---|---|",
            f"| one saved model (`paravec.save`: gensim file + side files) | {r['one_model_bytes'] / gb:.2f} |",
            f"| {versions} full copies (each version saved + its own index) | {r['copies_bytes'] / gb:.2f} |",
            f"| the store (all {versions} versions, models + indexes + texts) | {r['store_bytes'] / gb:.2f} "
            f"(**{r['ratio_store_vs_copies']:.2f}x** the copies) |",
            f"| of which model chunks vs {versions} saved models | {r['store_objects_bytes'] / gb:.2f} vs "
            f"{r['copies_models_bytes'] / gb:.2f} ({r['ratio_models_vs_model_copies']:.2f}x) |",
            f"| of which indexes vs {versions} index folders | {r['store_indexes_bytes'] / gb:.2f} vs "
            f"{r['copies_indexes_bytes'] / gb:.2f} ({r['ratio_indexes_vs_index_copies']:.2f}x) |",
            "",
            f"Time: creating the store {r['create_seconds']:.0f} s ({r['create_cpu_seconds']:.0f} CPU-s); "
            f"`Store.update` of one batch (no report) {min(r['store_update_seconds']):.0f}-"
            f"{max(r['store_update_seconds']):.0f} s ({min(r['store_update_cpu_seconds']):.1f}-"
            f"{max(r['store_update_cpu_seconds']):.1f} CPU-s) vs a bare load + update + save "
            f"{r['bare_update_save_seconds']:.0f} s ({r['bare_update_save_cpu_seconds']:.1f} CPU-s).",
            "",
        ]
    )


def measure_existing(work: Path, out: Path, target_versions: int) -> None:
    """Measure a store ``work/store`` left by an interrupted ``--big`` run (``--measure-only``).

    On a loaded machine a version of the ~1 GB model takes minutes, and so does saving a copy.
    Measured here: the store after each of its ``k`` versions (exact: the files of versions
    1..j and the objects they name, hard links counted once), every version's index folder
    (exact), the saved model of the first version (``work/base.model``) and of the last (saved
    now); the saved models in between are interpolated by their document count, the only thing
    that differs between them. Ten versions are extrapolated from the mean growth per version.
    """
    from paravec.store.layout import Layout
    from paravec.store.objects import ObjectStore
    from paravec.store.referenced import version_objects

    store = paravec.Store.open(work / "store")
    layout = Layout(store.path)
    objects = ObjectStore(layout.objects)
    infos = store.versions()
    seen_files: set[tuple[int, int]] = set()
    named: set[str] = set()
    other = 0
    cumulative: list[int] = []
    index_bytes: list[int] = []
    for info in infos:
        folder = layout.version_dir(info.number)
        named |= version_objects(folder)
        index_bytes.append(sum(q.stat().st_size for q in (folder / "index").rglob("*") if q.is_file()))
        for q in folder.rglob("*"):
            if q.is_file():
                st = q.stat()
                if (st.st_dev, st.st_ino) not in seen_files:
                    seen_files.add((st.st_dev, st.st_ino))
                    other += st.st_size
        cumulative.append(other + objects.size(named))
    first = sum(q.stat().st_size for q in work.glob("base.model*"))
    last_path = work / "copy" / "last.model"
    last_path.parent.mkdir(exist_ok=True)
    paravec.save(store.model(infos[-1].number), last_path)
    last = sum(q.stat().st_size for q in last_path.parent.glob("last.model*"))
    shutil.rmtree(last_path.parent)
    docs = [i.documents for i in infos]
    span = max(docs[-1] - docs[0], 1)
    model_copies = [first + (last - first) * (d - docs[0]) / span for d in docs]
    k = len(infos)
    growth = (cumulative[-1] - cumulative[0]) / max(k - 1, 1)
    copy_growth = (model_copies[-1] + index_bytes[-1] - model_copies[0] - index_bytes[0]) / max(k - 1, 1)
    ten_store = cumulative[-1] + growth * (target_versions - k)
    ten_copies = sum(model_copies) + sum(index_bytes)
    ten_copies += sum(
        model_copies[-1] + index_bytes[-1] + copy_growth * j for j in range(1, target_versions - k + 1)
    )
    result = {
        "versions_measured": k,
        "documents": docs,
        "store_bytes_after_each_version": cumulative,
        "index_folder_bytes": index_bytes,
        "model_copy_bytes": [round(x) for x in model_copies],
        "model_copy_bytes_measured": {"first": first, "last": last},
        "store_bytes": cumulative[-1],
        "copies_bytes": round(sum(model_copies) + sum(index_bytes)),
        "ratio_store_vs_copies": round(cumulative[-1] / (sum(model_copies) + sum(index_bytes)), 3),
        "growth_per_version_bytes": round(growth),
        "extrapolated_versions": target_versions,
        "extrapolated_store_bytes": round(ten_store),
        "extrapolated_copies_bytes": round(ten_copies),
        "extrapolated_ratio": round(ten_store / ten_copies, 3),
        "load_average": list(os.getloadavg()),
    }
    gb = 1e9
    lines = [
        f"# Store: disk of versions of a ~1 GB model ({k} versions measured, {target_versions} extrapolated)",
        "",
        f"`python benchmarks/store_update.py --big --work W` (stopped after version {k}: each version took "
        "minutes at load average ~30 on 2 shared cores), then `python benchmarks/store_update.py --big "
        "--measure-only --work W`. Base: 1,000,000 synthetic documents (8 words from the Wikipedia "
        "extract's vocabulary), 256 dimensions, exact vector search in the index; batches of 100 "
        "documents, `evaluate=False`.",
        "",
        "| versions | documents | store (GB, all versions so far) | that version saved + its index (GB) |",
        "|---|---|---|---|",
    ]
    for j in range(k):
        lines.append(
            f"| {j + 1} | {docs[j]:,} | {cumulative[j] / gb:.3f} | "
            f"{(model_copies[j] + index_bytes[j]) / gb:.3f} |"
        )
    lines += [
        "",
        f"{k} versions: the store takes **{cumulative[-1] / gb:.2f} GB**, {k} full copies "
        f"{result['copies_bytes'] / gb:.2f} GB (**{result['ratio_store_vs_copies']:.2f}x**). Each version "
        f"adds {growth / 1e6:.0f} MB to the store. Extrapolated to {target_versions} versions: "
        f"{ten_store / gb:.2f} GB vs {ten_copies / gb:.2f} GB (**{result['extrapolated_ratio']:.2f}x**).",
        "",
        f"Saved models measured for version 1 ({first / gb:.3f} GB) and version {k} ({last / gb:.3f} GB); "
        "those in between interpolated by document count.",
        "",
    ]
    write_results(out, "\n".join(lines), result)
