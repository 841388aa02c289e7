"""``paravec store`` and ``paravec export`` (paravec/cli/store.py, paravec/cli/export.py) on the Lee corpus."""

from __future__ import annotations

import json

import numpy as np
from gensim.models import Doc2Vec

import paravec


def test_store_workflow_from_the_command_line(tmp_path, cli_files, cli_invoke, cli_digest):
    store = tmp_path / "news.store"
    inputs = cli_digest(cli_files["model"], cli_files["base_txt"], cli_files["new_txt"])
    init = cli_invoke("store", "init", store, cli_files["model"], cli_files["base_txt"])
    assert init.exit_code == 0, init.output
    assert "version" in init.stdout and "150" in init.stdout
    update = cli_invoke(
        "store", "update", store, cli_files["new_txt"], "--min-count", 2, "--epochs", 20,
        "--no-word-benchmarks", "--force", "--json",
    )  # fmt: skip
    assert update.exit_code == 0, update.output
    info = json.loads(update.stdout)
    assert (info["number"], info["parent"], info["current"], info["new_tags"]) == (2, 1, True, 160)
    assert info["options"]["update"]["min_count"] == 2 and info["verdict"] in ("pass", "warn", "fail")
    versions = cli_invoke("store", "versions", store, "--json")
    rows = json.loads(versions.stdout)
    assert [(v["number"], v["current"]) for v in rows] == [(1, False), (2, True)]
    table = " ".join(cli_invoke("store", "versions", store).stdout.split())
    for column in ("version", "parent", "documents", "words", "new tags", "new words", "verdict", "current"):
        assert column in table
    diff = json.loads(cli_invoke("store", "diff", store, 1, 2, "--json").stdout)
    assert len(diff["added_tags"]) == 160 and diff["removed_tags"] == [] and diff["changed_documents"] == 0
    assert cli_invoke("store", "rollback", store).stdout.strip() == "version 1 is current"
    assert paravec.Store.open(store).current == 1
    assert cli_invoke("store", "rollback", store, 2).exit_code == 0
    deleted = cli_invoke("store", "delete", store, "new:1", "new:2")
    assert deleted.exit_code == 0 and "2 documents removed" in deleted.stdout
    gc = cli_invoke("store", "gc", store, "--keep", 1)
    assert gc.exit_code == 0 and "removed 2 versions (1, 2)" in gc.stdout
    out = tmp_path / "exported.model"
    assert cli_invoke("export", store, out).exit_code == 0
    exported = Doc2Vec.load(str(out))  # plain gensim
    current = paravec.Store.open(store).model()
    assert np.array_equal(exported.dv.vectors, current.dv.vectors) and "new:1" not in exported.dv
    assert cli_digest(cli_files["model"], cli_files["base_txt"], cli_files["new_txt"]) == inputs


def test_store_errors_are_one_line(tmp_path, cli_files, cli_run_main, cli_error_line):
    missing = cli_run_main("store", "versions", tmp_path / "nope")
    assert missing.returncode == 2 and "is not a paravec store" in cli_error_line(missing)
    store = tmp_path / "s"
    assert cli_run_main("store", "init", store, cli_files["model"]).returncode == 0
    again = cli_run_main("store", "init", store, cli_files["model"])
    assert again.returncode == 2 and "not an empty folder" in cli_error_line(again)
    base = cli_run_main("store", "rollback", store)
    assert base.returncode == 2 and "is the base" in cli_error_line(base)
    gone = cli_run_main("store", "delete", store, "no-such-tag")
    assert gone.returncode == 2 and "no document tagged" in cli_error_line(gone)


def test_help_says_that_a_model_file_is_a_pickle(cli_invoke):
    for command in (
        ["store", "init"],
        ["check"],
        ["info"],
        ["update"],
        ["similar"],
        ["evaluate"],
        ["index"],
        [],
    ):
        text = " ".join(cli_invoke(*command, "--help").stdout.replace("│", " ").split())  # rich's boxes
        assert "pickle" in text and "runs any code it carries" in text, command
