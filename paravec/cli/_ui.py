"""What every command shows besides its result: progress on stderr, warnings, output-path checks.

Commands print their result (a table, JSON, a summary line) on stdout and everything else on
stderr, so their output can be piped. `Steps` draws one progress line per long step and
clears them when the command fails (the failure is then one line); `check_output_path`
refuses an ``--out`` that would overwrite an input or cannot be written, before any work is done.

Examples
--------
>>> from pathlib import Path
>>> from paravec.cli._ui import check_output_path
>>> check_output_path(Path("/nonexistent-folder/base.model"))
Traceback (most recent call last):
...
paravec.errors.ParameterError: --out /nonexistent-folder/base.model: folder /nonexistent-folder does not exist; create it first
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from paravec.errors import ParameterError

__all__ = ["PICKLE_NOTE", "Steps", "check_output_path", "warn"]

PICKLE_NOTE = (
    " A gensim model file is a pickle: loading it runs any code it carries; give only files you trust."
)
"""Appended to the help of every argument that takes a gensim model file."""


class Steps:
    """One rich progress line per long step, on stderr so stdout stays clean for tables and JSON.

    Use as a context manager; `step` is itself a context manager yielding a
    ``progress(step, done, total)`` callback in the shape paravec's library functions take.
    """

    def __init__(self) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )

    def __enter__(self) -> Steps:
        self.progress.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            # An error ends the command with one line on stderr: clear the bars instead of leaving them.
            for task in list(self.progress.task_ids):
                self.progress.remove_task(task)
            self.progress.live.transient = True
        self.progress.__exit__(exc_type, exc, traceback)

    @contextmanager
    def step(self, description: str, total: int | None = None) -> Iterator[Callable[[str, int, int], None]]:
        """Show ``description`` until the block ends; the yielded callback moves the bar."""
        task = self.progress.add_task(description, total=total)

        def report(_step: str, done: int, of: int) -> None:
            self.progress.update(task, completed=done, total=of)

        yield report
        final = self.progress.tasks[task].total or 1
        self.progress.update(task, total=final, completed=final)


def check_output_path(out: Path, *inputs: Path) -> None:
    """Refuse an output that would overwrite an input or cannot be written, before any work is done."""
    if out.is_dir():
        raise ParameterError(f"--out {out} is a folder; give a file name, e.g. {out / 'model'}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ParameterError(f"--out {out}: folder {folder} does not exist; create it first")
    target = out.resolve()
    for path in inputs:
        if path.exists() and (
            path.resolve() == target or (path.is_dir() and target.is_relative_to(path.resolve()))
        ):
            raise ParameterError(
                f"--out {out} would overwrite the input {path}; inputs are never modified, give another --out"
            )


def warn(message: str) -> None:
    """One yellow line on stderr."""
    Console(stderr=True).print(f"[yellow]warning:[/] {message}", highlight=False)
