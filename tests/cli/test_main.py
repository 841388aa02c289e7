"""The ``paravec`` console entry point (paravec/cli/__init__.py): help for every command, and
mistakes in an input file ending any command with one ``error:`` line and exit code 2."""

from __future__ import annotations

import pytest

COMMANDS = ("train", "update", "check", "info", "similar", "demo")


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command, cli_invoke):
    result = cli_invoke(command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout and "--help" in result.stdout


def test_non_utf8_corpus(tmp_path, cli_run_main, cli_error_line):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("Prices rose by 5 per cent\nThe cost was \u00a310 a week\n".encode("latin-1"))
    proc = cli_run_main("train", corpus, "--out", tmp_path / "m.model", "--vector-size", 16, "--epochs", 1)
    assert proc.returncode == 2
    line = cli_error_line(proc)
    assert "latin1.txt" in line and "utf-8" in line.lower()
    assert not (tmp_path / "m.model").exists()


def test_empty_corpus(cli_files, tmp_path, cli_run_main, cli_error_line):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n", encoding="utf-8")
    for args in (
        ("train", empty, "--out", tmp_path / "m.model"),
        ("update", cli_files["model"], empty, "--out", tmp_path / "m.model"),
    ):
        proc = cli_run_main(*args)
        assert proc.returncode == 2
        assert "empty.txt" in cli_error_line(proc)
        assert not (tmp_path / "m.model").exists()
