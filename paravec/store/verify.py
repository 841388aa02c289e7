"""The gate of a store update: the verification report, made cheap where a proof can replace a measure.

With ``freeze="all"`` every pretrained weight is meant to be bit-identical after an update, so what
the report's retention sections estimate (neighbour overlap of pretrained words, WordSim-353,
SimLex-999, analogies: seconds of work) can be proved exactly in milliseconds: `exact_retention`
compares every pretrained row of the word vectors, the output weights and (when old documents
were kept) the document vectors with the parent's. `verify` then runs `paravec.evaluate`
without the before-and-after sections (placement of the new documents and words still measured)
and adds the proof as a section of the report, whose verdict is ``fail`` if any row moved. Other
freeze modes let pretrained weights move on purpose, so they get the full report.

A store needs no second copy of the parent for that proof: the parent's arrays are already
stored as content-addressed chunks of whole rows, and writing the new version hashes the updated
arrays into chunks of the same rows. `chunk_retention` compares the two chunk lists and reads
back only the chunks whose digests differ (the last chunk of pretrained rows, which new rows
share), so the proof costs a few comparisons instead of loading the parent beside the update.

The report only reads the updated model, so `verification` runs it in a thread while the store
writes that model and syncs its index: the gate costs the longer of the two, not their sum.

Examples
--------
>>> import copy, paravec
>>> from paravec.datasets import lee_background_documents
>>> from paravec.store.verify import exact_retention
>>> docs = lee_background_documents()
>>> before = paravec.train(docs[:60], vector_size=16, epochs=2, seed=1, workers=1)
>>> model = copy.deepcopy(before)
>>> _ = paravec.update(model, docs[60:70], workers=1)
>>> exact_retention(before, model, keep_old_docs=True).verdict
'pass'
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.report import Check, Report, Section
from paravec.store.format import read_array
from paravec.store.objects import ObjectStore

__all__ = ["add_section", "chunk_retention", "exact_retention", "proven_by_chunks", "verification", "verify"]


def _same_rows(old: Any, new: Any) -> tuple[int, int]:
    if old is None or new is None:
        return 0, 0
    n = min(len(old), len(new))
    same = int(np.all(np.asarray(new[:n]) == np.asarray(old[:n]), axis=1).sum()) if n else 0
    return same, len(old)


def _output_name(model: Doc2Vec) -> str:
    return "syn1neg" if getattr(model, "negative", 0) else "syn1"


def exact_retention(before: Doc2Vec, model: Doc2Vec, *, keep_old_docs: bool) -> Section:
    """A report section: how many pretrained rows are bit-identical after the update (all must be)."""
    output = _output_name(before)
    pairs = [
        ("word_vectors", before.wv.vectors, model.wv.vectors),
        ("output_weights", getattr(before, output, None), getattr(model, output, None)),
    ]
    if keep_old_docs:
        pairs.append(("document_vectors", before.dv.vectors, model.dv.vectors))
    return _retention_section([(name, *_same_rows(old, new)) for name, old, new in pairs])


def _array_entry(manifest: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The chunk entry of ``word_vectors``, ``output_weights`` or ``document_vectors`` in a model manifest."""
    if name == "word_vectors":
        entry = manifest["wv"]["attributes"].get("vectors")
    elif name == "document_vectors":
        entry = manifest["dv"]["attributes"].get("vectors")
    else:
        negative = manifest["attributes"].get("negative", {}).get("$json", 0)
        entry = manifest["attributes"].get("syn1neg" if negative else "syn1")
    return None if entry is None else dict(entry["$array"])


def _same_rows_by_chunks(
    old: dict[str, Any] | None, new: dict[str, Any] | None, rows_now: Any, objects: ObjectStore
) -> tuple[int, int]:
    """`_same_rows` of the parent's stored array ``old`` and ``rows_now``, whose chunks are ``new``.

    A chunk whose digest is the parent's holds the same bytes (SHA-256), so its rows count as
    identical without reading them; any other chunk of pretrained rows is read from the store and
    compared row by row with ``rows_now``.
    """
    if old is None or new is None or rows_now is None:
        return 0, 0
    total = int(old["shape"][0])
    n = min(total, int(new["shape"][0]))
    rows = int(old["rows"])
    if int(new["rows"]) != rows or old["dtype"] != new["dtype"] or old["shape"][1:] != new["shape"][1:]:
        # Chunked another way (an older paravec): compare the parent's rows as read back.
        return _same_rows(read_array(old, objects), rows_now)
    dtype, width = np.dtype(old["dtype"]), math.prod(int(d) for d in old["shape"][1:])
    now = np.asarray(rows_now).reshape(len(rows_now), width)
    same = 0
    for i, digest in enumerate(old["chunks"]):
        start, stop = i * rows, min((i + 1) * rows, n)
        if start >= n:
            break
        if i < len(new["chunks"]) and new["chunks"][i] == digest:
            same += stop - start
            continue
        parent_rows = np.frombuffer(objects.get(digest), dtype=dtype).reshape(-1, width)[: stop - start]
        same += int(np.all(parent_rows == now[start:stop], axis=1).sum())
    return same, total


def chunk_retention(
    parent: Mapping[str, Any],
    manifest: Mapping[str, Any],
    model: Doc2Vec,
    objects: ObjectStore,
    *,
    keep_old_docs: bool,
) -> Section:
    """`exact_retention` proven from the stored chunks of the parent and of the new version.

    Parameters
    ----------
    parent, manifest : mapping
        The model manifests (`paravec.store.format.write_model`) of the parent and of ``model``.
    model : gensim.models.Doc2Vec
        The updated model that ``manifest`` stores.
    objects : ObjectStore
        The store's objects, which hold both versions' chunks.
    keep_old_docs : bool
        Whether the update kept the parent's documents (then their vectors are proven too).

    Returns
    -------
    Section
        The same section, with the same figures, as `exact_retention` of the parent and ``model``.
    """
    names = ["word_vectors", "output_weights"] + (["document_vectors"] if keep_old_docs else [])
    arrays = {
        "word_vectors": model.wv.vectors,
        "output_weights": getattr(model, _output_name(model), None),
        "document_vectors": model.dv.vectors,
    }
    counts = []
    for name in names:
        old, new = _array_entry(parent, name), _array_entry(manifest, name)
        counts.append((name, *_same_rows_by_chunks(old, new, arrays[name], objects)))
    return _retention_section(counts)


def proven_by_chunks(update_report: Any, options: Mapping[str, Any]) -> bool:
    """Whether a store update's retention is proven exactly (`chunk_retention`) instead of estimated."""
    return str(update_report.freeze) == "all" and "before_sections" not in options


def _retention_section(counts: list[tuple[str, int, int]]) -> Section:
    section = Section(key="exact_retention", title="Pretrained weights (exact)")
    moved = []
    for name, same, total in counts:
        section.metrics[f"{name}_identical"] = same
        section.metrics[f"{name}_pretrained"] = total
        verdict = "pass" if same == total else "fail"
        section.add_check(
            Check(f"{name}_identical", same, verdict, f"all {total} pretrained rows bit-identical")
        )
        if same != total:
            moved.append(f"{total - same} of {total} {name.replace('_', ' ')}")
    section.summary = (
        "every pretrained row is bit-identical (freeze='all')"
        if not moved
        else "rows moved: " + ", ".join(moved)
    )
    return section


def verify(
    model: Doc2Vec,
    before: Doc2Vec | None,
    documents: Sequence[TaggedDocument],
    update_report: Any,
    options: Mapping[str, Any],
) -> Report:
    """The verification report of a store update (see the module docstring).

    ``before`` is the parent model; it may be None when `proven_by_chunks` holds, and then the
    report lacks its exact-retention section until `add_section` adds `chunk_retention`.
    """
    import paravec

    opts = {k: v for k, v in options.items() if k != "before_sections"}
    if not proven_by_chunks(update_report, options):
        if before is None:
            raise ValueError("a report that estimates retention needs the model before the update")
        return paravec.evaluate(model, documents, before=before, update_report=update_report, **opts)
    opts.setdefault("word_benchmarks", False)
    report = paravec.evaluate(model, documents, update_report=update_report, **opts)
    report.sections = [s for s in report.sections if s.verdict != "skip" or s.key == "update"]
    if before is not None:
        add_section(report, exact_retention(before, model, keep_old_docs=bool(update_report.keep_old_docs)))
    return report


def add_section(report: Report, section: Section) -> None:
    """Append ``section`` to ``report`` and summarise the report again."""
    from paravec.evaluation.overview import summary_of

    report.sections.append(section)
    report.summary = summary_of(report)


@contextlib.contextmanager
def verification(
    model: Doc2Vec,
    before: Doc2Vec | None,
    documents: Sequence[TaggedDocument],
    update_report: Any,
    options: Mapping[str, Any],
    *,
    run: bool = True,
) -> Iterator[Callable[[], tuple[Report | None, float]]]:
    """Run `verify` in a thread for the block; yield a function that waits for its result.

    The function returns ``(report, seconds)``, or ``(None, 0.0)`` when ``run`` is false; it
    raises what `verify` raised. Leaving the block waits for the thread in any case, so nothing
    reads the model after the block.
    """
    if not run:
        yield lambda: (None, 0.0)
        return

    def work() -> tuple[Report, float]:
        from paravec.linalg import limited_blas

        started = time.perf_counter()
        # One BLAS thread: the report's products are small, and a BLAS pool spinning beside the
        # index sync only burns the cores the sync needs.
        with limited_blas(1):
            report = verify(model, before, documents, update_report, options)
        return report, round(time.perf_counter() - started, 3)

    with ThreadPoolExecutor(1, thread_name_prefix="paravec-store-verify") as pool:
        # Leaving the block (even by an error) waits for the report, so nothing reads the model after it.
        yield pool.submit(work).result
