"""Tests of paravec.evaluation.thresholds: the verdict at and around each bound."""

from __future__ import annotations

import math

import pytest

from paravec.evaluation.thresholds import THRESHOLDS, judge_drop, judge_high, judge_zero, rule_drop, rule_high


@pytest.mark.parametrize(
    ("value", "verdict"),
    [(0.80, "pass"), (0.7999, "warn"), (0.50, "warn"), (0.4999, "fail"), (None, "fail"), (math.nan, "fail")],
)
def test_judge_high_at_the_bounds(value, verdict) -> None:
    assert judge_high(value, "placement.self_top1") == verdict


@pytest.mark.parametrize(
    ("value", "verdict"),
    [(-0.1, "pass"), (0.02, "pass"), (0.0201, "warn"), (0.05, "warn"), (0.0501, "fail"), (math.inf, "fail")],
)
def test_judge_drop_at_the_bounds(value, verdict) -> None:
    assert judge_drop(value, "word_benchmarks.drop") == verdict


def test_a_drop_that_is_a_rounding_error_above_the_bound_passes() -> None:
    assert judge_drop(0.05 + 1e-15, "old_documents.cosine_drop") == "pass"


def test_counts_of_problems_must_be_zero() -> None:
    assert (judge_zero(0), judge_zero(1)) == ("pass", "fail")


def test_rules_state_the_thresholds_in_words() -> None:
    assert rule_high("new_words.cooccur_share") == ">= 0.40 pass, >= 0.20 warn, else fail"
    assert rule_drop("old_documents.self_top1_drop") == "drop <= 0.05 pass, <= 0.15 warn, else fail"


def test_every_threshold_passes_on_the_safe_side_of_its_warning() -> None:
    for key, (pass_at, warn_at) in THRESHOLDS.items():
        higher_is_better = judge_high(pass_at, key) == "pass" and pass_at > warn_at
        lower_is_better = judge_drop(pass_at, key) == "pass" and pass_at < warn_at
        assert higher_is_better or lower_is_better, key
