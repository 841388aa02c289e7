"""`paravec infer` on a real Dask LocalCluster (two workers): the vectors of `paravec.infer`, bit for
bit, with their tags; a scheduler that is not there is one line and exit 2, nothing written."""

from __future__ import annotations

import json

import numpy as np

import paravec


def test_paravec_infer_writes_the_vectors_and_tags(search_files, dask_scheduler, cli_run_main, tmp_path):
    model = search_files / "news.model"
    corpus = tmp_path / "new.txt"
    lines = (search_files / "news.txt").read_text(encoding="utf-8").splitlines()[:20]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "new.npy"
    proc = cli_run_main(
        "infer", model, corpus, "--out", out, "--scheduler", dask_scheduler, "--partition-size", 6, "--json"
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["documents"] == 20 and report["documents_per_second"] > 0
    assert json.loads(out.with_name("new.npy.tags.json").read_text()) == [f"new:{i}" for i in range(1, 21)]
    expected = paravec.infer(paravec.load(model), [paravec.tokenize(line) for line in lines])
    assert np.array_equal(np.load(out), expected)


def test_a_scheduler_that_is_not_there_is_one_line_and_exit_2(
    search_files, cli_run_main, cli_error_line, tmp_path
):
    corpus = tmp_path / "c.txt"
    corpus.write_text("some words here\n", encoding="utf-8")
    out = tmp_path / "v.npy"
    proc = cli_run_main(
        "infer", search_files / "news.model", corpus, "--out", out, "--scheduler", "tcp://127.0.0.1:9"
    )
    assert proc.returncode == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in cli_error_line(proc)
    assert not out.exists() and not out.with_name("v.npy.tags.json").exists()
