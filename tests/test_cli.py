"""The paravec command line on real text: train, update, check, info, similar, demo.

Commands run through typer's CliRunner; exit codes and stderr of the console entry point
(``paravec.cli.main``, which turns ParavecError into one line) run in a subprocess.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from gensim.models import Doc2Vec, Word2Vec
from gensim.test.utils import datapath
from typer.testing import CliRunner

import paravec
from paravec.cli import app, main
from paravec.datasets import SEED_TEXTS
from paravec.tokenize import tokenize

COMMANDS = ("train", "update", "check", "info", "similar", "demo")


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2 mixes stderr into output by default
    except TypeError:
        return CliRunner()


def invoke(*args: str):
    result = _runner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result


def run_main(*args: str, in_process: bool = True) -> subprocess.CompletedProcess:
    """The console entry point paravec.cli.main as a user runs it: exit code, stdout, stderr.

    In-process by default (a fresh interpreter costs seconds of imports); ``in_process=False``
    runs it in a subprocess, as the installed ``paravec`` script does.
    """
    argv = [str(a) for a in args]
    if not in_process:
        return subprocess.run([sys.executable, "-c", "from paravec.cli import main; main()", *argv],
                              capture_output=True, text=True, timeout=120)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with mock.patch.object(sys, "argv", ["paravec", *argv]), redirect_stdout(out), redirect_stderr(err):
        try:
            main()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def _digest(*paths: Path) -> dict[str, str]:
    files = []
    for p in paths:
        files += [p, *p.parent.glob(f"{p.name}.*.npy")]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _error_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Base corpus (150 Lee articles), a batch (the other 150 plus the seed texts), a trained base."""
    folder = tmp_path_factory.mktemp("cli")
    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    base_txt, new_txt = folder / "base.txt", folder / "new.txt"
    base_txt.write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    new_txt.write_text("\n".join(lines[150:] + list(SEED_TEXTS)) + "\n", encoding="utf-8")
    model = folder / "base.model"
    result = invoke("train", base_txt, "--out", model, "--vector-size", 32, "--epochs", 20, "--min-count", 2, "--seed", 1)
    assert result.exit_code == 0, result.output
    return {"folder": folder, "base_txt": base_txt, "new_txt": new_txt, "model": model}


@pytest.fixture(scope="module")
def updated(files) -> tuple[Path, dict]:
    before = _digest(files["model"], files["new_txt"])
    out = files["folder"] / "updated.model"
    result = invoke("update", files["model"], files["new_txt"], "--out", out, "--min-count", 2, "--mmap", "--json")
    assert result.exit_code == 0, result.output
    assert _digest(files["model"], files["new_txt"]) == before, "update modified its inputs"
    return out, json.loads(result.stdout)


def test_train_writes_a_plain_gensim_model(files):
    model = Doc2Vec.load(str(files["model"]))
    assert (model.vector_size, model.dm, model.dbow_words, model.epochs) == (32, 0, 1, 20)
    assert len(model.dv) == 150
    assert model.dv.index_to_key[0] == "base:1"  # tags are "{stem}:{line}"
    assert paravec.check(model) == []


def test_update_adds_the_batch_and_keeps_inputs(files, updated):
    out, report = updated
    assert report["documents"] == 160
    assert len(report["new_tags"]) == 160 and "new:151" in report["new_tags"]
    assert "xxyfg" in report["new_words"]
    model = Doc2Vec.load(str(out))
    base = Doc2Vec.load(str(files["model"]))
    assert len(model.dv) == len(base.dv) + 160
    # freeze="all" (default): pretrained word vectors and old document vectors are bit-identical.
    assert np.array_equal(model.wv.vectors[: len(base.wv)], base.wv.vectors)
    assert np.array_equal(model.dv.vectors[: len(base.dv)], base.dv.vectors)
    check = invoke("check", out)
    assert check.exit_code == 0 and check.stdout.strip() == "ok"


def test_update_prints_a_table(files, tmp_path):
    before = _digest(files["model"], files["new_txt"])
    result = invoke("update", files["model"], files["new_txt"], "--out", tmp_path / "u.model",
                    "--drop-old-docs", "--freeze", "words", "--epochs", 2)
    assert result.exit_code == 0, result.output
    assert "new words" in result.stdout and "freeze=words" in result.stdout
    assert "dropped old documents" in result.stdout and "150" in result.stdout
    assert len(Doc2Vec.load(str(tmp_path / "u.model")).dv) == 160
    assert _digest(files["model"], files["new_txt"]) == before


def test_update_refuses_to_overwrite_its_base(files):
    before = _digest(files["model"])
    proc = run_main("update", files["model"], files["new_txt"], "--out", files["model"])
    assert proc.returncode == 2
    assert "inputs are never modified" in _error_line(proc)
    # Same file through another spelling of the path.
    proc = run_main("update", files["model"], files["new_txt"], "--out",
                    files["folder"] / ".." / files["folder"].name / "base.model")
    assert proc.returncode == 2 and "never modified" in _error_line(proc)
    assert _digest(files["model"]) == before


def test_info_lists_architecture_and_update_history(files, updated):
    out, _ = updated
    result = invoke("info", out, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["architecture"].startswith("PV-DBOW") and info["output"] == "negative sampling (5)"
    assert (info["vector_size"], info["documents"], info["epochs"]) == (32, 310, 20)
    assert len(info["updates"]) == 1 and "added 160 documents" in info["updates"][0]["msg"]
    assert info["file_bytes"] > 0
    table = invoke("info", files["model"])
    assert table.exit_code == 0 and "PV-DBOW" in table.stdout and "updates" in table.stdout


def test_similar_word_tag_and_text(updated):
    out, _ = updated
    word = json.loads(invoke("similar", out, "--word", "xxyfg", "--json").stdout)
    keys = [n["key"] for n in word["neighbours"]]
    assert len(keys) == 10 and "xxyfg" not in keys
    # xxyfg only ever occurs with jav, python and ruby (lines 151-159 of new.txt).
    assert len({"jav", "python", "ruby"} & set(keys[:5])) >= 2, keys
    seed_tags = {f"new:{151 + i}" for i in range(9)}
    tag = json.loads(invoke("similar", out, "--tag", "new:152", "--topn", 5, "--json").stdout)
    tag_keys = [n["key"] for n in tag["neighbours"]]
    assert tag["to"] == "docs" and "new:152" not in tag_keys
    assert len(seed_tags & set(tag_keys)) >= 4, tag_keys
    text = json.loads(invoke("similar", out, "--text", "Jav python RUBY xxyfg", "--topn", 20, "--json").stdout)
    assert seed_tags & {n["key"] for n in text["neighbours"]}, text
    words = invoke("similar", out, "--tag", "new:1", "--to", "words", "--topn", 3)
    assert words.exit_code == 0 and "words nearest to document 'new:1'" in words.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--word", "notawordatall"), "not in the model's vocabulary"),
        (("--tag", "nosuchtag"), "not in the model"),
        (("--text", "zzzqqq wwwxxx"), "none of the words"),
        (("--word", "fire", "--tag", "new:1"), "exactly one of"),
    ],
)
def test_similar_bad_queries(updated, args, message):
    proc = run_main("similar", updated[0], *args)
    assert proc.returncode == 2 and message in _error_line(proc)


def test_check_truncated_model(files, tmp_path):
    broken = tmp_path / "broken.model"
    broken.write_bytes(files["model"].read_bytes()[:300])
    proc = run_main("check", broken, in_process=False)  # the real console script path, no traceback
    assert proc.returncode == 2
    assert "not a readable gensim model" in _error_line(proc)


def test_check_word2vec_file(tmp_path):
    sentences = [tokenize(line) for line in Path(datapath("lee_background.cor")).read_text().splitlines()[:50]]
    path = tmp_path / "w2v.model"
    Word2Vec(sentences, vector_size=16, min_count=2, epochs=1).save(str(path))
    proc = run_main("check", path)
    assert proc.returncode == 2
    assert "holds a gensim Word2Vec, not a Doc2Vec" in _error_line(proc)
    proc = run_main("update", path, datapath("lee_background.cor"), "--out", tmp_path / "out.model")
    assert proc.returncode == 2 and "Word2Vec" in _error_line(proc)
    assert not (tmp_path / "out.model").exists()


def test_check_model_broken_by_plain_gensim_update(tmp_path, lee_background, lee_test):
    model = Doc2Vec(lee_background[:80], vector_size=16, min_count=2, epochs=2, seed=1, workers=1)
    model.build_vocab(lee_test, update=True)  # gensim's own update: the model is now corrupt
    path = tmp_path / "gensim-updated.model"
    model.save(str(path))
    proc = run_main("check", path)
    assert proc.returncode == 1, proc.stderr
    assert "is broken" in proc.stdout and "dv.vectors has 80 rows but dv has 50 keys" in proc.stdout
    assert "Traceback" not in proc.stderr
    # And update refuses to build on it, without writing anything.
    proc = run_main("update", path, datapath("lee_background.cor"), "--out", tmp_path / "out.model")
    assert proc.returncode == 2 and "inconsistent" in _error_line(proc)
    assert not (tmp_path / "out.model").exists()


def test_non_utf8_corpus(tmp_path):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("Prices rose by 5 per cent\nThe cost was \u00a310 a week\n".encode("latin-1"))
    proc = run_main("train", corpus, "--out", tmp_path / "m.model", "--vector-size", 16, "--epochs", 1)
    assert proc.returncode == 2
    line = _error_line(proc)
    assert "latin1.txt" in line and "utf-8" in line.lower()
    assert not (tmp_path / "m.model").exists()


def test_empty_corpus(files, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    for args in (("train", empty, "--out", tmp_path / "m.model"),
                 ("update", files["model"], empty, "--out", tmp_path / "m.model")):
        proc = run_main(*args)
        assert proc.returncode == 2
        assert "empty.txt" in _error_line(proc)
        assert not (tmp_path / "m.model").exists()


def test_train_refuses_out_into_missing_folder(files, tmp_path):
    proc = run_main("train", files["base_txt"], "--out", tmp_path / "nope" / "m.model")
    assert proc.returncode == 2 and "does not exist" in _error_line(proc)


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout and "--help" in result.stdout


def test_demo_quick(tmp_path):
    out = tmp_path / "demo"
    result = invoke("demo", "--quick", "--out", out)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # rich wraps table titles to the terminal width
    for heading in ("timings", "what the update added", "nearest words of new documents",
                    "nearest words of new words", "documents nearest to infer_vector", "check: consistent"):
        assert heading in text, heading
    assert "xxyfg" in text and "E0" in text and "lee_bg:0" in text
    base, updated = Doc2Vec.load(str(out / "base.model")), Doc2Vec.load(str(out / "updated.model"))
    assert paravec.check(updated) == []
    assert len(updated.dv) == len(base.dv) + 310
    assert np.array_equal(updated.wv.vectors[: len(base.wv)], base.wv.vectors)
    # The nine "jav python ruby xxyfg" documents put xxyfg next to its companions, not at random.
    sims = updated.wv.cosine_similarities(updated.wv["xxyfg"], updated.wv.vectors[: len(base.wv)])
    assert updated.wv.similarity("xxyfg", "jav") > np.quantile(sims, 0.95)
    # The seed scenario's question: the text of E0..E8, inferred, lands among E0..E8.
    updated.random.seed(1)
    vector = updated.infer_vector(["jav", "python", "ruby", "xxyfg"])
    nearest = [tag for tag, _ in updated.dv.most_similar([vector], topn=12)]
    assert len({f"E{i}" for i in range(9)} & set(nearest)) >= 5, nearest


def test_update_report_hook(files, tmp_path):
    folder = tmp_path / "report"
    result = invoke("update", files["model"], files["new_txt"], "--out", tmp_path / "u.model", "--epochs", 2,
                    "--report", folder, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["evaluation"]["verdict"] in ("pass", "warn", "fail")
    assert json.loads((folder / "report.json").read_text())["verdict"] == data["evaluation"]["verdict"]
    assert (folder / "report.md").stat().st_size > 0


def test_update_rehearses_the_base_corpus(files, tmp_path):
    """--rehearse samples the base's own file; the passages change training, not the base's vectors."""
    before = _digest(files["model"], files["new_txt"], files["base_txt"])
    common = ("--freeze", "words", "--epochs", 3, "--seed", 5, "--json")
    plain = invoke("update", files["model"], files["new_txt"], "--out", tmp_path / "plain.model", *common)
    result = invoke("update", files["model"], files["new_txt"], "--out", tmp_path / "r.model",
                    "--rehearse", files["base_txt"], *common)
    assert plain.exit_code == 0 and result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    share = paravec.strategies.REHEARSAL_SHARE * report["words"]
    assert share <= report["rehearsed_words"] < share + 1000  # stops at the first passage past the share
    assert json.loads(plain.stdout)["rehearsed_documents"] == 0
    base = Doc2Vec.load(str(files["model"]))
    rehearsed, without = Doc2Vec.load(str(tmp_path / "r.model")), Doc2Vec.load(str(tmp_path / "plain.model"))
    n = len(base.wv)
    assert np.array_equal(rehearsed.wv.vectors[:n], base.wv.vectors)  # freeze=words
    assert np.array_equal(rehearsed.dv.vectors[: len(base.dv)], base.dv.vectors)  # rehearsed vectors held fixed
    assert not np.allclose(rehearsed.syn1neg[:n], without.syn1neg[:n])  # the passages were trained
    assert paravec.check(rehearsed) == []
    assert _digest(files["model"], files["new_txt"], files["base_txt"]) == before

    table = invoke("update", files["model"], files["new_txt"], "--out", tmp_path / "t.model", "--freeze", "words",
                   "--epochs", 1, "--rehearse", files["base_txt"], "--rehearsal-words", 500)
    assert table.exit_code == 0 and "rehearsed" in table.stdout and "base passages" in table.stdout


@pytest.mark.parametrize("args, message", [
    (("--rehearse", "NEW"), "not in BASE"),  # the batch's own file: tags the base does not have
    (("--rehearsal-words", 100), "needs --rehearse"),
    (("--rehearse", "BASE", "--drop-old-docs"), "--drop-old-docs"),
])
def test_update_rehearsal_mistakes(files, tmp_path, args, message):
    args = [{"NEW": files["new_txt"], "BASE": files["base_txt"]}.get(a, a) for a in args]
    proc = run_main("update", files["model"], files["new_txt"], "--out", tmp_path / "m.model", *args)
    assert proc.returncode == 2
    assert message in _error_line(proc)
    assert not (tmp_path / "m.model").exists()
