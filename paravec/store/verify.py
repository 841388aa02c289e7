"""The gate of a store update: the verification report, made cheap where a proof can replace a measure.

With ``freeze="all"`` every pretrained weight is meant to be bit-identical after an update, so what
the report's retention sections estimate (neighbour overlap of pretrained words, WordSim-353,
SimLex-999, analogies: seconds of work) can be proved exactly in milliseconds: `exact_retention`
compares every pretrained row of the word vectors, the output weights and (when old documents
were kept) the document vectors with the parent's. `verify` then runs `paravec.evaluate`
without the before-and-after sections (placement of the new documents and words still measured)
and adds the proof as a section of the report, whose verdict is ``fail`` if any row moved. Other
freeze modes let pretrained weights move on purpose, so they get the full report.

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
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.report import Check, Report, Section

__all__ = ["exact_retention", "verification", "verify"]


def _same_rows(old: Any, new: Any) -> tuple[int, int]:
    if old is None or new is None:
        return 0, 0
    n = min(len(old), len(new))
    same = int(np.all(np.asarray(new[:n]) == np.asarray(old[:n]), axis=1).sum()) if n else 0
    return same, len(old)


def exact_retention(before: Doc2Vec, model: Doc2Vec, *, keep_old_docs: bool) -> Section:
    """A report section: how many pretrained rows are bit-identical after the update (all must be)."""
    section = Section(key="exact_retention", title="Pretrained weights (exact)")
    output = "syn1neg" if getattr(before, "negative", 0) else "syn1"
    pairs = [
        ("word_vectors", before.wv.vectors, model.wv.vectors),
        ("output_weights", getattr(before, output, None), getattr(model, output, None)),
    ]
    if keep_old_docs:
        pairs.append(("document_vectors", before.dv.vectors, model.dv.vectors))
    moved = []
    for name, old, new in pairs:
        same, total = _same_rows(old, new)
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
    before: Doc2Vec,
    documents: Sequence[TaggedDocument],
    update_report: Any,
    options: Mapping[str, Any],
) -> Report:
    """The verification report of a store update (see the module docstring)."""
    import paravec
    from paravec.evaluation.overview import summary_of

    exact = str(update_report.freeze) == "all" and "before_sections" not in options
    opts = {k: v for k, v in options.items() if k != "before_sections"}
    if not exact:
        return paravec.evaluate(model, documents, before=before, update_report=update_report, **opts)
    opts.setdefault("word_benchmarks", False)
    report = paravec.evaluate(model, documents, update_report=update_report, **opts)
    report.sections = [s for s in report.sections if s.verdict != "skip" or s.key == "update"]
    report.sections.append(exact_retention(before, model, keep_old_docs=bool(update_report.keep_old_docs)))
    report.summary = summary_of(report)
    return report


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
    if not run or before is None:
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
