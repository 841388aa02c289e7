"""Tests of ``paravec evaluate`` (paravec.cli.evaluate): the report is written and the exit code says the verdict."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from gensim.models.doc2vec import Doc2Vec
from gensim.test.utils import datapath
from typer.testing import CliRunner

from paravec.cli import app
from paravec.corpus import read_corpus
from paravec.errors import ModelFileError


def _lee_model(path: Path, *, vector_size: int, epochs: int, seed: int) -> Path:
    docs = list(read_corpus(datapath("lee_background.cor"), encoding="latin-1"))
    model = Doc2Vec(
        docs, vector_size=vector_size, dm=0, dbow_words=1, min_count=2, epochs=epochs, seed=seed, workers=1
    )
    model.save(str(path))
    return path


def _evaluate_lee(model: Path, before: Path, out: Path, sample: int) -> Result:
    args = [model, datapath("lee_background.cor"), "--encoding", "latin-1", "--before", before, "--out", out]
    args += ["--sample", sample, "--no-benchmarks", "--no-plots"]
    return CliRunner().invoke(app, ["evaluate", *map(str, args)])


def test_cli_evaluate_writes_report(tmp_path, cli_run_main, cli_error_line) -> None:
    path = _lee_model(tmp_path / "m.model", vector_size=32, epochs=8, seed=2)
    res = _evaluate_lee(path, path, tmp_path / "rep", 40)
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert data["sections"][0]["key"] == "placement"
    assert data["parameters"]["sample"] == 40
    bad = CliRunner().invoke(
        app, ["evaluate", str(tmp_path / "nope.model"), datapath("lee.cor"), "--out", str(tmp_path / "x")]
    )
    assert bad.exit_code != 0
    assert isinstance(bad.exception, ModelFileError)
    # through the console entry point, bad input is exit code 2 and one error line
    proc = cli_run_main("evaluate", tmp_path / "nope.model", datapath("lee.cor"), "--out", tmp_path / "x")
    assert proc.returncode == 2
    assert cli_error_line(proc) == f"error: model file not found: {tmp_path / 'nope.model'}"


def test_cli_evaluate_exits_1_when_a_check_fails(tmp_path) -> None:
    # "before" is another training run: no pretrained word keeps its neighbours
    after = _lee_model(tmp_path / "a.model", vector_size=16, epochs=3, seed=2)
    before = _lee_model(tmp_path / "b.model", vector_size=16, epochs=3, seed=3)
    res = _evaluate_lee(after, before, tmp_path / "rep", 20)
    assert res.exit_code == 1, res.output
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert data["verdict"] == "fail"
    assert next(s for s in data["sections"] if s["key"] == "word_neighbours")["verdict"] == "fail"
