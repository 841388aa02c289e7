"""`paravec search` on real text (the Lee corpus): hybrid, keyword and document mode, and bad input."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("tantivy")
pytest.importorskip("usearch")


def test_search_answers_hybrid_keyword_and_document_queries(search_index, search_run):
    folder, run = search_index, search_run
    hits = json.loads(run("search", folder / "news.index", "bushfires near Sydney", "--k", "3", "--json"))
    assert len(hits) == 3
    assert set(hits[0]) == {
        "tag",
        "title",
        "snippet",
        "highlights",
        "score",
        "keyword_rank",
        "vector_rank",
        "why",
    }
    keyword = json.loads(run("search", folder / "news.index", "bushfires", "--mode", "keyword", "--json"))
    assert keyword and all(h["why"] == "keyword" for h in keyword)
    for hit in keyword:
        # The index stems: "bushfires" finds and highlights "bushfire" too.
        assert all(hit["snippet"][a:b].lower() in ("bushfire", "bushfires") for a, b in hit["highlights"])
    table = run("search", folder / "news.index", "bushfires", "--mode", "keyword", "--expand")
    assert "keyword search: bushfires" in table and keyword[0]["tag"] in table

    article = (folder / "news.txt").read_text(encoding="utf-8").splitlines()[0]  # line 1 is tagged news:1
    alike = json.loads(
        run("search", folder / "news.index", article, "--mode", "document", "--k", "3", "--json")
    )
    assert alike[0]["tag"] == "news:1" and alike[0]["score"] > alike[1]["score"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "{index}", "   "], "empty"),
        (["search", "{index}", "x" * 20_000], "characters long"),
        (["search", "{missing}", "fire"], "not a folder"),
        (["search", "{index}", "fire", "--similarity", "euclid"], "similarity"),
    ],
)
def test_bad_input_exits_2_with_one_line(search_refuses, args, message):
    search_refuses(args, message)


def test_expand_says_which_words_it_added(search_index, cli_run_main):
    from paravec.search import SearchIndex

    index = search_index / "news.index"
    proc = cli_run_main("search", index, "fire", "--mode", "keyword", "--expand", "--json")
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # stdout stays JSON; the added words go to stderr
    idx = SearchIndex.open(index)
    nearest = [w for w, _ in idx.model.wv.most_similar("fire", topn=idx.expand_topn)]
    added = idx.expansion("fire")
    assert list(added) == nearest and all(0 < v <= idx.expand_weight for v in added.values())
    line = " ".join(proc.stderr.split())
    assert line.startswith("expanded with: ") and all(f"{w} (" in line for w in nearest)


def test_document_mode_title_is_not_the_whole_article(search_index, search_run):
    folder = search_index
    article = (folder / "news.txt").read_text(encoding="utf-8").splitlines()[0]
    table = search_run("search", folder / "news.index", article, "--mode", "document", "--k", "2")
    first_line = " ".join(table.splitlines()[0].split())
    assert first_line.startswith("document search: " + " ".join(article.split()[:3]))
    assert f"({len(article.split())} words)" in table
    assert article[200:260] not in " ".join(table.split())


def test_feedback_is_the_library_s(search_index, search_run):
    from paravec.search import SearchIndex

    index = search_index / "news.index"
    query = "bushfires near Sydney"
    args = ("search", index, query, "--mode", "vector", "--k", "5", "--json")
    moved = [h["tag"] for h in json.loads(search_run(*args, "--feedback", "3"))]
    expected = [h.tag for h in SearchIndex.open(index).search(query, mode="vector", k=5, feedback=3)]
    assert len(moved) == 5 and moved == expected


def test_similarity_is_the_library_s(search_index, search_run):
    from paravec.search import SearchIndex

    index = search_index / "news.index"
    query = "bushfires near Sydney"
    args = ("search", index, query, "--mode", "vector", "--k", "5", "--json")
    idx = SearchIndex.open(index)
    for similarity in ("cosine", "second_order"):
        found = [
            (h["tag"], round(h["score"], 5))
            for h in json.loads(search_run(*args, "--similarity", similarity))
        ]
        expected = [
            (h.tag, round(h.score, 5)) for h in idx.search(query, mode="vector", k=5, similarity=similarity)
        ]
        assert len(found) == 5 and found == expected
