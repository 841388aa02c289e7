"""Document mode's keyword candidates, before and after issue 14's third round, on labelled text.

``mode="document"`` scores the union of a keyword and a vector ranking's candidates by its
documented formula (`paravec.search.similarity`). Before, the keyword candidates were BM25 over
the query's 64 words of highest ``(1 + log tf) x idf`` in three fields (stems, title, words as
written); now (the embedded backend's ``document_candidates``) BM25 over the words as written
only, each of the 64 heaviest words boosted by its TF-IDF weight in the query
(`paravec.search.ranking.document_terms`). Both run here on the same models, one after the
other, query by query; the scores of the candidates both find are the same formula.

The sets are `search_quality.py`'s (one model per seed, the evaluation documents added with
`paravec.update`), with one harder than there: its newsgroup and Lee indexes hold 200 and 50
documents, no more than the ~200 candidates a query scored with 100 from each side, so
candidates could not matter there. Here the
200 mini_newsgroup posts are indexed among distractors (the 300 Lee background articles and the
Wikipedia extract cut into 200-word passages, ``--passages``), so a post's P@10 (share of its 10
best other hits from its own newsgroup; a distractor counts as a miss) depends on what the
candidates find. Lee (50 articles against each other, Spearman / Pearson with people) is the
check that the scoring itself did not change.

With ``--candidates A B`` it compares A and B candidates from each side
(`SearchIndex.document_candidates`, today's keyword candidates) on the same models instead, into
``results/document_mode_quality_candidates.md``: how much a query's quality follows its
number of candidates. With ``--term-share A B`` it compares the keyword side's query with the
lightest words left out up to share A and B (`paravec.search.ranking.document_terms`'s
``min_share``; 0 keeps every word) on the same models, into
``results/document_mode_quality_term_share.md``. With ``--document-terms A B`` it compares
the keyword side's query of the A and B heaviest words (`paravec.search.ranking`'s
``MAX_DOCUMENT_TERMS``), into ``results/document_mode_quality_terms.md``. With ``--infer-epochs A B`` it compares queries
(and the calibration's pairs) inferred with A and B epochs (`SearchIndex.infer_epochs`; the
models train 10), into ``results/document_mode_quality_infer_epochs.md``. With
``--keyword-side`` it compares the keyword candidates from tantivy (`TextStore.search_weighted`)
with those from the kept words (`paravec.search.postings`) on the same models, into
``results/document_mode_quality_keyword_side.md``.

Run:  python benchmarks/document_mode_quality.py            (3 seeds, ~10 minutes on 2 cores)
      python benchmarks/document_mode_quality.py --seeds 0 --passages 500     (quick)
      python benchmarks/document_mode_quality.py --seeds 0 1 --candidates 100 50
      python benchmarks/document_mode_quality.py --term-share 0 0.01
      python benchmarks/document_mode_quality.py --document-terms 64 32
      python benchmarks/document_mode_quality.py --infer-epochs 10 5
      python benchmarks/document_mode_quality.py --keyword-side
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from _common import RESULTS, write_results
from search_quality import lee_agreement, make_index, newsgroup_texts, train_base

import paravec
from paravec import datasets
from paravec.search import SearchIndex, ranking
from paravec.search.embedded import EmbeddedView

OUT = RESULTS / "document_mode_quality.md"
CANDIDATES_OUT = RESULTS / "document_mode_quality_candidates.md"
TERM_SHARE_OUT = RESULTS / "document_mode_quality_term_share.md"
TERMS_OUT = RESULTS / "document_mode_quality_terms.md"
EPOCHS_OUT = RESULTS / "document_mode_quality_infer_epochs.md"
SIDE_OUT = RESULTS / "document_mode_quality_keyword_side.md"


class _Before:
    """A view without ``document_candidates``: ranking then takes the keyword candidates as before."""

    def __init__(self, view: Any) -> None:
        self._view = view

    def __getattr__(self, name: str) -> Any:
        if name == "document_candidates":
            raise AttributeError(name)
        return getattr(self._view, name)

    def __len__(self) -> int:
        return len(self._view)


class _BeforeBackend:
    """The index's backend, handing out one `_Before` per view (its document cache is kept per view)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self._views: dict[int, _Before] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def view(self) -> _Before:
        view = self._backend.view()
        return self._views.setdefault(id(view), _Before(view))


def _with_candidates(idx: SearchIndex, n: int) -> SearchIndex:
    """``idx``'s backend behind another `SearchIndex` that takes ``n`` candidates from each side."""
    other = SearchIndex(idx.path, idx.model, idx.backend)
    other.document_candidates = n
    return other


def _with_infer_epochs(idx: SearchIndex, epochs: int) -> SearchIndex:
    """``idx``'s backend behind another `SearchIndex` that infers queries with ``epochs`` epochs."""
    other = SearchIndex(idx.path, idx.model, idx.backend)
    other.infer_epochs = epochs
    return other


@contextlib.contextmanager
def document_terms_limit(limit: int | None) -> Iterator[None]:
    """Document mode's keyword query with at most ``limit`` words (None: as is)."""
    original = ranking.MAX_DOCUMENT_TERMS
    ranking.MAX_DOCUMENT_TERMS = original if limit is None else limit
    try:
        yield
    finally:
        ranking.MAX_DOCUMENT_TERMS = original


@contextlib.contextmanager
def term_share(share: float | None) -> Iterator[None]:
    """Document mode's keyword query with the lightest words left out up to ``share`` (None: as is)."""
    original = ranking.document_terms
    if share is not None:
        ranking.document_terms = functools.partial(original, min_share=share)  # type: ignore[assignment]
    try:
        yield
    finally:
        ranking.document_terms = original  # type: ignore[assignment]


@contextlib.contextmanager
def keyword_side(side: str | None) -> Iterator[None]:
    """Document mode's keyword candidates from ``side``: "tantivy" (none from the kept words) or as is."""
    original = EmbeddedView.postings
    if side == "tantivy":
        EmbeddedView.postings = lambda self: None  # type: ignore[method-assign,assignment,return-value]
    try:
        yield
    finally:
        EmbeddedView.postings = original  # type: ignore[method-assign]


def passages(words_per_passage: int, limit: int) -> list[tuple[str, str]]:
    """The Wikipedia extract cut into passages of about ``words_per_passage`` words."""
    out: list[tuple[str, str]] = []
    for title, text in datasets.wiki_texts():
        words = text.split()
        for start in range(0, len(words), words_per_passage):
            out.append((f"wiki:{title}:{start}", " ".join(words[start : start + words_per_passage])))
    step = max(1, len(out) // max(limit, 1))
    return out[::step][:limit]


def precision(idx: SearchIndex, queries: list[tuple[str, str]], group: dict[str, str], field: str) -> float:
    scores = []
    for tag, text in queries:
        query = text.split("\n", 1)[0] if field == "subject" else text
        if not paravec.tokenize(query):
            continue
        try:
            found = idx.search(query[:10_000], mode="document", k=11)
        except paravec.ParameterError:
            found = []  # a control character in a post: nothing found, as search_quality.py counts it
        hits = [h for h in found if h.tag != tag][:10]
        scores.append(sum(group.get(h.tag) == group[tag] for h in hits) / 10)
    return float(np.mean(scores))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--passages", type=int, default=1500, help="Wikipedia passages among the posts")
    parser.add_argument(
        "--out", type=Path, default=None, help=f"default {OUT.name}, or {CANDIDATES_OUT.name}"
    )
    parser.add_argument(
        "--candidates",
        type=int,
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="compare A and B candidates a side (today's keyword candidates) instead of before / after",
    )
    parser.add_argument(
        "--term-share",
        type=float,
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="compare the keyword query's lightest words left out up to share A and B (0: none)",
    )
    parser.add_argument(
        "--document-terms",
        type=int,
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="compare the keyword query's A and B heaviest words (ranking.MAX_DOCUMENT_TERMS)",
    )
    parser.add_argument(
        "--infer-epochs",
        type=int,
        nargs=2,
        metavar=("A", "B"),
        default=None,
        help="compare queries inferred with A and B epochs (SearchIndex.infer_epochs)",
    )
    parser.add_argument(
        "--keyword-side",
        action="store_true",
        help="compare the keyword candidates from tantivy and from the kept words (paravec.search.postings)",
    )
    args = parser.parse_args(argv)
    compared_options = (
        args.candidates,
        args.term_share,
        args.document_terms,
        args.infer_epochs,
        args.keyword_side or None,
    )
    if sum(x is not None for x in compared_options) > 1:
        parser.error(
            "give one of --candidates, --term-share, --document-terms, --infer-epochs and --keyword-side"
        )
    out = args.out or (
        CANDIDATES_OUT
        if args.candidates
        else TERM_SHARE_OUT
        if args.term_share
        else TERMS_OUT
        if args.document_terms
        else EPOCHS_OUT
        if args.infer_epochs
        else SIDE_OUT
        if args.keyword_side
        else OUT
    )
    started = time.perf_counter()
    load_start = os.getloadavg()
    ng_texts, ng_labels = newsgroup_texts()
    group = {tag: label for (tag, _), label in zip(ng_texts, ng_labels, strict=True)}
    background = [(f"bg:{i}", " ".join(d.words)) for i, d in enumerate(datasets.lee_background_documents())]
    mixed = ng_texts + background + passages(200, args.passages)
    lee_texts = list(paravec.read_texts(datasets.data_path("lee.cor"), encoding="latin-1"))
    human = datasets.lee_similarities()
    if args.candidates:
        labels = tuple(f"{n} a side" for n in args.candidates)
    elif args.term_share:
        labels = tuple(f"share {x:g}" for x in args.term_share)
    elif args.document_terms:
        labels = tuple(f"{n} words" for n in args.document_terms)
    elif args.infer_epochs:
        labels = tuple(f"{n} epochs" for n in args.infer_epochs)
    elif args.keyword_side:
        labels = ("tantivy", "kept words")
    else:
        labels = ("before", "after")
    shares = args.term_share or (None, None)
    limits = args.document_terms or (None, None)
    sides = ("tantivy", None) if args.keyword_side else (None, None)
    runs: dict[str, list[tuple[float, ...]]] = {label: [] for label in labels}
    for seed in args.seeds:
        base = train_base(100, 10, seed)
        with tempfile.TemporaryDirectory() as tmp:
            ng = make_index(base, mixed, Path(tmp), "mixed", 40)
            lee = make_index(base, lee_texts, Path(tmp), "lee", 40)
            after = (ng, lee)
            if args.candidates:
                compared = [tuple(_with_candidates(i, n) for i in after) for n in args.candidates]
            elif args.infer_epochs:
                compared = [tuple(_with_infer_epochs(i, n) for i in after) for n in args.infer_epochs]
            elif args.term_share or args.document_terms or args.keyword_side:
                compared = [after, after]
            else:
                compared = [
                    tuple(SearchIndex(i.path, i.model, _BeforeBackend(i.backend)) for i in after),
                    after,
                ]
            for label, share, limit, side, (n_idx, l_idx) in zip(
                labels, shares, limits, sides, compared, strict=True
            ):
                with term_share(share), document_terms_limit(limit), keyword_side(side):
                    row = (
                        precision(n_idx, ng_texts, group, "subject"),
                        precision(n_idx, ng_texts, group, "full"),
                        *lee_agreement(l_idx, lee_texts, human, {"mode": "document"}),
                    )
                runs[label].append(row)
                print(f"seed {seed} {label:7s} " + " ".join(f"{v:.3f}" for v in row), flush=True)
    header = (
        "| candidates | newsgroup P@10 among distractors (subject) | (full text) | Lee Spearman "
        "(per query) | Lee Pearson (per query) | Lee Pearson (pooled) |"
    )
    compare = f" --candidates {args.candidates[0]} {args.candidates[1]}" if args.candidates else ""
    compare += f" --term-share {args.term_share[0]:g} {args.term_share[1]:g}" if args.term_share else ""
    compare += (
        f" --document-terms {args.document_terms[0]} {args.document_terms[1]}" if args.document_terms else ""
    )
    compare += f" --infer-epochs {args.infer_epochs[0]} {args.infer_epochs[1]}" if args.infer_epochs else ""
    compare += " --keyword-side" if args.keyword_side else ""
    what = "candidates a side" if args.candidates else "keyword candidates before and after"
    what = "the keyword query's lightest words left out" if args.term_share else what
    what = "the keyword query's heaviest words" if args.document_terms else what
    what = "the query's inference epochs" if args.infer_epochs else what
    what = "keyword candidates from tantivy and from the kept words" if args.keyword_side else what
    lines = [
        f"# Document mode: {what}",
        "",
        f"Generated by `python benchmarks/document_mode_quality.py --seeds {' '.join(map(str, args.seeds))} "
        f"--passages {args.passages}{compare}` in {time.perf_counter() - started:.0f} s on {platform.machine()} with "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}. Load average (1 min) at start "
        f"{load_start[0]:.1f}, at end {os.getloadavg()[0]:.1f}. The newsgroup index holds the 200 posts, "
        f"{len(background)} Lee background articles and {len(mixed) - len(ng_texts) - len(background)} "
        "Wikipedia passages; mean ± standard deviation over the seeds' models, both candidate sets "
        "on the same models in the same run.",
        "",
        header,
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label in labels:
        values = np.array(runs[label])
        cells = " | ".join(f"{m:.3f} ± {s:.3f}" for m, s in zip(values.mean(0), values.std(0), strict=True))
        lines.append(f"| {label} | {cells} |")
    diff = np.array(runs[labels[1]]) - np.array(runs[labels[0]])
    cells = " | ".join(f"{m:+.3f} ± {s:.3f}" for m, s in zip(diff.mean(0), diff.std(0), strict=True))
    lines += [f"| {labels[1]} − {labels[0]}, per seed | {cells} |", ""]
    write_results(out, "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
