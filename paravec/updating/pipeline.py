"""One update, step by step: check the inputs, grow the vocabulary, place the documents, train, report.

`update` is what `paravec.update` names. It adds a batch of ``TaggedDocument``\\s — new
tags, new words — to a trained gensim ``Doc2Vec`` in place, training them as paragraph vectors
(Le & Mikolov 2014, "Distributed Representations of Sentences and Documents") while the
pretrained weights are held as the ``freeze`` mode says (see `paravec.updating`). Each step
has its own module: `paravec.updating.settings`, `paravec.updating.inputs`,
`paravec.updating.vocabulary`, `paravec.updating.placement`,
`paravec.updating.driver`, `paravec.updating.report`.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> from paravec.updating.pipeline import update
>>> base = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                      vector_size=16, min_count=1, epochs=5, seed=1)
>>> report = update(base, [TaggedDocument(["graph", "of", "trees", "xxyfg"], ["E0"]),
...                        TaggedDocument(["xxyfg", "graph", "minors"], ["E1"])], min_count=1)
>>> report.new_tags, report.new_words
(['E0', 'E1'], ['xxyfg', 'of'])
>>> paravec.check(base)
[]
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.documents import validate_documents
from paravec.errors import ParameterError
from paravec.params import Integer, IsCallable, validate
from paravec.rehearsal import sample_rehearsal
from paravec.replay import sample_replay
from paravec.updating.driver import Trainer, TrainingJob, build_corpus, build_locks, train
from paravec.updating.fits import PASSAGE_WORDS, REPLAY, Fit, fit_settings
from paravec.updating.inputs import ensure_intact, validate_rehearsal
from paravec.updating.mismatch import analysis_warnings
from paravec.updating.placement import document_rows, place_documents
from paravec.updating.report import HELD_BACK_SHOWN, UpdateReport
from paravec.updating.settings import Freeze, ProgressCallback, UpdateSettings
from paravec.updating.settling import settle_documents
from paravec.updating.vocabulary import grow_vocabulary
from paravec.vocab import refresh_sampling

__all__ = ["update"]

_CALLABLE = IsCallable(none=True)


@validate(progress=_CALLABLE, trainer=_CALLABLE, settle_epochs=Integer(min=0))
def update(
    model: Doc2Vec,
    documents: Iterable[TaggedDocument],
    *,
    keep_old_docs: bool = True,
    fit: Fit = "keep",
    rehearse: Iterable[TaggedDocument] | Literal["replay"] | None = None,
    freeze: Freeze | None = None,
    rehearsal: Iterable[TaggedDocument] | None = None,
    epochs: int | None = None,
    alpha: float | None = None,
    min_alpha: float | None = None,
    min_count: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    settle_epochs: int = 0,
    progress: ProgressCallback | None = None,
    trainer: Trainer | None = None,
) -> UpdateReport:
    """Add ``documents`` to ``model`` in place: new tags, new words, retrained old tags.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        A trained model; any of PV-DBOW (with or without ``dbow_words``), PV-DM mean/sum or
        concat, with negative sampling and/or hierarchical softmax, at any vector size.
    documents : iterable of TaggedDocument
        The batch. ``words`` is a list of tokens, ``tags`` a non-empty list of tags (strings; or
        ints when the model itself uses int tags). A tag may appear in one document only.
    keep_old_docs : bool, default True
        Keep the document vectors the model had (bit-identical). ``False`` drops all of them and
        frees their memory; the model then holds words and the batch's documents only.
    fit : {"keep", "domain"}, default "keep"
        Named settings (`paravec.updating.fits`). ``"keep"``: every pretrained weight frozen.
        ``"domain"``: fit the batch's domain as well as retraining does, derived from the model
        and the batch (``freeze="words"``, ``min_count`` one below the model's, 3/4 of its
        epochs, rehearsal of ``rehearse``); needs ``rehearse``. Settings given explicitly win.
    rehearse : iterable of TaggedDocument or "replay", optional
        The base corpus (the model's tags), for ``fit="domain"``: random 1,000-word passages of
        it, 0.6x the batch's words but at most 1/10 of the words the base saw, are rehearsed.
        A list or a corpus that can be read twice (`paravec.read_corpus`). ``"replay"``: no
        base text; as many words of pseudo-passages generated from the model's own document
        vectors and output weights are rehearsed instead (`paravec.replay`; negative-sampling
        models only).
    freeze : {"all", "words", "none"} or (float, float), optional
        Which pretrained weights stay fixed while the batch trains, or learning-rate factors
        (pretrained word vectors, pretrained output weights) within [0, 1] (see
        `paravec.updating`); default the fit's (``"all"`` for ``fit="keep"``).
    rehearsal : iterable of TaggedDocument, optional
        Pretrained documents (tags the model has) to train alongside the batch, their document
        vectors held fixed. Not part of the report's new or replaced tags. Replaces the
        passages ``rehearse`` would give.
    epochs : int, optional
        Passes over the batch; default the fit's, else the model's own ``epochs``.
    alpha, min_alpha : float, optional
        Learning rate at the start and end of the update; default the model's own.
    min_count : int, optional
        Count (over everything seen) a new word needs to enter the vocabulary; default the
        fit's, else the model's ``min_count``.
    seed : int, optional
        Seed for new vectors and sampling; default the model's ``seed``.
    workers : int, optional
        Training threads; default the number of CPUs.
    settle_epochs : int, default 0
        At most this many passes (100 is enough on the seed scenario) that train only the batch's
        short documents' vectors after the update, every weight fixed, as ``infer_vector`` does
        (`paravec.updating.settling`): short documents then sit among their own words, but far
        from what ``infer_vector`` with few epochs gives for their text. 0: none.
    progress : callable, optional
        Called as ``progress(step, done, total)`` after each epoch (``step == "train"``).
    trainer : callable, optional
        Replaces the training step, for experiments and tests: called as
        ``trainer(model, job, progress)`` with a `paravec.updating.driver.TrainingJob`,
        it returns the words trained. Default `paravec.updating.driver.train`; a trainer
        usually adjusts the job or the model and then calls it.

    Returns
    -------
    UpdateReport

    Raises
    ------
    ParameterError
        A parameter is outside what is allowed.
    ModelBrokenError
        The model is already inconsistent (see `paravec.check`); nothing is changed.
    CorpusError
        The batch is empty, has an empty document, a duplicate tag, or tags of the wrong kind.
    """
    started = time.perf_counter()
    docs = None
    if fit == "domain" and rehearsal is None:
        if rehearse is None:
            raise ParameterError(
                "fit='domain' needs rehearse=the base corpus (the documents the model was trained on), "
                "or rehearse='replay' to rehearse passages generated from the model; or use fit='keep'"
            )
        if isinstance(rehearse, str) and rehearse != REPLAY:
            raise ParameterError(
                f"rehearse must be the base corpus (documents) or {REPLAY!r}; got the string {rehearse!r}"
            )
        docs = validate_documents(documents, model=model)
    elif rehearse is not None:
        raise ParameterError("rehearse= is read by fit='domain' only (and not with rehearsal=); drop one")
    plan = fit_settings(model, fit, sum(len(d.words) for d in docs or ()))
    settings = UpdateSettings.resolve(
        model,
        freeze=plan.freeze if freeze is None else freeze,
        keep_old_docs=keep_old_docs,
        epochs=plan.epochs if epochs is None else epochs,
        alpha=alpha,
        min_alpha=min_alpha,
        min_count=plan.min_count if min_count is None else min_count,
        seed=seed,
        workers=workers,
    )
    ensure_intact(model)
    if docs is None:
        docs = validate_documents(documents, model=model)
    if plan.rehearsal_words and rehearsal is None and rehearse is not None:
        if isinstance(rehearse, str):  # REPLAY: generated from the model before the batch changes it
            rehearsal = sample_replay(
                model, plan.rehearsal_words, passage_words=PASSAGE_WORDS, seed=max(settings.seed, 0)
            )
        else:
            rehearsal = sample_rehearsal(
                rehearse, plan.rehearsal_words, chunk_words=PASSAGE_WORDS, seed=max(settings.seed, 0)
            )
    rehearse = validate_rehearsal(model, rehearsal, docs, keep_old_docs=settings.keep_old_docs)
    t_check = time.perf_counter()

    report = UpdateReport(
        fit=plan.fit,
        freeze=settings.freeze,
        epochs=settings.epochs,
        alpha=settings.alpha,
        min_alpha=settings.min_alpha,
        keep_old_docs=settings.keep_old_docs,
        documents=len(docs),
        rehearsed_documents=len(rehearse),
        rehearsed_words=sum(len(d.words) for d in rehearse),
    )
    batch_counts = Counter(w for d in docs for w in d.words)
    report.words = sum(batch_counts.values())
    report.warnings = analysis_warnings(model, batch_counts)
    n_words_old = len(model.wv.index_to_key)
    n_nodes_old = len(model.syn1) if model.hs else 0
    report.new_words = grow_vocabulary(model, batch_counts, settings.min_count, settings.seed)
    report.pending_words = len(model.raw_vocab)
    pending = model.raw_vocab
    held = sorted(((w, pending[w]) for w in batch_counts if w in pending), key=lambda x: (-x[1], x[0]))
    report.held_back_words = dict(held[:HELD_BACK_SHOWN])
    report.held_back_total, report.min_count = len(held), settings.min_count
    placed = place_documents(model, docs, keep_old_docs=settings.keep_old_docs, seed=settings.seed)
    report.new_tags, report.replaced_tags, report.dropped_tags = (
        placed.new_tags,
        placed.replaced_tags,
        placed.dropped_tags,
    )
    refresh_sampling(model)
    t_vocab = time.perf_counter()

    # Rehearsed documents follow the batch, so the batch's word spans come first in the arrays.
    corpus = build_corpus(model, docs + rehearse, placed.rows + document_rows(model.dv, rehearse))
    starts = corpus.doc_starts
    report.untrained_tags = [docs[i].tags[0] for i in range(len(docs)) if starts[i] == starts[i + 1]]
    locks = build_locks(model, settings.factors, n_words_old, n_nodes_old, placed.rows)
    job = TrainingJob(corpus, locks, settings, n_words_old, n_nodes_old, plan.shadow_contexts)
    report.words_trained = int((train if trainer is None else trainer)(model, job, progress))
    settle_documents(model, docs, placed.rows, settle_epochs, settings.seed, trained_epochs=settings.epochs)
    t_train = time.perf_counter()

    model.wv.norms = None
    model.dv.norms = None
    model.corpus_count = int(getattr(model, "corpus_count", 0) or 0) + len(docs)
    model.corpus_total_words = int(getattr(model, "corpus_total_words", 0) or 0) + report.words
    report.seconds = {
        "check": t_check - started,
        "vocab": t_vocab - t_check,
        "train": t_train - t_vocab,
        "total": time.perf_counter() - started,
    }
    report.words_per_second = report.words_trained / max(report.seconds["train"], 1e-9)
    model.add_lifecycle_event(
        "paravec.update",
        msg=(
            f"added {len(report.new_tags)} documents, replaced {len(report.replaced_tags)}, "
            f"dropped {report.dropped_tags}, {len(report.new_words)} new words, fit={report.fit}, "
            f"freeze={report.freeze}, "
            f"epochs={report.epochs}"
        ),
    )
    return report
