"""``paravec evaluate``: write the verification report of an update (a thin layer over `paravec.evaluate`).

Examples
--------
    paravec evaluate updated.model batch.txt --before base.model --old-corpus base_sample.txt --out report/

writes ``report/report.md``, ``report/report.json`` and ``report/map.png`` and prints the verdict
per section. The exit code is 0 when nothing failed (pass or warn), 1 when a check failed, 2 on bad
input.

>>> from typer.testing import CliRunner
>>> from paravec.cli import app
>>> CliRunner().invoke(app, ["evaluate", "--help"]).exit_code
0
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps

_STYLE = {"pass": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


@app.command("evaluate")
def evaluate_command(
    model: Path = typer.Argument(..., help="The updated model file." + PICKLE_NOTE),
    corpus: Path = typer.Argument(
        ..., help="The batch that was added: a file or folder, as given to `paravec update`."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for report.md, report.json and map.png."),
    before: Path | None = typer.Option(None, "--before", help="The model file as it was before the update."),
    old_corpus: Path | None = typer.Option(
        None, "--old-corpus", help="Some documents of the base corpus (their tags as in the base model)."
    ),
    sample: int = typer.Option(200, help="Documents and words to examine per section."),
    seed: int = typer.Option(0, help="Seed for samples and infer_vector."),
    epochs: int | None = typer.Option(None, help="infer_vector epochs (default: the model's)."),
    benchmarks: bool = typer.Option(
        True, "--benchmarks/--no-benchmarks", help="Run WordSim-353, SimLex-999, analogies."
    ),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="Draw map.png (needs matplotlib)."),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(
        None, "--format", help="Corpus format: lines, jsonl or folder (default: detected)."
    ),
) -> None:
    """Check an update with numbers: placement of new documents and words, and what the base kept."""
    from paravec.corpus import read_corpus
    from paravec.evaluation import evaluate
    from paravec.model_io import load

    with Steps() as steps:
        with steps.step("loading model and corpora"):
            updated = load(model)
            batch = list(read_corpus(corpus, encoding=encoding, format=corpus_format))
            olds = (
                list(read_corpus(old_corpus, encoding=encoding, format=corpus_format)) if old_corpus else None
            )
            base = load(before, mmap="r") if before is not None else None
        with steps.step("evaluating") as progress:
            report = evaluate(
                updated,
                batch,
                before=base,
                old_documents=olds,
                sample=sample,
                seed=seed,
                epochs=epochs,
                word_benchmarks=benchmarks,
                progress=progress,
            )
        with steps.step(f"writing {out}"):
            written = report.save(out, plots=plots)

    table = Table(title=f"paravec evaluate: {report.verdict.upper()}")
    table.add_column("section")
    table.add_column("verdict")
    table.add_column("summary", overflow="fold")
    for s in report.sections:
        table.add_row(s.title, f"[{_STYLE[s.verdict]}]{s.verdict}[/]", s.summary)
    console = Console()
    console.print(table)
    for kind, path in written.items():
        console.print(f"{kind}: {path}")
    if report.verdict == "fail":
        raise typer.Exit(1)
