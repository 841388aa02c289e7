"""Vector ranking of a search index: exact cosine search with numpy, or an ANN index (usearch).

What it does
------------
`VectorStore` holds the unit-length document vectors of the indexed documents, one row per
*slot* (the integer id a document keeps in the index), and returns the slots nearest to a query
vector. Rows of removed documents read as zero and are never returned. Up to ``ann_threshold`` live
documents the search is exact (one matrix-vector product); above it a usearch HNSW graph (Malkov
& Yashunin, 2018) answers, built once and then changed by adding and removing only the vectors
that changed.

Approach
--------
The matrix is saved as segments of `SEGMENT_BYTES` of whole rows, each an ``.npy`` file
memory-mapped on open, so reopening costs no reading. A sync writes only the segments that hold a
changed, added or removed row and names the others again: adding a batch to an index of a million
documents writes the last segment, not the whole matrix, and the index folders of a model store's
versions (`paravec.store`), hard-linked to each other, share every unchanged segment. An index of
at most one segment has the single file ``vectors-N.npy`` it always had. The usearch graph is
opened as a memory-mapped view for searching and kept as it is across syncs while what changed
since it was built is small: the slots added or changed since (``fresh``) are searched exactly
beside it and the graph's answers for changed or removed slots (``skip``) are dropped, so a sync
writes two small lists instead of a new graph as large as the matrix. When those lists pass
`DELTA_SHARE` of the documents (at least `DELTA_MIN`), a sync folds them into a new graph (a
private copy, loaded in full). Files are
written under a new generation name and then switched to by the manifest, so a reader never sees
half a write.

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

__all__ = ["DEFAULT_ANN_THRESHOLD", "DELTA_MIN", "DELTA_SHARE", "SEGMENT_BYTES", "Segments", "VectorStore"]

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

DELTA_MIN = 2048
"""Slots added, changed or removed since the ANN graph was built that never cause a new graph."""
DELTA_SHARE = 0.02
"""Share of the live documents that, added, changed or removed since the graph, make a sync fold
them into a new graph (exact search over the fresh rows costs about this share of a full scan)."""

SEGMENT_BYTES = 4 * 1024 * 1024
"""Size of one saved segment of the matrix (whole rows): what a sync rewrites at least."""


# Up to this many rows, Segments gathers row by row.
_ROW_BY_ROW = 64


def _segment_rows(dim: int) -> int:
    return max(1, SEGMENT_BYTES // (4 * max(dim, 1)))


class Segments:
    """The rows of the matrix as consecutive segments of equal height (the last may be shorter).

    Indexing (``segments[slot]``, ``segments[array_of_slots]``, slices) returns a new array;
    ``shape``, ``dtype`` and ``len`` are those of the whole matrix.

    Parameters
    ----------
    parts : list of numpy.ndarray
        The segments (memory-mapped files or arrays in memory), float32, ``(rows, dim)``.
    names : list of str or None
        The file of each segment in the index folder, None for one not saved yet.
    """

    def __init__(self, parts: list[npt.NDArray[np.float32]], names: list[str | None], dim: int) -> None:
        self.parts = parts
        self.names = names
        self.height = len(parts[0]) if len(parts) > 1 else _segment_rows(dim)
        self.shape = (sum(len(p) for p in parts), dim)
        self.dtype = np.dtype(np.float32)
        self.ndim = 2
        self._starts = np.cumsum([0, *(len(p) for p in parts)])
        # Plain ndarray views of the memory maps: indexing a np.memmap makes a memmap object
        # per call, which costs more than gathering a query's few hundred rows.
        self._plain = [np.asarray(p) for p in parts]

    @classmethod
    def of(cls, matrix: npt.NDArray[np.float32]) -> Segments:
        """``matrix`` cut into unsaved segments of the standard height."""
        height = _segment_rows(matrix.shape[1])
        parts = [matrix[i : i + height] for i in range(0, len(matrix), height)] or [matrix]
        return cls(parts, [None] * len(parts), matrix.shape[1])

    def __len__(self) -> int:
        return int(self.shape[0])

    def __getitem__(self, index: Any) -> npt.NDArray[np.float32]:
        if len(self.parts) == 1:
            return np.asarray(self._plain[0][index])
        if isinstance(index, slice):
            index = np.arange(len(self))[index]
        rows = np.asarray(index, dtype=np.int64)
        flat = rows.reshape(-1)
        if len(flat) and (flat.min() < -len(self) or flat.max() >= len(self)):
            raise IndexError(f"slot out of range for {len(self)} slots")
        flat = np.where(flat < 0, flat + len(self), flat)
        out = np.empty((len(flat), self.shape[1]), dtype=np.float32)
        if not len(flat):
            return out.reshape(*rows.shape, self.shape[1])
        if len(flat) <= _ROW_BY_ROW:
            # A query's few rows (its candidates, its top hits): a copy each costs less than the
            # sort, the takes and the scatter below, whose fixed cost a few rows do not repay.
            height = self.height
            for i, row in enumerate(flat.tolist()):
                out[i] = self._plain[row // height][row % height]
            return out.reshape(*rows.shape, self.shape[1])
        which = np.searchsorted(self._starts, flat, side="right") - 1
        # Rows grouped by segment with one sort, then one take per segment touched: a mask per
        # segment would pass over all the rows once for each.
        order = np.argsort(which, kind="stable")
        grouped = which[order]
        bounds = [0, *(np.flatnonzero(np.diff(grouped)) + 1).tolist(), len(order)]
        pieces = [
            self._plain[part].take(flat[order[lo:hi]] - self._starts[part], axis=0)
            for lo, hi, part in zip(bounds[:-1], bounds[1:], grouped[bounds[:-1]].tolist(), strict=True)
        ]
        out[order] = np.concatenate(pieces)
        return out.reshape(*rows.shape, self.shape[1])

    def blocks(self, size: int) -> Any:
        """``(first slot, block of rows)`` of at most ``size`` rows each, in order."""
        for start, part in zip(self._starts, self.parts, strict=False):
            for i in range(0, len(part), size):
                yield int(start) + i, part[i : i + size]


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
    matrix : numpy.ndarray or Segments
        ``(slots, dim)`` float32, unit rows (those of removed slots are never read).
    live : numpy.ndarray of bool
        Which slots hold a document.
    ann : usearch.index.Index or None
        The ANN graph over the live slots, or None for exact search.
    ann_threshold : int
        Live documents above which an ANN graph is kept.
    """

    def __init__(
        self,
        matrix: npt.NDArray[np.float32] | Segments,
        live: npt.NDArray[np.bool_],
        ann: Any,
        ann_threshold: int,
    ) -> None:
        self.matrix = matrix if isinstance(matrix, Segments) else Segments.of(np.asarray(matrix))
        self.live = live
        self.ann = ann
        self.ann_threshold = int(ann_threshold)
        self._dead = np.flatnonzero(~live)
        self._live = len(live) - len(self._dead)  # a store never changes: counted once, not per query
        self._ann_source: str | None = None
        self._ann_name: str | None = None  # the graph's file while it is the saved one
        empty = np.zeros(0, dtype=np.int64)
        self.fresh = empty  # live slots the graph does not answer for: searched exactly
        self.skip = empty  # slots whose answers from the graph are stale (changed or removed)

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

        Only the segments holding a changed, new or removed slot are new arrays (to be written by
        `save`); the others are the same memory-mapped files. The ANN graph, when kept, is
        modified in place of a full rebuild: removed and replaced keys are taken out, new and
        replaced vectors put in.
        """
        old = self.matrix
        dim = old.shape[1]
        n_slots = max([len(old) - 1, *changed.keys()]) + 1 if changed else len(old)
        height = _segment_rows(dim)
        dirty = {slot // height for slot in [*changed, *removed]}
        if old.height != height:  # an index saved as one big file: cut it into segments once
            dirty = set(range(-(-n_slots // height)))
        parts: list[npt.NDArray[np.float32]] = []
        names: list[str | None] = []
        for k in range(-(-n_slots // height) if n_slots else 1):
            lo, hi = k * height, min((k + 1) * height, n_slots)
            same_part = old.height == height and k < len(old.parts) and len(old.parts[k]) == hi - lo
            if same_part and k not in dirty:
                parts.append(old.parts[k])
                names.append(old.names[k])
                continue
            part = np.zeros((hi - lo, dim), dtype=np.float32)
            kept = min(hi, len(old)) - lo
            if kept > 0:
                part[:kept] = old[np.arange(lo, lo + kept)]
            parts.append(part)
            names.append(None)
        matrix = Segments(parts, names, dim)
        live = np.zeros(n_slots, dtype=bool)
        live[: len(self.live)] = self.live
        for slot in removed:
            parts[slot // height][slot % height] = 0.0
            live[slot] = False
        if changed:
            slots = np.fromiter(changed.keys(), dtype=np.int64, count=len(changed))
            rows = unit_rows(np.stack(list(changed.values())))
            for slot, row in zip(slots, rows, strict=True):
                parts[slot // height][slot % height] = row
            live[slots] = True
        store = VectorStore(matrix, live, None, self.ann_threshold)
        if not store.wants_ann:
            return store
        if self.ann is None:
            store.ann = store._build_ann()
            return store
        touched = np.asarray([*changed, *removed], dtype=np.int64)
        was_live = touched[(touched < len(self.live))]
        was_live = was_live[self.live[was_live]]
        in_graph = np.setdiff1d(was_live, self.fresh)  # stale answers of the graph from now on
        store.skip = np.union1d(self.skip, in_graph)
        store.fresh = np.setdiff1d(
            np.union1d(self.fresh, np.fromiter(changed, np.int64, len(changed))), removed
        )
        if len(store.fresh) + len(store.skip) <= max(DELTA_MIN, DELTA_SHARE * len(store)):
            store.ann, store._ann_source, store._ann_name = self.ann, self._ann_source, self._ann_name
            return store
        if self._ann_source is not None:
            ann = _new_ann(dim)
            ann.load(self._ann_source)  # a view cannot be modified; load a private copy
        else:
            ann = self.ann.copy()
        if len(store.skip):
            ann.remove(store.skip.astype(np.uint64))
        if len(store.fresh):
            ann.add(store.fresh.astype(np.uint64), np.ascontiguousarray(matrix[store.fresh]))
        store.ann = ann
        store.fresh = store.skip = np.zeros(0, dtype=np.int64)
        return store

    # -- files -----------------------------------------------------------------------------------

    def save(self, folder: Path, generation: int) -> dict[str, str | None]:
        """Write the new segments, liveness and ANN graph as generation ``generation``; return the
        file names (``vectors``: the first segment, ``vectors.K``: segment K > 0)."""
        live = f"live-{generation}.npy"
        names: dict[str, str | None] = {}
        matrix = self.matrix
        for k, part in enumerate(matrix.parts):
            if matrix.names[k] is None:
                name = f"vectors-{generation}.npy" if k == 0 else f"vectors-{generation}-{k}.npy"
                _save_npy(folder / name, part)
                matrix.names[k] = name
            names["vectors" if k == 0 else f"vectors.{k}"] = matrix.names[k]
        names.update(live=live, ann=None)
        _save_npy(folder / live, self.live)
        if self.ann is not None:
            if self._ann_name is None or not (folder / self._ann_name).exists():
                self._ann_name = f"ann-{generation}.usearch"
                with atomic_path(folder / self._ann_name) as tmp:
                    self.ann.save(str(tmp))
                self._ann_source = str(folder / self._ann_name)
            names["ann"] = self._ann_name
            if len(self.fresh) or len(self.skip):
                names["ann.fresh"] = f"ann-{generation}-1.npy"
                names["ann.skip"] = f"ann-{generation}-2.npy"
                _save_npy(folder / f"ann-{generation}-1.npy", self.fresh)
                _save_npy(folder / f"ann-{generation}-2.npy", self.skip)
        return names

    @classmethod
    def load(cls, folder: Path, names: dict[str, Any], ann_threshold: int) -> VectorStore:
        """Open the files ``names`` of a saved store (memory-mapped)."""
        try:
            files = [names["vectors"]]
            files += [
                names[f"vectors.{k}"] for k in range(1, 1 + sum(1 for n in names if n.startswith("vectors.")))
            ]
            parts = [np.load(folder / name, mmap_mode="r") for name in files]
            live = np.load(folder / names["live"])
            ann = None
            if names.get("ann"):
                from usearch.index import Index

                ann = Index.restore(str(folder / names["ann"]), view=True)
                if ann is None:
                    raise ValueError(f"{names['ann']} is not a usearch index")
                # usearch types the property read-only; its index takes the assignment.
                ann.expansion_search = _EXPANSION_SEARCH  # type: ignore[misc]
            delta = [np.load(folder / names[k]) for k in ("ann.fresh", "ann.skip") if names.get(k)]
        except (OSError, ValueError, KeyError) as err:
            raise IndexStateError(
                f"{folder}: vector files are missing or corrupt ({err}); "
                "rebuild the index with `paravec index`"
            ) from None
        dims = {p.shape[1:] for p in parts}
        fits = all(p.ndim == 2 and p.dtype == np.float32 for p in parts) and len(dims) == 1
        if fits and len(parts) > 1:
            fits = all(len(p) == len(parts[0]) for p in parts[:-1]) and 0 < len(parts[-1]) <= len(parts[0])
        total = sum(len(p) for p in parts)
        if not fits or live.shape != (total,):
            raise IndexStateError(f"{folder}: vector files do not fit together; rebuild with `paravec index`")
        matrix = Segments(parts, list(files), int(parts[0].shape[1]))
        store = cls(matrix, live, ann, ann_threshold)
        if ann is not None:
            store._ann_source = str(folder / names["ann"])
            store._ann_name = str(names["ann"])
            if delta:
                fresh, skip = (np.asarray(d, dtype=np.int64) for d in delta)
                if fresh.ndim != 1 or skip.ndim != 1 or np.any(fresh >= total) or np.any(skip >= total):
                    raise IndexStateError(
                        f"{folder}: the ANN graph's lists are corrupt; rebuild with `paravec index`"
                    )
                store.fresh, store.skip = fresh, skip
        return store

    # -- searching -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live

    def vector(self, slot: int) -> npt.NDArray[np.float32]:
        """The unit vector of ``slot`` (zero for a removed slot)."""
        return (
            np.asarray(self.matrix[slot]) if self.live[slot] else np.zeros(self.matrix.shape[1], np.float32)
        )

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
            # The graph's stale answers are dropped: ask it for more until enough remain.
            extra = min(len(self.skip), want + 16)
            while True:
                matches = self.ann.search(q, want + extra, threads=1)
                keys = np.asarray(matches.keys, dtype=np.int64)
                keep = ~np.isin(keys, self.skip) if len(self.skip) else np.ones(len(keys), dtype=bool)
                if keep.sum() >= want or extra >= len(self.skip):
                    break
                extra = min(len(self.skip), extra * 4)
            distances = np.asarray(matches.distances)[keep]
            out = [(int(k), 1.0 - float(d)) for k, d in zip(keys[keep], distances, strict=True)]
            if len(self.fresh):
                scores = self.matrix[self.fresh] @ q
                out = sorted(
                    [*out, *zip(self.fresh.tolist(), scores.tolist(), strict=True)], key=lambda x: -x[1]
                )
                out = out[:want]
        else:
            scores = np.empty(len(self.matrix), dtype=np.float32)
            for start, block in self.matrix.blocks(_CHUNK_ROWS):
                np.dot(block, q, out=scores[start : start + len(block)])
            if len(self._dead):
                scores[self._dead] = -np.inf
            top = np.argpartition(-scores, want - 1)[:want] if want < len(scores) else np.arange(len(scores))
            # In slot order first: documents at one distance then come in slot order, as PostgreSQL's do.
            top = np.sort(top)
            top = top[np.argsort(-scores[top], kind="stable")]
            out = [(int(s), float(scores[s])) for s in top if np.isfinite(scores[s])]
        if exclude is not None:
            out = [(s, v) for s, v in out if s != exclude]
        return out[:n]


def _save_npy(path: Path, array: npt.NDArray[Any]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
