"""Result types and errors of `paravec.search`.

`Hit` is one search result, `Neighbor` one entry of an exploration list,
`SyncReport` what `paravec.search.SearchIndex.sync` changed, and
`NotFoundError` the error for an unknown document tag or word.

Examples
--------
>>> from paravec.search.types import Hit, Neighbor
>>> Neighbor("space", 0.71)
Neighbor(key='space', score=0.71)
>>> Hit("d1", "d1", "shuttle launch", [(0, 7)], 0.03, 1, 2, "both").why
'both'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from paravec.errors import NotFoundError

__all__ = ["Hit", "Neighbor", "NotFoundError", "SyncReport"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result.

    Attributes
    ----------
    tag : str
        The document's tag (its id in the model's ``dv``).
    title : str
        The title given at indexing time, or the tag.
    snippet : str
        A short passage of the document's text, around the query's words when it has them.
    highlights : list of (int, int)
        ``(start, end)`` character spans in ``snippet`` of words that matched the query (or its
        expansion), so ``snippet[start:end]`` is a matched word.
    score : float
        ``"keyword"`` mode: BM25 score; ``"vector"`` mode: cosine similarity; ``"hybrid"``: the
        fused score (``fusion="convex"``: weighted mean of BM25 / best BM25 and cosine, at most
        1; ``"rrf"``: the reciprocal-rank-fusion score).
    keyword_rank, vector_rank : int or None
        1-based rank of the document in the keyword and the vector ranking (``None``: not among
        the candidates of that ranking).
    why : {"keyword", "vector", "both"}
        Which rankings found the document.
    """

    tag: str
    title: str
    snippet: str
    highlights: list[tuple[int, int]]
    score: float
    keyword_rank: int | None
    vector_rank: int | None
    why: Literal["keyword", "vector", "both"]

    def to_dict(self) -> dict[str, Any]:
        """The hit as plain JSON-serialisable data."""
        data = asdict(self)
        data["highlights"] = [list(span) for span in self.highlights]
        return data


@dataclass(frozen=True, slots=True)
class Neighbor:
    """A word or document near something, with its cosine similarity."""

    key: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """The neighbour as plain JSON-serialisable data."""
        return {"key": self.key, "score": self.score}


@dataclass
class SyncReport:
    """What one `paravec.search.SearchIndex.sync` changed in the index.

    Attributes
    ----------
    added : list of str
        Tags that became searchable.
    removed : list of str
        Tags that were dropped because the model no longer has them.
    replaced : list of str
        Tags whose text or vector changed and were re-indexed.
    skipped : list of str
        Tags of given texts that the model does not have (not indexed: no vector to rank by).
    unchanged : int
        Indexed documents left as they were.
    unindexed : int
        Documents of the model that the index does not hold (no text was ever given for them,
        e.g. the pretrained base's documents).
    seconds : float
        Wall time of the sync.
    """

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unchanged: int = 0
    unindexed: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """True when the sync added, removed or replaced anything."""
        return bool(self.added or self.removed or self.replaced)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-serialisable data."""
        return asdict(self)

    def summary(self) -> str:
        """One line for humans."""
        text = (
            f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged"
        )
        if self.skipped:
            text += f", {len(self.skipped)} texts skipped (tag not in the model)"
        return text
