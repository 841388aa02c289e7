"""paravec.search.postgres and paravec.search.pgsql: the PostgreSQL backend on a real server (pgvector,
full-text search), against the embedded backend on the Lee corpus, and its failures: no server, a
wrong password, no vector extension, a connection dropped in the middle of a sync."""

from __future__ import annotations

import copy
import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import pytest

import paravec
from paravec.analysis import Analysis, record
from paravec.errors import IndexStateError, NotFoundError, ParameterError
from paravec.search import SearchIndex
from paravec.search.pgsql import text_config_for, with_schema
from paravec.search.postgres import ANN_THRESHOLD, PostgresBackend
from paravec.tokenizer import tokenize

QUERIES = [
    "bushfires near Sydney",
    "Palestinian suicide attack",
    "cricket test match Australia",
    "Afghan war",
]


@pytest.fixture(scope="module")
def pg(postgres_dsn, built) -> SearchIndex:
    """The Lee index of ``built``, in PostgreSQL (the same model and texts)."""
    schema = f"lee_{uuid.uuid4().hex[:6]}"
    dsn = with_schema(postgres_dsn, schema)
    model_path = built.model_path
    texts = [(tag, built.backend.view().texts([tag])[tag]) for tag in built.tags]
    index = SearchIndex.build(model_path, texts, dsn, model=built.model)
    yield index
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_vector_mode_ranks_as_the_embedded_index(pg, built):
    # Both search exactly over the same unit vectors: the same documents, the same cosines.
    for query in QUERIES:
        ours = pg.search(query, mode="vector", k=10)
        theirs = built.search(query, mode="vector", k=10)
        assert [h.tag for h in ours][:5] == [h.tag for h in theirs][:5]
        assert np.allclose([h.score for h in ours], [h.score for h in theirs], atol=1e-5)


def test_keyword_mode_finds_the_query_words_and_highlights_them(pg):
    hits = pg.search("sydney", mode="keyword", k=10)
    assert len(hits) == 10
    for hit in hits:
        assert "sydney" in pg.document(hit.tag)["text"].lower()
        assert hit.score > 0
    spans = [hit.snippet[a:b].lower() for hit in hits for a, b in hit.highlights]
    assert len(spans) >= 10 and set(spans) == {"sydney"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_document_mode_snippets_are_the_embedded_ones(pg, built, texts):
    # Document mode highlights words as written, from the stored text: the same on both backends.
    from paravec.search.ranking import MAX_DOCUMENT_TERMS, document_terms
    from paravec.tokenizer import tokenize

    for tag, text in texts[5:8]:
        words = list(document_terms(tokenize(text), built.backend.view(), MAX_DOCUMENT_TERMS))[:16]
        tags = [h.tag for h in built.search(text, mode="document", k=10)] + ["nope"]
        ours = pg.backend.view().snippets(tags, words, {}, as_written=True)
        assert ours == built.backend.view().snippets(tags, words, {}, as_written=True)
        assert ours[-1] == ("", "", []) and ours[0][2] and tags[0] == tag


def test_document_frequencies_are_the_embedded_ones(pg, built):
    # TF-IDF of mode="document" needs the same counts as tantivy's: words as the model tokenizes them.
    words = ["the", "sydney", "bushfires", "palestinian", "nonexistentword"]
    assert pg.backend.view().document_frequencies(words) == built.backend.view().document_frequencies(words)


def test_document_mode_scores_shared_candidates_as_the_embedded_index(pg, built, text_of):
    query = text_of("bg17")
    # Without feedback: it moves the query towards the top keyword hits, and ts_rank_cd is not BM25.
    ours = {h.tag: h.score for h in pg.search(query, mode="document", k=20, feedback=0)}
    theirs = {h.tag: h.score for h in built.search(query, mode="document", k=20, feedback=0)}
    assert next(iter(ours)) == next(iter(theirs)) == "bg17"
    shared = set(ours) & set(theirs)
    assert len(shared) >= 10
    # Candidates differ a little (ts_rank_cd is not BM25), and z-scores use the calibration of the
    # same 64 documents: the scores of shared candidates agree closely.
    assert max(abs(ours[t] - theirs[t]) for t in shared) < 1e-3


def test_warming_a_postgresql_index_sends_no_texts_unless_asked(pg, monkeypatch):
    view = pg.backend.view()
    asked: list[int] = []
    real = type(view).texts
    monkeypatch.setattr(type(view), "texts", lambda self, tags: asked.append(len(tags)) or real(self, tags))
    assert pg.warm() == 0  # the metric and the calibration only: their 64 documents' texts
    assert pg._calibrations._cached[True][0] is view and sum(asked) <= 64
    asked.clear()
    assert pg.warm(documents=5) == 5 and sum(asked) <= 5  # a document seen by an earlier test is cached
    cache = pg._documents.get(view, pg.model.wv, pg._encoder.analysis)
    first = sorted(s for s in map(view.slot, view.tags()[:5]) if s is not None)
    assert not np.isnan(cache.candidates(first).norms).any()


def test_a_long_query_ranks_only_the_documents_holding_its_rarest_words(pg, text_of, monkeypatch):
    # ts_rank_cd ranks every match: a whole document as the query matches most of the index. Its
    # candidates come from the documents holding its rarest words (KEYWORD_SCAN documents in all).
    from paravec.search import pgview
    from paravec.search.ranking import MAX_QUERY_TERMS, key_terms
    from paravec.tokenizer import tokenize

    view = pg.backend.view()
    terms = key_terms(tokenize(text_of("bg17")), view, MAX_QUERY_TERMS)
    df, _n = view.document_frequencies(terms)
    assert len(terms) > 8 and sum(df.values()) > 40
    everything = dict(view.keyword_candidates(terms, {}, len(view)))
    monkeypatch.setattr(pgview, "KEYWORD_SCAN", 40)
    rare = view._rare_words(terms)
    assert (
        rare
        and sum(df[w] for w in rare) <= 40
        and max(df[w] for w in rare) <= min(df[w] for w in terms if df[w] and w not in rare)
    )
    found = view.keyword_candidates(terms, {}, 100)
    assert found[0][0] == view.slot("bg17")
    assert len(found) < min(100, len(everything))
    holding = view._reader.rows(  # the documents holding a rare word (stemmed as PostgreSQL does)
        f"SELECT slot FROM {view._docs} WHERE tsv @@ to_tsquery('english', %s)", (pgview.tsquery(rare),)
    )
    assert {slot for slot, _ in found} <= {row[0] for row in holding}
    for slot, score in found:  # each scores as it does in the full ranking
        assert score == pytest.approx(everything[slot], rel=1e-6)
    # Document mode keeps its best: the query's own document first, most of the top 10 kept.
    restricted = [h.tag for h in pg.search(text_of("bg17"), mode="document", k=10)]
    monkeypatch.setattr(pgview, "KEYWORD_SCAN", None)
    full = [h.tag for h in pg.search(text_of("bg17"), mode="document", k=10)]
    assert restricted[0] == full[0] == "bg17" and len(set(restricted) & set(full)) >= 7
    # A short query ranks every match whatever the limit.
    monkeypatch.setattr(pgview, "KEYWORD_SCAN", 1)
    assert view._rare_words(["bushfires", "sydney"]) is None


def test_hybrid_mode_fuses_both_rankings(pg):
    hits = pg.search("bushfires near Sydney", mode="hybrid", k=10)
    assert {h.why for h in hits} <= {"keyword", "vector", "both"}
    assert any(h.why == "both" for h in hits)
    assert all(0 < h.score <= 1 for h in hits)
    rrf = pg.search("bushfires near Sydney", mode="hybrid", fusion="rrf", k=10)
    assert rrf[0].score <= 1.0 / 61 + 1.0 / 61


def test_hybrid_fusion_in_one_sql_query_equals_the_python_fusion(pg):
    from paravec.search.ranking import RankingSettings, rank

    view = pg.backend.view()
    assert hasattr(view, "fused_candidates")
    for fusion in ("convex", "rrf"):
        for query in QUERIES:
            args = (view, pg._encoder, pg._calibrations, query)
            # The backend fuses plain cosines (second-order similarity is reranked in Python).
            plain = {"mode": "hybrid", "fusion": fusion, "k": 30, "similarity": "cosine"}
            in_sql = rank(*args, **plain)
            in_python = rank(*args, **plain, settings=RankingSettings(fuse_in_backend=False))
            assert [h.tag for h in in_sql][:10] == [h.tag for h in in_python][:10]
            assert np.allclose([h.score for h in in_sql], [h.score for h in in_python], rtol=1e-5, atol=1e-6)
            assert [(h.keyword_rank, h.vector_rank) for h in in_sql] == [
                (h.keyword_rank, h.vector_rank) for h in in_python
            ]


def test_tied_cosines_rank_by_slot_alike_in_the_fused_query_and_the_vector_list(pg_target, built, tmp_path):
    # Documents with one vector are at one distance from every query. Both vector rankings break
    # such ties by slot, so the fused query's vector ranks are the vector list's (ties came out in
    # either order, and a hit's vector rank differed between the two ways of fusing).
    model = copy.deepcopy(built.model)
    tied = [f"bg{i}" for i in range(10, 16)]
    for tag in tied:
        model.dv.vectors[model.dv.get_index(tag)] = model.dv["bg17"]
    paravec.save(model, tmp_path / "tied.model")
    texts = [(tag, built.backend.view().texts([tag])[tag]) for tag in built.tags[:60]]
    index = SearchIndex.build(tmp_path / "tied.model", texts, pg_target(), model=model)
    view = index.backend.view()
    query = index._encoder.infer(tokenize(texts[17][1]))
    listed = view.vector_candidates(query, 30)
    slots = {view.slot(tag) for tag in tied}
    tied_slots = [slot for slot, _cosine in listed if slot in slots]
    assert len(tied_slots) == len(tied) and tied_slots == sorted(tied_slots)
    assert len({cosine for slot, cosine in listed if slot in slots}) == 1
    for fusion in ("convex", "rrf"):
        _keyword, fused_vector, _fused = view.fused_candidates(
            ["sydney"], {}, query, 30, 1.0, 1.0, fusion, 60.0
        )
        assert fused_vector == listed
    embedded = SearchIndex.build(tmp_path / "tied.model", texts, tmp_path / "tied.index", model=model)
    theirs = embedded.backend.view()
    assert [theirs.tag(slot) for slot, _c in theirs.vector_candidates(query, 30)] == [
        view.tag(s) for s, _c in listed
    ]


def test_exploration_reads_the_stored_vectors(pg, built):
    assert [n.key for n in pg.documents_like("bg3", k=5)] == [n.key for n in built.documents_like("bg3", k=5)]


def test_text_search_configuration_is_chosen_per_index(pg_target, built):
    texts = [("bg0", "The shuttle launches were delayed."), ("bg1", "Apples and pears are fruit.")]
    simple = SearchIndex.build(
        built.model_path, texts, pg_target("s"), model=built.model, text_config="simple", missing="skip"
    )
    english = SearchIndex.build(
        built.model_path, texts, pg_target("e"), model=built.model, text_config="english", missing="skip"
    )
    assert [h.tag for h in english.search("launch", mode="keyword")] == ["bg0"]
    assert simple.search("launch", mode="keyword") == []


def test_the_default_configuration_is_the_models_language(pg_target, built):
    # The model records no analysis: paravec's default, English (stems: "launch" finds "launches").
    texts = [("bg0", "The shuttle launches were delayed."), ("bg1", "Apples and pears are fruit.")]
    index = SearchIndex.build(built.model_path, texts, pg_target(), model=built.model, missing="skip")
    assert index.backend.view().manifest["text_config"] == "english"
    # PostgreSQL's own default for HNSW (an exact scan reads whole rows), not usearch's 50,000.
    assert index.backend.view().manifest["ann_threshold"] == ANN_THRESHOLD < 50_000
    assert [h.tag for h in index.search("launch", mode="keyword")] == ["bg0"]
    norwegian = copy.deepcopy(built.model)
    record(norwegian, Analysis(language="nb"))
    assert text_config_for(norwegian) == "norwegian"
    with pytest.raises(ParameterError, match="klingon"):
        SearchIndex.build(built.model_path, texts, pg_target("k"), model=built.model, text_config="klingon")


def test_a_sync_is_seen_by_another_process_and_an_old_view_keeps_its_generation(
    pg_target, built, updated, tmp_path
):
    dsn = pg_target()
    texts = [(tag, built.backend.view().texts([tag])[tag]) for tag in built.tags[:60]]
    writer = SearchIndex.build(built.model_path, texts, dsn, model=built.model)
    reader = SearchIndex.open(dsn, model=built.model_path)  # its own connections, as another process
    before = reader.backend.view()
    assert reader.search("koalas platypus", mode="keyword") == []

    new_model = updated([("new0", "Koalas and a platypus were found near the river.")])
    paravec.save(new_model, tmp_path / "new.model")
    report = writer.sync(
        tmp_path / "new.model",
        [
            ("new0", "Koalas and a platypus were found near the river."),
            ("bg1", "A replaced text about koalas."),
        ],
    )
    assert sorted(report.added) == ["new0"] and "bg1" in report.replaced

    assert [h.tag for h in reader.search("platypus", mode="keyword")] == ["new0"]
    assert reader.model_path == (tmp_path / "new.model").resolve()  # followed the new model file
    assert len(reader) == 61
    # The view taken before the sync still reads generation 0: the old text, no new document.
    assert before.texts(["bg1", "new0"]) == {"bg1": texts[1][1]}
    assert reader.backend.view().texts(["bg1"]) == {"bg1": "A replaced text about koalas."}
    again = SearchIndex.open(dsn)
    assert again.backend.view().digests() == reader.backend.view().digests()


def test_a_sync_counts_without_a_scan_and_deletes_dead_rows_through_their_index(
    postgres_dsn, pg_target, built, updated, tmp_path
):
    # At 1M documents a sync of 100 took minutes: it counted the live rows and found the dead ones
    # by reading the whole table. Now the count follows from the rows it changed, and dead rows
    # have a partial index, which an index built without it gets at its next sync.
    dsn = pg_target()
    schema = dsn.rsplit("schema=", 1)[1]
    texts = [(tag, built.backend.view().texts([tag])[tag]) for tag in built.tags[:30]]
    index = SearchIndex.build(built.model_path, texts, dsn, model=built.model)

    def table(query: str) -> list[tuple]:
        with psycopg.connect(postgres_dsn, autocommit=True) as conn:
            cursor = conn.execute(query.replace("S.", f'"{schema}".'))
            return cursor.fetchall() if cursor.description else []

    table("DROP INDEX S.documents_dead")  # as built before the index existed
    new = [("new0", "Koalas and a platypus were found near the river."), ("new1", "Wombats again.")]
    paravec.save(updated(new), tmp_path / "a.model")
    index.sync(tmp_path / "a.model", [*new, (built.tags[1], "A replaced text about koalas.")])
    more = [*new, ("new2", "A third new text about emus.")]
    paravec.save(updated(more), tmp_path / "b.model")
    index.sync(tmp_path / "b.model", [*more, (built.tags[2], "Another replaced text.")])

    live = table("SELECT count(*) FROM S.documents WHERE died IS NULL")[0][0]
    manifest = table("SELECT generation, data->>'documents' FROM S.manifest")[0]
    assert live == 33 and int(manifest[1]) == 33 and len(SearchIndex.open(dsn)) == 33
    # the first sync's dead rows went with the second sync (through the index); its own stay
    assert {died for (died,) in table("SELECT died FROM S.documents WHERE died IS NOT NULL")} == {manifest[0]}
    assert table("SELECT indexname FROM pg_indexes WHERE indexname = 'documents_dead' AND schemaname = "
                 f"'{schema}'") == [("documents_dead",)]  # fmt: skip


def test_readers_never_see_half_a_sync(pg_target, built, updated, tmp_path):
    dsn = pg_target()
    texts = [(tag, built.backend.view().texts([tag])[tag]) for tag in built.tags[:40]]
    SearchIndex.build(built.model_path, texts, dsn, model=built.model)
    new = [(f"n{i}", f"Wombat number {i} crossed the road near Canberra.") for i in range(20)]
    new_model = updated(new)
    paravec.save(new_model, tmp_path / "w.model")
    reader = SearchIndex.open(dsn, model=built.model_path)
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(len(reader.search("wombat", mode="keyword", k=50)))

    thread = threading.Thread(target=read)
    thread.start()
    try:
        SearchIndex.open(dsn, model=tmp_path / "w.model", sync="rebuild", texts=new)
    finally:
        stop.set()
        thread.join()
    assert seen <= {0, 20}
    assert len(reader.search("wombat", mode="keyword", k=50)) == 20


def test_building_over_an_index_needs_overwrite(pg, built):
    with pytest.raises(IndexStateError, match="already holds a search index"):
        SearchIndex.build(built.model_path, [("bg0", "text")], str(pg.path), model=built.model)


# -- failures ---------------------------------------------------------------------------------------


def test_a_server_that_is_not_there_is_one_clear_line(built):
    with pytest.raises(
        IndexStateError, match=r"cannot connect to PostgreSQL at postgresql://me@127\.0\.0\.1:9/"
    ) as err:
        SearchIndex.open("postgresql://me:secret@127.0.0.1:9/db")
    assert "\n" not in str(err.value) and "secret" not in str(err.value)


def test_a_missing_schema_says_how_to_build_one(postgres_dsn):
    with pytest.raises(IndexStateError, match="no paravec index in schema 'nothing_here'"):
        PostgresBackend.open(with_schema(postgres_dsn, "nothing_here"))


@pytest.fixture
def admin(postgres_dsn):
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        yield conn


def test_a_wrong_password_is_one_clear_line(admin, postgres_dsn, built, pg):
    before = [(h.tag, h.score) for h in pg.search(QUERIES[0], k=5)]
    hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
    if not hba.is_file() or not hba.stat().st_mode & 0o200:
        pytest.skip("the server's pg_hba.conf is not ours to edit (PARAVEC_TEST_POSTGRES_DSN)")
    admin.execute("DROP ROLE IF EXISTS paravec_pw")
    admin.execute("CREATE ROLE paravec_pw LOGIN PASSWORD 'right-one'")
    original = hba.read_text()
    hba.write_text("local all paravec_pw scram-sha-256\nhost all paravec_pw all scram-sha-256\n" + original)
    admin.execute("SELECT pg_reload_conf()")
    try:
        parts = urlsplit(postgres_dsn)
        wrong = urlunsplit(parts._replace(netloc=f"paravec_pw:wrong-one@{parts.netloc.rsplit('@', 1)[-1]}"))
        with pytest.raises(IndexStateError, match="the user or password is wrong") as err:
            SearchIndex.open(wrong)
        assert "wrong-one" not in str(err.value) and "\n" not in str(err.value)
        assert [(h.tag, h.score) for h in pg.search(QUERIES[0], k=5)] == before  # still served
    finally:
        hba.write_text(original)
        admin.execute("SELECT pg_reload_conf()")
        admin.execute("DROP ROLE IF EXISTS paravec_pw")


def test_a_database_without_pgvector_says_how_to_add_it(admin, postgres_dsn, built, texts, pg):
    before = [(h.tag, h.score) for h in pg.search(QUERIES[1], k=5)]
    admin.execute("DROP DATABASE IF EXISTS paravec_novector")
    admin.execute("DROP ROLE IF EXISTS paravec_plain")
    admin.execute("CREATE ROLE paravec_plain LOGIN")
    admin.execute("CREATE DATABASE paravec_novector OWNER paravec_plain")
    try:
        parts = urlsplit(postgres_dsn)
        host = parts.netloc.rsplit("@", 1)[-1]
        dsn = urlunsplit(parts._replace(netloc=f"paravec_plain@{host}", path="/paravec_novector"))
        with pytest.raises(IndexStateError, match="CREATE EXTENSION vector") as err:
            SearchIndex.build(built.model_path, texts[:5], dsn, model=built.model)
        assert "no pgvector extension" in str(err.value) and "\n" not in str(err.value)
        assert [(h.tag, h.score) for h in pg.search(QUERIES[1], k=5)] == before  # still served
    finally:
        admin.execute("DROP DATABASE IF EXISTS paravec_novector")
        admin.execute("DROP ROLE IF EXISTS paravec_plain")


def test_a_connection_dropped_during_a_sync_leaves_the_served_index_intact(
    pg_target, admin, built, updated, tmp_path
):
    dsn = pg_target()
    texts = [(tag, built.backend.view().texts([tag])[tag]) for tag in built.tags[:50]]
    served = SearchIndex.build(built.model_path, texts, dsn, model=built.model)
    before = {q: [(h.tag, h.score) for h in served.search(q, k=5)] for q in QUERIES[:2]}
    new_model = updated([("gone", "A text about a lost connection.")])

    def cut(step: str, done: int, total: int) -> None:
        if step == "text" and 0 < done < total:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'paravec-sync'"
            )

    with pytest.raises(IndexStateError, match="connection was lost during the sync") as err:
        served.sync(new_model, [("gone", "A text about a lost connection."), ("bg0", "x")], progress=cut)
    assert "\n" not in str(err.value)
    # Nothing of the sync is there; the served index answers as before, on the same generation.
    assert served.backend.view().generation == 0 and len(served) == 50
    assert served.model is not new_model
    assert {q: [(h.tag, h.score) for h in served.search(q, k=5)] for q in QUERIES[:2]} == before
    with pytest.raises(NotFoundError):
        served.document("gone")
    # The read connection itself dropped: the next query reconnects.
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'paravec-read'"
    )
    assert [(h.tag, h.score) for h in served.search(QUERIES[0], k=5)] == before[QUERIES[0]]


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_a_search_is_one_query_after_the_generation_check_with_the_same_snippets(pg, monkeypatch, mode):
    # On a busy server each round trip waits for a CPU: the ranking query also computes the
    # snippets of the first 10, and a search checks the generation once.
    from paravec.search.ranking import MAX_QUERY_TERMS, key_terms
    from paravec.tokenizer import tokenize

    query = "bushfires near Sydney"
    reader = pg.backend._reader
    sent: list[str] = []
    original = reader.rows

    def counted(sql, params=(), ef=0):
        sent.append(sql)
        return original(sql, params, ef)

    monkeypatch.setattr(reader, "rows", counted)
    # Hybrid fuses in one SQL query with the plain cosine; second-order similarity (the default)
    # reranks the vector side in Python, from the candidates' stored vectors.
    hits = pg.search(query, mode=mode, k=10, similarity="cosine")
    assert len(sent) == 2 and "manifest" in sent[0]
    view = pg.backend.view()
    terms = key_terms(tokenize(query), view, MAX_QUERY_TERMS)
    apart = [  # asked again: a query of its own (a hit without a title is shown by its tag)
        (title or hit.tag, snippet, spans)
        for hit, (title, snippet, spans) in zip(
            hits, view.snippets([h.tag for h in hits], terms, {}), strict=True
        )
    ]
    assert [(h.title, h.snippet, h.highlights) for h in hits] == apart
    assert any(h.highlights for h in hits)
    sent.clear()
    more = pg.search(
        query, mode=mode, k=30, similarity="cosine"
    )  # beyond the first 10: snippets are a query of their own
    assert len(sent) == 3
    assert [(h.title, h.snippet, h.highlights) for h in more[:10]] == apart
