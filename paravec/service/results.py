"""Turn what the index returns (`paravec.search.Hit`, `paravec.search.Neighbor`,
`paravec.search.SyncReport`) into the response models of `paravec.service.schemas`.

Two things happen on the way. Scores that are not finite become ``null``: JSON has no NaN or
Infinity, and one odd score must not turn an answer into a 500. And each snippet is cut at its
highlights into `paravec.service.schemas.SnippetPart` pieces (overlapping spans merged,
spans outside the snippet clipped), so the page shows matched words with text nodes only and no
client does offset arithmetic.

Examples
--------
>>> from paravec.service.results import finite, snippet_parts
>>> [(p.text, p.match) for p in snippet_parts("bushfires near Sydney", [(0, 9), (15, 21)])]
[('bushfires', True), (' near ', False), ('Sydney', True)]
>>> finite(float("nan")) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from paravec.search import Hit, Neighbor, SyncReport
from paravec.service.schemas import (
    AddDocumentsResponse,
    DocumentScore,
    HitModel,
    SnippetPart,
    WordScore,
)
from paravec.service.versions import ServedVersion

__all__ = ["added_model", "document_scores", "finite", "hit_model", "snippet_parts", "word_scores"]


def finite(score: float | None) -> float | None:
    """``score`` as a float, or ``None`` when it is missing, NaN or infinite."""
    if score is None:
        return None
    score = float(score)
    return score if math.isfinite(score) else None


def snippet_parts(snippet: str, highlights: Iterable[tuple[int, int]]) -> list[SnippetPart]:
    """Cut ``snippet`` into plain and matched pieces that join back to ``snippet``.

    Parameters
    ----------
    snippet : str
        The passage shown for a hit.
    highlights : iterable of (int, int)
        ``[start, end)`` character spans of matched words; they may overlap or reach past the end.

    Returns
    -------
    list of SnippetPart
        In order; ``"".join(p.text for p in parts) == snippet``.
    """
    spans = sorted((max(0, int(s)), min(len(snippet), int(e))) for s, e in highlights if int(e) > int(s))
    merged: list[list[int]] = []
    for start, end in spans:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[SnippetPart] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            parts.append(SnippetPart(text=snippet[pos:start], match=False))
        parts.append(SnippetPart(text=snippet[start:end], match=True))
        pos = end
    if pos < len(snippet):
        parts.append(SnippetPart(text=snippet[pos:], match=False))
    return parts


def hit_model(hit: Hit, index: ServedVersion | None = None) -> HitModel:
    """The response model of one search hit; without a title, ``index`` gives the text's start."""
    highlights = [(int(s), int(e)) for s, e in (hit.highlights or [])]
    snippet = str(hit.snippet or "")
    return HitModel(
        tag=str(hit.tag),
        title=index.title(str(hit.tag), str(hit.title or "")) if index is not None else str(hit.title or ""),
        snippet=snippet,
        highlights=highlights,
        snippet_parts=snippet_parts(snippet, highlights),
        score=finite(hit.score),
        keyword_rank=hit.keyword_rank,
        vector_rank=hit.vector_rank,
        why=hit.why,
    )


def word_scores(neighbors: Iterable[Neighbor]) -> list[WordScore]:
    """Words and their similarities."""
    return [WordScore(word=str(n.key), score=finite(n.score)) for n in neighbors]


def document_scores(neighbors: Iterable[Neighbor], index: ServedVersion) -> list[DocumentScore]:
    """Documents, their titles (looked up in ``index``) and their similarities."""
    return [
        DocumentScore(tag=str(n.key), title=index.title(str(n.key)), score=finite(n.score)) for n in neighbors
    ]


def added_model(report: SyncReport, version: int | None = None) -> AddDocumentsResponse:
    """The response model of what adding documents changed, and the version that holds them."""
    return AddDocumentsResponse(
        added=[str(t) for t in report.added],
        removed=[str(t) for t in report.removed],
        replaced=[str(t) for t in report.replaced],
        skipped=[str(t) for t in report.skipped],
        unchanged=report.unchanged,
        unindexed=report.unindexed,
        seconds=finite(report.seconds),
        version=version,
    )
