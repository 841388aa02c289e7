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

from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.documents import validate_documents
from paravec.params import IsCallable, validate
from paravec.updating.driver import Trainer, TrainingJob, build_corpus, build_locks, train
from paravec.updating.inputs import ensure_intact, validate_rehearsal
from paravec.updating.mismatch import analysis_warnings
from paravec.updating.placement import document_rows, place_documents
from paravec.updating.report import HELD_BACK_SHOWN, UpdateReport
from paravec.updating.settings import Freeze, ProgressCallback, UpdateSettings
from paravec.updating.vocabulary import grow_vocabulary
from paravec.vocab import refresh_sampling

__all__ = ["update"]

_CALLABLE = IsCallable(none=True)


@validate(progress=_CALLABLE, trainer=_CALLABLE)
def update(
    model: Doc2Vec,
    documents: Iterable[TaggedDocument],
    *,
    keep_old_docs: bool = True,
    freeze: Freeze = "all",
    rehearsal: Iterable[TaggedDocument] | None = None,
    epochs: int | None = None,
    alpha: float | None = None,
    min_alpha: float | None = None,
    min_count: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
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
    freeze : {"all", "words", "none"} or (float, float), default "all"
        Which pretrained weights stay fixed while the batch trains, or learning-rate factors
        (pretrained word vectors, pretrained output weights) within [0, 1] (see
        `paravec.updating`).
    rehearsal : iterable of TaggedDocument, optional
        Pretrained documents (tags the model has) to train alongside the batch, their document
        vectors held fixed. Not part of the report's new or replaced tags.
    epochs : int, optional
        Passes over the batch; default the model's own ``epochs``.
    alpha, min_alpha : float, optional
        Learning rate at the start and end of the update; default the model's own.
    min_count : int, optional
        Count (over everything seen) a new word needs to enter the vocabulary; default the
        model's ``min_count``.
    seed : int, optional
        Seed for new vectors and sampling; default the model's ``seed``.
    workers : int, optional
        Training threads; default the number of CPUs.
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
    settings = UpdateSettings.resolve(
        model,
        freeze=freeze,
        keep_old_docs=keep_old_docs,
        epochs=epochs,
        alpha=alpha,
        min_alpha=min_alpha,
        min_count=min_count,
        seed=seed,
        workers=workers,
    )
    ensure_intact(model)
    docs = validate_documents(documents, model=model)
    rehearse = validate_rehearsal(model, rehearsal, docs, keep_old_docs=settings.keep_old_docs)
    t_check = time.perf_counter()

    report = UpdateReport(
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
    held = sorted(
        ((w, c) for w, c in model.raw_vocab.items() if w in batch_counts), key=lambda x: (-x[1], x[0])
    )
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
    job = TrainingJob(corpus, locks, settings, n_words_old, n_nodes_old)
    report.words_trained = int((train if trainer is None else trainer)(model, job, progress))
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
            f"dropped {report.dropped_tags}, {len(report.new_words)} new words, freeze={report.freeze}, "
            f"epochs={report.epochs}"
        ),
    )
    return report
