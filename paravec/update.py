"""Add a batch of documents — new tags, new words — to a trained gensim Doc2Vec, in place.

The model learns the batch the way Le & Mikolov's paragraph vectors learn any document (PV-DBOW or
PV-DM, negative sampling or hierarchical softmax), while the pretrained weights are treated by the
``freeze`` mode:

``"all"`` (default)
    every pretrained weight — word vectors and the output weights of pretrained words or Huffman
    nodes — is locked while the batch trains, so it is bit-identical afterwards: old document
    vectors, old neighbourhoods and ``infer_vector`` on old text stay valid, and the new vectors are
    fitted to exactly the weights that are saved.
``"words"``
    pretrained word vectors are locked; output weights learn.
``"none"``
    everything learns (the pretrained space drifts towards the batch).
``(word_factor, output_factor)``
    learning-rate factors in [0, 1] for pretrained input word vectors and for pretrained output
    weights: ``(0, 0)`` is ``"all"``, ``(0, 1)`` is ``"words"``, ``(1, 1)`` is ``"none"``; values
    between let the pretrained space follow the batch a little.

``rehearsal`` documents — base documents whose tags the model already has, with their text — are
trained alongside the batch with their document vectors held fixed: they pull the shared weights
back towards what the pretrained documents need, which limits forgetting when weights may move.
To fit a new domain, ``freeze="words"`` with ``rehearsal=sample_rehearsal(base_docs, 0.6 x the
batch's words)``, ``min_count`` one below the base's and ``epochs`` 3/4 of the base's matched
retraining from scratch at the base's settings (Lee 0.521 against 0.519) at 0.14 of its work, in
``benchmarks/update_strategies.py``; retraining at the lower ``min_count`` stays ahead (0.556;
README, "Why these defaults").

New words enter the vocabulary once their count over everything seen reaches ``min_count`` and the
batch uses them (so that they are trained); the others are remembered in ``model.raw_vocab``
(gensim's own place for raw counts) until a later batch brings them in. A base from
:func:`paravec.train` starts that record with its own corpus's rare words, so at the model's
``min_count`` the vocabulary grows as retraining on everything would build it. A tag
that already exists is retrained as the new version of that document. With
``keep_old_docs=False`` every document vector the model had before is dropped and its memory
freed, which keeps a model pretrained on millions of Wikipedia articles small.

The result is a plain gensim ``Doc2Vec``: save it with ``model.save`` and load it with
``gensim.models.Doc2Vec.load`` anywhere, no paravec needed.

Example
-------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> base = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                      vector_size=16, min_count=1, epochs=5, seed=1)
>>> report = paravec.update(base, [TaggedDocument(["graph", "of", "trees", "xxyfg"], ["E0"]),
...                                TaggedDocument(["xxyfg", "graph", "minors"], ["E1"])], min_count=1)
>>> report.new_tags, report.new_words
(['E0', 'E1'], ['xxyfg', 'of'])
>>> paravec.check(base)
[]
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from gensim.models import Doc2Vec
from gensim.models.keyedvectors import KeyedVectors

from paravec import kernel
from paravec.errors import CorpusError, ModelBrokenError, ParameterError
from paravec.invariants import check
from paravec.vocab import add_words, hs_arrays, init_rows, refresh_sampling

__all__ = ["update", "UpdateReport", "FREEZE_MODES"]

FREEZE_MODES = ("none", "words", "all")
# Learning-rate factors (pretrained input word vectors, pretrained output weights) per mode.
_FREEZE_FACTORS = {"none": (1.0, 1.0), "words": (0.0, 1.0), "all": (0.0, 0.0)}
Freeze = Literal["none", "words", "all"] | tuple[float, float]
REAL = np.float32

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class UpdateReport:
    """What one :func:`update` changed, and how fast.

    Attributes
    ----------
    new_tags : list
        Tags the model did not have before.
    replaced_tags : list
        Tags that existed and were retrained on their new text.
    dropped_tags : int
        How many document vectors were dropped (``keep_old_docs=False``).
    new_words : list of str
        Words added to the vocabulary, most frequent first.
    pending_words : int
        Words seen but still below ``min_count``, remembered for later batches.
    untrained_tags : list
        New tags whose documents had no word in the vocabulary (their vectors stay random).
    documents, words : int
        Documents in the batch and their tokens.
    rehearsed_documents, rehearsed_words : int
        Rehearsal documents (``rehearsal=``) trained alongside the batch, and their tokens.
    words_trained : int
        Word occurrences trained over all epochs (after vocabulary filtering and downsampling).
    freeze, epochs, alpha, min_alpha, keep_old_docs
        The settings used.
    seconds : dict
        Wall time per step: ``check``, ``vocab``, ``train``, ``total``.
    words_per_second : float
        Training throughput, as gensim reports it.
    """

    new_tags: list = field(default_factory=list)
    replaced_tags: list = field(default_factory=list)
    dropped_tags: int = 0
    new_words: list[str] = field(default_factory=list)
    pending_words: int = 0
    untrained_tags: list = field(default_factory=list)
    documents: int = 0
    words: int = 0
    rehearsed_documents: int = 0
    rehearsed_words: int = 0
    words_trained: int = 0
    freeze: str = "all"
    epochs: int = 0
    alpha: float = 0.0
    min_alpha: float = 0.0
    keep_old_docs: bool = True
    seconds: dict[str, float] = field(default_factory=dict)
    words_per_second: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-serialisable data."""
        return asdict(self)

    def summary(self) -> str:
        """A few human lines: what changed and how fast."""
        lines = [
            f"{self.documents} documents ({self.words} words): {len(self.new_tags)} new, "
            f"{len(self.replaced_tags)} replaced, {self.dropped_tags} old dropped",
            f"{len(self.new_words)} new words, {self.pending_words} below min_count remembered",
            *([f"rehearsed {self.rehearsed_documents} base documents ({self.rehearsed_words} words)"]
              if self.rehearsed_documents else []),
            f"trained {self.epochs} epochs, freeze={self.freeze}, "
            f"{self.seconds.get('total', 0.0):.2f}s, {self.words_per_second:,.0f} words/s",
        ]
        if self.untrained_tags:
            lines.append(f"{len(self.untrained_tags)} documents had no known word and were not trained")
        return "\n".join(lines)


def update(
    model: Doc2Vec,
    documents: Iterable,
    *,
    keep_old_docs: bool = True,
    freeze: Freeze = "all",
    rehearsal: Iterable | None = None,
    epochs: int | None = None,
    alpha: float | None = None,
    min_alpha: float | None = None,
    min_count: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
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
        (pretrained word vectors, pretrained output weights) within [0, 1] (see the module
        docstring).
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

    Returns
    -------
    UpdateReport

    Raises
    ------
    ParameterError
        A parameter is outside what is allowed.
    ModelBrokenError
        The model is already inconsistent (see :func:`paravec.check`); nothing is changed.
    CorpusError
        The batch is empty, has an empty document, a duplicate tag, or tags of the wrong kind.
    """
    started = time.perf_counter()
    settings = _validate_settings(model, freeze, epochs, alpha, min_alpha, min_count, seed, workers)
    problems = check(model)
    if problems:
        raise ModelBrokenError(
            f"the model is inconsistent ({problems[0]}"
            + (f"; {len(problems) - 1} more problems" if len(problems) > 1 else "")
            + "); run `paravec check MODEL` and start from an intact copy"
        )
    docs = _validate_documents(model, documents)
    rehearse = _validate_rehearsal(model, rehearsal, docs, keep_old_docs)
    t_check = time.perf_counter()

    report = UpdateReport(
        freeze=freeze if isinstance(freeze, str) else f"{freeze[0]:g},{freeze[1]:g}", epochs=settings["epochs"], alpha=settings["alpha"],
        min_alpha=settings["min_alpha"], keep_old_docs=keep_old_docs, documents=len(docs),
    )
    batch_counts = Counter(w for d in docs for w in d.words)
    report.words = sum(batch_counts.values())
    report.rehearsed_documents, report.rehearsed_words = len(rehearse), sum(len(d.words) for d in rehearse)
    n_words_old = len(model.wv.index_to_key)
    n_nodes_old = len(model.syn1) if model.hs else 0
    new_words = _grow_vocabulary(model, batch_counts, settings["min_count"], settings["seed"])
    report.new_words = new_words
    report.pending_words = len(model.raw_vocab)
    doc_rows, report.new_tags, report.replaced_tags, report.dropped_tags = _place_documents(
        model, docs, keep_old_docs, settings["seed"]
    )
    refresh_sampling(model)
    t_vocab = time.perf_counter()

    # Rehearsed documents follow the batch, so the batch's word spans come first in the arrays.
    rehearse_rows = [[model.dv.get_index(t) for t in d.tags] for d in rehearse]
    corpus = _flatten(model, docs + rehearse, doc_rows + rehearse_rows)
    starts = corpus[1]
    report.untrained_tags = [docs[i].tags[0] for i in range(len(docs)) if starts[i] == starts[i + 1]]
    locks = _locks(model, settings["factors"], n_words_old, n_nodes_old, doc_rows)
    report.words_trained = _train(model, corpus, locks, settings, progress)
    t_train = time.perf_counter()

    model.wv.norms = None
    model.dv.norms = None
    model.corpus_count = int(getattr(model, "corpus_count", 0) or 0) + len(docs)
    model.corpus_total_words = int(getattr(model, "corpus_total_words", 0) or 0) + report.words
    report.seconds = {
        "check": t_check - started, "vocab": t_vocab - t_check, "train": t_train - t_vocab,
        "total": time.perf_counter() - started,
    }
    report.words_per_second = report.words_trained / max(report.seconds["train"], 1e-9)
    model.add_lifecycle_event(
        "paravec.update",
        msg=(f"added {len(report.new_tags)} documents, replaced {len(report.replaced_tags)}, "
             f"dropped {report.dropped_tags}, {len(new_words)} new words, freeze={report.freeze}, "
             f"epochs={settings['epochs']}"),
    )
    return report


def _validate_settings(model, freeze, epochs, alpha, min_alpha, min_count, seed, workers) -> dict[str, Any]:
    if not isinstance(model, Doc2Vec):
        raise ParameterError(f"model must be a gensim Doc2Vec, got {type(model).__name__}")
    if isinstance(freeze, str) and freeze in FREEZE_MODES:
        factors = _FREEZE_FACTORS[freeze]
    elif (isinstance(freeze, (tuple, list)) and len(freeze) == 2
          and all(isinstance(f, (int, float)) and not isinstance(f, bool) and 0.0 <= f <= 1.0 for f in freeze)):
        factors = (float(freeze[0]), float(freeze[1]))
    else:
        raise ParameterError(
            f"freeze must be one of {', '.join(FREEZE_MODES)} or a pair of factors within [0, 1]; got {freeze!r}"
        )
    epochs = model.epochs if epochs is None else epochs
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ParameterError(f"epochs must be a positive integer; got {epochs!r}")
    alpha = float(model.alpha if alpha is None else alpha)
    min_alpha = float(model.min_alpha if min_alpha is None else min_alpha)
    if not (0.0 < alpha <= 1.0) or not (0.0 <= min_alpha <= alpha):
        raise ParameterError(
            f"learning rates must satisfy 0 < alpha <= 1 and 0 <= min_alpha <= alpha; got alpha={alpha}, min_alpha={min_alpha}"
        )
    min_count = model.min_count if min_count is None else min_count
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ParameterError(f"min_count must be a positive integer; got {min_count!r}")
    seed = model.seed if seed is None else seed
    if not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be an integer; got {seed!r}")
    workers = workers or os.cpu_count() or 1
    if not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ParameterError(f"workers must be a positive integer; got {workers!r}")
    return {"factors": factors, "epochs": int(epochs), "alpha": alpha, "min_alpha": min_alpha, "min_count": int(min_count),
            "seed": int(seed), "workers": int(workers)}


def _validate_documents(model: Doc2Vec, documents: Iterable) -> list:
    if isinstance(documents, (str, bytes)):
        raise CorpusError("documents must be an iterable of TaggedDocument, got a string; read files with paravec.read_corpus")
    docs = list(documents)
    if not docs:
        raise CorpusError("the batch is empty: give at least one TaggedDocument with words and tags")
    int_model = _model_uses_int_tags(model)
    seen: dict[Any, int] = {}
    for i, doc in enumerate(docs):
        words = getattr(doc, "words", None)
        tags = getattr(doc, "tags", None)
        if words is None or tags is None:
            raise CorpusError(f"document #{i} is a {type(doc).__name__}, not a TaggedDocument(words, tags)")
        if isinstance(words, str):
            raise CorpusError(f"document #{i} has a string as words; tokenize it first (paravec.tokenize)")
        if isinstance(tags, (str, int, np.integer)):
            raise CorpusError(f"document #{i} has tags={tags!r}; tags must be a list, e.g. [{tags!r}]")
        if not len(tags):
            raise CorpusError(f"document #{i} has no tag; every document needs at least one tag")
        if not len(words):
            raise CorpusError(f"document {tags[0]!r} (#{i}) has no words; drop empty documents before updating")
        if not all(isinstance(w, str) for w in words):
            bad = next(w for w in words if not isinstance(w, str))
            raise CorpusError(f"document {tags[0]!r} (#{i}) has a word of type {type(bad).__name__}; words must be strings")
        for tag in tags:
            if isinstance(tag, (int, np.integer)) and not isinstance(tag, bool):
                if not int_model:
                    raise CorpusError(
                        f"document #{i} has the integer tag {tag}; this model's documents have string tags and gensim "
                        "treats integers as positions, so use string tags"
                    )
                if tag < 0:
                    raise CorpusError(f"document #{i} has the negative tag {tag}; integer tags must be >= 0")
            elif not isinstance(tag, str):
                raise CorpusError(f"document #{i} has a tag of type {type(tag).__name__}; tags must be strings")
            if tag in seen:
                raise CorpusError(f"tag {tag!r} appears in documents #{seen[tag]} and #{i}; tags must be unique within a batch")
            seen[tag] = i
    if model.dm and model.dm_concat:
        wrong = [i for i, d in enumerate(docs) if len(d.tags) != model.dm_tag_count]
        if wrong:
            raise CorpusError(
                f"document #{wrong[0]} has {len(docs[wrong[0]].tags)} tags; this PV-DM concat model needs exactly "
                f"{model.dm_tag_count} per document"
            )
    return docs


def _validate_rehearsal(model: Doc2Vec, rehearsal: Iterable | None, docs: list, keep_old_docs: bool) -> list:
    if rehearsal is None:
        return []
    if not keep_old_docs:
        raise ParameterError("rehearsal needs the pretrained document vectors: use it with keep_old_docs=True")
    batch_tags = {t for d in docs for t in d.tags}
    out = []
    for i, doc in enumerate(rehearsal):
        tags = list(getattr(doc, "tags", []) or [])
        words = getattr(doc, "words", None)
        if not tags or words is None or isinstance(words, str):
            raise CorpusError(f"rehearsal document #{i} is not a TaggedDocument with a list of words and tags")
        unknown = [t for t in tags if not _has_tag(model.dv, t)]
        if unknown:
            raise CorpusError(f"rehearsal document #{i} has tag {unknown[0]!r}, which the model does not have")
        if batch_tags.intersection(tags):
            raise CorpusError(f"rehearsal document #{i} has a tag of the batch; rehearse old documents only")
        out.append(doc)
    return out


def _model_uses_int_tags(model: Doc2Vec) -> bool:
    keys = model.dv.index_to_key
    return bool(keys) and isinstance(keys[0], (int, np.integer))


def _grow_vocabulary(model: Doc2Vec, batch_counts: Counter, min_count: int, seed: int) -> list[str]:
    wv = model.wv
    pending = dict(model.raw_vocab or {})
    for word, c in batch_counts.items():
        if word == "\0":
            continue  # the PV-DM concat padding word is not a real word
        idx = wv.key_to_index.get(word)
        if idx is not None:
            wv.expandos["count"][idx] += c
        else:
            pending[word] = pending.get(word, 0) + c
    # Only words this batch uses may enter: a word whose count reached min_count through the base's
    # remembered counts alone (min_count lowered below the base's) would have no occurrence to train
    # on and keep its random vector. It stays pending until a batch uses it.
    ready = {w: c for w, c in pending.items() if c >= min_count and w in batch_counts}
    for w in ready:
        del pending[w]
    # raw_vocab is where gensim itself keeps counts not (yet) in the vocabulary.
    model.raw_vocab = pending
    return add_words(model, ready, seed=seed + len(wv.index_to_key))


def _place_documents(model: Doc2Vec, docs: list, keep_old_docs: bool, seed: int):
    """Give every tag of the batch a row in ``dv``; returns (rows per doc, new, replaced, dropped)."""
    dv = model.dv
    size = model.vector_size
    if not keep_old_docs:
        dropped = len(dv.index_to_key)
        tags = [t for d in docs for t in d.tags]
        fresh = KeyedVectors(size, count=0, dtype=REAL)
        fresh.index_to_key = list(tags)
        fresh.key_to_index = {t: i for i, t in enumerate(tags)}
        fresh.vectors = init_rows(len(tags), size, seed)
        fresh.vectors_lockf = np.ones(1, dtype=REAL)
        _set_doc_attrs(fresh, docs)
        model.dv = fresh
        rows = [[fresh.key_to_index[t] for t in d.tags] for d in docs]
        return rows, list(tags), [], dropped

    n_old = len(dv.index_to_key)
    new_tags, replaced = [], []
    for d in docs:
        for t in d.tags:
            (replaced if _has_tag(dv, t) else new_tags).append(t)
    old_vectors = dv.vectors
    rows_new = init_rows(len(new_tags) + len(replaced), size, seed + n_old)
    vectors = np.empty((n_old + len(new_tags), size), dtype=REAL)
    vectors[:n_old] = old_vectors
    vectors[n_old:] = rows_new[: len(new_tags)]
    for i, t in enumerate(new_tags):
        dv.key_to_index[t] = n_old + i
    dv.index_to_key.extend(new_tags)
    for j, t in enumerate(replaced):
        # A replaced document is learned afresh from its new text, not nudged from the old one.
        vectors[dv.get_index(t)] = rows_new[len(new_tags) + j]
    dv.vectors = vectors
    dv.allocate_vecattrs()
    _set_doc_attrs(dv, docs)
    rows = [[dv.get_index(t) for t in d.tags] for d in docs]
    return rows, new_tags, replaced, 0


def _has_tag(dv: KeyedVectors, tag) -> bool:
    if tag in dv.key_to_index:
        return True
    return isinstance(tag, (int, np.integer)) and 0 <= tag < len(dv.index_to_key) and dv.index_to_key[tag] == tag


def _set_doc_attrs(dv: KeyedVectors, docs: list) -> None:
    for attr in ("word_count", "doc_count"):
        if attr not in dv.expandos:
            dv.allocate_vecattrs([attr], [np.int64])
    for d in docs:
        for t in d.tags:
            i = dv.get_index(t)
            dv.expandos["word_count"][i] = len(d.words)
            dv.expandos["doc_count"][i] = 1


def _flatten(model: Doc2Vec, docs: list, doc_rows: list[list[int]]):
    k2i = model.wv.key_to_index
    null = "\0"
    ids = [np.fromiter((k2i[w] for w in d.words if w in k2i and w != null), dtype=np.int32) for d in docs]
    starts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(a) for a in ids], out=starts[1:])
    word_ids = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    tag_ids = np.asarray([r for rows in doc_rows for r in rows], dtype=np.int32)
    tag_starts = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in doc_rows], out=tag_starts[1:])
    return word_ids, starts, tag_ids, tag_starts


def _locks(model: Doc2Vec, factors: tuple[float, float], n_words_old: int, n_nodes_old: int, doc_rows) -> dict[str, np.ndarray]:
    n_words = len(model.wv.index_to_key)
    word_lock = np.ones(n_words, dtype=REAL)
    base_lockf = model.wv.vectors_lockf
    if len(base_lockf) == n_words:
        word_lock[:] = base_lockf  # honour a user's own per-word locks
    out_lock = np.ones(n_words, dtype=REAL)
    node_lock = np.ones(len(model.syn1) if model.hs else 0, dtype=REAL)
    word_lock[:n_words_old] *= factors[0]
    out_lock[:n_words_old] = factors[1]
    node_lock[:n_nodes_old] = factors[1]
    doc_lock = np.zeros(len(model.dv.index_to_key), dtype=REAL)
    doc_lock[[r for rows in doc_rows for r in rows]] = 1.0
    return {"word": word_lock, "doc": doc_lock, "out": out_lock, "node": node_lock}


def _writable(arr: np.ndarray) -> np.ndarray:
    # Memory-mapped bases load read-only; training writes, so it needs its own copy.
    return arr if arr.flags.writeable and arr.flags.c_contiguous else np.ascontiguousarray(arr).copy()


def _train(model: Doc2Vec, corpus, locks, settings, progress) -> int:
    word_ids, starts, tag_ids, tag_starts = corpus
    wv, dv = model.wv, model.dv
    wv.vectors = _writable(wv.vectors)
    dv.vectors = _writable(dv.vectors)
    layer1 = model.layer1_size
    if model.negative:
        model.syn1neg = _writable(model.syn1neg)
    if model.hs:
        model.syn1 = _writable(model.syn1)
    syn1neg = model.syn1neg if model.negative else np.zeros((0, layer1), dtype=REAL)
    syn1 = model.syn1 if model.hs else np.zeros((0, layer1), dtype=REAL)
    cum_table = model.cum_table if model.negative else np.zeros(1, dtype=np.uint32)
    points, codes, code_starts = hs_arrays(model)
    _validate_shapes(model, word_ids, tag_ids, syn1neg, syn1, points, locks)

    if not model.dm:
        mode = kernel.MODE_DBOW
    elif model.dm_concat:
        mode = kernel.MODE_DM_CONCAT
    else:
        mode = kernel.MODE_DM_MEAN
    null_word = wv.key_to_index.get("\0", 0)
    sample_int = wv.expandos["sample_int"]
    epochs = settings["epochs"]
    n_docs = len(starts) - 1
    n_chunks = max(1, min(settings["workers"], n_docs))
    # Contiguous shares keep each thread's documents together, as gensim's job batches do; they
    # hold equal numbers of words, not of documents, so that long rehearsal passages at the end
    # do not leave one thread working alone.
    cum_words = np.cumsum(np.diff(starts))
    total = int(cum_words[-1]) if n_docs else 0
    bounds = np.searchsorted(cum_words, np.linspace(0, total, n_chunks + 1)[1:-1], side="right")
    shares = [share for share in np.split(np.arange(n_docs, dtype=np.int64), bounds) if len(share)]
    n_chunks = len(shares)
    static = (
        word_ids, starts, tag_ids, tag_starts, None, wv.vectors, dv.vectors, syn1neg, syn1,
        locks["word"], locks["doc"], locks["out"], locks["node"], cum_table, points, codes,
        code_starts, sample_int, mode, bool(model.dbow_words), bool(model.hs), int(model.negative),
        int(model.window), bool(getattr(model, "shrink_windows", True)), bool(model.cbow_mean),
        int(model.dm_tag_count), int(null_word), int(layer1), settings["alpha"], settings["min_alpha"],
    )

    def run(share: np.ndarray, epoch: int, chunk: int) -> int:
        args = list(static)
        args[4] = share
        return int(kernel.train_chunk(*args, epoch / epochs, 1.0 / epochs,
                                      (settings["seed"] * 1000 + epoch) * 64 + chunk))

    trained = 0
    with ThreadPoolExecutor(max_workers=n_chunks, thread_name_prefix="paravec-train") as pool:
        for epoch in range(epochs):
            futures = [pool.submit(run, share, epoch, c) for c, share in enumerate(shares)]
            trained += sum(f.result() for f in futures)
            if progress is not None:
                progress("train", epoch + 1, epochs)
    return trained


def _validate_shapes(model, word_ids, tag_ids, syn1neg, syn1, points, locks) -> None:
    """The kernel does no bounds checks: prove every index lands inside its array first."""
    n_words, size = model.wv.vectors.shape
    problems = []
    if size != model.vector_size or model.dv.vectors.shape[1] != size:
        problems.append("vector widths differ")
    if len(word_ids) and (word_ids.min() < 0 or word_ids.max() >= n_words):
        problems.append("a word index is outside wv.vectors")
    if len(tag_ids) and (tag_ids.min() < 0 or tag_ids.max() >= len(model.dv.vectors)):
        problems.append("a tag index is outside dv.vectors")
    if model.negative and syn1neg.shape != (n_words, model.layer1_size):
        problems.append(f"syn1neg is {syn1neg.shape}, expected {(n_words, model.layer1_size)}")
    if model.hs and (len(points) and int(points.max()) >= len(syn1) or syn1.shape[1] != model.layer1_size):
        problems.append("a Huffman point is outside syn1")
    if model.negative and len(model.cum_table) != n_words:
        problems.append("cum_table does not match the vocabulary")
    if len(model.wv.expandos["sample_int"]) != n_words:
        problems.append("sample_int does not match the vocabulary")
    if len(locks["word"]) != n_words or len(locks["doc"]) != len(model.dv.vectors):
        problems.append("lock arrays do not match")
    if model.dm and model.dm_concat and "\0" not in model.wv.key_to_index:
        problems.append("PV-DM concat model has no null word")
    if problems:
        raise ModelBrokenError("refusing to train: " + "; ".join(problems))
