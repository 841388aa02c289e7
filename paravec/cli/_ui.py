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

import os
import tempfile
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
from rich.table import Column

from paravec.errors import ParameterError

__all__ = [
    "DESCRIPTION_WIDTH",
    "PICKLE_NOTE",
    "Steps",
    "check_output_folder",
    "check_output_path",
    "note",
    "short_description",
    "warn",
]

PICKLE_NOTE = (
    " A gensim model file is a pickle: loading it runs any code it carries; give only files you trust."
)
"""Appended to the help of every argument that takes a gensim model file."""

#: Widest progress description, so spinner, bar, counts and time fit an 80-column terminal.
DESCRIPTION_WIDTH = 36


class Steps:
    """One rich progress line per long step, on stderr so stdout stays clean for tables and JSON.

    Use as a context manager; `step` is itself a context manager yielding a
    ``progress(step, done, total)`` callback in the shape paravec's library functions take.
    """

    def __init__(self, console: Console | None = None) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            # A long description would push the bar off an 80-column line: one line, cut with "…".
            TextColumn(
                "{task.description}",
                table_column=Column(no_wrap=True, overflow="ellipsis", max_width=DESCRIPTION_WIDTH),
            ),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
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
        task = self.progress.add_task(short_description(description), total=total)

        def report(_step: str, done: int, of: int) -> None:
            self.progress.update(task, completed=done, total=of)

        yield report
        final = self.progress.tasks[task].total or 1
        self.progress.update(task, total=final, completed=final)


def short_description(text: str, width: int = DESCRIPTION_WIDTH) -> str:
    """``text`` with each path in it reduced to its last part, cut to ``width`` characters with "…"."""
    words = [Path(w).name if "/" in w.rstrip("/") else w for w in text.split(" ")]
    short = " ".join(words)
    return short if len(short) <= width else short[: width - 1] + "…"


def check_output_path(out: Path, *inputs: Path) -> None:
    """Refuse an output that would overwrite an input or cannot be written, before any work is done."""
    if out.is_dir():
        raise ParameterError(f"--out {out} is a folder; give a file name, e.g. {out / 'model'}")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ParameterError(f"--out {out}: folder {folder} does not exist; create it first")
    _probe_writable(folder, f"--out {out}")
    target = out.resolve()
    for path in inputs:
        if path.exists() and (
            path.resolve() == target or (path.is_dir() and target.is_relative_to(path.resolve()))
        ):
            raise ParameterError(
                f"--out {out} would overwrite the input {path}; inputs are never modified, give another --out"
            )


def check_output_folder(folder: Path, option: str = "--out") -> None:
    """Refuse an output folder that cannot be created or written, before any work is done."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(f"{option} {folder}: {existing} is not a folder")
    _probe_writable(existing, f"{option} {folder}")


def _probe_writable(folder: Path, what: str) -> None:
    # A real file, not os.access: access() answers for the real user id and ignores capabilities,
    # read-only mounts and ACLs, which decide whether the write will work.
    try:
        fd, name = tempfile.mkstemp(prefix=".paravec-probe-", dir=folder)
    except OSError as err:
        raise ParameterError(
            f"{what}: cannot write in {folder} ({err.strerror}); choose a folder you can write to"
        ) from None
    os.close(fd)
    os.unlink(name)


def note(message: str) -> None:
    """One dim line on stderr: a choice made for the user that they may want to know about."""
    Console(stderr=True).print(f"[dim]note:[/] {message}", highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    """One yellow line on stderr."""
    Console(stderr=True).print(f"[yellow]warning:[/] {message}", highlight=False)
