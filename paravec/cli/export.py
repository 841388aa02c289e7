"""``paravec export``: write a version of a store as a plain gensim model file.

Examples
--------
    paravec export news.store news.model             # the current version
    paravec export news.store v3.model --version 3

The file is written with `paravec.save` (atomically; large arrays in ``.npy`` side files) and
loads with ``gensim.models.Doc2Vec.load`` where paravec is not installed. It is a pickle, as every
gensim model file is.
"""

from __future__ import annotations

from pathlib import Path

import typer

from paravec.cli import app
from paravec.cli._ui import Steps, check_output_path


@app.command("export")
def export_command(
    store: Path = typer.Argument(..., help="The store (see `paravec store`)."),
    out: Path = typer.Argument(..., help="The gensim model file to write."),
    version: int | None = typer.Option(
        None, "--version", min=1, help="The version (default: the current one)."
    ),
) -> None:
    """Write a version of STORE (default: the current one) to OUT as a plain gensim Doc2Vec file."""
    from paravec import Store, save

    check_output_path(out, store)
    opened = Store.open(store)
    number = opened.current if version is None else version
    with Steps() as steps, steps.step(f"writing version {number} to {out}"):
        save(opened.model(number), out)
    typer.echo(f"version {number} of {store} -> {out}")
