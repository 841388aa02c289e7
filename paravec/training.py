"""Training base models: gensim Doc2Vec with defaults that suit search.

A base is a paragraph-vector model (Le & Mikolov 2014, "Distributed Representations of Sentences
and Documents") trained by gensim itself; `paravec.update` grows it later. The defaults follow Lau & Baldwin (2016), "An Empirical Evaluation of doc2vec with Practical
Insights into Document Embedding Generation": PV-DBOW with simultaneous skip-gram word training
(``dm=0, dbow_words=1``) places documents and words in one space, which is what search and
exploration need, and it can start from pretrained word vectors (word2vec text or binary, or
fastText ``.vec``), as their doc2vec fork does.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> docs = [TaggedDocument(words, [f"d{i}"]) for i, words in enumerate(common_texts)]
>>> model = paravec.train(docs, vector_size=16, min_count=1, epochs=5)
>>> (int(model.dm), model.dbow_words, model.vector_size, len(model.dv))
(0, 1, 16, 9)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sized
from pathlib import Path
from typing import Any

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.callbacks import CallbackAny2Vec
from gensim.models.doc2vec import TaggedDocument
from gensim.models.keyedvectors import KeyedVectors

from paravec.analysis import Analysis, record
from paravec.errors import CorpusError, ModelFileError, ParameterError
from paravec.params import Boolean, InstanceOf, Integer, IsCallable, OneOf, Real, validate

__all__ = ["SMALL_CORPUS_WORDS", "load_pretrained_vectors", "suggested_settings", "train"]

#: Below this many words a corpus is small: `suggested_settings` gives it 40 epochs and 100 dimensions.
SMALL_CORPUS_WORDS = 200_000

ProgressCallback = Callable[[str, int, int], None]


_POSITIVE = Integer(min=1)
_FLAG = OneOf((0, 1))


@validate(
    vector_size=_POSITIVE,
    epochs=_POSITIVE,
    min_count=_POSITIVE,
    window=_POSITIVE,
    dm=_FLAG,
    dbow_words=_FLAG,
    hs=_FLAG,
    negative=Integer(min=0),
    sample=Real(min=0.0),
    seed=Integer(),
    workers=Integer(min=0, none=True),
    pretrained_lockf=Real(min=0.0, max=1.0),
    keep_rare_words=Boolean(),
    progress=IsCallable(none=True),
    analysis=InstanceOf(Analysis, "a paravec.analysis.Analysis", none=True),
)
def train(
    documents: Iterable[TaggedDocument],
    *,
    vector_size: int = 300,
    epochs: int = 20,
    min_count: int = 2,
    window: int = 8,
    dm: int = 0,
    dbow_words: int = 1,
    hs: int = 0,
    negative: int = 5,
    sample: float = 1e-4,
    seed: int = 0,
    workers: int | None = None,
    pretrained_vectors: str | os.PathLike[str] | None = None,
    pretrained_lockf: float = 1.0,
    keep_rare_words: bool = True,
    progress: ProgressCallback | None = None,
    analysis: Analysis | None = None,
    **doc2vec_kwargs: Any,
) -> Doc2Vec:
    """Train a gensim ``Doc2Vec`` base model.

    Parameters
    ----------
    documents : iterable of TaggedDocument
        Re-iterable corpus (a list, or `paravec.read_corpus`).
    vector_size, epochs, min_count, window, dm, dbow_words, hs, negative, sample, seed
        As in gensim's ``Doc2Vec``; the defaults are PV-DBOW with word training at 300 dimensions.
    workers : int, optional
        Training threads; default the number of CPUs.
    pretrained_vectors : path, optional
        Word vectors in word2vec text/binary or fastText ``.vec`` format, ``vector_size`` wide.
        Words of the corpus found there start from them instead of random vectors.
    pretrained_lockf : float, default 1.0
        Learning-rate factor for the pretrained word vectors: 0 keeps them fixed, 1 trains them
        like any other word.
    keep_rare_words : bool, default True
        Remember the counts of the words below ``min_count`` in ``model.raw_vocab`` (gensim's own
        attribute for raw counts), so that `paravec.update` adds such a word once its count
        over base and batches reaches ``min_count``, as retraining on everything would. ``False``
        forgets them (gensim's default), which saves memory on a very large corpus with millions
        of rare words; an update then counts new words in its batches only.
    progress : callable, optional
        Called as ``progress("train", epoch, epochs)`` after each epoch.
    analysis : paravec.analysis.Analysis, optional
        How the documents' words were made from text. Recorded in the model
        (``model.paravec_analysis``), so that updates, queries and search indexes analyse text the
        same way; without it the model records nothing and they use the default `Analysis`.
    **doc2vec_kwargs
        Any other ``Doc2Vec`` parameter (``alpha``, ``dm_mean``, ``dm_concat``, ...).

    Returns
    -------
    gensim.models.Doc2Vec

    Raises
    ------
    ParameterError, CorpusError, ModelFileError
    """
    if not hs and not negative:
        raise ParameterError("either hs=1 or negative > 0 is needed, or nothing would be trained")
    if isinstance(documents, (str, bytes, os.PathLike)):
        raise CorpusError("documents must be TaggedDocuments; read a file with paravec.read_corpus(path)")
    docs = documents if isinstance(documents, Sized) else list(documents)
    if not len(docs):
        raise CorpusError("the corpus is empty: give at least one TaggedDocument")

    model = Doc2Vec(
        vector_size=vector_size,
        epochs=epochs,
        min_count=min_count,
        window=window,
        dm=dm,
        dbow_words=dbow_words,
        hs=hs,
        negative=negative,
        sample=sample,
        seed=seed,
        workers=workers or os.cpu_count() or 1,
        **doc2vec_kwargs,
    )
    model.build_vocab(docs, keep_raw_vocab=keep_rare_words)
    if not len(model.wv):
        raise CorpusError(f"no word reaches min_count={min_count}; lower min_count or give more text")
    # gensim keeps every raw count; the vocabulary's own counts live in wv, so only the rare rest stays.
    vocab = model.wv.key_to_index
    model.raw_vocab = {w: c for w, c in (model.raw_vocab or {}).items() if w not in vocab}
    if pretrained_vectors is not None:
        _seed_word_vectors(model, load_pretrained_vectors(pretrained_vectors), pretrained_lockf)
    callbacks = [_EpochProgress(progress, epochs)] if progress else []
    model.train(docs, total_examples=model.corpus_count, epochs=epochs, callbacks=callbacks)
    model.wv.vectors_lockf = np.ones(1, dtype=np.float32)
    model.dv.vectors_lockf = np.ones(1, dtype=np.float32)
    model.callbacks = ()
    if analysis is not None:
        record(model, analysis)
    return model


def suggested_settings(total_words: int) -> dict[str, int]:
    """``vector_size`` and ``epochs`` for a corpus of ``total_words`` words.

    Measured on the Lee news corpus and the Wikipedia extract that ship with gensim
    (benchmarks/README.md, "Small corpus"): with 20 epochs, a corpus of 30k-60k words leaves its
    vectors crowded (random word pairs at cosine 0.6-0.9, so every neighbour scores about 0.99) and
    topical queries find fewer relevant documents; 40 epochs spread them (random pairs near 0.3) and
    find more. 300 dimensions gain nothing over 100 there. A corpus of 486k words is spread at 20.

    Parameters
    ----------
    total_words : int
        Tokens in the corpus (`paravec.Corpus.total_words`).

    Returns
    -------
    dict
        ``{"vector_size": 100, "epochs": 40}`` below `SMALL_CORPUS_WORDS` words, else
        ``{"vector_size": 300, "epochs": 20}`` (`train`'s defaults).

    Examples
    --------
    >>> suggested_settings(61_260), suggested_settings(486_000)
    ({'vector_size': 100, 'epochs': 40}, {'vector_size': 300, 'epochs': 20})
    """
    if total_words < SMALL_CORPUS_WORDS:
        return {"vector_size": 100, "epochs": 40}
    return {"vector_size": 300, "epochs": 20}


def load_pretrained_vectors(path: str | os.PathLike[str]) -> KeyedVectors:
    """Read word vectors in word2vec text/binary or fastText ``.vec`` format.

    Raises
    ------
    ModelFileError
        The file is missing or in none of those formats.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"pretrained vectors not found: {path}")
    errors: list[str] = []
    for binary in (False, True):
        try:
            return KeyedVectors.load_word2vec_format(str(path), binary=binary, unicode_errors="replace")
        except (ValueError, UnicodeDecodeError, EOFError, IndexError, OSError) as err:
            errors.append(f"{type(err).__name__}: {err}")
    raise ModelFileError(f"{path} is neither word2vec text nor binary format ({errors[0]})")


def _seed_word_vectors(model: Doc2Vec, pretrained: KeyedVectors, lockf: float) -> None:
    if pretrained.vector_size != model.vector_size:
        raise ParameterError(
            f"pretrained vectors are {pretrained.vector_size} wide but vector_size={model.vector_size}; "
            f"train with vector_size={pretrained.vector_size}"
        )
    wv = model.wv
    lock = np.ones(len(wv), dtype=np.float32)
    for i, word in enumerate(wv.index_to_key):
        j = pretrained.key_to_index.get(word)
        if j is not None:
            wv.vectors[i] = pretrained.vectors[j]
            lock[i] = lockf
    wv.vectors_lockf = lock
    if model.dm and not model.dm_concat:
        # gensim's PV-DM mean kernel reads a word's lock at index % len(dv lock array); a doc lock
        # array at least as long as the vocabulary makes that the word's own entry.
        model.dv.vectors_lockf = np.ones(max(len(wv), len(model.dv)), dtype=np.float32)


class _EpochProgress(CallbackAny2Vec):  # type: ignore[misc]  # gensim is untyped
    def __init__(self, progress: ProgressCallback, epochs: int) -> None:
        self.progress = progress
        self.epochs = epochs
        self.epoch = 0

    def on_epoch_end(self, model: Doc2Vec) -> None:
        self.epoch += 1
        self.progress("train", self.epoch, self.epochs)
