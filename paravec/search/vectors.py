"""Vector ranking of a search index: exact cosine search with numpy, or an ANN index (usearch).

What it does
------------
`VectorStore` holds the unit-length document vectors of the indexed documents, one row per
*slot* (the integer id a document keeps in the index), and returns the slots nearest to a query
vector. Rows of removed documents are zero and never returned. Up to ``ann_threshold`` live
documents the search is exact (one matrix-vector product); above it a usearch HNSW graph (Malkov
& Yashunin, 2018) answers, built once and then changed by adding and removing only the vectors
that changed.

Approach
--------
The matrix is saved as ``.npy`` and memory-mapped on open, so reopening costs no reading; the
usearch graph is opened as a memory-mapped view for searching and fully loaded only to modify it.
Files are written under a new generation name and then switched to by the manifest, so a reader
never sees half a write.

Examples
--------
>>> import numpy as np
>>> from paravec.search.vectors import VectorStore
>>> store = VectorStore.from_rows(np.eye(3, dtype=np.float32), ann_threshold=100)
>>> store.search(np.array([0.1, 0.9, 0.0], dtype=np.float32), 2)[0][0]
1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.errors import IndexStateError
from paravec.files import atomic_path
from paravec.linalg import unit_rows

__all__ = ["DEFAULT_ANN_THRESHOLD", "VectorStore"]

DEFAULT_ANN_THRESHOLD = 50_000
"""Above this many live documents, vector search uses the usearch ANN graph instead of exact search."""

# HNSW settings: connectivity 16 and search expansion 128 keep recall@10 near 0.99 on
# Doc2Vec vectors (see benchmarks/search_latency.py) at well under a millisecond per query.
_CONNECTIVITY = 16
_EXPANSION_ADD = 128
_EXPANSION_SEARCH = 128
# Exact search multiplies in blocks this tall: OpenBLAS runs one block on the calling thread,
# whereas one big product wakes its thread pool, which on a busy machine waits for a core and
# turned a 0.2 ms product into 10+ ms at the 95th percentile (measured at 50k x 100).
_CHUNK_ROWS = 4096


def _new_ann(ndim: int) -> Any:
    from usearch.index import Index

    return Index(
        ndim=ndim,
        metric="cos",
        dtype="f32",
        connectivity=_CONNECTIVITY,
        expansion_add=_EXPANSION_ADD,
        expansion_search=_EXPANSION_SEARCH,
    )


class VectorStore:
    """Unit document vectors by slot, with exact or ANN nearest-neighbour search.

    Parameters
    ----------
    matrix : numpy.ndarray
        ``(slots, dim)`` float32, unit rows; zero rows are removed slots.
    live : numpy.ndarray of bool
        Which slots hold a document.
    ann : usearch.index.Index or None
        The ANN graph over the live slots, or None for exact search.
    ann_threshold : int
        Live documents above which an ANN graph is kept.
    """

    def __init__(
        self, matrix: npt.NDArray[np.float32], live: npt.NDArray[np.bool_], ann: Any, ann_threshold: int
    ) -> None:
        self.matrix = matrix
        self.live = live
        self.ann = ann
        self.ann_threshold = int(ann_threshold)
        self._dead = np.flatnonzero(~live)
        self._ann_source: str | None = None

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def from_rows(
        cls,
        rows: npt.ArrayLike,
        *,
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        live: npt.ArrayLike | None = None,
    ) -> VectorStore:
        """Make a store of ``rows`` (slot i = row i); builds the ANN graph if there are enough."""
        matrix = unit_rows(rows)
        live = np.ones(len(matrix), dtype=bool) if live is None else np.asarray(live, dtype=bool)
        store = cls(matrix, live, None, ann_threshold)
        if store.wants_ann:
            store.ann = store._build_ann()
        return store

    @property
    def wants_ann(self) -> bool:
        """True when the live documents are more than ``ann_threshold``."""
        return int(self.live.sum()) > self.ann_threshold

    def _build_ann(self) -> Any:
        ann = _new_ann(self.matrix.shape[1])
        keys = np.flatnonzero(self.live).astype(np.uint64)
        if len(keys):
            ann.add(keys, np.ascontiguousarray(self.matrix[keys]))
        return ann

    def updated(self, changed: dict[int, npt.NDArray[np.float32]], removed: list[int]) -> VectorStore:
        """Return a new store with ``changed`` slots set (new slots appended) and ``removed`` zeroed.

        The ANN graph, when kept, is modified in place of a full rebuild: removed and replaced
        keys are taken out, new and replaced vectors put in.
        """
        n_slots = max([len(self.matrix) - 1, *changed.keys()]) + 1 if changed else len(self.matrix)
        matrix = np.zeros((n_slots, self.matrix.shape[1]), dtype=np.float32)
        matrix[: len(self.matrix)] = self.matrix
        live = np.zeros(n_slots, dtype=bool)
        live[: len(self.live)] = self.live
        for slot in removed:
            matrix[slot] = 0.0
            live[slot] = False
        if changed:
            slots = np.fromiter(changed.keys(), dtype=np.int64, count=len(changed))
            matrix[slots] = unit_rows(np.stack(list(changed.values())))
            live[slots] = True
        store = VectorStore(matrix, live, None, self.ann_threshold)
        if store.wants_ann:
            if self.ann is None:
                store.ann = store._build_ann()
            else:
                if self._ann_source is not None:
                    ann = _new_ann(matrix.shape[1])
                    ann.load(self._ann_source)  # a view cannot be modified; load a private copy
                else:
                    ann = self.ann.copy()
                stale = [s for s in [*removed, *changed] if s < len(self.live) and self.live[s]]
                if stale:
                    ann.remove(np.asarray(stale, dtype=np.uint64))
                if changed:
                    ann.add(slots.astype(np.uint64), np.ascontiguousarray(matrix[slots]))
                store.ann = ann
        return store

    # -- files -----------------------------------------------------------------------------------

    def save(self, folder: Path, generation: int) -> dict[str, str | None]:
        """Write the matrix, liveness and ANN graph as generation ``generation``; return file names."""
        vectors, live = f"vectors-{generation}.npy", f"live-{generation}.npy"
        names: dict[str, str | None] = {"vectors": vectors, "live": live, "ann": None}
        _save_npy(folder / vectors, self.matrix)
        _save_npy(folder / live, self.live)
        if self.ann is not None:
            ann = names["ann"] = f"ann-{generation}.usearch"
            with atomic_path(folder / ann) as tmp:
                self.ann.save(str(tmp))
            self._ann_source = str(folder / ann)
        return names

    @classmethod
    def load(cls, folder: Path, names: dict[str, Any], ann_threshold: int) -> VectorStore:
        """Open the files ``names`` of a saved store (memory-mapped)."""
        try:
            matrix = np.load(folder / names["vectors"], mmap_mode="r")
            live = np.load(folder / names["live"])
            ann = None
            if names.get("ann"):
                from usearch.index import Index

                ann = Index.restore(str(folder / names["ann"]), view=True)
                if ann is None:
                    raise ValueError(f"{names['ann']} is not a usearch index")
                # usearch types the property read-only; its index takes the assignment.
                ann.expansion_search = _EXPANSION_SEARCH  # type: ignore[misc]
        except (OSError, ValueError, KeyError) as err:
            raise IndexStateError(
                f"{folder}: vector files are missing or corrupt ({err}); "
                "rebuild the index with `paravec index`"
            ) from None
        if matrix.ndim != 2 or matrix.dtype != np.float32 or live.shape != (len(matrix),):
            raise IndexStateError(f"{folder}: vector files do not fit together; rebuild with `paravec index`")
        store = cls(matrix, live, ann, ann_threshold)
        if ann is not None:
            store._ann_source = str(folder / names["ann"])
        return store

    # -- searching -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.live.sum())

    def vector(self, slot: int) -> npt.NDArray[np.float32]:
        """The unit vector of ``slot``."""
        return np.asarray(self.matrix[slot])

    def search(
        self, query: npt.ArrayLike, n: int, *, exact: bool = False, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """Return up to ``n`` ``(slot, cosine)`` nearest to ``query``, best first.

        Parameters
        ----------
        query : numpy.ndarray
            A vector of the model's size (need not be unit length).
        n : int
            How many results.
        exact : bool, default False
            Use exact search even when an ANN graph exists (for measuring recall).
        exclude : int, optional
            A slot to leave out (the query document itself).
        """
        q = unit_rows(query)[0]
        live = len(self)
        if not live or not np.any(q):
            return []
        want = min(n + (exclude is not None), live)
        if self.ann is not None and not exact:
            matches = self.ann.search(q, want, threads=1)
            out = [
                (int(key), 1.0 - float(dist))
                for key, dist in zip(matches.keys, matches.distances, strict=True)
            ]
        else:
            scores = np.empty(len(self.matrix), dtype=np.float32)
            for start in range(0, len(scores), _CHUNK_ROWS):
                np.dot(self.matrix[start : start + _CHUNK_ROWS], q, out=scores[start : start + _CHUNK_ROWS])
            if len(self._dead):
                scores[self._dead] = -np.inf
            top = np.argpartition(-scores, want - 1)[:want] if want < len(scores) else np.arange(len(scores))
            top = top[np.argsort(-scores[top], kind="stable")]
            out = [(int(s), float(scores[s])) for s in top if np.isfinite(scores[s])]
        if exclude is not None:
            out = [(s, v) for s, v in out if s != exclude]
        return out[:n]


def _save_npy(path: Path, array: npt.NDArray[Any]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
