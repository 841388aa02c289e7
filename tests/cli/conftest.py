"""Helpers and trained models shared by the tests of the ``paravec`` command line.

Commands run through typer's CliRunner (``cli_invoke``); exit codes and stderr of the console entry
point (``paravec.cli.main``, which turns ParavecError into one line) come from ``cli_run_main``.
pytest imports test files in importlib mode, so helpers are fixtures that return the function.
Every fixture name starts with ``cli_`` so none can clash with a fixture of another test file here;
those shared by the tests of ``paravec index``, ``paravec search`` and ``paravec explore`` start
with ``search_``.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from gensim.test.utils import datapath
from typer.testing import CliRunner, Result

import paravec
from paravec.cli import app, main
from paravec.corpus import read_corpus
from paravec.datasets import SEED_TEXTS


def _runner() -> CliRunner:
    try:
        # click < 8.2 mixes stderr into output by default; newer click has no mix_stderr.
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def _invoke(*args: object) -> Result:
    return _runner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def _run_main(*args: object, in_process: bool = True) -> subprocess.CompletedProcess[str]:
    """The console entry point paravec.cli.main as a user runs it: exit code, stdout, stderr.

    In-process by default (a fresh interpreter costs seconds of imports); ``in_process=False``
    runs it in a subprocess, as the installed ``paravec`` script does.
    """
    argv = [str(a) for a in args]
    if not in_process:
        return subprocess.run(
            [sys.executable, "-c", "from paravec.cli import main; main()", *argv],
            capture_output=True,
            text=True,
            timeout=120,
        )
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


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture(scope="session")
def cli_invoke() -> Callable[..., Result]:
    """Run a command through typer's CliRunner: ``cli_invoke("info", path, "--json")``."""
    return _invoke


@pytest.fixture(scope="session")
def cli_run_main() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the console entry point; returns a CompletedProcess (returncode, stdout, stderr)."""
    return _run_main


@pytest.fixture(scope="session")
def cli_digest() -> Callable[..., dict[str, str]]:
    """sha256 of files and their ``.npy`` companions, to prove a command left its inputs alone."""
    return _digest


@pytest.fixture(scope="session")
def cli_error_line() -> Callable[[subprocess.CompletedProcess[str]], str]:
    """The single ``error: ...`` line a failed command writes to stderr (asserts there is one)."""
    return _error_line


@pytest.fixture(scope="session")
def cli_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Base corpus (150 Lee articles), a batch (the other 150 plus the seed texts), a trained base."""
    folder = tmp_path_factory.mktemp("cli")
    lines = Path(datapath("lee_background.cor")).read_text(encoding="utf-8").splitlines()
    base_txt, new_txt = folder / "base.txt", folder / "new.txt"
    base_txt.write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    new_txt.write_text("\n".join(lines[150:] + list(SEED_TEXTS)) + "\n", encoding="utf-8")
    model = folder / "base.model"
    result = _invoke(
        "train", base_txt, "--out", model, "--vector-size", 32, "--epochs", 20, "--min-count", 2, "--seed", 1
    )
    assert result.exit_code == 0, result.output
    return {"folder": folder, "base_txt": base_txt, "new_txt": new_txt, "model": model}


@pytest.fixture(scope="session")
def cli_updated(cli_files: dict[str, Path]) -> tuple[Path, dict[str, Any]]:
    """The base of ``cli_files`` updated with the batch (memory-mapped save) and the JSON report."""
    before = _digest(cli_files["model"], cli_files["new_txt"])
    out = cli_files["folder"] / "updated.model"
    result = _invoke(
        "update", cli_files["model"], cli_files["new_txt"], "--out", out, "--min-count", 2, "--mmap", "--json"
    )
    assert result.exit_code == 0, result.output
    assert _digest(cli_files["model"], cli_files["new_txt"]) == before, "update modified its inputs"
    return out, json.loads(result.stdout)


@pytest.fixture(scope="session")
def search_run() -> Callable[..., str]:
    """Run a command that must succeed (exit code 0); returns its stdout."""

    def run(*args: object) -> str:
        result = _invoke(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


@pytest.fixture(scope="session")
def search_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with news.txt (lee_background.cor, tags news:1..news:300) and news.model trained on it."""
    folder = tmp_path_factory.mktemp("cli_search")
    corpus = folder / "news.txt"
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        corpus.write_text(fh.read(), encoding="utf-8")
    model = paravec.train(read_corpus(corpus), vector_size=32, epochs=10, seed=1, workers=2)
    paravec.save(model, folder / "news.model")
    return folder


@pytest.fixture(scope="session")
def search_index(search_files: Path, search_run: Callable[..., str]) -> Path:
    """The folder of ``search_files`` with news.index built from it by ``paravec index`` (never synced)."""
    search_run(
        "index", search_files / "news.model", search_files / "news.txt", "--out", search_files / "news.index"
    )
    return search_files


@pytest.fixture(scope="session")
def search_refuses(
    search_index: Path, cli_run_main: Callable[..., subprocess.CompletedProcess[str]]
) -> Callable[[list[str], str], None]:
    """Assert that a command (``{index}``, ``{model}``, ``{corpus}``, ``{missing}`` in its arguments
    stand for files of ``search_index``) exits 2 with one ``error:`` line containing ``message``."""
    values = {
        "index": search_index / "news.index",
        "model": search_index / "news.model",
        "corpus": search_index / "news.txt",
        "missing": search_index / "nowhere",
    }

    def refuses(args: list[str], message: str) -> None:
        proc = cli_run_main(*[a.format(**values) for a in args])
        code, err = proc.returncode, proc.stderr
        assert code == 2
        last = err.strip().splitlines()[-1]
        assert last.startswith("error: ") and message in last and "Traceback" not in err

    return refuses
