"""``paravec index``: build or sync the search index of a model (a thin layer over `paravec.search.SearchIndex`).

Examples
--------
    paravec index news.model news.txt --out news.index
    paravec update news.model more.txt --out news2.model
    paravec index news2.model all-news.txt --out news.index --sync

The first command indexes every document of the corpus (keyword: tantivy; vectors: the model's
document vectors). With ``--sync`` an existing index follows the model: new documents are added,
replaced ones re-indexed, dropped ones removed, and nothing else is touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps, warn


@app.command("index")
def index_command(
    model: Path = typer.Argument(..., help="The model file (gensim Doc2Vec)." + PICKLE_NOTE),
    corpus: Path = typer.Argument(
        ...,
        help="Texts of the model's documents: a text file (one per line), a .jsonl file, or a folder, as given to train/update.",
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="The index folder (created; keep it next to the model)."
    ),
    sync: bool = typer.Option(
        False,
        "--sync",
        help="Update an existing index to this model: add new, re-index changed, remove dropped documents.",
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild an existing index from scratch."),
    skip_missing: bool = typer.Option(
        False, "--skip-missing", help="Skip texts whose tag the model does not have (default: error)."
    ),
    ann_threshold: int = typer.Option(
        50_000, "--ann-threshold", help="Above this many documents vector search uses an ANN index (usearch)."
    ),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(
        None, "--format", help="lines, jsonl or folder (default: detected)."
    ),
    id_field: str = typer.Option("id", "--id-field", help="JSON Lines: field with the document's id."),
    text_field: str = typer.Option(
        "text", "--text-field", help="JSON Lines: field with the document's text."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Build the search index of MODEL over the texts of CORPUS in --out (or --sync it)."""
    from paravec.corpus import read_texts
    from paravec.errors import ParameterError
    from paravec.model_io import load
    from paravec.search import SearchIndex

    if sync and force:
        raise ParameterError(
            "--sync and --force exclude each other: --sync updates the index, --force rebuilds it"
        )
    with Steps() as steps:
        loaded = None
        if not sync:
            with steps.step(f"loading {model}"):
                loaded = load(model, mmap="r")
        with steps.step(f"reading {corpus}"):
            texts = list(
                read_texts(
                    corpus, encoding=encoding, format=corpus_format, id_field=id_field, text_field=text_field
                )
            )
        if sync:
            with steps.step(f"syncing {out}", 1) as progress:
                index = SearchIndex.open(out, model=model, sync="rebuild", texts=texts)
                report = index.last_sync or index.sync(
                    index.model, texts, model_path=model, progress=progress
                )
            result = {"index": str(out), "documents": len(index), **report.to_dict()}
        else:
            with steps.step(f"indexing into {out}") as progress:
                index = SearchIndex.build(
                    model,
                    texts,
                    out,
                    model=loaded,
                    progress=progress,
                    ann_threshold=ann_threshold,
                    overwrite=force,
                    missing="skip" if skip_missing else "error",
                )
            result = {"index": str(out), "documents": len(index), "ann": index.uses_ann}
    if sync and result.get("skipped"):
        warn(f"{len(result['skipped'])} texts have tags the model does not have and were not indexed")
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
        return
    table = Table(title=f"paravec index -> {out}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("documents", f"{result['documents']:,}")
    if sync:
        for key in ("added", "replaced", "removed", "skipped"):
            items = result[key]
            shown = ", ".join(items[:5]) + (", ..." if len(items) > 5 else "")
            table.add_row(key, f"{len(items):,}" + (f": {shown}" if shown else ""))
        table.add_row("unchanged", f"{result['unchanged']:,}")
        table.add_row("time", f"{result['seconds']:.2f}s")
    else:
        table.add_row("vector search", "ANN (usearch)" if result["ann"] else "exact")
    Console().print(table)
