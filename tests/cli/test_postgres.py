"""`paravec index --out postgresql://...`, `paravec search` on it, and a DSN that does not connect."""

from __future__ import annotations

import json

import paravec
from paravec.corpus import read_corpus


def test_index_search_and_sync_an_index_in_postgresql(search_files, search_run, pg_target, tmp_path):
    folder, run = search_files, search_run
    dsn = pg_target()
    built = json.loads(
        run(
            "index",
            folder / "news.model",
            folder / "news.txt",
            "--out",
            dsn,
            "--text-config",
            "english",
            "--json",
        )
    )
    assert built["documents"] == 300 and built["index"].startswith("postgresql://")
    hits = json.loads(run("search", dsn, "bushfire", "--mode", "keyword", "--json"))
    # english stems: "bushfire" finds the articles that say "bushfires" too.
    texts = {tag: text.lower() for tag, text in paravec.corpus.read_texts(folder / "news.txt")}
    assert hits and all("bushfire" in texts[h["tag"]] for h in hits)
    assert any("bushfires" in texts[h["tag"]] for h in hits)

    more = tmp_path / "more.txt"
    more.write_text("Koalas were rescued from the bushfire near the coast.\n", encoding="utf-8")
    model = paravec.load(folder / "news.model")
    paravec.update(model, read_corpus(more), seed=1)
    paravec.save(model, tmp_path / "news2.model")
    synced = json.loads(run("index", tmp_path / "news2.model", more, "--out", dsn, "--sync", "--json"))
    assert synced["added"] == ["more:1"] and synced["documents"] == 301
    found = json.loads(run("search", dsn, "koalas", "--mode", "keyword", "--json"))
    assert [h["tag"] for h in found] == ["more:1"]


def test_a_dsn_that_does_not_connect_is_one_line_and_exit_2(search_files, cli_run_main, cli_error_line):
    proc = cli_run_main(
        "index",
        search_files / "news.model",
        search_files / "news.txt",
        "--out",
        "postgresql://u:pw@127.0.0.1:9/db",
    )
    assert proc.returncode == 2
    line = cli_error_line(proc)
    assert "cannot connect to PostgreSQL at postgresql://u@127.0.0.1:9/db" in line and "pw@" not in line
