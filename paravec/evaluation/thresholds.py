"""The thresholds that turn a measured number into ``pass``, ``warn`` or ``fail``, in one table.

Every judged metric of `paravec.evaluate` has a pair ``(pass_at, warn_at)`` in
`THRESHOLDS`. For a metric where higher is better (a share of documents placed on
themselves, an overlap of neighbour lists) a value ``>= pass_at`` passes and ``>= warn_at`` warns;
for a drop (before minus after: lower is better) a value ``<= pass_at`` passes and ``<= warn_at``
warns. Everything else -- including a value that could not be computed -- fails, because a check
that cannot be measured must not look healthy. The rules are also rendered as words, so a report
states the thresholds it was judged by.

Examples
--------
>>> from paravec.evaluation.thresholds import judge_drop, judge_high, rule_high
>>> judge_high(0.65, "placement.self_top1"), judge_drop(0.01, "word_benchmarks.drop")
('warn', 'pass')
>>> rule_high("placement.self_top1")
'>= 0.80 pass, >= 0.50 warn, else fail'
"""

from __future__ import annotations

import math

__all__ = [
    "FLAG_OVERLAP",
    "THRESHOLDS",
    "UNCHANGED_COSINE",
    "judge_drop",
    "judge_high",
    "judge_zero",
    "rule_drop",
    "rule_high",
]

#: ``(pass_at, warn_at)`` of every judged metric, keyed ``"section.metric"``.
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

#: A pretrained word whose neighbour overlap before/after falls below this is listed as flagged.
FLAG_OVERLAP = 0.30

#: An old document's stored vector counts as unchanged at this cosine with its vector before.
UNCHANGED_COSINE = 0.9999

# A drop computed as a difference of two equal-looking floats may come out at 1e-17 over a bound.
_DROP_SLACK = 1e-12


def judge_high(value: float | None, key: str) -> str:
    """The verdict of a higher-is-better ``value`` under ``THRESHOLDS[key]``; ``fail`` if not finite."""
    if value is None or not math.isfinite(value):
        return "fail"
    pass_at, warn_at = THRESHOLDS[key]
    return "pass" if value >= pass_at else "warn" if value >= warn_at else "fail"


def judge_drop(value: float | None, key: str) -> str:
    """The verdict of a drop (lower is better) under ``THRESHOLDS[key]``; ``fail`` if not finite."""
    if value is None or not math.isfinite(value):
        return "fail"
    pass_at, warn_at = THRESHOLDS[key]
    if value <= pass_at + _DROP_SLACK:
        return "pass"
    return "warn" if value <= warn_at + _DROP_SLACK else "fail"


def judge_zero(count: int) -> str:
    """``pass`` for a count of problems that must be zero (missing tags, broken vectors), else ``fail``."""
    return "pass" if count == 0 else "fail"


def rule_high(key: str) -> str:
    """The rule of a higher-is-better metric, in words."""
    pass_at, warn_at = THRESHOLDS[key]
    return f">= {pass_at:.2f} pass, >= {warn_at:.2f} warn, else fail"


def rule_drop(key: str) -> str:
    """The rule of a drop, in words."""
    pass_at, warn_at = THRESHOLDS[key]
    return f"drop <= {pass_at:.2f} pass, <= {warn_at:.2f} warn, else fail"
