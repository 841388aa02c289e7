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
    ],
)
def test_bad_input_exits_2_with_one_line(search_refuses, args, message):
    search_refuses(args, message)
