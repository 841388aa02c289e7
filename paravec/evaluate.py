"""Verify an update with numbers: where the new documents and words landed, and what the pretrained space kept.

After :func:`paravec.update` a user used to check the model by eye (print the nearest words of a new
document, of a new word, and decide whether they "look sane"). :func:`evaluate` makes that judgement
with numbers and documented thresholds, and returns a :class:`~paravec.report.Report` (Markdown, JSON,
a PCA map) whose verdict is the worst of its sections.

Sections and thresholds
-----------------------
Placement of new documents (needs the new documents)
    * ``self_top1``: share of (a sample of) new documents whose vector re-inferred from their words
      (``model.infer_vector``) has their own stored vector as nearest of *all* document vectors —
      gensim's own sanity check, after Le & Mikolov (2014); gensim's Lee tutorial reaches ~97%.
      ``>= 0.80`` pass, ``>= 0.50`` warn, else fail. ``self_top10`` and the median rank are reported.
    * ``distinctive_hit``: share of new documents whose 10 nearest words
      (``model.wv.most_similar([model.dv[tag]])``) include at least one of their own 5 most
      distinctive words. *Distinctive* = highest tf-idf inside the batch, with sublinear term
      frequency ``1 + ln(count)`` and smoothed inverse document frequency ``ln((1 + N) / (1 + df)) + 1``
      (N documents in the batch, df documents containing the word), among words the model knows.
      ``>= 0.50`` pass, ``>= 0.25`` warn, else fail. (Doc and word vectors share one space only when
      words were trained with the documents — PV-DM or PV-DBOW with ``dbow_words=1``; for pure
      PV-DBOW the check is skipped.)
    * ``missing_tags`` and ``broken_vectors`` (non-finite or zero vectors) must be 0, else fail.
New words (needs ``new_words``, an update report, or ``before``)
    * ``cooccur_share``: mean share of a new word's 10 nearest words that occur in the same new
      document as the word at least once. The chance level — the share of the vocabulary that
      co-occurs with the word — is reported beside it. ``>= 0.40`` pass, ``>= 0.20`` warn, else fail.
    * ``broken_vectors`` must be 0.
What old documents kept (needs ``old_documents`` with their text, and ``before``)
    * ``self_top1`` of old documents re-inferred by the model before and after the update; after,
      the inferred vector is ranked against the document vectors *before* (so the measure also works
      when ``keep_old_docs=False`` dropped them). Drop ``<= 0.05`` pass, ``<= 0.15`` warn, else fail.
    * mean cosine between re-inferred and stored vector, before vs after; drop ``<= 0.05`` pass,
      ``<= 0.15`` warn, else fail.
    * ``stored_unchanged``: share of old document tags not in the batch whose stored vector is
      unchanged (cosine ``>= 0.9999``): 1.0 pass, else fail (gensim's ``build_vocab(update=True)``
      leaves old tags pointing at rows that new documents overwrote).
Word neighbourhoods (needs ``before``)
    * for the most frequent pretrained words and for the pretrained words the batch uses most:
      overlap of the 10 nearest pretrained words before vs after (``|N_before ∩ N_after| / 10``).
      Mean ``>= 0.80`` pass, ``>= 0.60`` warn, else fail. A word whose overlap is below 0.30 is
      *flagged* and listed; any flagged word is at least a warn, more than 5% of words a fail.
      How often new words enter the pretrained words' top 10 (``new_word_intrusions``) is reported.
Word benchmarks (``before`` optional)
    * Spearman correlation on WordSim-353 and SimLex-999, and questions-words analogy accuracy
      (3CosAdd, as ``KeyedVectors.evaluate_word_analogies``), on the *same* pairs and questions for
      both models: those whose words the pretrained model knows (analogies among its
      ``analogy_vocab`` most frequent words, at most ``max_analogies`` questions). Drop ``<= 0.02``
      pass, ``<= 0.05`` warn, else fail. Without ``before`` the numbers are reported and not judged.

Infer-vector calls are made reproducible by seeding ``model.random`` per document (restored
afterwards); the models given are never modified.

Example
-------
>>> import copy, paravec
>>> from paravec.datasets import lee_background_documents
>>> from paravec.evaluate import evaluate
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

import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from paravec.errors import CorpusError, ModelFileError, ParameterError
from paravec.report import Check, Report, Section

__all__ = [
    "evaluate",
    "evaluate_update",
    "THRESHOLDS",
    "word_pair_spearman",
    "analogy_accuracy",
    "neighbour_overlap",
]

#: Thresholds of every judged metric: (pass_at, warn_at). For "higher is better" metrics a value
#: ``>= pass_at`` passes and ``>= warn_at`` warns; for drops ("lower is better") ``<= pass_at``
#: passes and ``<= warn_at`` warns. Everything else fails.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "placement.self_top1": (0.80, 0.50),
    "placement.distinctive_hit": (0.50, 0.25),
    "new_words.cooccur_share": (0.40, 0.20),
    "old_documents.self_top1_drop": (0.05, 0.15),
    "old_documents.cosine_drop": (0.05, 0.15),
    "word_neighbours.overlap": (0.80, 0.60),
    "word_neighbours.flagged_share": (0.0, 0.05),
    "word_benchmarks.drop": (0.02, 0.05),
}
FLAG_OVERLAP = 0.30
UNCHANGED_COSINE = 0.9999
_DISTINCTIVE_K = 5
_MIN_PAIRS = 20
_MAX_DOC_WORDS = 10000  # gensim's compiled code cuts documents there anyway


def evaluate(
    model: Any,
    new_documents: Iterable,
    *,
    before: Any = None,
    old_documents: Iterable | None = None,
    new_words: Sequence[str] | None = None,
    update_report: Any = None,
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
        The batch that was added (its words and tags, as given to :func:`paravec.update`).
    before : Doc2Vec or path, optional
        The model before the update (a copy, or the path of its file, loaded memory-mapped).
        Sections that compare before and after are skipped with a note without it.
    old_documents : iterable of TaggedDocument, optional
        Some documents of the pretrained corpus, with their text and tags.
    new_words : sequence of str, optional
        Words the update added (``UpdateReport.new_words``). Default: from ``update_report``, else
        the words of ``model`` that ``before`` does not have.
    update_report : paravec.UpdateReport, optional
        Shown as the first section (sizes and timings) and used for ``new_words``.
    sample : int, default 200
        How many new documents, old documents, new words and pretrained words to examine
        (a seeded random sample for documents; the most frequent for words).
    seed : int, default 0
        Seed for samples and ``infer_vector``.
    epochs : int, optional
        Epochs of ``infer_vector``; default the model's own.
    topn : int, default 10
        Size of the neighbour lists.
    word_benchmarks : bool, default True
        Run WordSim-353, SimLex-999 and questions-words (from gensim's test data).
    analogy_vocab, max_analogies : int
        Analogies are answered among that many most frequent pretrained words, at most that many
        questions (a seeded sample) — evaluating all of them on a large vocabulary takes minutes.
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
        ``new_documents`` is empty or not made of TaggedDocument-like objects.
    ModelFileError
        ``before`` is a path that cannot be loaded.
    """
    _check_model(model, "model")
    sample = _check_int(sample, "sample", 1)
    topn = _check_int(topn, "topn", 1)
    seed = _check_int(seed, "seed", 0)
    analogy_vocab = _check_int(analogy_vocab, "analogy_vocab", 1)
    max_analogies = _check_int(max_analogies, "max_analogies", 1)
    if epochs is not None:
        epochs = _check_int(epochs, "epochs", 1)
    docs = _as_documents(new_documents, "new_documents")
    if not docs:
        raise CorpusError("new_documents is empty; pass the batch of TaggedDocuments that was added")
    if before is not None:
        before = _load_before(before)
        if before.vector_size != model.vector_size:
            raise ParameterError(
                f"before has vector_size={before.vector_size} but model has {model.vector_size}; "
                "pass the model as it was before this update"
            )
    olds = _as_documents(old_documents, "old_documents") if old_documents is not None else None
    if new_words is None and update_report is not None:
        new_words = list(getattr(update_report, "new_words", []) or [])
    if new_words is None and before is not None:
        new_words = [w for w in model.wv.index_to_key if w not in before.wv.key_to_index]

    ctx = _Context(model, before, docs, olds, sample, seed, epochs, topn)
    report = Report(parameters={
        "sample": sample, "seed": seed, "infer_epochs": epochs or model.epochs, "topn": topn,
        "vector_size": model.vector_size, "words": len(model.wv), "doc_vectors": len(model.dv),
        "new_documents": len(docs), "old_documents": len(olds) if olds is not None else None,
        "before_words": len(before.wv) if before is not None else None,
        "before_doc_vectors": len(before.dv) if before is not None else None,
    })
    if update_report is not None:
        report.sections.append(_update_section(update_report))
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("placement", lambda: _placement_section(ctx)),
        ("new_words", lambda: _new_words_section(ctx, new_words)),
        ("old_documents", lambda: _old_documents_section(ctx)),
        ("word_neighbours", lambda: _word_neighbours_section(ctx)),
    ]
    if word_benchmarks:
        steps.append(("word_benchmarks", lambda: _word_benchmarks_section(ctx, analogy_vocab, max_analogies)))
    for done, (name, run) in enumerate(steps, 1):
        report.sections.append(run())
        if progress is not None:
            progress(name, done, len(steps))
    if map_points:
        report.map_points = _map_points(ctx, new_words or [])
    report.summary = _summary(report)
    return report


def evaluate_update(
    model: Any,
    before: Any,
    new_documents: Iterable,
    update_report: Any = None,
    out_dir: str | os.PathLike | None = None,
    *,
    old_documents: Iterable | None = None,
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
        The batch given to :func:`paravec.update`.
    update_report : UpdateReport, optional
        What :func:`paravec.update` returned.
    out_dir : path, optional
        Where to write ``report.md``, ``report.json`` and ``map.png``.
    old_documents, sample, seed, epochs
        As in :func:`evaluate`.
    plots : bool, default True
        Draw ``map.png`` (needs matplotlib; skipped without it).

    Returns
    -------
    Report
    """
    report = evaluate(model, new_documents, before=before, old_documents=old_documents,
                      update_report=update_report, sample=sample, seed=seed, epochs=epochs)
    if out_dir is not None:
        report.save(out_dir, plots=plots)
    return report


# ------------------------------------------------------------------------------------------------
# inputs


def _check_model(model: Any, name: str) -> None:
    from gensim.models.doc2vec import Doc2Vec

    if not isinstance(model, Doc2Vec):
        raise ParameterError(f"{name} must be a gensim Doc2Vec model, got {type(model).__name__}")
    if len(model.wv) == 0 or getattr(model.wv, "vectors", None) is None or len(model.wv.vectors) == 0:
        raise ParameterError(f"{name} has no word vectors; train it (or load a trained one) first")


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _as_documents(documents: Any, name: str) -> list:
    if isinstance(documents, (str, bytes)):
        raise CorpusError(f"{name} must be an iterable of TaggedDocument, got a string")
    try:
        docs = list(documents)
    except TypeError as err:
        raise CorpusError(f"{name} must be an iterable of TaggedDocument, got {type(documents).__name__}") from err
    for i, d in enumerate(docs):
        words, tags = getattr(d, "words", None), getattr(d, "tags", None)
        if isinstance(words, str) or not isinstance(words, (list, tuple)):
            raise CorpusError(f"{name}[{i}] has no list of words (got {type(d).__name__}); "
                              "pass TaggedDocument(words=[...], tags=[...])")
        if isinstance(tags, str) or not isinstance(tags, (list, tuple)) or not tags:
            raise CorpusError(f"{name}[{i}] needs a non-empty list of tags, got {tags!r}")
    return docs


def _load_before(before: Any) -> Any:
    if isinstance(before, (str, os.PathLike)):
        path = Path(before)
        if not path.is_file():
            raise ModelFileError(f"before model file {str(path)!r} does not exist; pass the model file as it was before the update")
        try:
            from paravec.model_io import load
        except ImportError:  # model_io not available: read it with gensim directly
            load = None
        if load is not None:
            before = load(path, mmap="r")
        else:
            from gensim.models.doc2vec import Doc2Vec

            try:
                before = Doc2Vec.load(str(path), mmap="r")
            except Exception as err:  # noqa: BLE001 - any unpickling failure means a bad file
                raise ModelFileError(f"cannot load before model {str(path)!r}: {err}") from err
    _check_model(before, "before")
    return before


# ------------------------------------------------------------------------------------------------
# numerics


def _has_tag(kv: Any, tag: Any) -> bool:
    """Whether ``kv`` has a vector for ``tag`` (plain int tags are row numbers in gensim 4)."""
    try:
        return kv.get_index(tag, -1) >= 0
    except (TypeError, ValueError):
        return False


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    norms[~np.isfinite(norms) | (norms == 0)] = 1.0
    return m / norms


def _scan(
    matrix: np.ndarray,
    queries: np.ndarray,
    *,
    k: int = 0,
    targets: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    exclude: np.ndarray | None = None,
    chunk: int = 65536,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Cosine scan of ``queries`` over (``rows`` of) ``matrix``, chunk by chunk.

    Works on memory-mapped matrices of millions of rows without copying them whole.

    Returns
    -------
    ranks : array or None
        Per query, how many candidates are strictly closer than row ``targets[i]`` of ``matrix``
        (0 = the target is nearest). A non-finite target ranks last.
    top_pos, top_sim : arrays (q, k)
        The ``k`` nearest candidates as positions in the candidate list (``rows`` or all rows),
        nearest first. ``exclude[i]`` (a candidate position, or -1) is never returned for query i.
    """
    q = _unit(queries)
    nq = len(q)
    n = len(rows) if rows is not None else len(matrix)
    ranks = None
    if targets is not None:
        tv = np.asarray(matrix[np.asarray(targets)], dtype=np.float32)
        tsim = np.sum(q * _unit(tv), axis=1)
        bad_target = ~np.isfinite(tv).all(axis=1) | ~np.any(tv != 0, axis=1)
        ranks = np.zeros(nq, dtype=np.int64)
    top_pos = np.zeros((nq, 0), dtype=np.int64)
    top_sim = np.zeros((nq, 0), dtype=np.float32)
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        block = np.asarray(matrix[rows[s:e]] if rows is not None else matrix[s:e], dtype=np.float32)
        sims = q @ _unit(block).T
        sims[~np.isfinite(sims)] = -np.inf
        if exclude is not None:
            ex = np.asarray(exclude)
            hit = (ex >= s) & (ex < e)
            sims[np.flatnonzero(hit), ex[hit] - s] = -np.inf
        if ranks is not None:
            ranks += np.sum(sims > tsim[:, None] + 1e-6, axis=1)
        if k:
            kk = min(k, e - s)
            part = np.argpartition(-sims, kk - 1, axis=1)[:, :kk] if kk < e - s else np.tile(np.arange(e - s), (nq, 1))
            psim = np.take_along_axis(sims, part, axis=1)
            top_pos = np.concatenate([top_pos, part + s], axis=1)
            top_sim = np.concatenate([top_sim, psim], axis=1)
            if top_pos.shape[1] > k:
                keep = np.argsort(-top_sim, axis=1, kind="stable")[:, :k]
                top_pos = np.take_along_axis(top_pos, keep, axis=1)
                top_sim = np.take_along_axis(top_sim, keep, axis=1)
    if k:
        order = np.argsort(-top_sim, axis=1, kind="stable")
        top_pos = np.take_along_axis(top_pos, order, axis=1)
        top_sim = np.take_along_axis(top_sim, order, axis=1)
    if ranks is not None:
        ranks[bad_target] = n
    return ranks, top_pos, top_sim


def _infer(model: Any, docs: Sequence, seed: int, epochs: int | None) -> np.ndarray:
    """``infer_vector`` for each document, reproducible: ``model.random`` is seeded per document."""
    out = np.zeros((len(docs), model.dv.vector_size), dtype=np.float32)
    saved = model.random
    try:
        for i, d in enumerate(docs):
            model.random = np.random.RandomState((seed * 1_000_003 + i) % (2**32))
            words = [w for w in d.words][:_MAX_DOC_WORDS]
            out[i] = model.infer_vector(words, epochs=epochs)
    finally:
        model.random = saved
    return out


def _sample_indices(n: int, sample: int, seed: int) -> np.ndarray:
    if n <= sample:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))


def _judge_high(value: float | None, key: str) -> str:
    if value is None or not math.isfinite(value):
        return "fail"
    pass_at, warn_at = THRESHOLDS[key]
    return "pass" if value >= pass_at else "warn" if value >= warn_at else "fail"


def _judge_drop(value: float | None, key: str) -> str:
    if value is None or not math.isfinite(value):
        return "fail"
    pass_at, warn_at = THRESHOLDS[key]
    return "pass" if value <= pass_at + 1e-12 else "warn" if value <= warn_at + 1e-12 else "fail"


def _rule_high(key: str) -> str:
    p, w = THRESHOLDS[key]
    return f">= {p:.2f} pass, >= {w:.2f} warn, else fail"


def _rule_drop(key: str) -> str:
    p, w = THRESHOLDS[key]
    return f"drop <= {p:.2f} pass, <= {w:.2f} warn, else fail"


def _mean(values: Iterable[float]) -> float | None:
    v = [x for x in values if x is not None and math.isfinite(x)]
    return float(np.mean(v)) if v else None


class _Context:
    """What every section needs, computed once."""

    def __init__(self, model: Any, before: Any, docs: list, olds: list | None, sample: int, seed: int,
                 epochs: int | None, topn: int) -> None:
        self.model, self.before, self.docs, self.olds = model, before, docs, olds
        self.sample, self.seed, self.epochs, self.topn = sample, seed, epochs, topn
        self.doc_sample = _sample_indices(len(docs), sample, seed)
        self.batch_counts: Counter = Counter()
        self.postings: dict[str, set[int]] = {}
        for i, d in enumerate(docs):
            self.batch_counts.update(d.words)
            for w in set(d.words):
                self.postings.setdefault(w, set()).add(i)
        self.nearest_words: dict[Any, list[str]] = {}
        self.placed_tags: list = []


# ------------------------------------------------------------------------------------------------
# sections


def _update_section(upd: Any) -> Section:
    sec = Section("update", "Update")
    seconds = getattr(upd, "seconds", {}) or {}
    total = seconds.get("total") if isinstance(seconds, dict) else seconds
    sec.metrics = {
        "documents": getattr(upd, "documents", None),
        "new_tags": len(getattr(upd, "new_tags", []) or []),
        "replaced_tags": len(getattr(upd, "replaced_tags", []) or []),
        "dropped_tags": getattr(upd, "dropped_tags", None),
        "new_words": len(getattr(upd, "new_words", []) or []),
        "pending_words": getattr(upd, "pending_words", None),
        "freeze": getattr(upd, "freeze", None),
        "epochs": getattr(upd, "epochs", None),
        "keep_old_docs": getattr(upd, "keep_old_docs", None),
        "seconds": total,
        "words_per_second": getattr(upd, "words_per_second", None),
    }
    untrained = list(getattr(upd, "untrained_tags", []) or [])
    sec.add_check(Check("untrained_tags", len(untrained), "pass" if not untrained else "warn",
                        "0 pass, else warn",
                        "" if not untrained else "documents with no known word keep random vectors: "
                        + ", ".join(map(str, untrained[:5]))))
    sec.summary = (f"{sec.metrics['new_tags']} new and {sec.metrics['replaced_tags']} replaced documents, "
                   f"{sec.metrics['new_words']} new words, freeze={sec.metrics['freeze']}"
                   + (f", {total:.1f} s" if isinstance(total, (int, float)) else ""))
    return sec


def _placement_section(ctx: _Context) -> Section:
    model, docs = ctx.model, ctx.docs
    sec = Section("placement", "Placement of new documents")
    idx = ctx.doc_sample
    chosen = [docs[i] for i in idx]
    tags = [d.tags[0] for d in chosen]
    present = [j for j, t in enumerate(tags) if _has_tag(model.dv, t)]
    present_set = set(present)
    missing = [tags[j] for j in range(len(tags)) if j not in present_set]
    rows = np.array([model.dv.get_index(tags[j]) for j in present], dtype=np.int64)
    stored = np.asarray(model.dv.vectors[rows], dtype=np.float32) if len(rows) else np.zeros((0, model.vector_size))
    broken = int(np.sum(~np.isfinite(stored).all(axis=1) | ~np.any(stored != 0, axis=1))) if len(rows) else 0
    sec.metrics.update({"documents_examined": len(idx), "missing_tags": len(missing), "broken_vectors": broken})
    sec.add_check(Check("missing_tags", len(missing), "pass" if not missing else "fail", "0 pass, else fail",
                        "" if not missing else "not in model.dv: " + ", ".join(map(str, missing[:5]))))
    sec.add_check(Check("broken_vectors", broken, "pass" if not broken else "fail", "0 pass, else fail",
                        "" if not broken else "non-finite or zero document vectors"))
    if not present:
        sec.add_check(Check("self_top1", None, "fail", _rule_high("placement.self_top1"),
                            "none of the new documents' tags is in the model"))
        sec.summary = "none of the new documents is in the model"
        return sec

    inferred = _infer(model, [chosen[j] for j in present], ctx.seed, ctx.epochs)
    ranks, _, _ = _scan(model.dv.vectors, inferred, targets=rows)
    cos = np.sum(_unit(inferred) * _unit(stored), axis=1)
    n_total = len(idx)
    top1 = float(np.sum(ranks == 0) / n_total)  # missing documents count as misses
    top10 = float(np.sum(ranks < 10) / n_total)
    sec.metrics.update({
        "self_top1": top1, "self_top10": top10, "median_rank": float(np.median(ranks)),
        "self_ranks": {str(tags[j]): int(r) for j, r in zip(present, ranks)},
        "mean_cosine_inferred_stored": float(np.mean(cos)), "doc_vectors_ranked_against": len(model.dv),
    })
    sec.add_check(Check("self_top1", top1, _judge_high(top1, "placement.self_top1"),
                        _rule_high("placement.self_top1")))

    # nearest words of each stored doc vector vs its most distinctive words
    n_docs = len(docs)
    df = {w: len(p) for w, p in ctx.postings.items()}
    kv = model.wv.key_to_index
    dbow_only = not model.dm and not getattr(model, "dbow_words", 0)
    _, near_pos, _ = _scan(model.wv.vectors, stored, k=ctx.topn)
    hits, recalls, table = [], [], []
    for k, (j, pos) in enumerate(zip(present, near_pos)):
        d = chosen[j]
        counts = Counter(d.words)
        scores = {w: (1.0 + math.log(c)) * (math.log((1.0 + n_docs) / (1.0 + df[w])) + 1.0)
                  for w, c in counts.items() if w in kv}
        distinct = sorted(scores, key=lambda w: (-scores[w], w))[:_DISTINCTIVE_K]
        nearest = [model.wv.index_to_key[p] for p in pos]
        ctx.nearest_words[tags[j]] = nearest
        found = set(distinct) & set(nearest)
        if distinct:
            hits.append(1.0 if found else 0.0)
            recalls.append(len(found) / len(distinct))
        table.append([str(tags[j]), int(ranks[k]), float(cos[k]),
                      " ".join(distinct), " ".join(nearest[:6])])
    ctx.placed_tags = [tags[j] for j in present]
    hit = _mean(hits)
    sec.metrics.update({"distinctive_hit": hit, "distinctive_recall": _mean(recalls)})
    if dbow_only:
        sec.add_check(Check("distinctive_hit", hit, "skip", _rule_high("placement.distinctive_hit"),
                            "pure PV-DBOW (dbow_words=0): word vectors are not trained in the document space"))
    else:
        sec.add_check(Check("distinctive_hit", hit, _judge_high(hit, "placement.distinctive_hit"),
                            _rule_high("placement.distinctive_hit")))
    table.sort(key=lambda r: (-r[1], r[2]))
    sec.add_table("Worst placed new documents (rank 0 = own vector nearest)",
                  ["tag", "self rank", "cos(inferred, stored)", "distinctive words", "nearest words"], table[:10])
    sec.notes.append("distinctive words = top tf-idf in the batch: (1 + ln count) x (ln((1+N)/(1+df)) + 1)")
    sec.summary = (f"{top1:.0%} of {n_total} new documents re-infer to their own vector first "
                   f"({top10:.0%} in the top 10 of {len(model.dv)}); "
                   + (f"{hit:.0%} have a distinctive word among their {ctx.topn} nearest words" if hit is not None else ""))
    return sec


def _new_words_section(ctx: _Context, new_words: Sequence[str] | None) -> Section:
    model = ctx.model
    sec = Section("new_words", "New words")
    if new_words is None:
        sec.notes.append("skipped: pass new_words (UpdateReport.new_words), the update report or the model before")
        sec.add_check(Check("cooccur_share", None, "skip", _rule_high("new_words.cooccur_share"), "no list of new words"))
        sec.summary = "skipped: no list of new words"
        return sec
    known = [w for w in new_words if w in model.wv.key_to_index]
    sec.metrics.update({"new_words": len(new_words), "not_in_model": len(new_words) - len(known)})
    if len(known) < len(new_words):
        sec.notes.append(f"{len(new_words) - len(known)} listed new words are not in model.wv")
    if not known:
        sec.add_check(Check("cooccur_share", None, "skip", _rule_high("new_words.cooccur_share"), "the update added no words"))
        sec.summary = "the update added no words"
        return sec
    rows_all = np.array([model.wv.get_index(w) for w in known], dtype=np.int64)
    vecs_all = np.asarray(model.wv.vectors[rows_all], dtype=np.float32)
    broken = int(np.sum(~np.isfinite(vecs_all).all(axis=1) | ~np.any(vecs_all != 0, axis=1)))
    sec.metrics["broken_vectors"] = broken
    sec.add_check(Check("broken_vectors", broken, "pass" if not broken else "fail", "0 pass, else fail",
                        "" if not broken else "non-finite or zero vectors among the new words"))
    chosen = sorted(known, key=lambda w: (-ctx.batch_counts.get(w, 0), w))[:ctx.sample]
    in_batch = [w for w in chosen if w in ctx.postings]
    if not in_batch:
        sec.add_check(Check("cooccur_share", None, "skip", _rule_high("new_words.cooccur_share"),
                            "none of the new words occurs in new_documents"))
        sec.summary = "none of the new words occurs in the given documents"
        return sec
    rows = np.array([model.wv.get_index(w) for w in in_batch], dtype=np.int64)
    _, near_pos, near_sim = _scan(model.wv.vectors, model.wv.vectors[rows], k=ctx.topn, exclude=rows)
    vocab_size = len(model.wv)
    shares, chances, table = [], [], []
    for w, pos, sims in zip(in_batch, near_pos, near_sim):
        docs_w = ctx.postings[w]
        neigh = [model.wv.index_to_key[p] for p in pos]
        co = [n for n in neigh if ctx.postings.get(n, set()) & docs_w]
        shares.append(len(co) / len(neigh))
        cooc_vocab = {x for i in docs_w for x in ctx.docs[i].words if x != w and x in model.wv.key_to_index}
        chances.append(len(cooc_vocab) / max(vocab_size - 1, 1))
        table.append([w, ctx.batch_counts[w], len(docs_w), len(co) / len(neigh),
                      " ".join(f"{n}({s:.2f})" for n, s in zip(neigh[:6], sims[:6]))])
    share, chance = _mean(shares), _mean(chances)
    sec.metrics.update({"words_examined": len(in_batch), "cooccur_share": share, "chance_share": chance})
    sec.add_check(Check("cooccur_share", share, _judge_high(share, "new_words.cooccur_share"),
                        _rule_high("new_words.cooccur_share"), f"chance level {chance:.3f}"))
    sec.add_table("Most frequent new words and their nearest words",
                  ["word", "count", "documents", "co-occurring share", "nearest (cosine)"], table[:20])
    sec.summary = (f"{len(known)} new words; {share:.0%} of their {ctx.topn} nearest words occur in the same "
                   f"new document (chance {chance:.1%})")
    return sec


def _old_documents_section(ctx: _Context) -> Section:
    model, before = ctx.model, ctx.before
    sec = Section("old_documents", "What old documents kept")
    if ctx.olds is None:
        sec.notes.append("skipped: pass old_documents (a sample of the pretrained corpus with its text)")
        sec.add_check(Check("self_top1_drop", None, "skip", _rule_drop("old_documents.self_top1_drop"), "no old documents given"))
        sec.summary = "skipped: no old documents given"
        return sec
    ref = before if before is not None else model
    idx = _sample_indices(len(ctx.olds), ctx.sample, ctx.seed + 1)
    chosen = [ctx.olds[i] for i in idx if _has_tag(ref.dv, ctx.olds[i].tags[0])]
    sec.metrics["documents_examined"] = len(chosen)
    if not chosen:
        sec.add_check(Check("self_top1_drop", None, "skip", _rule_drop("old_documents.self_top1_drop"),
                            "none of the old documents' tags is in the " + ("model before" if before is not None else "model")))
        sec.summary = "none of the given old documents has a vector"
        return sec
    tags = [d.tags[0] for d in chosen]
    ref_rows = np.array([ref.dv.get_index(t) for t in tags], dtype=np.int64)
    ref_stored = np.asarray(ref.dv.vectors[ref_rows], dtype=np.float32)
    after_inf = _infer(model, chosen, ctx.seed + 2, ctx.epochs)
    after_ranks, _, _ = _scan(ref.dv.vectors, after_inf, targets=ref_rows)
    after_cos = np.sum(_unit(after_inf) * _unit(ref_stored), axis=1)
    m = sec.metrics
    m["after_self_top1"] = float(np.mean(after_ranks == 0))
    m["after_mean_cosine"] = float(np.mean(after_cos))
    kept = [j for j, t in enumerate(tags) if _has_tag(model.dv, t)]
    m["still_in_model"] = len(kept)
    if before is None:
        sec.add_check(Check("self_top1_drop", None, "skip", _rule_drop("old_documents.self_top1_drop"),
                            "no model before the update to compare with"))
        sec.notes.append("without the model before, only the updated model's own numbers are shown")
        sec.summary = (f"{m['after_self_top1']:.0%} of {len(chosen)} old documents re-infer to their own vector first "
                       f"(mean cosine {m['after_mean_cosine']:.3f}); not compared: no model before")
        return sec
    before_inf = _infer(before, chosen, ctx.seed + 2, ctx.epochs)
    before_ranks, _, _ = _scan(before.dv.vectors, before_inf, targets=ref_rows)
    before_cos = np.sum(_unit(before_inf) * _unit(ref_stored), axis=1)
    m["before_self_top1"] = float(np.mean(before_ranks == 0))
    m["before_mean_cosine"] = float(np.mean(before_cos))
    if kept:
        rows_after = np.array([model.dv.get_index(tags[j]) for j in kept], dtype=np.int64)
        r_after, _, _ = _scan(model.dv.vectors, after_inf[kept], targets=rows_after)
        m["after_self_top1_in_updated_model"] = float(np.mean(r_after == 0))
    batch_tags = {d.tags[0] for d in ctx.docs}
    same = [j for j in kept if tags[j] not in batch_tags]
    if same:
        a = np.asarray(model.dv.vectors[[model.dv.get_index(tags[j]) for j in same]], dtype=np.float32)
        c = np.sum(_unit(a) * _unit(ref_stored[same]), axis=1)
        unchanged = float(np.mean(c >= UNCHANGED_COSINE))
        m["stored_unchanged"] = unchanged
        m["stored_min_cosine"] = float(np.min(c))
        sec.add_check(Check("stored_unchanged", unchanged, "pass" if unchanged >= 1.0 else "fail",
                            f"1.0 pass (cosine >= {UNCHANGED_COSINE}), else fail",
                            "" if unchanged >= 1.0 else "old tags now give other vectors though their documents "
                            "were not in the batch: anything built on the old vectors is invalid"))
    else:
        sec.notes.append("old document vectors were dropped (keep_old_docs=False) or all replaced: "
                         "after-update inference is compared with the vectors stored before")
    drop_rank = m["before_self_top1"] - m["after_self_top1"]
    drop_cos = m["before_mean_cosine"] - m["after_mean_cosine"]
    m["self_top1_drop"], m["cosine_drop"] = drop_rank, drop_cos
    sec.add_check(Check("self_top1_drop", drop_rank, _judge_drop(drop_rank, "old_documents.self_top1_drop"),
                        _rule_drop("old_documents.self_top1_drop")))
    sec.add_check(Check("cosine_drop", drop_cos, _judge_drop(drop_cos, "old_documents.cosine_drop"),
                        _rule_drop("old_documents.cosine_drop")))
    order = np.argsort(after_cos - before_cos)[:10]
    sec.add_table("Old documents whose re-inferred vector moved most",
                  ["tag", "rank before", "rank after", "cos before", "cos after"],
                  [[str(tags[j]), int(before_ranks[j]), int(after_ranks[j]), float(before_cos[j]), float(after_cos[j])]
                   for j in order])
    sec.notes.append("after the update, old text is inferred by the updated model and ranked against the "
                     "document vectors stored before it")
    sec.summary = (f"old documents re-infer to their own vector first {m['before_self_top1']:.0%} before, "
                   f"{m['after_self_top1']:.0%} after; mean cosine {m['before_mean_cosine']:.3f} -> "
                   f"{m['after_mean_cosine']:.3f}")
    return sec


def neighbour_overlap(
    before: Any, after: Any, words: Sequence[str], *, topn: int = 10
) -> dict[str, Any]:
    """Overlap of the ``topn`` nearest pretrained words of each word, before vs after.

    Neighbours are searched among the words ``before`` knows (and ``after`` still has), so new words
    do not count as drift; how many new words enter each top ``topn`` in ``after`` is returned as
    ``intrusions``.

    Parameters
    ----------
    before, after : Doc2Vec or KeyedVectors
    words : sequence of str
        Words known to both.
    topn : int

    Returns
    -------
    dict
        ``overlap`` (per word, 0..1), ``cosine`` (per word, before vs after vector), ``intrusions``
        (per word, new words in after's full top ``topn``), ``before``/``after`` (neighbour lists).
    """
    bkv = getattr(before, "wv", before)
    akv = getattr(after, "wv", after)
    shared = [w for w in bkv.index_to_key if w in akv.key_to_index]
    b_rows = np.array([bkv.get_index(w) for w in shared], dtype=np.int64)
    a_rows = np.array([akv.get_index(w) for w in shared], dtype=np.int64)
    pos_of = {w: i for i, w in enumerate(shared)}
    words = [w for w in words if w in pos_of]
    if not words:
        return {"words": [], "overlap": [], "cosine": [], "intrusions": [], "before": [], "after": []}
    q_pos = np.array([pos_of[w] for w in words], dtype=np.int64)
    bq = np.asarray(bkv.vectors[b_rows[q_pos]], dtype=np.float32)
    aq = np.asarray(akv.vectors[a_rows[q_pos]], dtype=np.float32)
    contiguous = np.array_equal(b_rows, np.arange(len(b_rows)))
    _, bn, _ = _scan(bkv.vectors, bq, k=topn, rows=None if contiguous else b_rows, exclude=q_pos)
    _, an, _ = _scan(akv.vectors, aq, k=topn, rows=a_rows, exclude=q_pos)
    a_self = np.array([akv.get_index(w) for w in words], dtype=np.int64)
    _, full, _ = _scan(akv.vectors, aq, k=topn, exclude=a_self)
    before_known = bkv.key_to_index
    overlap = [len(set(x) & set(y)) / topn for x, y in zip(bn.tolist(), an.tolist())]
    cosine = np.sum(_unit(bq) * _unit(aq), axis=1).tolist()
    intrusions = [sum(1 for p in row if akv.index_to_key[p] not in before_known) for row in full]
    return {
        "words": list(words), "overlap": overlap, "cosine": cosine, "intrusions": intrusions,
        "before": [[shared[p] for p in row] for row in bn], "after": [[shared[p] for p in row] for row in an],
    }


def _word_neighbours_section(ctx: _Context) -> Section:
    model, before = ctx.model, ctx.before
    sec = Section("word_neighbours", "Pretrained word neighbourhoods")
    if before is None:
        sec.notes.append("skipped: pass the model before the update (before=...)")
        sec.add_check(Check("overlap", None, "skip", _rule_high("word_neighbours.overlap"), "no model before the update"))
        sec.summary = "skipped: no model before the update"
        return sec
    frequent = [w for w in before.wv.index_to_key[: ctx.sample] if w in model.wv.key_to_index]
    used = sorted((w for w in ctx.batch_counts if w in before.wv.key_to_index and w in model.wv.key_to_index),
                  key=lambda w: (-ctx.batch_counts[w], w))[: ctx.sample]
    groups = {"frequent": frequent, "batch": used}
    flagged_all: dict[str, float] = {}
    n_all = set()
    for name, words in groups.items():
        res = neighbour_overlap(before, model, words, topn=ctx.topn)
        if not res["words"]:
            continue
        ov = float(np.mean(res["overlap"]))
        sec.metrics[f"{name}_words"] = len(res["words"])
        sec.metrics[f"{name}_overlap"] = ov
        sec.metrics[f"{name}_min_overlap"] = float(np.min(res["overlap"]))
        sec.metrics[f"{name}_mean_cosine"] = float(np.mean(res["cosine"]))
        sec.metrics[f"{name}_new_word_intrusions"] = float(np.mean(res["intrusions"]))
        label = "most frequent pretrained words" if name == "frequent" else "pretrained words the batch uses most"
        sec.add_check(Check(f"{name}_overlap", ov, _judge_high(ov, "word_neighbours.overlap"),
                            _rule_high("word_neighbours.overlap"), f"{len(res['words'])} {label}"))
        n_all.update(res["words"])
        rows = []
        for w, o, c, b, a in zip(res["words"], res["overlap"], res["cosine"], res["before"], res["after"]):
            if o < FLAG_OVERLAP:
                flagged_all[w] = o
            rows.append([w, o, c, " ".join(b[:5]), " ".join(a[:5])])
        rows.sort(key=lambda r: (r[1], r[2]))
        sec.add_table(f"Largest changes among the {label}",
                      ["word", "overlap", "cosine before/after", "nearest before", "nearest after"], rows[:10])
    if not n_all:
        sec.add_check(Check("overlap", None, "skip", _rule_high("word_neighbours.overlap"), "no shared words"))
        return sec
    share = len(flagged_all) / len(n_all)
    sec.metrics["flagged_words"] = sorted(flagged_all, key=lambda w: (flagged_all[w], w))
    sec.metrics["flagged_share"] = share
    verdict = "pass" if not flagged_all else _judge_drop(share, "word_neighbours.flagged_share")
    if flagged_all and verdict == "pass":
        verdict = "warn"
    sec.add_check(Check("flagged_share", share, verdict,
                        f"words with overlap < {FLAG_OVERLAP:.2f}: none pass, <= 5% warn, else fail",
                        "" if not flagged_all else "flagged: " + ", ".join(sec.metrics["flagged_words"][:10])))
    sec.summary = (f"nearest-word overlap before/after {sec.metrics.get('frequent_overlap', float('nan')):.2f} "
                   f"(frequent words), {sec.metrics.get('batch_overlap', float('nan')):.2f} (words the batch uses); "
                   f"{len(flagged_all)} words flagged")
    return sec


# --- word benchmarks --------------------------------------------------------------------------


def _datapath(name: str) -> str:
    from gensim.test.utils import datapath

    return datapath(name)


def _case_map(kv: Any, limit: int | None = None) -> dict[str, int]:
    """Lower-cased word -> row of its most frequent spelling (gensim's case_insensitive)."""
    keys = kv.index_to_key if limit is None else kv.index_to_key[:limit]
    out: dict[str, int] = {}
    for i, k in enumerate(keys):
        if isinstance(k, str):
            out.setdefault(k.lower(), i)
    return out


def word_pair_spearman(
    models: Sequence[Any], path: str | os.PathLike, *, restrict_vocab: int = 300000, delimiter: str = "\t"
) -> dict[str, Any]:
    """Spearman correlation of cosine similarity with human scores, on the same pairs for all models.

    Like ``KeyedVectors.evaluate_word_pairs(path, restrict_vocab=..., case_insensitive=True,
    dummy4unknown=False)``, but a pair is used only if every model knows both words among the
    first model's ``restrict_vocab`` most frequent words, so before/after numbers are comparable.

    Returns
    -------
    dict
        ``spearman`` (list, one per model), ``pairs`` (used), ``total`` (in the file).
    """
    from scipy.stats import spearmanr

    kvs = [getattr(m, "wv", m) for m in models]
    ref = _case_map(kvs[0], restrict_vocab)
    maps = [_case_map(kv) for kv in kvs[1:]]
    pairs, total = [], 0
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split(delimiter)
            if len(parts) < 3:
                continue
            total += 1
            a, b = parts[0].lower(), parts[1].lower()
            try:
                score = float(parts[2])
            except ValueError:
                continue
            if a in ref and b in ref and all(a in m and b in m for m in maps):
                pairs.append((a, b, score))
    out: dict[str, Any] = {"pairs": len(pairs), "total": total, "spearman": []}
    if len(pairs) < 3:
        out["spearman"] = [None] * len(kvs)
        return out
    human = [p[2] for p in pairs]
    for kv, cmap in zip(kvs, [ref, *maps]):
        a = _unit(kv.vectors[[cmap[p[0]] for p in pairs]])
        b = _unit(kv.vectors[[cmap[p[1]] for p in pairs]])
        rho = spearmanr(np.sum(a * b, axis=1), human).statistic
        out["spearman"].append(float(rho) if np.isfinite(rho) else None)
    return out


def analogy_accuracy(
    models: Sequence[Any], path: str | os.PathLike, *, restrict_vocab: int = 30000,
    max_questions: int | None = 5000, seed: int = 0, batch: int = 512,
) -> dict[str, Any]:
    """3CosAdd analogy accuracy on the same questions and candidate words for all models.

    As ``KeyedVectors.evaluate_word_analogies`` (case-insensitive; answer = the nearest candidate
    to ``b - a + c`` over unit vectors, ``a``, ``b``, ``c`` excluded), with candidates = the first
    model's ``restrict_vocab`` most frequent words that every model knows, questions = those whose
    four words are candidates, at most ``max_questions`` of them (a seeded sample), vectorised.

    Returns
    -------
    dict
        ``accuracy`` (list, one per model), ``questions`` (used), ``total`` (in the file).
    """
    kvs = [getattr(m, "wv", m) for m in models]
    ref = _case_map(kvs[0], restrict_vocab)
    maps = [_case_map(kv) for kv in kvs[1:]]
    cand = [w for w in sorted(ref, key=ref.__getitem__) if all(w in m for m in maps)]
    pos = {w: i for i, w in enumerate(cand)}
    questions, total = [], 0
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if line.startswith(":") or not line.strip():
                continue
            total += 1
            ws = line.lower().split()
            if len(ws) == 4 and all(w in pos for w in ws):
                questions.append([pos[w] for w in ws])
    q = np.array(questions, dtype=np.int64).reshape(-1, 4)
    if max_questions is not None and len(q) > max_questions:
        q = q[np.sort(np.random.default_rng(seed).choice(len(q), size=max_questions, replace=False))]
    out: dict[str, Any] = {"questions": int(len(q)), "total": total, "candidates": len(cand), "accuracy": []}
    if len(q) == 0:
        out["accuracy"] = [None] * len(kvs)
        return out
    for kv, cmap in zip(kvs, [ref, *maps]):
        c = _unit(kv.vectors[[cmap[w] for w in cand]])
        correct = 0
        for s in range(0, len(q), batch):
            qq = q[s:s + batch]
            target = c[qq[:, 1]] - c[qq[:, 0]] + c[qq[:, 2]]
            sims = _unit(target) @ c.T
            r = np.arange(len(qq))
            for col in (0, 1, 2):
                sims[r, qq[:, col]] = -np.inf
            correct += int(np.sum(np.argmax(sims, axis=1) == qq[:, 3]))
        out["accuracy"].append(correct / len(q))
    return out


def _word_benchmarks_section(ctx: _Context, analogy_vocab: int, max_analogies: int) -> Section:
    model, before = ctx.model, ctx.before
    sec = Section("word_benchmarks", "Word benchmarks")
    models = [before, model] if before is not None else [model]
    rows = []
    for name, fname in (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt")):
        res = word_pair_spearman(models, _datapath(fname))
        vals = res["spearman"]
        sec.metrics[f"{name}_pairs"] = res["pairs"]
        rows.append([name, f"{res['pairs']}/{res['total']} pairs", *vals])
        _benchmark_check(sec, name, vals, res["pairs"], before is not None)
    res = analogy_accuracy(models, _datapath("questions-words.txt"), restrict_vocab=analogy_vocab,
                           max_questions=max_analogies, seed=ctx.seed)
    sec.metrics["analogy_questions"] = res["questions"]
    rows.append(["questions-words", f"{res['questions']}/{res['total']} questions", *res["accuracy"]])
    _benchmark_check(sec, "analogies", res["accuracy"], res["questions"], before is not None)
    cols = ["benchmark", "used", "before", "after"] if before is not None else ["benchmark", "used", "model"]
    sec.add_table("Spearman rho (word pairs) and accuracy (analogies)", cols, rows)
    sec.notes.append("pairs and questions are restricted to words the pretrained model knows; the same ones for both models")
    parts = []
    for name in ("wordsim353", "simlex999", "analogies"):
        if f"{name}_after" in sec.metrics:
            b = sec.metrics.get(f"{name}_before")
            a = sec.metrics[f"{name}_after"]
            parts.append(f"{name} {_num(b)} -> {_num(a)}" if before is not None else f"{name} {_num(a)}")
    sec.summary = "; ".join(parts)
    return sec


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _benchmark_check(sec: Section, name: str, vals: list, n: int, compare: bool) -> None:
    if compare:
        b, a = vals
        sec.metrics[f"{name}_before"], sec.metrics[f"{name}_after"] = b, a
    else:
        b, a = None, vals[0]
        sec.metrics[f"{name}_after"] = a
    rule = _rule_drop("word_benchmarks.drop")
    if not compare:
        sec.add_check(Check(f"{name}_drop", None, "skip", rule, "no model before the update; value shown, not judged"))
    elif n < _MIN_PAIRS or a is None or b is None:
        sec.add_check(Check(f"{name}_drop", None, "skip", rule, f"only {n} items the model knows (< {_MIN_PAIRS})"))
    else:
        drop = b - a
        sec.metrics[f"{name}_drop"] = drop
        sec.add_check(Check(f"{name}_drop", drop, _judge_drop(drop, "word_benchmarks.drop"), rule, f"on {n} items"))


# --- map and summary ----------------------------------------------------------------------------


def _map_points(ctx: _Context, new_words: Sequence[str]) -> list[dict[str, Any]]:
    model = ctx.model
    new_tags = [t for t in ctx.placed_tags[:50]]
    if not new_tags:
        return []
    words: list[str] = []
    for t in new_tags:
        for w in ctx.nearest_words.get(t, [])[:3]:
            if w not in words:
                words.append(w)
    nw = [w for w in sorted(new_words, key=lambda w: (-ctx.batch_counts.get(w, 0), w))
          if w in model.wv.key_to_index and w not in words][:15]
    batch_tags = {d.tags[0] for d in ctx.docs}
    old_tags: list = []
    if ctx.olds is not None:
        old_tags = [d.tags[0] for d in ctx.olds if _has_tag(model.dv, d.tags[0]) and d.tags[0] not in batch_tags][:50]
    if not old_tags:
        others = [i for i in _sample_indices(len(model.dv), 200, ctx.seed + 3)
                  if model.dv.index_to_key[i] not in batch_tags]
        old_tags = [model.dv.index_to_key[i] for i in others[:50]]
    items = ([("new_doc", t, model.dv[t]) for t in new_tags] + [("word", w, model.wv[w]) for w in words]
             + [("new_word", w, model.wv[w]) for w in nw] + [("old_doc", t, model.dv[t]) for t in old_tags])
    m = _unit(np.array([v for _, _, v in items], dtype=np.float32))
    m = np.nan_to_num(m - m.mean(axis=0))
    _, _, vt = np.linalg.svd(m, full_matrices=False)
    xy = m @ vt[:2].T
    return [{"x": float(x), "y": float(y), "kind": k, "label": str(lab)} for (k, lab, _), (x, y) in zip(items, xy)]


def _summary(report: Report) -> str:
    verdict = report.verdict
    lines = [f"Verdict: {verdict.upper()}."]
    for s in report.sections:
        if s.key == "update":
            continue
        bad = [c for c in s.checks if c.verdict in ("warn", "fail")]
        tail = ""
        if bad:
            tail = " (" + "; ".join(f"{c.name} {c.verdict}" for c in bad) + ")"
        if s.summary:
            lines.append(f"{s.title}: {s.summary}{tail}.")
    return " ".join(lines)
