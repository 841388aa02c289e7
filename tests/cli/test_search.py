"""`paravec index`, `paravec search` and `paravec explore` on real text (the Lee corpora)."""

from __future__ import annotations

import json
import sys

import pytest

pytest.importorskip("tantivy")
pytest.importorskip("usearch")

from gensim.test.utils import datapath
from typer.testing import CliRunner

import paravec
from paravec.cli import app, main
from paravec.corpus import read_corpus


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    corpus = folder / "news.txt"
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        corpus.write_text(fh.read(), encoding="utf-8")
    model = paravec.train(read_corpus(corpus), vector_size=32, epochs=10, seed=1, workers=2)
    paravec.save(model, folder / "news.model")
    return folder


def run(*args: str) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["paravec", *map(str, args)])
    with pytest.raises(SystemExit) as info:
        main()
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_index_search_explore_and_sync(setup, monkeypatch, capsys):
    folder = setup
    built = json.loads(
        run("index", folder / "news.model", folder / "news.txt", "--out", folder / "news.index", "--json")
    )
    assert built["documents"] == 300 and built["ann"] is False

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
        assert all(hit["snippet"][a:b].lower() == "bushfires" for a, b in hit["highlights"])
    table = run("search", folder / "news.index", "bushfires", "--mode", "keyword", "--expand")
    assert "keyword search: bushfires" in table and keyword[0]["tag"] in table

    words = json.loads(run("explore", folder / "news.index", "--word", "fire", "--json", "-k", "5"))
    assert words["to"] == "words" and len(words["neighbors"]) == 5
    docs = json.loads(run("explore", folder / "news.index", "--doc", "news:1", "--to", "docs", "--json"))
    article = (folder / "news.txt").read_text(encoding="utf-8").splitlines()[0]  # line 1 is tagged news:1
    alike = json.loads(
        run("search", folder / "news.index", article, "--mode", "document", "--k", "3", "--json")
    )
    assert alike[0]["tag"] == "news:1" and alike[0]["score"] > alike[1]["score"]
    assert "news:1" not in [n["key"] for n in docs["neighbors"]]
    text = run("explore", folder / "news.index", "--text", "rain helps firefighters", "--to", "docs")
    assert "news:" in text

    # a second batch, then the index follows the model
    more = folder / "more.txt"
    with open(datapath("lee.cor"), encoding="latin-1") as fh:
        more.write_text("\n".join(fh.read().splitlines()[:4]) + "\n", encoding="utf-8")
    model = paravec.load(folder / "news.model")
    paravec.update(model, read_corpus(more), seed=1)
    paravec.save(model, folder / "news2.model")
    code, _out, err = run_main(
        monkeypatch, capsys, "search", folder / "news.index", "fire", "--model", folder / "news2.model"
    )
    assert code == 2 and "--sync" in err and "Traceback" not in err
    synced = json.loads(
        run("index", folder / "news2.model", more, "--out", folder / "news.index", "--sync", "--json")
    )
    assert synced["added"] == ["more:1", "more:2", "more:3", "more:4"] and synced["removed"] == []
    assert synced["documents"] == 304
    found = json.loads(run("explore", folder / "news.index", "--doc", "more:2", "--to", "words", "--json"))
    assert found["neighbors"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "{index}", "   "], "empty"),
        (["search", "{index}", "x" * 20_000], "characters long"),
        (["explore", "{index}", "--word", "fire", "--doc", "news:1"], "exactly one"),
        (["explore", "{index}", "--doc", "../../etc/passwd"], "no document tagged"),
        (["explore", "{index}", "--word", "zzqxj"], "vocabulary"),
        (["index", "{model}", "{corpus}", "--out", "{index}"], "already holds"),
        (["search", "{missing}", "fire"], "not a folder"),
    ],
)
def test_bad_input_exits_2_with_one_line(setup, monkeypatch, capsys, args, message):
    folder = setup
    if not (folder / "news.index").exists():
        run("index", folder / "news.model", folder / "news.txt", "--out", folder / "news.index")
    values = {
        "index": folder / "news.index",
        "model": folder / "news.model",
        "corpus": folder / "news.txt",
        "missing": folder / "nowhere",
    }
    code, _out, err = run_main(monkeypatch, capsys, *[a.format(**values) for a in args])
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and message in last and "Traceback" not in err
