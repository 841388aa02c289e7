"""Connecting to PostgreSQL for a search index: DSNs, schemas, clear errors, the tables' DDL.

An index in PostgreSQL is addressed by a DSN, ``postgresql://user@host:port/db``, with an
optional ``schema`` query parameter naming the schema that holds it (default ``paravec``), so one
database holds many indexes. `parse_dsn` splits that off (libpq would refuse the parameter)
and `shown_dsn` drops the password for messages. `connect` turns libpq's failures (no server,
a wrong password, no pgvector) into one-line `paravec.errors.IndexStateError` messages that say
what to do. `create_tables` is the layout `paravec.search.postgres` reads: a singleton
``manifest`` row, ``documents`` (one row per document version: ``born``/``died`` generations,
a generated ``tsvector`` with a GIN index, a pgvector ``embedding`` with an HNSW cosine index)
and ``terms`` (document frequency of each word, for TF-IDF).

Examples
--------
>>> from paravec.search.pgsql import is_dsn, parse_dsn, shown_dsn
>>> is_dsn("postgresql://me:secret@db.example:5432/search?schema=news"), is_dsn("news.index")
(True, False)
>>> parse_dsn("postgresql://me:secret@db.example:5432/search?schema=news&sslmode=require")
('postgresql://me:secret@db.example:5432/search?sslmode=require', 'news')
>>> shown_dsn("postgresql://me:secret@db.example:5432/search?schema=news")
'postgresql://me@db.example:5432/search?schema=news'
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from paravec.errors import IndexStateError, ParameterError

__all__ = [
    "DEAD_ROWS_INDEX",
    "DEFAULT_SCHEMA",
    "DEFAULT_TEXT_CONFIG",
    "MAX_DIMENSIONS",
    "connect",
    "create_tables",
    "database_error",
    "is_dsn",
    "parse_dsn",
    "shown_dsn",
    "text_config_for",
    "with_schema",
]

DEFAULT_SCHEMA = "paravec"
"""Schema of an index whose DSN names none."""

DEFAULT_TEXT_CONFIG = "english"
"""Text-search configuration of a new index whose model records no language (paravec's default
analysis is English): stop words dropped, Snowball stems, as the embedded backend's keyword side.
``benchmarks/search_quality.py`` chose it over ``simple`` (newsgroup keyword P@10 0.812 vs 0.674)."""

MAX_DIMENSIONS = 2000
"""Longest vector pgvector's HNSW index takes."""

_MAX_BUILD_MEMORY = 8 << 30  # the most maintenance_work_mem a build asks for

_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,50}")
_SCHEMES = ("postgresql://", "postgres://")
_APPLICATION = "paravec"


def is_dsn(target: object) -> bool:
    """True when ``target`` is a PostgreSQL URI rather than a folder."""
    return isinstance(target, str) and target.startswith(_SCHEMES)


def parse_dsn(dsn: str) -> tuple[str, str]:
    """Split ``dsn`` into the DSN libpq gets and the index's schema (`DEFAULT_SCHEMA` if none)."""
    parts = urlsplit(dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    schema = schemas[-1] if schemas else DEFAULT_SCHEMA
    if not _SCHEMA.fullmatch(schema):
        raise ParameterError(
            f"schema {schema!r} in the DSN is not a plain lowercase name; use letters, digits and _ "
            "(e.g. ?schema=news)"
        )
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def with_schema(dsn: str, schema: str) -> str:
    """``dsn`` addressing the index in ``schema`` (the inverse of `parse_dsn`).

    >>> with_schema("postgresql://me@db/corpus?schema=old&sslmode=require", "news")
    'postgresql://me@db/corpus?sslmode=require&schema=news'
    """
    parts = urlsplit(dsn)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "schema"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("schema", schema)])))


def shown_dsn(dsn: str) -> str:
    """``dsn`` without its password, for messages and logs."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))


def database_error(err: Exception, where: str, doing: str) -> IndexStateError:
    """A one-line `IndexStateError` for a driver error ``err`` while ``doing`` on ``where``."""
    first = " ".join(str(err).split())[:300] or type(err).__name__
    return IndexStateError(f"PostgreSQL at {where}: {doing} failed ({first})")


def connect(dsn: str, *, shown: str, autocommit: bool = True, purpose: str = "") -> Any:
    """Open a connection to ``dsn`` with pgvector's types registered.

    Raises
    ------
    IndexStateError
        No server, a refused login or a database without the ``vector`` extension, in one line
        that says what to do.
    """
    import psycopg
    from pgvector.psycopg import register_vector

    try:
        conn = psycopg.connect(
            dsn,
            autocommit=autocommit,
            connect_timeout=10,
            application_name=f"{_APPLICATION}{'-' + purpose if purpose else ''}",
        )
    except psycopg.Error as err:
        text = " ".join(str(err).split())
        if "password authentication failed" in text or "no password supplied" in text:
            hint = "the user or password is wrong; check them in the DSN (or in PGPASSWORD / ~/.pgpass)"
        elif "does not exist" in text:
            hint = "the database or role does not exist; create it or fix the DSN"
        else:
            hint = "is the server running and reachable at that host and port?"
        raise IndexStateError(f"cannot connect to PostgreSQL at {shown}: {hint} ({text[:200]})") from None
    try:
        ensure_vector(conn, shown)
        register_vector(conn)
        if not autocommit:
            conn.commit()  # end the lookups' implicit transaction: the caller's starts clean
    except BaseException:
        conn.close()
        raise
    return conn


def ensure_vector(conn: Any, shown: str) -> None:
    """Create pgvector's extension if it is missing; a clear error when that is not allowed."""
    import psycopg

    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
    if row is not None:
        return
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as err:
        text = " ".join(str(err).split())
        raise IndexStateError(
            f"the database at {shown} has no pgvector extension and this user cannot add it ({text[:160]}); "
            "a superuser must run `CREATE EXTENSION vector;` in that database (install pgvector on "
            "the server first: apt install postgresql-NN-pgvector, or see github.com/pgvector/pgvector)"
        ) from None


def check_text_config(conn: Any, config: str) -> str:
    """``config`` when the server has that text-search configuration; `ParameterError` if not."""
    names = [row[0] for row in conn.execute("SELECT cfgname FROM pg_ts_config ORDER BY cfgname")]
    if config not in names:
        raise ParameterError(
            f"text_config={config!r} is not a text-search configuration of this server; "
            f"it has {', '.join(names)}"
        )
    return config


def text_config_for(model: Any) -> str:
    """The text-search configuration for ``model``'s recorded analysis language (`paravec.analysis`).

    PostgreSQL names its configurations after the Snowball stemmers, as `paravec.analysis.LANGUAGES`
    does, so English gives ``english``, bokmål and nynorsk ``norwegian``; a model that records no
    pipeline gets `DEFAULT_TEXT_CONFIG`.

    >>> from gensim.models.doc2vec import Doc2Vec
    >>> text_config_for(Doc2Vec(vector_size=4))
    'english'
    """
    from paravec.analysis import LANGUAGES, of_model

    return LANGUAGES.get(of_model(model).language, DEFAULT_TEXT_CONFIG)


def create_tables(conn: Any, schema: str, dimensions: int, text_config: str) -> None:
    """Create the index's tables in ``schema`` (which must not exist), without the search indexes."""
    from psycopg import sql

    if not 1 <= dimensions <= MAX_DIMENSIONS:
        raise ParameterError(
            f"the model's vectors have {dimensions} dimensions; pgvector's HNSW index takes 1 to "
            f"{MAX_DIMENSIONS}: use the embedded index for this model"
        )
    names = {"s": sql.Identifier(schema), "cfg": sql.Literal(text_config), "d": sql.Literal(dimensions)}
    for statement in (
        "CREATE SCHEMA {s}",
        "CREATE TABLE {s}.manifest (id int PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL, "
        "data jsonb NOT NULL)",
        # One row per version of a document: a sync marks the old row died = G and inserts the
        # new one born = G, so a reader at generation N sees born <= N < died in every query.
        "CREATE TABLE {s}.documents (slot bigserial PRIMARY KEY, tag text NOT NULL, title text NOT NULL, "
        "body text NOT NULL, digest text NOT NULL, born bigint NOT NULL, died bigint, "
        "embedding vector({d}) NOT NULL, "
        "tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector({cfg}::regconfig, title), 'A') "
        "|| setweight(to_tsvector({cfg}::regconfig, body), 'D')) STORED)",
        "CREATE TABLE {s}.terms (word text PRIMARY KEY, df bigint NOT NULL)",
    ):
        conn.execute(sql.SQL(statement).format(**names))


DEAD_ROWS_INDEX = "CREATE INDEX IF NOT EXISTS documents_dead ON {}.documents (died) WHERE died IS NOT NULL"
"""The rows a sync marked dead (few at any time): the next sync deletes them through this index."""


def create_indexes(conn: Any, schema: str, documents: int, dimensions: int) -> None:
    """The search indexes, made after the bulk load (faster than maintaining them row by row).

    pgvector builds its HNSW graph fast only while it fits in ``maintenance_work_mem`` (it warns
    and slows down several times once it does not), so the build transaction raises that setting
    to the graph's size (vector + ~2 x 16 neighbours per document, with room), never lowering it.
    """
    from psycopg import sql

    s = sql.Identifier(schema)
    wanted = (256 << 20) + documents * (4 * dimensions + 400) * 3 // 2
    have = int(conn.execute("SELECT pg_size_bytes(current_setting('maintenance_work_mem'))").fetchone()[0])
    if wanted > have:
        conn.execute(
            "SELECT set_config('maintenance_work_mem', %s, true)",
            (f"{min(wanted, _MAX_BUILD_MEMORY) >> 20}MB",),
        )
    conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {}.documents (tag) WHERE died IS NULL").format(s))
    # Every version of a tag: a reader at an older generation looks tags up too (texts, snippets).
    conn.execute(sql.SQL("CREATE INDEX ON {}.documents (tag)").format(s))
    conn.execute(sql.SQL(DEAD_ROWS_INDEX).format(s))
    conn.execute(sql.SQL("CREATE INDEX ON {}.documents USING gin (tsv)").format(s))
    conn.execute(sql.SQL("CREATE INDEX ON {}.documents USING hnsw (embedding vector_cosine_ops)").format(s))
