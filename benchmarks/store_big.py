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
from _common import progress_log, work_folder, write_results
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

import paravec
from paravec.datasets import wiki_documents

_WORDS_PER_DOC = 8
_BATCH = 100


def _folder_bytes(path: Path) -> int:
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            st = os.stat(os.path.join(root, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


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
    store_bytes = _folder_bytes(store_path)
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
