"""The PostgreSQL index backend: pgvector for vectors, PostgreSQL full-text search for keywords.

`PostgresBackend` fills `paravec.search.backend.IndexBackend` with the tables of one schema
(`paravec.search.pgsql`): documents, their texts and unit vectors, the manifest, and the
document frequency of each word. Vector candidates come from pgvector's HNSW index (cosine;
Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using Hierarchical
Navigable Small World graphs", 2018) once the index holds ``ann_threshold`` documents, exactly
below that; keyword candidates from a ``tsvector`` column with a GIN index, ranked by
``ts_rank_cd`` (cover density, Clarke, Cormack & Tudhope, "Relevance ranking for one to three term
queries", 2000; not BM25: ``benchmarks/search_quality.py`` compares them), title matches weighted
twice as text matches, words normalised by the index's text-search configuration (a query of
more than 8 words, such as document mode's, ranks only the documents holding its rarest words:
`paravec.search.pgview.KEYWORD_SCAN`). Reading is
`paravec.search.pgview`; creating, opening and syncing is here.

Versions: each row carries the generation it was born in and the one it died in. A sync is one
transaction that marks replaced and removed rows dead at generation G, inserts their new rows born
at G, and bumps the manifest to G; a view reads ``born <= N AND (died IS NULL OR died > N)`` for
its N in every query, so a reader sees generation N or G, never half of a sync, and any number
of processes (``paravec serve`` replicas) read one index. Rows dead before the previous
generation are deleted by the next sync.

Examples
--------
A server is needed, so this only shows the address handling (see ``tests/search/test_postgres.py``):

>>> from paravec.search.postgres import PostgresBackend
>>> PostgresBackend.open("postgresql://u:pw@127.0.0.1:1/db?schema=x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
paravec.errors.IndexStateError: cannot connect to PostgreSQL at postgresql://u@127.0.0.1:1/db?schema=x: ...
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.errors import IndexStateError
from paravec.linalg import unit_rows
from paravec.search.backend import Changes, IndexedText, ProgressCallback
from paravec.search.pgsql import (
    DEAD_ROWS_INDEX,
    DEFAULT_TEXT_CONFIG,
    check_text_config,
    connect,
    create_indexes,
    create_tables,
    database_error,
    parse_dsn,
    shown_dsn,
)
from paravec.search.pgview import PostgresView, Reader
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD
from paravec.tokenizer import tokenize

__all__ = ["ANN_THRESHOLD", "PostgresBackend"]

FORMAT = "paravec-search-index-postgresql"
VERSION = 1

_BATCH = 5_000

ANN_THRESHOLD = 10_000
"""Documents from which vector search takes the HNSW index by default. An exact scan reads every
row (text and tsvector beside the vector): ~0.85 ms of server CPU per 1,000 documents, against
~1.3 ms for an HNSW lookup of 100 at recall@10 0.998 (``benchmarks/search_latency.py``, 10,000)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _tsquery(words: Iterable[str]) -> str:
    # tokenize() yields letter/digit runs only: quoting each as a tsquery operand is safe.
    return " | ".join(f"'{w}'" for w in words if "'" not in w and "\\" not in w)


def _clean(text: str) -> str:
    return text.replace("\x00", "\ufffd")  # PostgreSQL text holds no NUL


class PostgresBackend:
    """An index in a PostgreSQL schema: see the module docstring. `create` or `open` one."""

    def __init__(self, dsn: str, schema: str, shown: str) -> None:
        self._dsn, self._schema, self._shown = dsn, schema, shown
        self._reader = Reader(dsn, shown)
        self._view: PostgresView | None = None
        self.view()

    @property
    def location(self) -> str:
        return self._shown

    @property
    def fingerprint(self) -> dict[str, Any]:
        """The model fingerprint of the view taken last (`view` takes the current one): no query."""
        fingerprint: dict[str, Any] = (self._view or self.view()).manifest["fingerprint"]
        return fingerprint

    @property
    def dimensions(self) -> int:
        return int(self.view().manifest["dimensions"])

    @property
    def uses_ann(self) -> bool:
        view = self.view()
        return len(view) >= int(view.manifest.get("ann_threshold", DEFAULT_ANN_THRESHOLD))

    def recorded_model_path(self) -> Path:
        path = Path(str((self.view().manifest.get("model") or {}).get("path")))
        if not path.is_file():
            raise IndexStateError(
                f"{self._shown}: the model file {str(path)!r} recorded in the index is not on this machine; "
                "pass the model explicitly (SearchIndex.open(..., model=PATH), --model)"
            )
        return path

    def view(self) -> PostgresView:
        """The current generation: one cheap query, so a sync by another process shows at once."""
        manifest = f'"{self._schema}".manifest'
        try:
            rows = self._reader.rows(f"SELECT generation FROM {manifest}")
        except IndexStateError as err:
            if self._view is None and "does not exist" in str(err):
                raise IndexStateError(
                    f"{self._shown}: no paravec index in schema {self._schema!r}; build one with "
                    f"`paravec index MODEL CORPUS --out '{self._shown}'`"
                ) from None
            raise
        if not rows:
            raise IndexStateError(f"{self._shown}: the index manifest is empty; rebuild with `paravec index`")
        generation = int(rows[0][0])
        if self._view is None or self._view.generation != generation:
            data = self._reader.rows(f"SELECT data FROM {manifest} WHERE generation = %s", (generation,))
            if not data:  # a sync committed between the two reads: take the newest
                return self.view()
            found = data[0][0]
            if found.get("format") != FORMAT or found.get("version") != VERSION:
                raise IndexStateError(
                    f"{self._shown}: not a paravec index of format {FORMAT} version {VERSION}; "
                    "rebuild it with `paravec index --force`"
                )
            self._view = PostgresView(self._reader, self._schema, generation, found)
        return self._view

    def close(self) -> None:
        """Close the read connection (it is reopened on the next query)."""
        self._reader.close()

    @classmethod
    def open(cls, dsn: str) -> PostgresBackend:
        """Open the index at ``dsn`` (``?schema=NAME``); `IndexStateError` if it is not there."""
        plain, schema = parse_dsn(dsn)
        return cls(plain, schema, shown_dsn(dsn))

    @classmethod
    def create(
        cls,
        dsn: str,
        documents: Iterable[tuple[IndexedText, int]],
        source_vectors: npt.NDArray[Any],
        *,
        fingerprint: dict[str, Any],
        model_path: Path,
        ann_threshold: int | None = None,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        total: int = 0,
        text_config: str = DEFAULT_TEXT_CONFIG,
        source: Mapping[str, Any] | None = None,
    ) -> PostgresBackend:
        """Build the index in one transaction, in a staging schema renamed into place at the end.

        A failed or interrupted build rolls back and leaves nothing; readers of an index being
        replaced (``overwrite``) keep reading it until the commit. ``source`` is recorded in the
        manifest as what the index holds (a store's version: `paravec.store.publishing`).
        """
        import psycopg

        plain, schema = parse_dsn(dsn)
        shown = shown_dsn(dsn)
        conn = connect(plain, shown=shown, autocommit=False, purpose="build")
        staging = f"{schema}__building"
        try:
            _check_target(conn, schema, shown, overwrite)
            check_text_config(conn, text_config)
            conn.commit()
            with conn.transaction():
                conn.execute(f'DROP SCHEMA IF EXISTS "{staging}" CASCADE')
                create_tables(conn, staging, int(source_vectors.shape[1]), text_config)
                count = _load(conn, staging, documents, source_vectors, progress, total)
                if progress is not None:
                    progress("vectors", 0, 1)
                create_indexes(conn, staging, count, int(source_vectors.shape[1]))
                conn.execute(f'ANALYZE "{staging}".documents')
                now = _now()
                data = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created": now,
                    "updated": now,
                    "model": {"path": str(model_path)},
                    "fingerprint": fingerprint,
                    "ann_threshold": ANN_THRESHOLD if ann_threshold is None else ann_threshold,
                    "text_config": text_config,
                    "dimensions": int(source_vectors.shape[1]),
                    "documents": count,
                }
                if source is not None:
                    data["source"] = dict(source)
                conn.execute(
                    f'INSERT INTO "{staging}".manifest VALUES (1, 0, %s)', (json.dumps(data, default=str),)
                )
                _check_target(conn, schema, shown, overwrite)
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.execute(f'ALTER SCHEMA "{staging}" RENAME TO "{schema}"')
            if progress is not None:
                progress("vectors", 1, 1)
        except psycopg.Error as err:
            raise database_error(err, shown, "building the index") from None
        finally:
            conn.close()
        return cls(plain, schema, shown)

    def apply(
        self,
        changes: Changes,
        *,
        progress: ProgressCallback | None = None,
        source: Mapping[str, Any] | None = None,
    ) -> None:
        """Apply ``changes`` in one transaction (see the module docstring); nothing on failure.

        ``source`` is recorded in the manifest in the same transaction (what the new generation
        holds, e.g. a store's version); a sync without one drops the record.
        """
        import psycopg

        view = self.view()
        conn = connect(self._dsn, shown=self._shown, autocommit=False, purpose="sync")
        try:
            with conn.transaction():
                _apply(conn, self._schema, view, changes, progress, source)
        except psycopg.OperationalError as err:
            raise IndexStateError(
                f"PostgreSQL at {self._shown}: the connection was lost during the sync "
                f"({' '.join(str(err).split())[:160]}); it was rolled back and the index is as it was: "
                "run the sync again"
            ) from None
        except psycopg.Error as err:
            raise database_error(err, self._shown, "the sync (rolled back, nothing changed)") from None
        finally:
            conn.close()
        self.view()


def _check_target(conn: Any, schema: str, shown: str, overwrite: bool) -> None:
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        )
    }
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if exists is None or not tables:
        return
    if "manifest" not in tables or "documents" not in tables:
        raise IndexStateError(
            f"schema {schema!r} at {shown} holds other tables; give the index its own (?schema=NAME)"
        )
    if not overwrite:
        raise IndexStateError(
            f"{shown} already holds a search index in schema {schema!r}; update it with "
            "`paravec index --sync`, or rebuild it with --force (overwrite=True)"
        )


def _load(
    conn: Any,
    schema: str,
    documents: Iterable[tuple[IndexedText, int]],
    source_vectors: npt.NDArray[Any],
    progress: ProgressCallback | None,
    total: int,
) -> int:
    """COPY the documents in (binary), counting each word's documents for TF-IDF; their number."""
    df: Counter[str] = Counter()
    count = 0
    with conn.cursor().copy(
        f'COPY "{schema}".documents (tag, title, body, digest, born, embedding) FROM STDIN WITH (FORMAT BINARY)'
    ) as copy:
        copy.set_types(["text", "text", "text", "text", "int8", "vector"])
        batch: list[tuple[IndexedText, int]] = []
        for pair in documents:
            batch.append(pair)
            if len(batch) >= _BATCH:
                count += _copy_batch(copy, batch, source_vectors, df)
                batch.clear()
                if progress is not None:
                    progress("text", count, total)
        count += _copy_batch(copy, batch, source_vectors, df)
    if progress is not None:
        progress("text", count, total)
    _add_terms(conn, schema, df)
    return count


def _copy_batch(
    copy: Any, batch: list[tuple[IndexedText, int]], source_vectors: npt.NDArray[Any], df: Counter[str]
) -> int:
    if not batch:
        return 0
    vectors = unit_rows(source_vectors[np.asarray([row for _doc, row in batch], dtype=np.int64)])
    for (doc, _row), vector in zip(batch, vectors, strict=True):
        body = _clean(doc.text)
        copy.write_row((doc.tag, _clean(doc.title), body, doc.digest, 0, vector))
        df.update(set(tokenize(body)))
    return len(batch)


def _add_terms(conn: Any, schema: str, delta: Mapping[str, int]) -> None:
    changed = [(w, c) for w, c in delta.items() if c]
    if not changed:
        return
    conn.execute(
        f'INSERT INTO "{schema}".terms AS t (word, df) SELECT * FROM unnest(%s::text[], %s::bigint[]) '
        "ON CONFLICT (word) DO UPDATE SET df = t.df + excluded.df",
        ([w for w, _c in changed], [c for _w, c in changed]),
    )
    conn.execute(f'DELETE FROM "{schema}".terms WHERE df <= 0')


def _apply(
    conn: Any,
    schema: str,
    view: PostgresView,
    changes: Changes,
    progress: ProgressCallback | None,
    source: Mapping[str, Any] | None = None,
) -> None:
    docs = f'"{schema}".documents'
    row = conn.execute(f'SELECT generation, data FROM "{schema}".manifest FOR UPDATE').fetchone()
    if int(row[0]) != view.generation:
        raise IndexStateError(
            f"the index was synced by another process meanwhile (generation {row[0]}, this one read "
            f"{view.generation}); run the sync again"
        )
    from psycopg import sql

    new = view.generation + 1
    # Rows no reader can need any more: dead before the generation that is being replaced. Found
    # through the small index of dead rows (an index built before it existed gets it here, once):
    # without it this read the whole table, minutes at 1M documents.
    conn.execute(sql.SQL(DEAD_ROWS_INDEX).format(sql.Identifier(schema)))
    conn.execute(f"DELETE FROM {docs} WHERE died IS NOT NULL AND died <= %s", (view.generation,))
    texts = {doc.tag: doc for doc in changes.texts}
    touched = list(dict.fromkeys([*texts, *changes.vectors, *changes.removed]))
    if progress is not None:
        progress("text", 0, len(touched))
    delta: Counter[str] = Counter()
    retexted = [*texts, *changes.removed]
    for _tag, body in conn.execute(
        f"SELECT tag, body FROM {docs} WHERE died IS NULL AND tag = ANY(%s)", (retexted,)
    ):
        delta.subtract(set(tokenize(body)))
    died = conn.execute(
        f"UPDATE {docs} SET died = %s WHERE died IS NULL AND tag = ANY(%s)", (new, touched)
    ).rowcount
    conn.execute(
        "CREATE TEMP TABLE incoming (tag text, title text, body text, digest text, embedding vector) "
        "ON COMMIT DROP"
    )
    kept = [tag for tag in touched if tag not in set(changes.removed)]
    with conn.cursor().copy(
        "COPY incoming (tag, title, body, digest, embedding) FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["text", "text", "text", "text", "vector"])
        for tag in kept:
            doc = texts.get(tag)
            vector = changes.vectors.get(tag)
            unit = None if vector is None else unit_rows(vector)[0]
            if doc is None:
                copy.write_row((tag, None, None, None, unit))
            else:
                body = _clean(doc.text)
                delta.update(set(tokenize(body)))
                copy.write_row((tag, _clean(doc.title), body, doc.digest, unit))
    if progress is not None:
        progress("text", len(touched) // 2, len(touched))
    born = conn.execute(
        f"INSERT INTO {docs} (tag, title, body, digest, born, embedding) "
        "SELECT i.tag, coalesce(i.title, d.title), coalesce(i.body, d.body), coalesce(i.digest, d.digest), "
        f"%s, coalesce(i.embedding, d.embedding) FROM incoming i LEFT JOIN {docs} d "
        "ON d.tag = i.tag AND d.died = %s",
        (new, new),
    ).rowcount
    _add_terms(conn, schema, delta)
    if progress is not None:
        progress("text", len(touched), len(touched))
        progress("vectors", 0, 1)
    data = dict(row[1])
    # The live count follows from what this sync marked dead and inserted; counting the live rows
    # read the whole table.
    count = int(data["documents"]) - died + born
    if changes.model_path is not None:
        data["model"] = {"path": str(changes.model_path)}
    data.update(updated=_now(), fingerprint=changes.fingerprint or data["fingerprint"], documents=int(count))
    data.pop("source", None)
    if source is not None:
        data["source"] = dict(source)
    conn.execute(
        f'UPDATE "{schema}".manifest SET generation = %s, data = %s',
        (new, json.dumps(data, default=str)),
    )
    if progress is not None:
        progress("vectors", 1, 1)
