"""`paravec index` on real text (the Lee corpus): building an index, and `--sync` after an update."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("tantivy")
pytest.importorskip("usearch")

from gensim.test.utils import datapath

import paravec
from paravec.corpus import read_corpus


def test_index_builds_and_sync_follows_the_updated_model(search_files, search_run, cli_run_main, tmp_path):
    folder, run = search_files, search_run
    index = tmp_path / "news.index"
    built = json.loads(run("index", folder / "news.model", folder / "news.txt", "--out", index, "--json"))
    assert built["documents"] == 300 and built["ann"] is False

    # a second batch, then the index follows the model
    more = tmp_path / "more.txt"
    with open(datapath("lee.cor"), encoding="latin-1") as fh:
        more.write_text("\n".join(fh.read().splitlines()[:4]) + "\n", encoding="utf-8")
    model = paravec.load(folder / "news.model")
    paravec.update(model, read_corpus(more), seed=1)
    paravec.save(model, tmp_path / "news2.model")
    proc = cli_run_main("search", index, "fire", "--model", tmp_path / "news2.model")
    code, err = proc.returncode, proc.stderr
    assert code == 2 and "--sync" in err and "Traceback" not in err
    synced = json.loads(run("index", tmp_path / "news2.model", more, "--out", index, "--sync", "--json"))
    assert synced["added"] == ["more:1", "more:2", "more:3", "more:4"] and synced["removed"] == []
    assert synced["documents"] == 304
    found = json.loads(run("explore", index, "--doc", "more:2", "--to", "words", "--json"))
    assert found["neighbors"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["index", "{model}", "{corpus}", "--out", "{index}"], "already holds"),
    ],
)
def test_bad_input_exits_2_with_one_line(search_refuses, args, message):
    search_refuses(args, message)


def test_index_says_when_the_model_has_documents_without_text(cli_files, cli_updated, cli_run_main, tmp_path):
    # The model has 150 base documents and 160 of a batch; the base's file alone gives 150 texts.
    model, _ = cli_updated
    proc = cli_run_main("index", model, cli_files["base_txt"], "--out", tmp_path / "a.index", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["documents"], result["model_documents"], result["not_indexed"]) == (150, 310, 160)
    assert "indexed 150 of the model's 310 documents" in " ".join(proc.stderr.split())
    assert "'new:1'" in proc.stderr and "--sync" in proc.stderr
    # Every corpus the model saw: all documents, no warning.
    both = cli_run_main(
        "index", model, cli_files["base_txt"], cli_files["new_txt"], "--out", tmp_path / "b.index", "--json"
    )
    assert both.returncode == 0, both.stderr
    assert json.loads(both.stdout)["documents"] == 310 and "warning" not in both.stderr
