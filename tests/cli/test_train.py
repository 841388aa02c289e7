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
