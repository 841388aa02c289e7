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
