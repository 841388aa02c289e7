"""`paravec explore` on real text (the Lee corpus): words and documents near a word, a document, a text."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("tantivy")
pytest.importorskip("usearch")


def test_explore_words_documents_and_free_text(search_index, search_run):
    folder, run = search_index, search_run
    words = json.loads(run("explore", folder / "news.index", "--word", "fire", "--json", "-k", "5"))
    assert words["to"] == "words" and len(words["neighbors"]) == 5
    docs = json.loads(run("explore", folder / "news.index", "--doc", "news:1", "--to", "docs", "--json"))
    assert "news:1" not in [n["key"] for n in docs["neighbors"]]
    text = run("explore", folder / "news.index", "--text", "rain helps firefighters", "--to", "docs")
    assert "news:" in text
    # documents of a line corpus have no title: the start of their text is shown instead
    first = docs["neighbors"][0]["key"]
    table = run("explore", folder / "news.index", "--doc", "news:1", "--to", "docs", "--k", "1")
    start = (folder / "news.txt").read_text(encoding="utf-8").splitlines()[int(first.split(":")[1]) - 1]
    assert " ".join(start.split()[:6]) in " ".join(table.replace("│", " ").split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explore", "{index}", "--word", "fire", "--doc", "news:1"], "exactly one"),
        (["explore", "{index}", "--doc", "../../etc/passwd"], "no document tagged"),
        (["explore", "{index}", "--doc", "news.txt:0"], "did you mean 'news:1'?"),
        (["explore", "{index}", "--word", "zzqxj"], "vocabulary"),
    ],
)
def test_bad_input_exits_2_with_one_line(search_refuses, args, message):
    search_refuses(args, message)
