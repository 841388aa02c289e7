"""``paravec check``: prove a model file consistent, or list what is broken (a thin layer over `paravec.check`).

Examples
--------
    paravec check updated.model

prints ``ok`` and exits 0 for a consistent model; prints one problem per line and exits 1 for a
broken one (e.g. a Doc2Vec grown with gensim's ``build_vocab(update=True)``); exits 2 with one
error line when the file cannot be read as a Doc2Vec at all.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps


@app.command("check")
def check_command(
    model: Path = typer.Argument(..., help="The model file to check." + PICKLE_NOTE),
    mmap: bool = typer.Option(
        False, "--mmap", help="Memory-map the model's arrays read-only (for big models)."
    ),
) -> None:
    """Check that MODEL is a consistent Doc2Vec: prints "ok" (exit 0) or each problem (exit 1)."""
    from paravec.invariants import check
    from paravec.model_io import load

    with Steps() as steps:
        with steps.step(f"loading {model}"):
            loaded = load(model, mmap="r" if mmap else None)
        with steps.step("checking"):
            problems = check(loaded)
    if not problems:
        typer.echo("ok")
        return
    console = Console()
    console.print(f"[bold red]{model} is broken[/] ({len(problems)} problems):", highlight=False)
    for problem in problems:
        console.print(f"- {problem}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)
