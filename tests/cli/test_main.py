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


def test_help_loads_no_numeric_stack():
    # Every `--help` must start at once (issue 14: within 0.5 s): numpy, gensim, scipy and numba
    # cost a tenth of a second to a second to import and are for commands that run. A command
    # module that imports one of them at module level loads it for every `--help`, since the
    # entry point registers every command.
    import subprocess
    import sys

    from paravec.cli import _COMMAND_MODULES

    probe = (
        "import sys\n"
        "from paravec.cli import main\n"
        f"for command in [[], *([c] for c in {list(_COMMAND_MODULES)!r})]:\n"
        "    sys.argv = ['paravec', *command, '--help']\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as done:\n"
        "        assert done.code in (0, None), (command, done.code)\n"
        "print('loaded:', [m for m in ('numpy', 'gensim', 'scipy', 'numba') if m in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "loaded: []"


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


def _as_unprivileged(argv: list[str]) -> list[str]:
    """Run ``argv`` so that file permissions apply: as root, without the capabilities that bypass them."""
    import os
    import shutil

    if os.geteuid() != 0:
        return argv
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file permissions cannot be tested")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *argv]


def _run_unprivileged(*args: object):
    import subprocess
    import sys

    argv = _as_unprivileged([sys.executable, "-c", "from paravec.cli import main; main()", *map(str, args)])
    return subprocess.run(argv, capture_output=True, text=True, timeout=300)


def test_unreadable_and_unwritable_paths_give_one_line(cli_files, tmp_path, cli_error_line):
    unreadable = tmp_path / "secret.txt"
    unreadable.write_text("a document nobody may read\n", encoding="utf-8")
    unreadable.chmod(0)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        # an unreadable corpus: paravec's one line, not typer's usage box
        proc = _run_unprivileged("train", unreadable, "--out", tmp_path / "m.model")
        assert proc.returncode == 2 and "secret.txt: cannot read (Permission denied)" in cli_error_line(proc)
        proc = _run_unprivileged("info", unreadable)
        assert proc.returncode == 2 and "Permission denied" in cli_error_line(proc)
        # outputs in a folder that cannot be written: refused before any work, in one line
        for args in (
            ("index", cli_files["model"], cli_files["base_txt"], "--out", locked / "x.index"),
            ("train", cli_files["base_txt"], "--out", locked / "m.model"),
            (
                "update",
                cli_files["model"],
                cli_files["new_txt"],
                "--out",
                tmp_path / "u.model",
                "--report",
                locked / "r",
            ),
        ):
            proc = _run_unprivileged(*args)
            assert proc.returncode == 2, proc.stderr
            assert "cannot write in" in cli_error_line(proc) and "locked" in cli_error_line(proc)
        assert list(locked.iterdir()) == [] and not (tmp_path / "u.model").exists()
    finally:
        locked.chmod(0o755)
        unreadable.chmod(0o644)
