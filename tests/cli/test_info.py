"""``paravec info`` (paravec/cli/info.py): architecture, sizes and update history of a model."""

from __future__ import annotations

import json


def test_info_lists_architecture_and_update_history(cli_files, cli_updated, cli_invoke):
    out, _ = cli_updated
    result = cli_invoke("info", out, "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["architecture"].startswith("PV-DBOW") and info["output"] == "negative sampling (5)"
    assert (info["vector_size"], info["documents"], info["epochs"]) == (32, 310, 20)
    assert len(info["updates"]) == 1 and "added 160 documents" in info["updates"][0]["msg"]
    assert info["file_bytes"] > 0
    # tags are shown with how they were formed, so `similar --tag` can be given a real one
    assert info["tags"] == "'base:1', 'base:2', ..., 'new:160' ('<file stem>:<line>', lines counted from 1)"
    table = cli_invoke("info", cli_files["model"])
    assert table.exit_code == 0 and "PV-DBOW" in table.stdout and "updates" in table.stdout


def test_info_on_a_model_check_rejects_says_so_and_exits_1(cli_files, tmp_path, cli_run_main):
    from gensim.models import Doc2Vec

    from paravec.corpus import read_corpus

    broken = Doc2Vec.load(str(cli_files["model"]))
    broken.build_vocab(list(read_corpus(cli_files["new_txt"])), update=True)  # gensim's own growth
    broken.save(str(tmp_path / "broken.model"))
    proc = cli_run_main("info", tmp_path / "broken.model")
    assert proc.returncode == 1
    assert "broken" in proc.stdout and "documents" in proc.stdout  # still described
    assert "this model is broken" in proc.stderr and "paravec check" in proc.stderr
    as_json = cli_run_main("info", tmp_path / "broken.model", "--json")
    assert as_json.returncode == 1
    assert "dv.vectors has 150 rows but dv has 160 keys" in json.loads(as_json.stdout)["problems"]
    good = cli_run_main("info", cli_files["model"], "--json")
    assert good.returncode == 0 and json.loads(good.stdout)["problems"] == []
