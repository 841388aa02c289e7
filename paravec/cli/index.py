"""``paravec index``: build or sync the search index of a model (a thin layer over `paravec.search.SearchIndex`).

Examples
--------
    paravec index news.model news.txt --out news.index
    paravec update news.model more.txt --out news2.model
    paravec index news2.model news.txt more.txt --out news.index --sync

The first command indexes every document of the corpus (keyword: tantivy; vectors: the model's
document vectors). With ``--sync`` an existing index follows the model: new documents are added,
replaced ones re-indexed, dropped ones removed, and nothing else is touched. A model updated with
several batches has the documents of several files: give them all (each keeps its own tags).
Documents of the model whose text no corpus holds are not indexed; the command says how many.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps, check_output_folder, warn


@app.command("index")
def index_command(
    model: Path = typer.Argument(..., help="The model file (gensim Doc2Vec)." + PICKLE_NOTE),
    corpora: list[Path] = typer.Argument(
        ...,
        metavar="CORPUS...",
        help="Texts of the model's documents: text files (one per line), .jsonl files, or folders, "
        "as given to train/update (all of them, for a model updated with several batches).",
    ),
    out: str = typer.Option(
        ...,
        "--out",
        "-o",
        help="The index folder (created; keep it next to the model), or a PostgreSQL URI "
        "postgresql://user@host:port/db?schema=NAME (needs paravec[postgres]).",
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
    infer_missing: bool = typer.Option(
        False,
        "--infer-missing",
        help="Index texts whose tag the model does not have with vectors inferred on a Dask cluster.",
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="With --infer-missing: a Dask scheduler tcp://host:8786 (default: local)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="With --infer-missing: workers of the local cluster (default: one per core)."
    ),
    ann_threshold: int | None = typer.Option(
        None,
        "--ann-threshold",
        help="Above this many documents vector search uses an ANN index (default: 50,000 with usearch, "
        "10,000 in PostgreSQL).",
    ),
    text_config: str | None = typer.Option(
        None,
        "--text-config",
        help="PostgreSQL: the text-search configuration of keyword ranking (english, norwegian, simple, ...; "
        "default: the model's language).",
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
    """Build the search index of MODEL over the texts of each CORPUS in --out (or --sync it)."""
    from paravec.corpus import read_texts
    from paravec.errors import ParameterError
    from paravec.model_io import load
    from paravec.search import SearchIndex
    from paravec.search.pgsql import is_dsn, shown_dsn

    if not is_dsn(out):
        check_output_folder(Path(out))
    if infer_missing and (sync or skip_missing):
        raise ParameterError(
            "--infer-missing builds an index with inferred vectors; it goes with neither --sync nor --skip-missing"
        )
    if sync and force:
        raise ParameterError(
            "--sync and --force exclude each other: --sync updates the index, --force rebuilds it"
        )
    where = shown_dsn(out) if is_dsn(out) else out  # never print a password
    with Steps() as steps:
        loaded = None
        if not sync:
            with steps.step(f"loading {model}"):
                loaded = load(model, mmap="r")
        texts: list[tuple[str, str]] = []
        for corpus in corpora:
            with steps.step(f"reading {corpus.name}"):
                texts += read_texts(
                    corpus, encoding=encoding, format=corpus_format, id_field=id_field, text_field=text_field
                )
        if sync:
            with steps.step(f"syncing {where}", 1) as progress:
                index = SearchIndex.open(out, model=model, sync="rebuild", texts=texts)
                report = index.last_sync or index.sync(
                    index.model, texts, model_path=model, progress=progress
                )
            result = {"index": str(index.path), "documents": len(index), **report.to_dict()}
        else:
            with steps.step(f"indexing into {where}") as progress:
                index = SearchIndex.build(
                    model,
                    texts,
                    out,
                    model=loaded,
                    progress=progress,
                    ann_threshold=ann_threshold,
                    overwrite=force,
                    missing="skip" if skip_missing else "error",
                    text_config=text_config,
                    infer_missing=infer_missing,
                    scheduler=scheduler,
                    workers=workers,
                )
            result = {"index": str(index.path), "documents": len(index), "ann": index.uses_ann}
    if sync and result.get("skipped"):
        warn(f"{len(result['skipped'])} texts have tags the model does not have and were not indexed")
    unindexed = _unindexed(index)
    result["model_documents"] = len(index.model.dv)
    result["not_indexed"] = len(unindexed)
    if unindexed:
        shown = ", ".join(map(repr, unindexed[:3])) + (", ..." if len(unindexed) > 3 else "")
        warn(
            f"indexed {len(index):,} of the model's {len(index.model.dv):,} documents: {len(unindexed):,} "
            f"({shown}) have no text in {', '.join(c.name for c in corpora)}; they cannot be searched. "
            "To include them, give every corpus the model was trained and updated with "
            "(`paravec index MODEL base.txt new.txt --out INDEX --force`), or add theirs with --sync"
        )
    if as_json:
        typer.echo(json.dumps(result, indent=2, default=str))
        return
    table = Table(title=f"paravec index -> {result['index']}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row(
        "documents",
        f"{result['documents']:,}"
        + (f" (of the model's {result['model_documents']:,})" if result["not_indexed"] else ""),
    )
    if sync:
        for key in ("added", "replaced", "removed", "skipped"):
            items = result[key]
            shown = ", ".join(items[:5]) + (", ..." if len(items) > 5 else "")
            table.add_row(key, f"{len(items):,}" + (f": {shown}" if shown else ""))
        table.add_row("unchanged", f"{result['unchanged']:,}")
        table.add_row("time", f"{result['seconds']:.2f}s")
    else:
        table.add_row("vector search", "ANN" if result["ann"] else "exact")
    Console().print(table)


def _unindexed(index: Any) -> list[Any]:
    """Tags of the model's documents the index does not hold, in the model's order."""
    indexed = set(index.tags)
    return [t for t in index.model.dv.index_to_key if str(t) not in indexed]
