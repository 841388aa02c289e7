"""Where the update put what it added: the new documents and the new words.

Two sections of `paravec.evaluate`:

Placement of new documents
    * ``self_top1``: share of (a sample of) the new documents whose vector re-inferred from their
      words has their own stored vector as nearest of *all* document vectors -- gensim's own sanity
      check of a paragraph-vector model (Le & Mikolov 2014, "Distributed Representations of
      Sentences and Documents"). ``self_top10`` and the median rank are reported beside it.
    * ``distinctive_hit``: share of new documents whose nearest words (`paravec.word_ranking`) include one of their own most
      distinctive words: highest tf-idf inside the batch, with sublinear term frequency
      ``1 + ln(count)`` and smoothed inverse document frequency ``ln((1 + N) / (1 + df)) + 1``.
      Skipped for pure PV-DBOW (``dbow_words=0``), whose words are not trained in the document space.
    * ``missing_tags`` and ``broken_vectors`` (non-finite or zero vectors) must be 0.
    * Identical documents (the same words under different tags, e.g. the seed scenario's nine
      copies) have vectors that are interchangeable draws of one text: re-inference cannot tell
      which copy it came from. A document counts as finding itself when its own vector *or an
      identical twin's* is nearest; ``duplicate_documents`` and the strict ``self_top1_strict``
      (own vector only) are reported beside it. Twins are found within the batch only.
New words
    * ``cooccur_share``: mean share of a new word's nearest words (`paravec.word_ranking`) that occur in one of the new
      documents containing the word; the chance level (the share of the vocabulary that co-occurs
      with it) is reported beside it. ``broken_vectors`` must be 0.

Thresholds are in `paravec.evaluation.thresholds`.

Examples
--------
>>> from paravec.evaluation.placement import distinctive_words
>>> distinctive_words(["fire", "fire", "the"], {"fire": 1, "the": 3}, n_docs=3, known={"fire", "the"})
['fire', 'the']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from paravec.evaluation.context import EvaluationContext
from paravec.evaluation.inference import infer_vectors
from paravec.evaluation.similarity import broken_rows, cosine_scan, row_cosines
from paravec.evaluation.thresholds import judge_high, judge_zero, rule_high
from paravec.report import Check, Section
from paravec.tags import tag_row

__all__ = ["DISTINCTIVE_K", "distinctive_words", "new_words_section", "placement_section"]

#: How many of a document's most distinctive words its nearest words are searched for.
DISTINCTIVE_K = 5


def _finite_mean(values: Iterable[float]) -> float | None:
    finite = [x for x in values if math.isfinite(x)]
    return float(np.mean(finite)) if finite else None


def _zero_check(name: str, count: int, problem: str) -> Check:
    """A check of a count of problems that must be zero; ``problem`` says what they are."""
    return Check(name, count, judge_zero(count), "0 pass, else fail", problem if count else "")


def distinctive_words(
    words: Sequence[str], df: Mapping[str, int], n_docs: int, known: Collection[str], k: int = DISTINCTIVE_K
) -> list[str]:
    """The ``k`` words of a document with the highest tf-idf in its batch, among ``known`` words.

    Parameters
    ----------
    words : sequence of str
        The document's words.
    df : mapping
        Word -> number of documents of the batch containing it.
    n_docs : int
        Documents in the batch.
    known : collection of str
        The words the model has.
    k : int, default DISTINCTIVE_K

    Returns
    -------
    list of str
        Highest score first; ties in alphabetical order.
    """
    scores = {
        w: (1.0 + math.log(c)) * (math.log((1.0 + n_docs) / (1.0 + df[w])) + 1.0)
        for w, c in Counter(words).items()
        if w in known
    }
    return sorted(scores, key=lambda w: (-scores[w], w))[:k]


def placement_section(ctx: EvaluationContext) -> Section:
    """Judge where the new documents landed (see the module docstring)."""
    model, docs = ctx.model, ctx.docs
    sec = Section("placement", "Placement of new documents")
    idx = ctx.doc_sample
    chosen = [docs[i] for i in idx]
    tags = [d.tags[0] for d in chosen]
    found = [(j, tag_row(model.dv, t)) for j, t in enumerate(tags)]
    present = [j for j, row in found if row is not None]
    missing = [tags[j] for j, row in found if row is None]
    rows = np.array([row for _, row in found if row is not None], dtype=np.int64)
    stored = np.asarray(model.dv.vectors[rows], dtype=np.float32)
    broken = int(np.sum(broken_rows(stored)))
    sec.metrics.update(
        {"documents_examined": len(idx), "missing_tags": len(missing), "broken_vectors": broken}
    )
    sec.add_check(
        _zero_check("missing_tags", len(missing), "not in model.dv: " + ", ".join(map(str, missing[:5])))
    )
    sec.add_check(_zero_check("broken_vectors", broken, "non-finite or zero document vectors"))
    if not present:
        sec.add_check(
            Check(
                "self_top1",
                None,
                "fail",
                rule_high("placement.self_top1"),
                "none of the new documents' tags is in the model",
            )
        )
        sec.summary = "none of the new documents is in the model"
        return sec

    inferred = infer_vectors(model, [chosen[j] for j in present], ctx.seed, ctx.epochs)
    twins = _twin_rows(model, docs, [chosen[j] for j in present])
    own_ranks, _, _ = cosine_scan(model.dv.vectors, inferred, targets=rows)
    assert own_ranks is not None  # targets were given
    ranks, duplicates = own_ranks, sum(1 for t in twins if t)
    if duplicates:
        # The nearest of a document and its twins is its target: identical texts cannot be told apart.
        best = np.array(
            [
                _nearest_of(inferred[k], [row, *twin], model.dv.vectors)
                for k, (row, twin) in enumerate(zip(rows, twins, strict=True))
            ],
            dtype=np.int64,
        )
        twin_ranks, _, _ = cosine_scan(model.dv.vectors, inferred, targets=best)
        assert twin_ranks is not None
        ranks = twin_ranks
    cos = row_cosines(inferred, stored)
    n_total = len(idx)
    top1 = float(np.sum(ranks == 0) / n_total)  # missing documents count as misses
    top10 = float(np.sum(ranks < 10) / n_total)
    sec.metrics.update(
        {
            "self_top1": top1,
            "self_top1_strict": float(np.sum(own_ranks == 0) / n_total),
            "duplicate_documents": duplicates,
            "self_top10": top10,
            "median_rank": float(np.median(ranks)),
            "self_ranks": {str(tags[j]): int(r) for j, r in zip(present, ranks, strict=True)},
            "mean_cosine_inferred_stored": float(np.mean(cos)),
            "doc_vectors_ranked_against": len(model.dv),
        }
    )
    sec.add_check(
        Check("self_top1", top1, judge_high(top1, "placement.self_top1"), rule_high("placement.self_top1"))
    )

    # nearest words of each stored document vector vs its most distinctive words
    df = {w: len(p) for w, p in ctx.postings.items()}
    known = model.wv.key_to_index
    hits: list[float] = []
    recalls: list[float] = []
    table: list[list[Any]] = []
    # All documents' nearest words in one pass over the vocabulary (not one pass per document).
    nearest_all = ctx.word_ranker.nearest(stored, ctx.topn)
    for k, j in enumerate(present):
        distinct = distinctive_words(chosen[j].words, df, len(docs), known)
        nearest = [w for w, _ in nearest_all[k]]
        ctx.nearest_words[tags[j]] = nearest
        shared = set(distinct) & set(nearest)
        if distinct:
            hits.append(1.0 if shared else 0.0)
            recalls.append(len(shared) / len(distinct))
        table.append([str(tags[j]), int(ranks[k]), float(cos[k]), " ".join(distinct), " ".join(nearest[:6])])
    ctx.placed_tags = [tags[j] for j in present]
    hit = _finite_mean(hits)
    sec.metrics.update({"distinctive_hit": hit, "distinctive_recall": _finite_mean(recalls)})
    rule = rule_high("placement.distinctive_hit")
    if not model.dm and not getattr(model, "dbow_words", 0):
        sec.add_check(
            Check(
                "distinctive_hit",
                hit,
                "skip",
                rule,
                "pure PV-DBOW (dbow_words=0): word vectors are not trained in the document space",
            )
        )
    else:
        sec.add_check(Check("distinctive_hit", hit, judge_high(hit, "placement.distinctive_hit"), rule))
    table.sort(key=lambda r: (-r[1], r[2]))
    sec.add_table(
        "Worst placed new documents (rank 0 = own vector nearest)",
        ["tag", "self rank", "cos(inferred, stored)", "distinctive words", "nearest words"],
        table[:10],
    )
    sec.notes.append("distinctive words = top tf-idf in the batch: (1 + ln count) x (ln((1+N)/(1+df)) + 1)")
    if duplicates:
        sec.notes.append(
            f"{duplicates} of the documents examined have an identical twin in the batch (same words, "
            "another tag); finding a twin's vector first counts as finding itself "
            f"(own vector only: {sec.metrics['self_top1_strict']:.0%})"
        )
    sec.summary = (
        f"{top1:.0%} of {n_total} new documents re-infer to their own vector first "
        + (f"(or an identical twin's: {duplicates} have one) " if duplicates else "")
        + f"({top10:.0%} in the top 10 of {len(model.dv)}); "
        + (
            f"{hit:.0%} have a distinctive word among their {ctx.topn} nearest words"
            if hit is not None
            else ""
        )
    )
    return sec


def _twin_rows(model: Any, docs: Sequence[Any], chosen: Sequence[Any]) -> list[list[int]]:
    """Per chosen document, the ``dv`` rows of the other documents of ``docs`` with the same words."""
    by_text: dict[tuple[str, ...], list[Any]] = {}
    for d in docs:
        by_text.setdefault(tuple(d.words), []).append(d.tags[0])
    out = []
    for d in chosen:
        others = [t for t in by_text.get(tuple(d.words), []) if t != d.tags[0]]
        out.append([r for r in (tag_row(model.dv, t) for t in others) if r is not None])
    return out


def _nearest_of(query: Any, rows: Sequence[int], vectors: Any) -> int:
    """The row among ``rows`` whose vector is nearest ``query`` (by cosine)."""
    sims = row_cosines(np.asarray(vectors[list(rows)]), np.broadcast_to(query, (len(rows), len(query))))
    return int(rows[int(np.argmax(sims))])


def new_words_section(ctx: EvaluationContext, new_words: Sequence[str] | None) -> Section:
    """Judge where the new words landed (see the module docstring); skipped without ``new_words``."""
    model = ctx.model
    sec = Section("new_words", "New words")
    rule = rule_high("new_words.cooccur_share")
    if new_words is None:
        sec.notes.append(
            "skipped: pass new_words (UpdateReport.new_words), the update report or the model before"
        )
        sec.add_check(Check("cooccur_share", None, "skip", rule, "no list of new words"))
        sec.summary = "skipped: no list of new words"
        return sec
    known = [w for w in new_words if w in model.wv.key_to_index]
    sec.metrics.update({"new_words": len(new_words), "not_in_model": len(new_words) - len(known)})
    if len(known) < len(new_words):
        sec.notes.append(f"{len(new_words) - len(known)} listed new words are not in model.wv")
    if not known:
        sec.add_check(Check("cooccur_share", None, "skip", rule, "the update added no words"))
        sec.summary = "the update added no words"
        return sec
    rows_all = np.array([model.wv.get_index(w) for w in known], dtype=np.int64)
    broken = int(np.sum(broken_rows(model.wv.vectors[rows_all])))
    sec.metrics["broken_vectors"] = broken
    sec.add_check(_zero_check("broken_vectors", broken, "non-finite or zero vectors among the new words"))
    chosen = sorted(known, key=lambda w: (-ctx.batch_counts.get(w, 0), w))[: ctx.sample]
    in_batch = [w for w in chosen if w in ctx.postings]
    if not in_batch:
        sec.add_check(
            Check("cooccur_share", None, "skip", rule, "none of the new words occurs in new_documents")
        )
        sec.summary = "none of the new words occurs in the given documents"
        return sec
    vocab_size = len(model.wv)
    shares: list[float] = []
    chances: list[float] = []
    table = []
    rows_near = np.array([model.wv.get_index(w) for w in in_batch], dtype=np.int64)
    near_all = ctx.word_ranker.nearest(model.wv.vectors[rows_near], ctx.topn, exclude=list(in_batch))
    for w, near in zip(in_batch, near_all, strict=True):
        docs_w = ctx.postings[w]
        neigh, sims = [n for n, _ in near], [s for _, s in near]
        co = [n for n in neigh if ctx.postings.get(n, set()) & docs_w]
        shares.append(len(co) / len(neigh))
        # the words that share a document with w: a union of each document's known words, which
        # the context keeps, instead of a lookup per word occurrence for every new word
        cooc_vocab = frozenset().union(*(ctx.known_words(i) for i in docs_w))
        chances.append((len(cooc_vocab) - (w in cooc_vocab)) / max(vocab_size - 1, 1))
        table.append(
            [
                w,
                ctx.batch_counts[w],
                len(docs_w),
                len(co) / len(neigh),
                " ".join(f"{n}({s:.2f})" for n, s in zip(neigh[:6], sims[:6], strict=True)),
            ]
        )
    share, chance = _finite_mean(shares), _finite_mean(chances)
    sec.metrics.update({"words_examined": len(in_batch), "cooccur_share": share, "chance_share": chance})
    sec.add_check(
        Check(
            "cooccur_share",
            share,
            judge_high(share, "new_words.cooccur_share"),
            rule,
            f"chance level {chance:.3f}" if chance is not None else "",
        )
    )
    sec.add_table(
        "Most frequent new words and their nearest words",
        ["word", "count", "documents", "co-occurring share", "nearest (cosine)"],
        table[:20],
    )
    sec.summary = (
        f"{len(known)} new words; {share or 0.0:.0%} of their {ctx.topn} nearest words occur in the same "
        f"new document (chance {chance or 0.0:.1%})"
    )
    return sec
