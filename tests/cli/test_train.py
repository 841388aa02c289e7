"""``paravec train`` (paravec/cli/train.py): a plain gensim model from a text file, one document a line."""

from __future__ import annotations

from gensim.models import Doc2Vec

import paravec


def test_train_writes_a_plain_gensim_model(cli_files):
    model = Doc2Vec.load(str(cli_files["model"]))
    assert (model.vector_size, model.dm, model.dbow_words, model.epochs) == (32, 0, 1, 20)
    assert len(model.dv) == 150
    assert model.dv.index_to_key[0] == "base:1"  # tags are "{stem}:{line}"
    assert paravec.check(model) == []


def test_train_refuses_out_into_missing_folder(cli_files, tmp_path, cli_run_main, cli_error_line):
    proc = cli_run_main("train", cli_files["base_txt"], "--out", tmp_path / "nope" / "m.model")
    assert proc.returncode == 2 and "does not exist" in cli_error_line(proc)


def test_train_defaults_follow_the_corpus_size(cli_files, tmp_path, cli_run_main):
    # 150 Lee articles (~30k words): a small corpus gets 100 dimensions and 40 epochs, and is told so
    proc = cli_run_main("train", cli_files["base_txt"], "--out", tmp_path / "m.model", "--seed", 1)
    assert proc.returncode == 0, proc.stderr
    model = Doc2Vec.load(str(tmp_path / "m.model"))
    assert (model.vector_size, model.epochs) == (100, 40)
    assert "small corpus" in proc.stderr and "vector_size=100, epochs=40" in " ".join(proc.stderr.split())
    # its vectors are spread: random pairs of words are far from the 0.8-0.9 of 20 epochs at 300 dimensions
    from paravec.scores import RandomPairs

    assert RandomPairs.of(model.wv).mean < 0.5
    # fewer epochs than suggested get a warning
    few = cli_run_main(
        "train", cli_files["base_txt"], "--out", tmp_path / "f.model", "--epochs", 5, "--vector-size", 16
    )
    assert few.returncode == 0 and "leave vectors crowded together" in " ".join(few.stderr.split())
