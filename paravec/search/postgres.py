"""The PostgreSQL index backend: pgvector for vectors, PostgreSQL full-text search for keywords.

`PostgresBackend` fills `paravec.search.backend.IndexBackend` with the tables of one schema
(`paravec.search.pgsql`): documents, their texts and unit vectors, the manifest, and the
document frequency of each word. Vector candidates come from pgvector's HNSW index (cosine;
Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using Hierarchical
Navigable Small World graphs", 2018) once the index holds ``ann_threshold`` documents, exactly
below that; keyword candidates from a ``tsvector`` column with a GIN index, ranked by
``ts_rank_cd`` (cover density, Clarke, Cormack & Tudhope, "Relevance ranking for one to three term
queries", 2000; not BM25: ``benchmarks/search_quality.py`` compares them), title matches weighted
twice as text matches, words normalised by the index's text-search configuration.

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
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.errors import IndexStateError
from paravec.linalg import unit_rows
from paravec.search.backend import Changes, IndexedText, ProgressCallback, Snippet
from paravec.search.pgsql import (
    DEFAULT_TEXT_CONFIG,
    check_text_config,
    connect,
    create_indexes,
    create_tables,
    database_error,
    parse_dsn,
    shown_dsn,
)
from paravec.search.text import SNIPPET_CHARS, TITLE_BOOST
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD
from paravec.tokenizer import tokenize

__all__ = ["RANK_NORMALIZATION", "PostgresBackend", "PostgresView"]

FORMAT = "paravec-search-index-postgresql"
VERSION = 1

RANK_NORMALIZATION = 1
"""``ts_rank_cd``'s normalisation: 1 divides by 1 + log(document length), a mild length penalty."""

# ts_rank_cd's weights of the labels {D, C, B, A}: text is D, the title A.
_WEIGHTS = "{%s,0,0,1}" % (1.0 / TITLE_BOOST)
_BATCH = 5_000
_MARK = ("\ue000", "\ue001")  # private-use characters around a matched word in ts_headline


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _tsquery(words: Iterable[str]) -> str:
    # tokenize() yields letter/digit runs only: quoting each as a tsquery operand is safe.
    return " | ".join(f"'{w}'" for w in words if "'" not in w and "\\" not in w)


def _clean(text: str) -> str:
    return text.replace("\x00", "\ufffd")  # PostgreSQL text holds no NUL


class _Reader:
    """The read connection of a backend (autocommit, one statement per call), reopened once when lost."""

    def __init__(self, dsn: str, shown: str) -> None:
        self._dsn, self.shown = dsn, shown
        self._lock = threading.Lock()
        self._conn: Any = None
        self._ef = 0

    def _open(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._dsn, shown=self.shown, purpose="read")
            self._ef = 0
            # pgvector >= 0.8: keep scanning the HNSW graph until LIMIT rows pass the generation
            # filter (an older pgvector takes the setting as a placeholder and ignores it).
            self._conn.execute("SET hnsw.iterative_scan = strict_order")
        return self._conn

    def rows(self, query: str, params: Mapping[str, Any] | Sequence[Any] = (), ef: int = 0) -> list[Any]:
        import psycopg

        with self._lock:
            for attempt in (0, 1):
                conn = self._open()
                try:
                    if ef and ef != self._ef:
                        conn.execute("SELECT set_config('hnsw.ef_search', %s, false)", (str(ef),))
                        self._ef = ef
                    return list(conn.execute(query, params).fetchall())
                except psycopg.OperationalError as err:
                    self.close()
                    if attempt:
                        raise database_error(err, self.shown, "reading the index") from None
                except psycopg.Error as err:
                    raise database_error(err, self.shown, "reading the index") from None
            raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None


class PostgresView:
    """Generation ``generation`` of an index in PostgreSQL: every query filters rows to it."""

    def __init__(self, reader: _Reader, schema: str, generation: int, manifest: dict[str, Any]) -> None:
        self._reader = reader
        self._docs = f'"{schema}".documents'
        self._terms = f'"{schema}".terms'
        self.generation = generation
        self.manifest = manifest
        self._n = int(manifest["documents"])
        self._cfg = str(manifest["text_config"])
        self._ann = self._n >= int(manifest.get("ann_threshold", DEFAULT_ANN_THRESHOLD))
        self._live = f"born <= {generation} AND (died IS NULL OR died > {generation})"
        self._all: tuple[list[str], dict[str, int], dict[str, str]] | None = None
        self._tag_of: dict[int, str] = {}

    def _everything(self) -> tuple[list[str], dict[str, int], dict[str, str]]:
        if self._all is None:
            rows = self._reader.rows(
                f"SELECT slot, tag, digest FROM {self._docs} WHERE {self._live} ORDER BY slot"
            )
            self._all = ([r[1] for r in rows], {r[1]: r[0] for r in rows}, {r[1]: r[2] for r in rows})
        return self._all

    def __len__(self) -> int:
        return self._n

    def tags(self) -> list[str]:
        return self._everything()[0]

    def slot(self, tag: str) -> int | None:
        if self._all is not None:
            return self._all[1].get(tag)
        rows = self._reader.rows(f"SELECT slot FROM {self._docs} WHERE {self._live} AND tag = %s", (tag,))
        return int(rows[0][0]) if rows else None

    def tag(self, slot: int) -> str | None:
        if slot not in self._tag_of:
            rows = self._reader.rows(
                f"SELECT tag FROM {self._docs} WHERE {self._live} AND slot = %s", (slot,)
            )
            if not rows:
                return None
            self._tag_of[slot] = rows[0][0]
        return self._tag_of[slot]

    def digests(self) -> Mapping[str, str | None]:
        return dict(self._everything()[2])

    def _found(self, rows: list[Any]) -> list[tuple[int, float]]:
        self._tag_of.update((int(r[0]), r[1]) for r in rows)
        return [(int(r[0]), float(r[2])) for r in rows]

    def keyword_candidates(
        self, words: Sequence[str], expansions: Mapping[str, float], n: int
    ) -> list[tuple[int, float]]:
        params = self._keyword_params(words, expansions, n)
        if not params["all"]:
            return []
        return self._found(self._reader.rows(self._rank_sql(bool(params["extra"])), params))

    def _rank_sql(self, extra: bool) -> str:
        rank = (
            f"ts_rank_cd('{_WEIGHTS}', tsv, to_tsquery(%(cfg)s::regconfig, %(main)s), {RANK_NORMALIZATION})"
        )
        if extra:
            # ts_rank_cd has no per-term weight: expansion words are ranked as one query, scaled by
            # their largest weight.
            rank += (
                f" + %(scale)s * ts_rank_cd('{_WEIGHTS}', tsv, to_tsquery(%(cfg)s::regconfig, %(extra)s), "
                f"{RANK_NORMALIZATION})"
            )
        return (
            f"SELECT slot, tag, score FROM (SELECT slot, tag, {rank} AS score FROM {self._docs} "
            f"WHERE {self._live} AND tsv @@ to_tsquery(%(cfg)s::regconfig, %(all)s)) m "
            "WHERE score > 0 ORDER BY score DESC, slot LIMIT %(n)s"
        )

    def _keyword_params(
        self, words: Sequence[str], expansions: Mapping[str, float], n: int
    ) -> dict[str, Any]:
        main, extra = _tsquery(words), _tsquery(expansions)
        return {
            "cfg": self._cfg,
            "main": main,
            "extra": extra,
            "all": " | ".join(q for q in (main, extra) if q),
            "scale": max(expansions.values(), default=0.0),
            "n": n,
        }

    def _vector_sql(self, exact: bool, exclude: bool) -> str:
        # "+ 0" makes the order an expression the HNSW index cannot serve: an exact scan.
        order = "embedding <=> %(v)s" if self._ann and not exact else "(embedding <=> %(v)s) + 0"
        skip = " AND slot <> %(x)s" if exclude else ""
        return (
            f"SELECT slot, tag, 1 - (embedding <=> %(v)s) AS cos FROM {self._docs} WHERE {self._live}{skip} "
            f"ORDER BY {order} LIMIT %(n)s"
        )

    def fused_candidates(
        self,
        words: Sequence[str],
        expansions: Mapping[str, float],
        query: npt.NDArray[Any],
        n: int,
        keyword_weight: float,
        vector_weight: float,
        fusion: str,
        rrf_k: float,
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]], dict[int, float]]:
        """Both candidate lists and their fusion (`paravec.search.ranking`'s formulas) in one query."""
        params = self._keyword_params(words, expansions, n)
        if not params["all"]:
            params["all"] = params["main"] = "''"  # no keyword candidates: an empty tsquery
        params.update(
            v=np.asarray(query, dtype=np.float32).ravel(), kw=keyword_weight, vw=vector_weight, k=rrf_k
        )
        if fusion == "rrf":
            fused = "coalesce(%(kw)s / (%(k)s + kw.r), 0) + coalesce(%(vw)s / (%(k)s + vec.r), 0)"
        else:
            fused = (
                "(%(kw)s * coalesce(kw.score, 0) / best.b + %(vw)s * coalesce(vec.cos, extra.cos, 0)) "
                "/ (%(kw)s + %(vw)s)"
            )
        rows = self._reader.rows(
            f"WITH kw AS (SELECT *, row_number() OVER (ORDER BY score DESC, slot) AS r "
            f"FROM ({self._rank_sql(bool(params['extra']))}) k), "
            f"vec AS (SELECT *, row_number() OVER (ORDER BY cos DESC, slot) AS r FROM ({self._vector_sql(False, False)}) c), "
            "best AS (SELECT coalesce(nullif(max(score), 0), 1) AS b FROM kw), "
            f"extra AS (SELECT d.slot, 1 - (d.embedding <=> %(v)s) AS cos FROM {self._docs} d "
            "JOIN kw ON kw.slot = d.slot WHERE kw.slot NOT IN (SELECT slot FROM vec)) "
            f"SELECT coalesce(kw.slot, vec.slot), coalesce(kw.tag, vec.tag), kw.score, kw.r, vec.cos, vec.r, {fused} "
            "FROM kw FULL JOIN vec ON kw.slot = vec.slot LEFT JOIN extra ON extra.slot = kw.slot CROSS JOIN best",
            params,
            ef=min(max(40, n), 1000),
        )
        self._tag_of.update((int(r[0]), r[1]) for r in rows)
        keyword = sorted((r for r in rows if r[3] is not None), key=lambda r: int(r[3]))
        vector = sorted((r for r in rows if r[5] is not None), key=lambda r: int(r[5]))
        return (
            [(int(r[0]), float(r[2])) for r in keyword],
            [(int(r[0]), float(r[4])) for r in vector],
            {int(r[0]): float(r[6]) for r in rows},
        )

    def vector_candidates(
        self, query: npt.NDArray[Any], n: int, *, exclude: int | None = None, exact: bool = False
    ) -> list[tuple[int, float]]:
        rows = self._reader.rows(
            self._vector_sql(exact, exclude is not None),
            {"v": np.asarray(query, dtype=np.float32).ravel(), "x": exclude, "n": n},
            ef=min(max(40, n), 1000),
        )
        return self._found(rows)

    def unit_vectors(self, slots: Sequence[int]) -> npt.NDArray[np.float32]:
        wanted = [int(s) for s in slots]
        rows = self._reader.rows(
            f"SELECT slot, embedding FROM {self._docs} WHERE slot = ANY(%s)", (sorted(set(wanted)),)
        )
        # pgvector >= 0.4 loads a vector as its Vector type; older ones as a numpy array.
        found = {int(r[0]): getattr(r[1], "to_numpy", lambda v=r[1]: v)() for r in rows}
        dims = int(self.manifest["dimensions"])
        out = np.zeros((len(wanted), dims), dtype=np.float32)
        for i, slot in enumerate(wanted):
            if slot in found:
                out[i] = found[slot]
        return out

    def document_frequencies(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        wanted = sorted(set(words))
        rows = self._reader.rows(f"SELECT word, df FROM {self._terms} WHERE word = ANY(%s)", (wanted,))
        found = {r[0]: int(r[1]) for r in rows}
        return {w: found.get(w, 0) for w in wanted}, self._n

    def texts(self, tags: Sequence[str]) -> dict[str, str]:
        rows = self._reader.rows(
            f"SELECT tag, body FROM {self._docs} WHERE {self._live} AND tag = ANY(%s)", (list(tags),)
        )
        return {r[0]: r[1] for r in rows}

    def snippets(
        self, tags: Sequence[str], words: Sequence[str], expansions: Mapping[str, float]
    ) -> list[Snippet]:
        query = " | ".join(q for q in (_tsquery(words), _tsquery(expansions)) if q)
        options = f"StartSel={_MARK[0]}, StopSel={_MARK[1]}, MaxWords=40, MinWords=20"
        rows = self._reader.rows(
            f"SELECT tag, title, ts_headline(%(cfg)s::regconfig, body, to_tsquery(%(cfg)s::regconfig, %(q)s), "
            f"%(o)s) FROM {self._docs} WHERE {self._live} AND tag = ANY(%(t)s)",
            {"cfg": self._cfg, "q": query, "o": options, "t": list(tags)},
        )
        found = {r[0]: (r[1], r[2]) for r in rows}
        return [_snippet(*found[tag]) if tag in found else ("", "", []) for tag in tags]

    def document(self, tag: str) -> dict[str, str] | None:
        rows = self._reader.rows(
            f"SELECT title, body FROM {self._docs} WHERE {self._live} AND tag = %s", (tag,)
        )
        return {"tag": tag, "title": rows[0][0], "text": rows[0][1]} if rows else None


def _snippet(title: str, marked: str) -> Snippet:
    """Title, the headline without its marks (at most SNIPPET_CHARS), and the marked words' spans."""
    text, spans, start = [], [], 0
    length = 0
    for i, piece in enumerate(marked.replace(_MARK[1], _MARK[0]).split(_MARK[0])):
        if i % 2 == 1:
            start = length
            spans.append((start, start + len(piece)))
        text.append(piece)
        length += len(piece)
    snippet = " ".join("".join(text).split(" "))
    if len(snippet) > SNIPPET_CHARS:
        cut = snippet.rfind(" ", 0, SNIPPET_CHARS)
        snippet = snippet[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS]
    return title, snippet, [(a, b) for a, b in spans if b <= len(snippet)]


class PostgresBackend:
    """An index in a PostgreSQL schema: see the module docstring. `create` or `open` one."""

    def __init__(self, dsn: str, schema: str, shown: str) -> None:
        self._dsn, self._schema, self._shown = dsn, schema, shown
        self._reader = _Reader(dsn, shown)
        self._view: PostgresView | None = None
        self.view()

    @property
    def location(self) -> str:
        return self._shown

    @property
    def fingerprint(self) -> dict[str, Any]:
        fingerprint: dict[str, Any] = self.view().manifest["fingerprint"]
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
        ann_threshold: int = DEFAULT_ANN_THRESHOLD,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        total: int = 0,
        text_config: str = DEFAULT_TEXT_CONFIG,
    ) -> PostgresBackend:
        """Build the index in one transaction, in a staging schema renamed into place at the end.

        A failed or interrupted build rolls back and leaves nothing; readers of an index being
        replaced (``overwrite``) keep reading it until the commit.
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
                conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
                create_indexes(conn, staging)
                conn.execute(f'ANALYZE "{staging}".documents')
                now = _now()
                data = {
                    "format": FORMAT,
                    "version": VERSION,
                    "created": now,
                    "updated": now,
                    "model": {"path": str(model_path)},
                    "fingerprint": fingerprint,
                    "ann_threshold": ann_threshold,
                    "text_config": text_config,
                    "dimensions": int(source_vectors.shape[1]),
                    "documents": count,
                }
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

    def apply(self, changes: Changes, *, progress: ProgressCallback | None = None) -> None:
        """Apply ``changes`` in one transaction (see the module docstring); nothing on failure."""
        import psycopg

        view = self.view()
        conn = connect(self._dsn, shown=self._shown, autocommit=False, purpose="sync")
        try:
            with conn.transaction():
                _apply(conn, self._schema, view, changes, progress)
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
    conn: Any, schema: str, view: PostgresView, changes: Changes, progress: ProgressCallback | None
) -> None:
    docs = f'"{schema}".documents'
    row = conn.execute(f'SELECT generation, data FROM "{schema}".manifest FOR UPDATE').fetchone()
    if int(row[0]) != view.generation:
        raise IndexStateError(
            f"the index was synced by another process meanwhile (generation {row[0]}, this one read "
            f"{view.generation}); run the sync again"
        )
    new = view.generation + 1
    # Rows no reader can need any more: dead before the generation that is being replaced.
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
    conn.execute(f"UPDATE {docs} SET died = %s WHERE died IS NULL AND tag = ANY(%s)", (new, touched))
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
    conn.execute(
        f"INSERT INTO {docs} (tag, title, body, digest, born, embedding) "
        "SELECT i.tag, coalesce(i.title, d.title), coalesce(i.body, d.body), coalesce(i.digest, d.digest), "
        f"%s, coalesce(i.embedding, d.embedding) FROM incoming i LEFT JOIN {docs} d "
        "ON d.tag = i.tag AND d.died = %s",
        (new, new),
    )
    _add_terms(conn, schema, delta)
    if progress is not None:
        progress("text", len(touched), len(touched))
        progress("vectors", 0, 1)
    count = conn.execute(f"SELECT count(*) FROM {docs} WHERE died IS NULL").fetchone()[0]
    data = dict(row[1])
    if changes.model_path is not None:
        data["model"] = {"path": str(changes.model_path)}
    data.update(updated=_now(), fingerprint=changes.fingerprint or data["fingerprint"], documents=int(count))
    conn.execute(
        f'UPDATE "{schema}".manifest SET generation = %s, data = %s',
        (new, json.dumps(data, default=str)),
    )
    if progress is not None:
        progress("vectors", 1, 1)
