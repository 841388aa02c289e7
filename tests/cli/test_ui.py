"""Tests of paravec.cli._ui: output-path checks, progress steps, warnings on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest
from gensim.test.utils import datapath

from paravec.cli._ui import Steps, check_output_path, warn
from paravec.errors import ParameterError


def test_output_path_may_not_be_a_folder_missing_folder_or_an_input(tmp_path: Path) -> None:
    corpus = tmp_path / "lee.cor"
    corpus.write_bytes(Path(datapath("lee.cor")).read_bytes())
    check_output_path(tmp_path / "base.model", corpus)  # a new file next to the input is fine
    with pytest.raises(ParameterError, match=r"is a folder; give a file name, e\.g\. .*model$"):
        check_output_path(tmp_path, corpus)
    with pytest.raises(ParameterError, match=r"folder .*nope does not exist; create it first$"):
        check_output_path(tmp_path / "nope" / "base.model", corpus)
    with pytest.raises(
        ParameterError, match=r"would overwrite the input .*lee\.cor; inputs are never modified"
    ):
        check_output_path(corpus, corpus)
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    with pytest.raises(ParameterError, match=r"would overwrite the input .*docs"):
        check_output_path(folder / "sub" / "base.model", folder)


def test_steps_complete_their_bars_and_clear_them_on_error(capsys: pytest.CaptureFixture[str]) -> None:
    with Steps() as steps:
        with steps.step("reading", 3) as progress:
            progress("reading", 2, 3)
        assert steps.progress.tasks[0].completed == 3
    assert not steps.progress.live.transient
    with pytest.raises(RuntimeError), Steps() as failing, failing.step("training", 5):
        raise RuntimeError("stop")
    assert failing.progress.task_ids == [] and failing.progress.live.transient
    assert capsys.readouterr().out == ""  # progress never goes to stdout


def test_warn_is_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    warn("3 documents had no words and were skipped")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "warning: 3 documents had no words and were skipped\n"


def test_a_long_corpus_path_keeps_the_progress_bar_on_an_80_column_line(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    long_path = tmp_path / ("a_very_long_folder_name_" * 4) / "nested" / "lee_background.cor"
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    with Steps(console=console) as steps, steps.step(f"reading {long_path}", 4) as progress:
        progress("read", 2, 4)
    lines = [line for line in out.getvalue().splitlines() if "reading" in line]
    final = lines[-1]
    # one line, the file's name kept, and the bar and counts still on it
    assert "reading lee_background.cor" in final and "━" in final and "4/4" in final
    assert "a_very_long_folder" not in final
