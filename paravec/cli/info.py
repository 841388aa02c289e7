"""``paravec info``: what a model is — architecture, sizes, training settings, update history.

Examples
--------
    paravec info updated.model
    paravec info updated.model --json

The update history lists the ``paravec.update`` entries of gensim's ``model.lifecycle_events``,
which travel with the saved model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps


@app.command("info")
def info_command(
    model: Path = typer.Argument(..., help="The model file." + PICKLE_NOTE),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show MODEL's architecture, vector size, vocabulary, documents, settings and update history."""
    from paravec.model_io import load

    with Steps() as steps, steps.step(f"loading {model}"):
        loaded = load(model, mmap="r")
    data = describe(loaded, model)
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    table = Table(title=f"paravec info {model}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("architecture", f"{data['architecture']}, {data['output']}")
    table.add_row("vector size", str(data["vector_size"]))
    table.add_row("words", f"{data['words']:,}")
    table.add_row("documents", f"{data['documents']:,}")
    table.add_row(
        "training",
        f"epochs={data['epochs']}, min_count={data['min_count']}, window={data['window']}, "
        f"sample={data['sample']:g}",
    )
    table.add_row("corpus seen", f"{data['corpus_count']:,} documents, {data['corpus_total_words']:,} words")
    table.add_row("file size", f"{data['file_bytes'] / 2**20:,.1f} MiB in {len(data['files'])} files")
    table.add_row("updates", str(len(data["updates"])))
    console = Console()
    console.print(table)
    if data["updates"]:
        history = Table(title="update history")
        history.add_column("#")
        history.add_column("when")
        history.add_column("what", overflow="fold")
        for i, event in enumerate(data["updates"], 1):
            history.add_row(str(i), str(event.get("datetime", "")), str(event.get("msg", "")))
        console.print(history)


def describe(model: Any, path: Path) -> dict[str, Any]:
    """Plain data about a Doc2Vec ``model`` loaded from ``path``."""
    if model.dm:
        kind = "concat" if model.dm_concat else ("mean" if model.cbow_mean else "sum")
        architecture = f"PV-DM ({kind})"
    else:
        architecture = "PV-DBOW" + (" with word training (dbow_words=1)" if model.dbow_words else "")
    outputs = []
    if model.hs:
        outputs.append("hierarchical softmax")
    if model.negative:
        outputs.append(f"negative sampling ({model.negative})")
    files = [path, *sorted(path.parent.glob(f"{path.name}.*.npy"))]
    events = getattr(model, "lifecycle_events", None) or []
    return {
        "path": str(path),
        "architecture": architecture,
        "output": " + ".join(outputs) or "none",
        "dm": int(model.dm),
        "dbow_words": int(model.dbow_words),
        "hs": int(model.hs),
        "negative": int(model.negative),
        "vector_size": int(model.vector_size),
        "words": len(model.wv),
        "documents": len(model.dv),
        "epochs": int(model.epochs),
        "min_count": int(model.min_count),
        "window": int(model.window),
        "sample": float(model.sample),
        "corpus_count": int(getattr(model, "corpus_count", 0) or 0),
        "corpus_total_words": int(getattr(model, "corpus_total_words", 0) or 0),
        "files": [str(f) for f in files],
        "file_bytes": sum(f.stat().st_size for f in files),
        "updates": [e for e in events if isinstance(e, dict) and e.get("event") == "paravec.update"],
    }
