"""Train an update's documents with `paravec.kernel`, over several threads, epoch by epoch.

The batch (and any rehearsal) is trained the way paragraph vectors learn any document (Le &
Mikolov 2014, "Distributed Representations of Sentences and Documents"), by the compiled kernel,
which takes learning-rate factors per row so that frozen weights stay bit-identical. This module
turns a gensim ``Doc2Vec`` into the kernel's typed inputs — `paravec.kernel.Corpus`,
`paravec.kernel.Weights`, `paravec.kernel.Locks`,
`paravec.kernel.Tables`, `paravec.kernel.Config`,
`paravec.kernel.Schedule` — and runs it as gensim's workers do: the documents are cut into
chunks of about 10,000 words, and threads take chunk after chunk, epoch after epoch, from one
queue, hogwild.

`paravec.update` builds a `TrainingJob` and hands it to `train`. A caller that
wants to change how an update trains (an experiment, a test that looks at the weights just before
training) passes its own function as ``paravec.update(..., trainer=...)``; it receives the model,
the job and the progress callback, may adjust the job's locks or the model's training attributes,
and calls `train` itself.

Examples
--------
>>> import numpy as np
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> from paravec.updating.driver import train
>>> base = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                      vector_size=8, min_count=1, epochs=2, seed=1, workers=1)
>>> seen = {}
>>> def watching(model, job, progress):
...     seen["rows"] = int(job.locks.doc.sum())  # document rows this update trains
...     seen["epochs"] = job.settings.epochs
...     return train(model, job, progress)
>>> report = paravec.update(base, [TaggedDocument(["graph", "trees"], ["E0"])], epochs=2, trainer=watching)
>>> seen
{'rows': 1, 'epochs': 2}
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec import kernel
from paravec.errors import ModelBrokenError
from paravec.updating.settings import ProgressCallback, UpdateSettings
from paravec.updating.vocabulary import NULL_WORD
from paravec.vocab import hs_arrays

__all__ = ["Trainer", "TrainingJob", "build_corpus", "build_locks", "shadow_copies", "train"]

REAL = np.float32
#: Words per chunk of training, as gensim's jobs (``batch_words``): threads take chunks from a queue.
CHUNK_WORDS = 10_000


@dataclass(frozen=True)
class TrainingJob:
    """What one update trains, ready for the kernel.

    Attributes
    ----------
    corpus : paravec.kernel.Corpus
        The batch's documents, then the rehearsal's, as vocabulary rows and ``dv`` rows.
    locks : paravec.kernel.Locks
        Learning-rate factors per row; a caller may scale them in place before training.
    settings : UpdateSettings
        The update's settings (``epochs``, ``alpha``, ``min_alpha``, ``seed``, ``workers``).
    n_words_old, n_nodes_old : int
        Vocabulary rows and Huffman inner nodes the model had before the update (the rows after
        them are new).
    shadow_contexts : bool
        In PV-DBOW with skip-gram, a frozen context word of a learning target trains a copy of its
        vector, dropped after training (`paravec.kernel_inputs.Shadow`): the new words' output
        rows meet contexts that adapt to them while the frozen vectors stay as they were.
    """

    corpus: kernel.Corpus
    locks: kernel.Locks
    settings: UpdateSettings
    n_words_old: int
    n_nodes_old: int
    shadow_contexts: bool = False


Trainer = Callable[[Doc2Vec, TrainingJob, ProgressCallback | None], int]
"""A training step: ``trainer(model, job, progress)`` trains ``job`` and returns the words trained."""


def build_corpus(model: Doc2Vec, docs: list[TaggedDocument], doc_rows: list[list[int]]) -> kernel.Corpus:
    """Flatten documents into vocabulary rows (words outside the vocabulary dropped) and ``dv`` rows.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model, its vocabulary already grown.
    docs : list of TaggedDocument
        The documents to train, in training order.
    doc_rows : list of list of int
        The ``dv`` rows of each document's tags.

    Returns
    -------
    paravec.kernel.Corpus
    """
    k2i = model.wv.key_to_index
    ids = [
        np.fromiter((k2i[w] for w in d.words if w in k2i and w != NULL_WORD), dtype=np.int32) for d in docs
    ]
    starts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in ids], out=starts[1:])
    word_ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    tag_ids = np.asarray([r for rows in doc_rows for r in rows], dtype=np.int32)
    tag_starts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in doc_rows], out=tag_starts[1:])
    return kernel.Corpus(word_ids, starts, tag_ids, tag_starts)


def build_locks(
    model: Doc2Vec,
    factors: tuple[float, float],
    n_words_old: int,
    n_nodes_old: int,
    doc_rows: list[list[int]],
) -> kernel.Locks:
    """Learning-rate factors per row: pretrained rows at ``factors``, new rows at 1, other documents at 0.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model, its vocabulary and documents already grown.
    factors : (float, float)
        Factors of pretrained input word vectors and of pretrained output rows and nodes.
    n_words_old, n_nodes_old : int
        Vocabulary rows and Huffman inner nodes that are pretrained.
    doc_rows : list of list of int
        The ``dv`` rows that learn (the batch's); every other document row stays fixed.

    Returns
    -------
    paravec.kernel.Locks
    """
    n_words = len(model.wv.index_to_key)
    word = np.ones(n_words, dtype=REAL)
    if len(model.wv.vectors_lockf) == n_words:
        word[:] = model.wv.vectors_lockf  # honour a user's own per-word locks
    out = np.ones(n_words, dtype=REAL)
    node = np.ones(len(model.syn1) if model.hs else 0, dtype=REAL)
    word[:n_words_old] *= factors[0]
    out[:n_words_old] = factors[1]
    node[:n_nodes_old] = factors[1]
    doc = np.zeros(len(model.dv.index_to_key), dtype=REAL)
    doc[[r for rows in doc_rows for r in rows]] = 1.0
    return kernel.Locks(word=word, doc=doc, out=out, node=node)


def train(model: Doc2Vec, job: TrainingJob, progress: ProgressCallback | None = None) -> int:
    """Train ``job`` for ``job.settings.epochs`` epochs over ``job.settings.workers`` threads.

    The model's architecture and tables are read when training starts, so a trainer may change a
    training attribute (``negative``, ``window``, ...) of the model just before calling this.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model; its weights are trained in place (read-only arrays are copied first).
    job : TrainingJob
        What to train.
    progress : callable, optional
        Called as ``progress("train", epoch, epochs)`` after each epoch.

    Returns
    -------
    int
        Word occurrences trained over all epochs.

    Raises
    ------
    ModelBrokenError
        The model's arrays do not fit together; nothing is trained.
    """
    _check_model(model)
    shadow = shadow_copies(model, job) if job.shadow_contexts else None
    prepared = kernel.prepare(job.corpus, _weights(model), job.locks, _tables(model), _config(model), shadow)
    settings = job.settings
    epochs = settings.epochs
    chunks = _chunks(job.corpus.doc_starts, settings.workers)

    def run(epoch: int, c: int) -> int:
        start, stop, before, share = chunks[c]
        schedule = kernel.Schedule(
            settings.alpha, settings.min_alpha, (epoch + before) / epochs, share / epochs
        )
        # One thread trains one chunk an epoch from the state updates always used (same results).
        stream = (settings.seed * 1000 + epoch) * 64
        state = kernel.initial_state(stream + c if c < 64 else stream * 1_000_003 + c)
        return kernel.train_range(prepared, start, stop, schedule, state)

    trained = 0
    workers = max(1, min(settings.workers, len(chunks) * epochs))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="paravec-train") as pool:
        # Every chunk of every epoch is queued at once, in order: a thread takes the next as soon as
        # it is free, so a thread the machine slows down does not hold the others at an epoch's end.
        futures = [[pool.submit(run, epoch, c) for c in range(len(chunks))] for epoch in range(epochs)]
        try:
            for epoch, done in enumerate(futures):
                trained += sum(f.result() for f in done)
                if progress is not None:
                    progress("train", epoch + 1, epochs)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return trained


def shadow_copies(model: Doc2Vec, job: TrainingJob) -> kernel.Shadow:
    """Copies of the frozen word vectors that skip-gram pairs with a learning target may read.

    A copy for each frozen word (lock 0) in a document of ``job`` that also holds a learning
    word (lock not 0): every frozen word a skip-gram window can pair with a learning target,
    whatever downsampling drops, and no more (a copy of every vector would double the largest
    array of a big model). None when the model trains no skip-gram pairs (PV-DM, or PV-DBOW
    without ``dbow_words``) or trains by hierarchical softmax, where copies were not measured.
    """
    size = model.wv.vector_size
    if model.dm or not model.dbow_words or model.hs:
        return kernel.Shadow.none(size)
    ids, starts = job.corpus.word_ids, job.corpus.doc_starts
    learning = job.locks.word[ids] != 0
    owner = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    shared = np.bincount(owner[learning], minlength=len(starts) - 1) > 0
    words = np.unique(ids[shared[owner] & ~learning])
    rows = np.full(len(model.wv), -1, dtype=np.int32)
    rows[words] = np.arange(len(words), dtype=np.int32)
    return kernel.Shadow(rows, np.ascontiguousarray(model.wv.vectors[words], dtype=REAL))


def _chunks(doc_starts: npt.NDArray[np.int64], workers: int) -> list[tuple[int, int, float, float]]:
    """Contiguous runs of documents of about `CHUNK_WORDS` words (fewer when the batch is small,
    so that every thread has work): ``(start, stop, share of the words before, share in it)``.
    A document is never split."""
    n_docs = len(doc_starts) - 1
    total = int(doc_starts[-1] - doc_starts[0]) if n_docs > 0 else 0
    if n_docs <= 0:
        return []
    if workers <= 1:
        return [(0, n_docs, 0.0, 1.0)]  # one thread has nothing to balance
    target = max(1, min(CHUNK_WORDS, -(-total // max(1, 2 * workers))))
    first = doc_starts[:-1] - doc_starts[0]
    # A chunk is the documents that start in the same run of ``target`` words; a document of
    # ``target`` words or more is a chunk of its own.
    long = np.flatnonzero(np.diff(doc_starts) >= target)
    cuts = np.unique(
        np.concatenate([[0, n_docs], np.flatnonzero(np.diff(first // target)) + 1, long, long + 1])
    )
    words = doc_starts[cuts] - doc_starts[0]
    scale = 1.0 / max(total, 1)
    return [
        (int(cuts[i]), int(cuts[i + 1]), float(words[i] * scale), float((words[i + 1] - words[i]) * scale))
        for i in range(len(cuts) - 1)
    ]


def _writable(arr: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    # Memory-mapped bases load read-only; training writes, so it needs its own copy.
    return arr if arr.flags.writeable and arr.flags.c_contiguous else np.ascontiguousarray(arr).copy()


def _weights(model: Doc2Vec) -> kernel.Weights:
    model.wv.vectors = _writable(model.wv.vectors)
    model.dv.vectors = _writable(model.dv.vectors)
    empty = np.zeros((0, model.layer1_size), dtype=REAL)
    if model.negative:
        model.syn1neg = _writable(model.syn1neg)
    if model.hs:
        model.syn1 = _writable(model.syn1)
    return kernel.Weights(
        wv=model.wv.vectors,
        dv=model.dv.vectors,
        syn1neg=model.syn1neg if model.negative else empty,
        syn1=model.syn1 if model.hs else empty,
    )


def _tables(model: Doc2Vec) -> kernel.Tables:
    points, codes, code_starts = hs_arrays(model)
    return kernel.Tables(
        cum_table=model.cum_table if model.negative else np.zeros(1, dtype=np.uint32),
        points=points,
        codes=codes,
        code_starts=code_starts,
        sample_int=model.wv.expandos["sample_int"],
    )


def _config(model: Doc2Vec) -> kernel.Config:
    if not model.dm:
        mode = kernel.MODE_DBOW
    elif model.dm_concat:
        mode = kernel.MODE_DM_CONCAT
    else:
        mode = kernel.MODE_DM_MEAN
    return kernel.Config(
        mode=mode,
        dbow_words=bool(model.dbow_words),
        hs=bool(model.hs),
        negative=int(model.negative),
        window=int(model.window),
        shrink_windows=bool(getattr(model, "shrink_windows", True)),
        cbow_mean=bool(model.cbow_mean),
        dm_tag_count=int(model.dm_tag_count),
        null_word=int(model.wv.key_to_index.get(NULL_WORD, 0)),
        layer1_size=int(model.layer1_size),
        downsample=bool(model.sample > 0),
    )


def _check_model(model: Doc2Vec) -> None:
    """What the kernel cannot see from its inputs: that they agree with the model's settings."""
    problems = []
    if model.wv.vectors.shape[1] != model.vector_size:
        problems.append("vector widths differ")
    if model.dm and model.dm_concat and NULL_WORD not in model.wv.key_to_index:
        problems.append("PV-DM concat model has no null word")
    if problems:
        raise ModelBrokenError("refusing to train: " + "; ".join(problems))
