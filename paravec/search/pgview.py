"""The read side of an index in PostgreSQL: one generation of its documents, queried in SQL.

`PostgresView` fills `paravec.search.backend.IndexView` for `paravec.search.postgres`: every
query keeps to the rows alive at the view's generation (``born <= N AND (died IS NULL OR died >
N)``), so all the queries of one search read one version of the index whatever syncs commit
meanwhile. Keyword candidates are ranked by ``ts_rank_cd`` (cover density: Clarke, Cormack &
Tudhope, "Relevance ranking for one to three term queries", 2000) over the GIN-indexed
``tsvector`` (for a long query only the documents holding its rarest words: `KEYWORD_SCAN`);
vector candidates by pgvector's cosine distance, through its HNSW index (Malkov &
Yashunin, 2018) from ``ann_threshold`` documents on, by an exact scan below; hybrid candidates and
their fusion (`paravec.search.ranking`'s formulas) come from one SQL query (`fused_candidates`).
Snippets are ``ts_headline``'s; the keyword and hybrid ranking queries compute those of their
first 10 results too, so a search is one round trip after the generation check. Query words are
the model's tokens (`paravec.tokenizer`), quoted one by one into a ``tsquery``, never parsed as
query syntax.

Examples
--------
>>> from paravec.search.pgview import tsquery
>>> tsquery(["shuttle", "launch"])
"'shuttle' | 'launch'"
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.search.backend import Snippet
from paravec.search.pgsql import connect, database_error
from paravec.search.snippets import SNIPPET_CHARS, passages
from paravec.search.text import TITLE_BOOST
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD

__all__ = ["EF_SEARCH", "KEYWORD_SCAN", "RANK_NORMALIZATION", "PostgresView", "Reader", "tsquery"]

EF_SEARCH = 100
"""The least ``hnsw.ef_search`` of an HNSW lookup (pgvector's default is 40); a lookup of more
candidates searches as many. ``benchmarks/search_latency.py`` measures recall@10 at 40, 100, 200."""

KEYWORD_SCAN: int | None = 2_000
"""About how many documents a long query's keyword ranking reads (None: every match).

``ts_rank_cd`` has no top-k index: it ranks every document that matches the query, and a whole
document as the query (document mode, 64 key terms) matches most of the index (5.7 s of server
CPU a query at 100,000 documents). A query of more than 8 words therefore takes its candidates
from the documents that hold its rarest words, as many as add up to about this many documents
(their document frequencies, from the ``terms`` table); those are pre-ranked by ``ts_rank`` on
those words, and the best ``max(3 n, 300)`` ranked by ``ts_rank_cd`` on every word, as before.
``benchmarks/search_quality.py`` and ``benchmarks/search_latency.py`` measure both ways."""

_EXACT_WORDS = 8  # a query of at most this many words ranks every match

RANK_NORMALIZATION = 1
"""``ts_rank_cd``'s normalisation: 1 divides by 1 + log(document length), a mild length penalty."""

# ts_rank_cd's weights of the labels {D, C, B, A}: text is D, the title A.
_WEIGHTS = "{%s,0,0,1}" % (1.0 / TITLE_BOOST)
_MARK = ("\ue000", "\ue001")  # private-use characters around a matched word in ts_headline
_HEADLINE_OPTIONS = f"StartSel={_MARK[0]}, StopSel={_MARK[1]}, MaxWords=40, MinWords=20"
# The ranking queries compute the snippets of their first 10 results (the default k) too: a search
# is then one round trip after the generation check, which on a busy server is most of its time.
_HEADLINED = 10
_HEADLINE_CACHE = 4_096


def _ef(n: int) -> int:
    return min(max(EF_SEARCH, n), 1000)  # pgvector takes 1 to 1000


def tsquery(words: Iterable[str]) -> str:
    """The words as one ``tsquery`` of alternatives, each word a quoted operand."""
    # tokenize() yields letter/digit runs only: quoting each as a tsquery operand is safe.
    return " | ".join(f"'{w}'" for w in words if "'" not in w and "\\" not in w)


class Reader:
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

    def __init__(self, reader: Reader, schema: str, generation: int, manifest: dict[str, Any]) -> None:
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
        self._headlines: dict[tuple[str, str], tuple[str, str]] = {}

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
        ranked = self._rank_sql(bool(params["extra"]), params["rare"] is not None)
        if n > _HEADLINED:
            return self._found(self._reader.rows(ranked, params))
        rows = self._reader.rows(
            f"SELECT m.slot, m.tag, m.score, d.title, {self._headline('d.body')} FROM ({ranked}) m "
            f"JOIN {self._docs} d ON d.slot = m.slot ORDER BY m.score DESC, m.slot",
            params,
        )
        self._keep_headlines(params["hq"], [(r[1], r[3], r[4]) for r in rows])
        return self._found(rows)

    def _headline(self, body: str) -> str:
        return f"ts_headline(%(cfg)s::regconfig, {body}, to_tsquery(%(cfg)s::regconfig, %(hq)s), %(o)s)"

    def _keep_headlines(self, query: str, found: Iterable[tuple[str, str, str | None]]) -> None:
        if len(self._headlines) > _HEADLINE_CACHE:
            self._headlines.clear()  # unasked-for ones pile up: a search asks for what it ranked
        for tag, title, marked in found:
            if marked is not None:
                self._headlines[(query, tag)] = (title, marked)

    def _rank_sql(self, extra: bool, scan: bool = False) -> str:
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
        source = f"{self._docs} WHERE {self._live} AND tsv @@ to_tsquery(%(cfg)s::regconfig, %(all)s)"
        if scan:
            # A long query (see KEYWORD_SCAN): the documents holding its rarest words, pre-ranked
            # cheaply on those words; only the best of them get ts_rank_cd on every word.
            source = (
                f"(SELECT slot, tag, tsv FROM {self._docs} WHERE {self._live} "
                "AND tsv @@ to_tsquery(%(cfg)s::regconfig, %(rare)s) ORDER BY "
                f"ts_rank('{_WEIGHTS}', tsv, to_tsquery(%(cfg)s::regconfig, %(rare)s), {RANK_NORMALIZATION}) "
                "DESC, slot LIMIT %(pre)s) p"
            )
        # The rank is computed once per matching row (the ORDER BY's; a filter on it before the
        # LIMIT would compute it twice): zero scores sort last, so dropping them after the LIMIT
        # keeps the same rows.
        return (
            f"SELECT slot, tag, score FROM (SELECT slot, tag, {rank} AS score FROM {source} "
            "ORDER BY score DESC, slot LIMIT %(n)s) m WHERE score > 0"
        )

    def _rare_words(self, words: Sequence[str]) -> list[str] | None:
        """The rarest of a long query's words, adding up to about `KEYWORD_SCAN` documents (None:
        a short query, or no limit: every match is ranked)."""
        if KEYWORD_SCAN is None or len(words) <= _EXACT_WORDS:
            return None
        df, _n = self.document_frequencies(words)
        if sum(df.values()) <= KEYWORD_SCAN:
            return None
        rare: list[str] = []
        total = 0
        for word in sorted((w for w in words if df.get(w)), key=lambda w: df[w]):
            if rare and total + df[word] > KEYWORD_SCAN:
                break
            rare.append(word)
            total += df[word]
        return rare or None

    def _keyword_params(
        self, words: Sequence[str], expansions: Mapping[str, float], n: int
    ) -> dict[str, Any]:
        main, extra = tsquery(words), tsquery(expansions)
        every = " | ".join(q for q in (main, extra) if q)
        rare = self._rare_words(words) if main else None
        return {
            "cfg": self._cfg,
            "main": main,
            "extra": extra,
            "all": every,
            "rare": tsquery(rare) if rare else None,
            "pre": max(3 * n, 300),
            "hq": every,
            "o": _HEADLINE_OPTIONS,
            "scale": max(expansions.values(), default=0.0),
            "n": n,
        }

    def _vector_sql(self, exact: bool, exclude: bool) -> str:
        # "+ 0" makes the order an expression the HNSW index cannot serve: an exact scan, which
        # computes each distance once (sorting by the output column).
        approximate = self._ann and not exact
        distance = "embedding <=> %(v)s" if approximate else "(embedding <=> %(v)s) + 0"
        skip = " AND slot <> %(x)s" if exclude else ""
        # Documents at one distance (one vector, or cosines equal in float) come in slot order, in
        # this list and in `fused_candidates`' ranks alike: a sort by distance alone orders them at
        # random. An HNSW scan can order by the distance only, so its candidates are re-sorted.
        tie = "" if approximate else ", slot"
        return (
            f"SELECT slot, tag, 1 - d AS cos FROM (SELECT slot, tag, {distance} AS d FROM {self._docs} "
            f"WHERE {self._live}{skip} ORDER BY d{tie} LIMIT %(n)s) x ORDER BY cos DESC, slot"
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
            params["all"] = params["main"] = params["hq"] = "''"  # no keyword candidates: an empty tsquery
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
            f"FROM ({self._rank_sql(bool(params['extra']), params['rare'] is not None)}) k), "
            f"vec AS (SELECT *, row_number() OVER (ORDER BY cos DESC, slot) AS r FROM ({self._vector_sql(False, False)}) c), "
            "best AS (SELECT coalesce(nullif(max(score), 0), 1) AS b FROM kw), "
            f"extra AS (SELECT d.slot, 1 - (d.embedding <=> %(v)s) AS cos FROM {self._docs} d "
            "JOIN kw ON kw.slot = d.slot WHERE kw.slot NOT IN (SELECT slot FROM vec)), "
            f"f AS (SELECT coalesce(kw.slot, vec.slot) AS slot, coalesce(kw.tag, vec.tag) AS tag, kw.score, kw.r, "
            f"vec.cos, vec.r AS vr, {fused} AS fused "
            "FROM kw FULL JOIN vec ON kw.slot = vec.slot LEFT JOIN extra ON extra.slot = kw.slot CROSS JOIN best), "
            # ranking.py's order (fused score, then keyword rank): the first 10 get their snippets here.
            "o AS (SELECT *, row_number() OVER (ORDER BY fused DESC, coalesce(r, %(n)s + 1), slot) AS pos FROM f) "
            f"SELECT o.slot, o.tag, o.score, o.r, o.cos, o.vr, o.fused, d.title, {self._headline('d.body')} "
            f"FROM o LEFT JOIN {self._docs} d ON d.slot = o.slot AND o.pos <= {_HEADLINED} ORDER BY o.pos",
            params,
            ef=_ef(n),
        )
        self._keep_headlines(params["hq"], [(r[1], r[7], r[8]) for r in rows if r[7] is not None])
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
            ef=_ef(n),
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
        self,
        tags: Sequence[str],
        words: Sequence[str],
        expansions: Mapping[str, float],
        *,
        as_written: bool = False,
    ) -> list[Snippet]:
        if as_written:
            rows = self._reader.rows(
                f"SELECT tag, title, body FROM {self._docs} WHERE {self._live} AND tag = ANY(%s)",
                (list(tags),),
            )
            return passages({r[0]: (r[1], r[2]) for r in rows}, tags, words, expansions)
        query = " | ".join(q for q in (tsquery(words), tsquery(expansions)) if q) or "''"
        kept = [self._headlines.pop((query, tag), None) for tag in tags]
        if all(k is not None for k in kept):
            return [_snippet(*k) for k in kept if k is not None]
        rows = self._reader.rows(
            f"SELECT tag, title, {self._headline('body')} FROM {self._docs} WHERE {self._live} AND tag = ANY(%(t)s)",
            {"cfg": self._cfg, "hq": query, "o": _HEADLINE_OPTIONS, "t": list(tags)},
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
