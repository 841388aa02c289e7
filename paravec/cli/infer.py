"""``paravec infer``: document vectors of a corpus inferred on a Dask cluster (a thin layer over `paravec.cluster`).

Examples
--------
    paravec infer news.model articles.jsonl --out articles.npy
    paravec infer news.model articles.jsonl --out articles.npy --scheduler tcp://10.0.0.5:8786

writes ``articles.npy`` (one float32 row per document, in corpus order) and
``articles.npy.tags.json`` (the documents' tags, in the same order). Without ``--scheduler`` a
local Dask cluster runs one worker per core; with it, the workers of that cluster (each must read
MODEL at the same path). Document ``i`` is seeded from ``(--seed, i)``: the same vectors, bit for
bit, as `paravec.infer` in one process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from paravec.cli import app
from paravec.cli._ui import Steps, check_output_path


@app.command("infer")
def infer_command(
    model: Path = typer.Argument(..., help="The model file (gensim Doc2Vec), readable by every worker."),
    corpus: Path = typer.Argument(
        ..., help="The documents: a text file (one per line), a .jsonl file, or a folder."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="The .npy file to write (plus OUT.tags.json)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="A Dask scheduler, tcp://host:8786 (default: a local cluster)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Workers of the local cluster (default: one per core)."
    ),
    partition_size: int = typer.Option(1_000, "--partition-size", help="Documents per Dask task."),
    epochs: int | None = typer.Option(None, "--epochs", help="Inference epochs (default: the model's)."),
    seed: int = typer.Option(0, "--seed", help="Document i is seeded from (seed, i)."),
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
    """Infer a vector for every document of CORPUS with MODEL on a Dask cluster; write them to --out."""
    import numpy as np  # not for `--help`

    from paravec.cluster import infer_on_cluster
    from paravec.corpus import read_texts
    from paravec.files import atomic_path, write_json
    from paravec.model_io import load
    from paravec.tokenizer import tokenize

    check_output_path(out, model, corpus)
    with Steps() as steps:
        with steps.step(f"reading {corpus}"):
            texts = list(
                read_texts(
                    corpus, encoding=encoding, format=corpus_format, id_field=id_field, text_field=text_field
                )
            )
            words = [tokenize(text) for _tag, text in texts]
        with steps.step(f"checking {model}"):
            vector_size = load(model, mmap="r").vector_size  # a clear error before the cluster starts
        vectors = np.empty((len(words), vector_size), dtype=np.float32)
        started = time.perf_counter()
        with steps.step(f"inferring {len(words):,} documents", len(words)) as progress:
            for start, part in infer_on_cluster(
                model,
                words,
                scheduler=scheduler,
                workers=workers,
                partition_size=partition_size,
                epochs=epochs,
                seed=seed,
                progress=lambda done, total: progress("infer", done, total),
            ):
                vectors[start : start + len(part)] = part
        seconds = time.perf_counter() - started
        write_json(Path(f"{out}.tags.json"), [tag for tag, _text in texts], indent=None)
        with atomic_path(out) as tmp:
            np.save(tmp, vectors)
    result = {
        "vectors": str(out),
        "tags": f"{out}.tags.json",
        "documents": len(words),
        "seconds": round(seconds, 3),
        "documents_per_second": round(len(words) / seconds, 1) if seconds > 0 else None,
    }
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(f"{result['documents']:,} vectors -> {out} ({result['documents_per_second']} documents/s)")
