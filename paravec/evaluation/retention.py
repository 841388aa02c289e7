"""What the pretrained space kept through the update: old documents, word neighbourhoods, benchmarks.

Three sections of `paravec.evaluate`, each comparing the model after the update with the
model before it:

What old documents kept (needs ``old_documents`` with their text, and ``before``)
    * ``self_top1`` of old documents re-inferred by the model before and after; after, the inferred
      vector is ranked against the document vectors *before*, so the measure also works when
      ``keep_old_docs=False`` dropped them. The drop is judged, as is the drop of the mean cosine
      between re-inferred and stored vector.
    * ``stored_unchanged``: share of old tags not in the batch whose stored vector is unchanged; must
      be 1.0 (gensim's ``build_vocab(update=True)`` leaves old tags pointing at rows that new
      documents overwrote).
Word neighbourhoods (needs ``before``)
    * for the most frequent pretrained words and those the batch uses most: overlap of the nearest
      pretrained words before vs after (`paravec.evaluation.metrics.neighbour_overlap`). A
      word whose overlap falls below ``FLAG_OVERLAP`` is flagged: any flagged word is at least a
      warn, more than 5% of the words a fail.
Word benchmarks (``before`` optional)
    * WordSim-353 (Finkelstein et al. 2002) and SimLex-999 (Hill et al. 2015) Spearman correlations
      and questions-words analogy accuracy (Mikolov et al. 2013), on the same items for both models;
      the drop is judged. Without ``before`` the numbers are shown, not judged.

Thresholds are in `paravec.evaluation.thresholds`.

Examples
--------
>>> from paravec.evaluation.retention import BENCHMARK_FILES
>>> [name for name, _ in BENCHMARK_FILES]
['wordsim353', 'simlex999']
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gensim.test.utils import datapath

from paravec.evaluation.context import EvaluationContext
from paravec.evaluation.inference import infer_vectors, sample_indices
from paravec.evaluation.metrics import analogy_accuracy, neighbour_overlap, word_pair_spearman
from paravec.evaluation.similarity import cosine_scan, row_cosines
from paravec.evaluation.thresholds import (
    FLAG_OVERLAP,
    UNCHANGED_COSINE,
    judge_drop,
    judge_high,
    rule_drop,
    rule_high,
)
from paravec.report import Check, Section
from paravec.tags import has_tag, tag_row

__all__ = [
    "BENCHMARK_FILES",
    "MIN_BENCHMARK_ITEMS",
    "old_documents_section",
    "word_benchmarks_section",
    "word_neighbours_section",
]

#: The word-pair benchmarks, by name, and their files in gensim's test data.
BENCHMARK_FILES = (("wordsim353", "wordsim353.tsv"), ("simlex999", "simlex999.txt"))

#: Fewer known pairs or questions than this say nothing about a drop: the check is skipped.
MIN_BENCHMARK_ITEMS = 20


def _rows(kv: Any, tags: list[Any]) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Rows of tags that ``kv`` is known to have."""
    return np.array([tag_row(kv, t) for t in tags], dtype=np.int64)


def old_documents_section(ctx: EvaluationContext) -> Section:
    """Judge what the old documents kept (see the module docstring)."""
    model, before = ctx.model, ctx.before
    sec = Section("old_documents", "What old documents kept")
    rule = rule_drop("old_documents.self_top1_drop")
    if ctx.olds is None:
        sec.notes.append("skipped: pass old_documents (a sample of the pretrained corpus with its text)")
        sec.add_check(Check("self_top1_drop", None, "skip", rule, "no old documents given"))
        sec.summary = "skipped: no old documents given"
        return sec
    ref = before if before is not None else model
    idx = sample_indices(len(ctx.olds), ctx.sample, ctx.seed + 1)
    chosen = [ctx.olds[i] for i in idx if has_tag(ref.dv, ctx.olds[i].tags[0])]
    sec.metrics["documents_examined"] = len(chosen)
    if not chosen:
        where = "model before" if before is not None else "model"
        sec.add_check(
            Check("self_top1_drop", None, "skip", rule, f"none of the old documents' tags is in the {where}")
        )
        sec.summary = "none of the given old documents has a vector"
        return sec
    tags = [d.tags[0] for d in chosen]
    ref_rows = _rows(ref.dv, tags)
    ref_stored = np.asarray(ref.dv.vectors[ref_rows], dtype=np.float32)
    after_inf = infer_vectors(model, chosen, ctx.seed + 2, ctx.epochs)
    after_ranks, _, _ = cosine_scan(ref.dv.vectors, after_inf, targets=ref_rows)
    assert after_ranks is not None  # targets were given
    after_cos = row_cosines(after_inf, ref_stored)
    m = sec.metrics
    m["after_self_top1"] = float(np.mean(after_ranks == 0))
    m["after_mean_cosine"] = float(np.mean(after_cos))
    kept = [j for j, t in enumerate(tags) if has_tag(model.dv, t)]
    m["still_in_model"] = len(kept)
    if before is None:
        sec.add_check(
            Check("self_top1_drop", None, "skip", rule, "no model before the update to compare with")
        )
        sec.notes.append("without the model before, only the updated model's own numbers are shown")
        sec.summary = (
            f"{m['after_self_top1']:.0%} of {len(chosen)} old documents re-infer to their own vector first "
            f"(mean cosine {m['after_mean_cosine']:.3f}); not compared: no model before"
        )
        return sec
    before_inf = infer_vectors(before, chosen, ctx.seed + 2, ctx.epochs)
    before_ranks, _, _ = cosine_scan(before.dv.vectors, before_inf, targets=ref_rows)
    assert before_ranks is not None
    before_cos = row_cosines(before_inf, ref_stored)
    m["before_self_top1"] = float(np.mean(before_ranks == 0))
    m["before_mean_cosine"] = float(np.mean(before_cos))
    if kept:
        rows_after = _rows(model.dv, [tags[j] for j in kept])
        r_after, _, _ = cosine_scan(model.dv.vectors, after_inf[kept], targets=rows_after)
        m["after_self_top1_in_updated_model"] = float(np.mean(r_after == 0))
    batch_tags = ctx.batch_tags
    same = [j for j in kept if tags[j] not in batch_tags]
    if same:
        c = row_cosines(model.dv.vectors[_rows(model.dv, [tags[j] for j in same])], ref_stored[same])
        unchanged = float(np.mean(c >= UNCHANGED_COSINE))
        m["stored_unchanged"] = unchanged
        m["stored_min_cosine"] = float(np.min(c))
        sec.add_check(
            Check(
                "stored_unchanged",
                unchanged,
                "pass" if unchanged >= 1.0 else "fail",
                f"1.0 pass (cosine >= {UNCHANGED_COSINE}), else fail",
                ""
                if unchanged >= 1.0
                else "old tags now give other vectors though their documents "
                "were not in the batch: anything built on the old vectors is invalid",
            )
        )
    else:
        sec.notes.append(
            "old document vectors were dropped (keep_old_docs=False) or all replaced: "
            "after-update inference is compared with the vectors stored before"
        )
    drop_rank = m["before_self_top1"] - m["after_self_top1"]
    drop_cos = m["before_mean_cosine"] - m["after_mean_cosine"]
    m["self_top1_drop"], m["cosine_drop"] = drop_rank, drop_cos
    sec.add_check(
        Check("self_top1_drop", drop_rank, judge_drop(drop_rank, "old_documents.self_top1_drop"), rule)
    )
    sec.add_check(
        Check(
            "cosine_drop",
            drop_cos,
            judge_drop(drop_cos, "old_documents.cosine_drop"),
            rule_drop("old_documents.cosine_drop"),
        )
    )
    order = np.argsort(after_cos - before_cos)[:10]
    sec.add_table(
        "Old documents whose re-inferred vector moved most",
        ["tag", "rank before", "rank after", "cos before", "cos after"],
        [
            [
                str(tags[j]),
                int(before_ranks[j]),
                int(after_ranks[j]),
                float(before_cos[j]),
                float(after_cos[j]),
            ]
            for j in order
        ],
    )
    sec.notes.append(
        "after the update, old text is inferred by the updated model and ranked against the "
        "document vectors stored before it"
    )
    sec.summary = (
        f"old documents re-infer to their own vector first {m['before_self_top1']:.0%} before, "
        f"{m['after_self_top1']:.0%} after; mean cosine {m['before_mean_cosine']:.3f} -> "
        f"{m['after_mean_cosine']:.3f}"
    )
    return sec


def word_neighbours_section(ctx: EvaluationContext) -> Section:
    """Judge how far the pretrained words' neighbourhoods moved (see the module docstring)."""
    model, before = ctx.model, ctx.before
    sec = Section("word_neighbours", "Pretrained word neighbourhoods")
    rule = rule_high("word_neighbours.overlap")
    if before is None:
        sec.notes.append("skipped: pass the model before the update (before=...)")
        sec.add_check(Check("overlap", None, "skip", rule, "no model before the update"))
        sec.summary = "skipped: no model before the update"
        return sec
    frequent = [w for w in before.wv.index_to_key[: ctx.sample] if w in model.wv.key_to_index]
    used = sorted(
        (w for w in ctx.batch_counts if w in before.wv.key_to_index and w in model.wv.key_to_index),
        key=lambda w: (-ctx.batch_counts[w], w),
    )[: ctx.sample]
    flagged: dict[str, float] = {}
    compared: set[str] = set()
    for name, words in (("frequent", frequent), ("batch", used)):
        res = neighbour_overlap(before, model, words, topn=ctx.topn)
        if not res["words"]:
            continue
        ov = float(np.mean(res["overlap"]))
        sec.metrics[f"{name}_words"] = len(res["words"])
        sec.metrics[f"{name}_overlap"] = ov
        sec.metrics[f"{name}_min_overlap"] = float(np.min(res["overlap"]))
        sec.metrics[f"{name}_mean_cosine"] = float(np.mean(res["cosine"]))
        sec.metrics[f"{name}_new_word_intrusions"] = float(np.mean(res["intrusions"]))
        label = (
            "most frequent pretrained words" if name == "frequent" else "pretrained words the batch uses most"
        )
        sec.add_check(
            Check(
                f"{name}_overlap",
                ov,
                judge_high(ov, "word_neighbours.overlap"),
                rule,
                f"{len(res['words'])} {label}",
            )
        )
        compared.update(res["words"])
        rows = []
        for w, o, c, b, a in zip(
            res["words"], res["overlap"], res["cosine"], res["before"], res["after"], strict=True
        ):
            if o < FLAG_OVERLAP:
                flagged[w] = o
            rows.append([w, o, c, " ".join(b[:5]), " ".join(a[:5])])
        rows.sort(key=lambda r: (r[1], r[2]))
        sec.add_table(
            f"Largest changes among the {label}",
            ["word", "overlap", "cosine before/after", "nearest before", "nearest after"],
            rows[:10],
        )
    if not compared:
        sec.add_check(Check("overlap", None, "skip", rule, "no shared words"))
        return sec
    share = len(flagged) / len(compared)
    sec.metrics["flagged_words"] = sorted(flagged, key=lambda w: (flagged[w], w))
    sec.metrics["flagged_share"] = share
    # a single flagged word deserves a look even when it is far below the failing share
    verdict = "pass" if not flagged else judge_drop(share, "word_neighbours.flagged_share")
    if flagged and verdict == "pass":
        verdict = "warn"
    sec.add_check(
        Check(
            "flagged_share",
            share,
            verdict,
            f"words with overlap < {FLAG_OVERLAP:.2f}: none pass, <= 5% warn, else fail",
            "" if not flagged else "flagged: " + ", ".join(sec.metrics["flagged_words"][:10]),
        )
    )
    sec.summary = (
        f"nearest-word overlap before/after {sec.metrics.get('frequent_overlap', float('nan')):.2f} "
        f"(frequent words), {sec.metrics.get('batch_overlap', float('nan')):.2f} (words the batch uses); "
        f"{len(flagged)} words flagged"
    )
    return sec


def word_benchmarks_section(ctx: EvaluationContext, analogy_vocab: int, max_analogies: int) -> Section:
    """Word-pair and analogy benchmarks before and after (see the module docstring)."""
    model, before = ctx.model, ctx.before
    compare = before is not None
    sec = Section("word_benchmarks", "Word benchmarks")
    models = [before, model] if compare else [model]
    rows = []
    for name, fname in BENCHMARK_FILES:
        res = word_pair_spearman(models, datapath(fname))
        sec.metrics[f"{name}_pairs"] = res["pairs"]
        rows.append([name, f"{res['pairs']}/{res['total']} pairs", *res["spearman"]])
        _benchmark_check(sec, name, res["spearman"], res["pairs"], compare)
    res = analogy_accuracy(
        models,
        datapath("questions-words.txt"),
        restrict_vocab=analogy_vocab,
        max_questions=max_analogies,
        seed=ctx.seed,
    )
    sec.metrics["analogy_questions"] = res["questions"]
    rows.append(["questions-words", f"{res['questions']}/{res['total']} questions", *res["accuracy"]])
    _benchmark_check(sec, "analogies", res["accuracy"], res["questions"], compare)
    cols = ["benchmark", "used", "before", "after"] if compare else ["benchmark", "used", "model"]
    sec.add_table("Spearman rho (word pairs) and accuracy (analogies)", cols, rows)
    sec.notes.append(
        "pairs and questions are restricted to words the pretrained model knows; the same ones for both models"
    )
    parts = []
    for name in ("wordsim353", "simlex999", "analogies"):
        if f"{name}_after" in sec.metrics:
            a = _num(sec.metrics[f"{name}_after"])
            parts.append(
                f"{name} {_num(sec.metrics.get(f'{name}_before'))} -> {a}" if compare else f"{name} {a}"
            )
    sec.summary = "; ".join(parts)
    return sec


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def _benchmark_check(sec: Section, name: str, vals: list[float | None], n: int, compare: bool) -> None:
    rule = rule_drop("word_benchmarks.drop")
    if not compare:
        sec.metrics[f"{name}_after"] = vals[0]
        sec.add_check(
            Check(f"{name}_drop", None, "skip", rule, "no model before the update; value shown, not judged")
        )
        return
    b, a = vals
    sec.metrics[f"{name}_before"], sec.metrics[f"{name}_after"] = b, a
    if n < MIN_BENCHMARK_ITEMS or a is None or b is None:
        sec.add_check(
            Check(
                f"{name}_drop",
                None,
                "skip",
                rule,
                f"only {n} items the model knows (< {MIN_BENCHMARK_ITEMS})",
            )
        )
        return
    drop = b - a
    sec.metrics[f"{name}_drop"] = drop
    sec.add_check(
        Check(f"{name}_drop", drop, judge_drop(drop, "word_benchmarks.drop"), rule, f"on {n} items")
    )
