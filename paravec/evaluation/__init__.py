"""Verify an update with numbers: where the new documents and words landed, and what the pretrained space kept.

After `paravec.update` a user used to check the model by eye (print the nearest words of a
new document, of a new word, and decide whether they "look sane"). `evaluate` makes that
judgement with numbers and documented thresholds, and returns a `paravec.report.Report`
(Markdown, JSON, a PCA map) whose verdict is the worst of its sections:

* placement of the new documents and the new words (`paravec.evaluation.placement`), after
  gensim's re-inference check of paragraph vectors (Le & Mikolov 2014);
* what the pretrained space kept -- old documents, word neighbourhoods, WordSim-353 (Finkelstein et
  al. 2002), SimLex-999 (Hill et al. 2015) and analogies (Mikolov et al. 2013)
  (`paravec.evaluation.retention`).

The thresholds are in `paravec.evaluation.thresholds`. Infer-vector calls are seeded per
document (`paravec.evaluation.inference`); the models given are never modified.

Examples
--------
>>> import copy, paravec
>>> from paravec.datasets import lee_background_documents
>>> from paravec.evaluation import evaluate
>>> docs = lee_background_documents()
>>> model = paravec.train(docs[:250], vector_size=32, epochs=5, seed=1, workers=1)
>>> before = copy.deepcopy(model)
>>> upd = paravec.update(model, docs[250:], seed=1, workers=1)
>>> report = evaluate(model, docs[250:], before=before, old_documents=docs[:50], update_report=upd, sample=50)
>>> report.section("word_neighbours").metrics["frequent_overlap"]   # freeze="all": nothing moved
1.0
>>> paths = report.save(tmp_dir)                                     # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.evaluation.context import EvaluationContext
from paravec.evaluation.inputs import (
    TRAINED_MODEL,
    as_update_report,
    check_same_space,
    documents_of,
    load_before,
    new_words_of,
)
from paravec.evaluation.map_points import map_points_of
from paravec.evaluation.metrics import analogy_accuracy, neighbour_overlap, word_pair_spearman
from paravec.evaluation.overview import summary_of, update_section
from paravec.evaluation.placement import new_words_section, placement_section
from paravec.evaluation.retention import (
    old_documents_section,
    word_benchmarks_section,
    word_neighbours_section,
)
from paravec.evaluation.thresholds import THRESHOLDS
from paravec.params import Boolean, Integer, validate
from paravec.report import Report, Section
from paravec.updating import UpdateReport

__all__ = [
    "THRESHOLDS",
    "analogy_accuracy",
    "evaluate",
    "evaluate_update",
    "neighbour_overlap",
    "word_pair_spearman",
]


@validate(
    model=TRAINED_MODEL,
    update_report=as_update_report,
    sample=Integer(min=1),
    seed=Integer(min=0),
    epochs=Integer(min=1, none=True),
    topn=Integer(min=1),
    word_benchmarks=Boolean(),
    analogy_vocab=Integer(min=1),
    max_analogies=Integer(min=1),
    map_points=Boolean(),
)
def evaluate(
    model: Doc2Vec,
    new_documents: Iterable[TaggedDocument],
    *,
    before: Doc2Vec | str | os.PathLike[str] | None = None,
    old_documents: Iterable[TaggedDocument] | None = None,
    new_words: Sequence[str] | None = None,
    update_report: UpdateReport | Mapping[str, Any] | None = None,
    sample: int = 200,
    seed: int = 0,
    epochs: int | None = None,
    topn: int = 10,
    word_benchmarks: bool = True,
    analogy_vocab: int = 30000,
    max_analogies: int = 5000,
    map_points: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Report:
    """Measure where an update put the new documents and words, and what the pretrained space kept.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model after the update.
    new_documents : iterable of TaggedDocument
        The batch that was added (its words and tags, as given to `paravec.update`).
    before : Doc2Vec or path, optional
        The model before the update (a copy, or the path of its file, loaded memory-mapped).
        Sections that compare before and after are skipped with a note without it.
    old_documents : iterable of TaggedDocument, optional
        Some documents of the pretrained corpus, with their text and tags.
    new_words : sequence of str, optional
        Words the update added (``UpdateReport.new_words``). Default: from ``update_report``, else
        the words of ``model`` that ``before`` does not have.
    update_report : UpdateReport or mapping, optional
        What `paravec.update` returned (or its ``to_dict()``): shown as the first section
        (sizes and timings) and used for ``new_words``.
    sample : int, default 200
        How many new documents, old documents, new words and pretrained words to examine
        (a seeded random sample for documents; the most frequent for words).
    seed : int, default 0
        Seed for samples and inference (`paravec.infer`).
    epochs : int, optional
        Inference epochs; default the model's own.
    topn : int, default 10
        Size of the neighbour lists.
    word_benchmarks : bool, default True
        Run WordSim-353, SimLex-999 and questions-words (from gensim's test data).
    analogy_vocab, max_analogies : int, default 30000 and 5000
        Analogies are answered among that many most frequent pretrained words, at most that many
        questions (a seeded sample): evaluating all of them on a large vocabulary takes minutes.
    map_points : bool, default True
        Compute the 2-D map of the new documents (drawn by ``Report.save``).
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each section (for progress bars).

    Returns
    -------
    paravec.report.Report

    Raises
    ------
    ParameterError
        A model is not a trained gensim Doc2Vec, the two models differ in vector size, or a
        parameter is out of range.
    CorpusError
        ``new_documents`` is empty or not made of TaggedDocument objects whose tags the model can
        have (see `paravec.documents.validate_documents`).
    ModelFileError
        ``before`` is a path that cannot be loaded.
    """
    # the decorator checked and normalised update_report; mypy sees the declared union
    report_in = update_report if isinstance(update_report, UpdateReport) else None
    docs = documents_of(new_documents, "new_documents", model)
    if before is not None:
        before = load_before(before)
        check_same_space(model, before)
    olds = None
    if old_documents is not None:
        olds = documents_of(old_documents, "old_documents", before or model, allow_empty_batch=True)
    words_added = new_words_of(model, before, new_words, report_in)

    ctx = EvaluationContext.build(
        model, before, docs, olds, sample=sample, seed=seed, epochs=epochs, topn=topn
    )
    report = Report(parameters=_parameters(ctx))
    if report_in is not None:
        report.sections.append(update_section(report_in))
    steps: list[tuple[str, Callable[[], Section]]] = [
        ("placement", lambda: placement_section(ctx)),
        ("new_words", lambda: new_words_section(ctx, words_added)),
        ("old_documents", lambda: old_documents_section(ctx)),
        ("word_neighbours", lambda: word_neighbours_section(ctx)),
    ]
    if word_benchmarks:
        steps.append(("word_benchmarks", lambda: word_benchmarks_section(ctx, analogy_vocab, max_analogies)))
    for done, (name, run) in enumerate(steps, 1):
        report.sections.append(run())
        if progress is not None:
            progress(name, done, len(steps))
    if map_points:
        report.map_points = map_points_of(ctx, words_added or [])
    report.summary = summary_of(report)
    return report


def _parameters(ctx: EvaluationContext) -> dict[str, Any]:
    """How the report was made: sample sizes, seed, epochs and the models' shapes."""
    model, before = ctx.model, ctx.before
    return {
        "sample": ctx.sample,
        "seed": ctx.seed,
        "infer_epochs": ctx.epochs or model.epochs,
        "topn": ctx.topn,
        "vector_size": model.vector_size,
        "words": len(model.wv),
        "doc_vectors": len(model.dv),
        "new_documents": len(ctx.docs),
        "old_documents": len(ctx.olds) if ctx.olds is not None else None,
        "before_words": len(before.wv) if before is not None else None,
        "before_doc_vectors": len(before.dv) if before is not None else None,
    }


@validate(plots=Boolean())
def evaluate_update(
    model: Doc2Vec,
    before: Doc2Vec | str | os.PathLike[str] | None,
    new_documents: Iterable[TaggedDocument],
    update_report: UpdateReport | Mapping[str, Any] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    *,
    old_documents: Iterable[TaggedDocument] | None = None,
    sample: int = 200,
    seed: int = 0,
    epochs: int | None = None,
    plots: bool = True,
) -> Report:
    """Evaluate one update and (optionally) write the report: the hook of ``paravec update --report``.

    Parameters
    ----------
    model : Doc2Vec
        The updated model.
    before : Doc2Vec or path or None
        The model before the update; passing the path of the input model file is cheapest (it is
        loaded memory-mapped, read-only).
    new_documents : iterable of TaggedDocument
        The batch given to `paravec.update`.
    update_report : UpdateReport or mapping, optional
        What `paravec.update` returned.
    out_dir : path, optional
        Where to write ``report.md``, ``report.json`` and ``map.png``.
    old_documents, sample, seed, epochs
        As in `evaluate`.
    plots : bool, default True
        Draw ``map.png`` (needs matplotlib; skipped without it).

    Returns
    -------
    Report

    Raises
    ------
    ParameterError, CorpusError, ModelFileError
        As `evaluate`.
    """
    report = evaluate(
        model,
        new_documents,
        before=before,
        old_documents=old_documents,
        update_report=update_report,
        sample=sample,
        seed=seed,
        epochs=epochs,
    )
    if out_dir is not None:
        report.save(out_dir, plots=plots)
    return report
