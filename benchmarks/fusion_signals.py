"""Whether a query tells which fusion weight suits it: signals against each query's best weight.

Issue 17 item 6 names "fusion weights that adapt to the query" among the ways the learned space
could pay off. ``keyword_gain.py`` bounds what they could give: BM25 fused with paravec's vector
side at the best weight for each query, chosen by its judgments (an oracle, not a ranking), comes
near BM25 + all-MiniLM-L6-v2. This script asks whether anything known at query time points to
that weight. On ``keyword_gain.py``'s five sets (same base, fit, indexes, queries and measures;
``--work`` shares its kept models and MiniLM embeddings) each query is ranked by
``w x BM25 / best BM25 + (1 - w) x vector side`` at w = 0.0, 0.1, ..., 1.0, with two vector
sides: the second-order similarity of the query's vector (`paravec.search.second_order`) and of
its Rocchio vector (the mean of BM25's top 10 added, beta 1.0; `paravec.search.feedback`). A
query's best weight is the one that scores best (the mean of the tied best ones), on the queries
where the weight matters. Signals, computed from the query and the two rankings, never from a
judgment (the query's own document left out, as in every ranking here):

- ``n_words``: the query's words as the model analyses them;
- ``bm25_gap``: (best BM25 score - 10th best) / best;  ``bm25_z``: the best score's z-score over
  the documents;  ``bm25_share``: the share of documents BM25 matches;
- ``vector_gap``: best - 10th best second-order similarity of the query's vector (for both
  vector sides);  ``vector_z``: the best one's z-score;
- ``overlap``: the share of BM25's top 10 in that ranking's top 10;
- ``known``: the share of the query's words the model has;  ``rare``: the share of its words the
  model saw fewer than 50 times.

The result gives the Spearman correlation of each signal with the best weight on each set, and
for each vector side the rules "weight a below threshold t, b from t on" (t at the deciles of the
signal over the tuning sets' queries; every signal, every pair of weights) that gain most over
BM25 on the tuning sets (Lee and newsgroups), reported on numpy's docstrings, held out, beside
the fixed weight chosen the same way, the oracle, BM25 and BM25 + MiniLM (w = 0.5).

Run:  python benchmarks/fusion_signals.py --work DIR    (DIR: ``keyword_gain.py``'s; the models
      and embeddings it keeps are reused, else built and kept: ~10 min, under 1 with them)
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _common import RESULTS, progress_log, write_results
from keyword_gain import HELD_OUT, SET_NAMES, SETS, TUNING, Domain, _norm, evaluate, rocchio, summary
from scipy.stats import spearmanr

OUT = RESULTS / "fusion_signals.md"
WEIGHTS = tuple(round(w, 1) for w in np.linspace(0.0, 1.0, 11))
SIDES = {"second-order": "the query's vector", "Rocchio second-order": "its Rocchio vector (m=10, beta=1.0)"}
SIGNALS = (
    "n_words",
    "bm25_gap",
    "bm25_z",
    "bm25_share",
    "vector_gap",
    "vector_z",
    "overlap",
    "known",
    "rare",
)
RULES_SHOWN = 3
_RARE = 50


def _signals(
    domain: Domain, words: list[str], bm25: np.ndarray, vector: np.ndarray, own: int
) -> dict[str, float]:
    keep = np.ones(len(bm25), dtype=bool)
    keep[own] = False
    b, v = bm25[keep], vector[keep]
    bs, vs = np.sort(b)[::-1], np.sort(v)[::-1]
    tenth = min(9, len(bs) - 1)
    top_b = set(np.argsort(-b, kind="stable")[:10].tolist())
    top_v = set(np.argsort(-v, kind="stable")[:10].tolist())
    wv = domain.model.wv
    counts = [int(wv.get_vecattr(w, "count")) if w in wv.key_to_index else 0 for w in words]
    return {
        "n_words": float(len(words)),
        "bm25_gap": float((bs[0] - bs[tenth]) / bs[0]) if bs[0] > 0 else 0.0,
        "bm25_z": float((bs[0] - b.mean()) / max(float(b.std()), 1e-12)),
        "bm25_share": float((b > 0).mean()),
        "vector_gap": float(vs[0] - vs[tenth]),
        "vector_z": float((vs[0] - v.mean()) / max(float(v.std()), 1e-12)),
        "overlap": len(top_b & top_v) / 10,
        "known": float(np.mean([c > 0 for c in counts])) if counts else 0.0,
        "rare": float(np.mean([0 < c < _RARE for c in counts])) if counts else 0.0,
    }


def _scorer(recorded: list[dict[str, float]]):
    """keyword_gain's ``scorer``: BM25, MiniLM and the fused rankings; each query's signals into ``recorded``."""

    def score(domain: Domain, query: str, own: int) -> dict[str, np.ndarray]:
        q = domain.basic_arrays(query, own)
        known = bool(np.any(q["qv"]))
        sides = {
            "second-order": domain.dv2 @ domain.metric.transform(q["qv"])[0]
            if known
            else domain.dv @ q["qv"],
            "Rocchio second-order": rocchio(domain, q, 10, 1.0, second_order=True),
        }
        recorded.append(_signals(domain, q["words"], q["bm25"], sides["second-order"], own))
        bm = _norm(q["bm25"])
        out = {"BM25": q["bm25"], "BM25 + MiniLM, w=0.5": 0.5 * bm + 0.5 * q["minilm"]}
        for side, vector in sides.items():
            for w in WEIGHTS:
                out[f"{side} w={w}"] = w * bm + (1 - w) * vector
        return out

    return score


def _measure(args, log) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, list[dict[str, float]]]]:
    """Per set: each ranking's per-query values, and each query's signals."""
    values: dict[str, dict[str, np.ndarray]] = {}
    signals: dict[str, list[dict[str, float]]] = {}
    for name in ("lee", "newsgroups", "numpy"):
        recorded: list[dict[str, float]] = []
        part = evaluate(args, name, log, scorer=_scorer(recorded))
        sets = [s for s in SETS if s in part["per_set"]]
        per = len(recorded) // len(sets)
        assert per * len(sets) == len(recorded), (name, len(recorded), sets)
        for i, s in enumerate(sets):
            values[s] = {k: np.asarray(v) for k, v in part["per_set"][s].items()}
            signals[s] = recorded[i * per : (i + 1) * per]
            assert len(values[s]["BM25"]) == per, (s, per)
        log(f"{name}: measured")
    return values, signals


def _best_weights(values: dict[str, np.ndarray], side: str) -> tuple[np.ndarray, np.ndarray]:
    """Each query's best weight (the mean of the tied best) and whether the weight matters for it."""
    grid = np.stack([values[f"{side} w={w}"] for w in WEIGHTS])
    best = grid.max(axis=0)
    weights = np.array(WEIGHTS)
    chosen = np.array([weights[grid[:, q] == best[q]].mean() for q in range(grid.shape[1])])
    return chosen, best > grid.min(axis=0)


def _rule(values, x: np.ndarray, s: str, side: str, t: float, lo: float, hi: float) -> np.ndarray:
    """Set ``s``'s values of the ranking with weight ``lo`` where the signal ``x`` is below ``t``, else ``hi``."""
    return np.where(x < t, values[s][f"{side} w={lo}"], values[s][f"{side} w={hi}"])


def analyse(values, signals) -> dict[str, Any]:
    """Correlations, the fixed weight, the oracle and the best rules of each side (see the docstring)."""

    def gain(s: str, v: np.ndarray) -> float:
        return float((v - values[s]["BM25"]).mean())

    out: dict[str, Any] = {"correlations": {}, "rows": {}, "rules": {}}
    sets = [s for s in SETS if s in values]
    tuning = [s for s in TUNING if s in values]
    x = {s: {signal: np.array([q[signal] for q in signals[s]]) for signal in SIGNALS} for s in sets}
    for side in SIDES:
        out["correlations"][side] = {}
        for signal in SIGNALS:
            row = {}
            for s in sets:
                best, matters = _best_weights(values[s], side)
                shown = x[s][signal][matters]
                row[s] = float(spearmanr(shown, best[matters]).statistic) if np.ptp(shown) > 0 else 0.0
            out["correlations"][side][signal] = row
        fixed = max(WEIGHTS, key=lambda w: np.mean([gain(s, values[s][f"{side} w={w}"]) for s in tuning]))
        rows = {
            f"{side}, fixed w={fixed}": {s: values[s][f"{side} w={fixed}"] for s in sets},
            f"{side}, per-query oracle weight": {
                s: np.stack([values[s][f"{side} w={w}"] for w in WEIGHTS]).max(axis=0) for s in sets
            },
        }
        found = []
        for signal in SIGNALS:
            pooled = np.concatenate([x[s][signal] for s in tuning])
            for t in sorted(set(np.quantile(pooled, np.linspace(0.1, 0.9, 9)).tolist())):
                for lo, hi in itertools.product(WEIGHTS, WEIGHTS):
                    if lo != hi:
                        score = np.mean(
                            [gain(s, _rule(values, x[s][signal], s, side, t, lo, hi)) for s in tuning]
                        )
                        found.append((float(score), signal, t, lo, hi))
        found.sort(key=lambda r: -r[0])
        out["rules"][side] = []
        for score, signal, t, lo, hi in found[:RULES_SHOWN]:
            label = f"{side}, w={lo} if {signal} < {t:.3g} else {hi}"
            rows[label] = {s: _rule(values, x[s][signal], s, side, t, lo, hi) for s in sets}
            out["rules"][side].append(
                {"signal": signal, "threshold": t, "below": lo, "above": hi, "tuning_gain": score}
            )
        out["rows"].update(rows)
    out["rows"] = {
        "BM25 + MiniLM, w=0.5": {s: values[s]["BM25 + MiniLM, w=0.5"] for s in sets},
        **out["rows"],
        "BM25": {s: values[s]["BM25"] for s in sets},
    }
    out["stats"] = {
        label: {s: summary(v, values[s]["BM25"]) for s, v in per.items()}
        for label, per in out["rows"].items()
    }
    del out["rows"]
    return out


def render(result: dict[str, Any], command: str) -> str:
    sets = [s for s in SETS if s in result["n"]]
    lines = [
        "# Fusion weights that adapt to the query: do query signals point to the best weight?",
        "",
        f"`{command}` in {result['seconds']:.0f} s on {result['machine']}. Models, indexes, queries "
        'and measures are `keyword_gain.py`\'s (seed 0, `fit="domain"`). Tuning sets: Lee and '
        "newsgroups; numpy's docstrings are held out. Queries per set: "
        + ", ".join(f"{SET_NAMES[s]} {result['n'][s]}" for s in sets)
        + ".",
        "",
        "Spearman correlation of each signal with a query's best weight of BM25 (w = 1: BM25 "
        "alone), on the queries where the weight changes the measure:",
        "",
    ]
    for side, described in SIDES.items():
        lines += [
            f"Vector side: second-order similarity of {described}.",
            "",
            "| signal | " + " | ".join(SET_NAMES[s] for s in sets) + " |",
            "|---|" + "---:|" * len(sets),
        ]
        for signal, row in result["correlations"][side].items():
            lines.append(f"| {signal} | " + " | ".join(f"{row[s]:+.2f}" for s in sets) + " |")
        lines.append("")
    lines += [
        "Rankings: mean over queries ± standard error, and below it the paired difference to BM25 ± "
        f"its standard error (bold: larger than its standard error). The rules are the {RULES_SHOWN} "
        "best of each side on the tuning sets (every signal, thresholds at its deciles over the "
        "tuning queries, every pair of weights); the oracle picks each query's weight by its "
        "judgments (an upper bound, not a ranking).",
        "",
        "| ranking | " + " | ".join(SET_NAMES[s] for s in sets) + " |",
        "|---|" + "---|" * len(sets),
    ]
    for label, per in result["stats"].items():
        cells = []
        for s in sets:
            st = per[s]
            cell = f"{st['mean']:.3f} ± {st['se']:.3f}"
            if label != "BM25":
                diff = f"{st['diff']:+.3f} ± {st['diff_se']:.3f}"
                cell += "<br>" + (f"**{diff}**" if abs(st["diff"]) > st["diff_se"] else diff)
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import os
    import platform

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", help="keyword_gain.py's folder of kept models (made when missing)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many queries per set")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    log = progress_log()
    started = time.perf_counter()
    work = args.work or tempfile.mkdtemp(prefix="fusion_signals-")
    Path(work).mkdir(parents=True, exist_ok=True)
    values, signals = _measure(argparse.Namespace(seed=0, fit="domain", work=work, limit=args.limit), log)
    result = analyse(values, signals)
    result["n"] = {s: len(values[s]["BM25"]) for s in values}
    result["seconds"] = time.perf_counter() - started
    result["machine"] = f"{platform.machine()} with {os.cpu_count()} CPUs"
    result["held_out"] = list(HELD_OUT)
    command = "python benchmarks/fusion_signals.py --work DIR" + (
        f" --limit {args.limit}" if args.limit else ""
    )
    write_results(args.out, render(result, command), result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
