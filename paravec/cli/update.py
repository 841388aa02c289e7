"""``paravec update``: add a corpus to a trained model and save the result elsewhere (a thin layer over `paravec.update`).

Examples
--------
    paravec update base.model news.txt --out updated.model --freeze all --json

loads BASE (never modified), adds the documents of CORPUS — new tags, new words — and saves the
updated model atomically to --out. Prints the update report as a table, or as JSON with --json.
With ``--report DIR`` it also writes the verification report of `paravec.evaluate` there, and
exits with code 1 (`REPORT_FAILED`) when the report's verdict is fail: the model is saved, but a
script can stop before using it. Errors exit with 2, as in every command.

    paravec update base.model news.txt --out updated.model --fit domain --rehearse wiki.txt

fits the batch's domain (`paravec.updating.fits`): output weights learn the batch while random
passages of the base corpus (``wiki.txt``, the file BASE was trained from) rehearse alongside it,
with ``min_count`` and epochs derived from BASE. ``--freeze``, ``--min-count``, ``--epochs`` and
``--rehearsal-words`` override what the fit derives. Without the base's text, ``--fit domain
--replay`` rehearses passages generated from BASE itself instead (`paravec.replay`).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps, check_output_folder, check_output_path, warn
from paravec.errors import ParameterError
from paravec.rehearsal import REHEARSAL_SHARE

if TYPE_CHECKING:
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    from paravec import Corpus, UpdateReport

#: Exit code of ``paravec update --report`` when the verification report's verdict is fail.
REPORT_FAILED = 1


class FitMode(StrEnum):
    keep = "keep"
    domain = "domain"


class FreezeMode(StrEnum):
    none = "none"
    words = "words"
    all = "all"


@app.command("update")
def update_command(
    base: Path = typer.Argument(..., help="The trained model to start from (not modified)." + PICKLE_NOTE),
    corpus: Path = typer.Argument(
        ..., help="Documents to add: a text file (one per line), a .jsonl file, or a folder."
    ),
    out: Path = typer.Option(
        ..., "--out", "-o", help="Where to save the updated model (must differ from BASE)."
    ),
    drop_old_docs: bool = typer.Option(
        False, "--drop-old-docs", help="Drop the base's document vectors (keep words only)."
    ),
    fit: FitMode = typer.Option(
        FitMode.keep,
        "--fit",
        help="keep: every pretrained weight frozen; domain: fit the batch's domain (needs --rehearse).",
    ),
    freeze: FreezeMode | None = typer.Option(
        None,
        help="Pretrained weights held fixed: all, words (input vectors only) or none (default: the fit's).",
    ),
    rehearse: Path | None = typer.Option(
        None,
        "--rehearse",
        help="The corpus BASE was trained from (same file, so the same tags): random passages of it train "
        "alongside the batch, their vectors fixed, so that weights let loose by --freeze words/none stay fit for the base.",
    ),
    replay: bool = typer.Option(
        False,
        "--replay",
        help="With --fit domain and no base text: rehearse passages generated from BASE itself "
        "(generative replay; negative-sampling models).",
    ),
    rehearsal_words: int | None = typer.Option(
        None,
        "--rehearsal-words",
        min=1,
        help=f"Words of --rehearse to draw (default: {REHEARSAL_SHARE:g} x the batch's words; "
        "with --fit domain at most 1/10 of the base's).",
    ),
    epochs: int | None = typer.Option(None, help="Passes over the batch (default: the model's)."),
    min_count: int | None = typer.Option(
        None, "--min-count", help="Count a new word needs (default: the model's min_count)."
    ),
    seed: int | None = typer.Option(None, help="Random seed (default: the model's)."),
    mmap: bool = typer.Option(False, "--mmap", help="Memory-map BASE's arrays read-only (for big bases)."),
    as_json: bool = typer.Option(False, "--json", help="Print the update report as JSON."),
    report: Path | None = typer.Option(
        None,
        "--report",
        help="Also write the verification report (report.md, .json, map.png) to this folder; "
        f"exit {REPORT_FAILED} when its verdict is fail (the model is still saved).",
    ),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(
        None, "--format", help="lines, jsonl or folder (default: detected)."
    ),
) -> None:
    """Add the documents of CORPUS to the model BASE and save the result to --out."""
    from paravec import evaluate_update, load, read_corpus, save, update
    from paravec.analysis import of_model
    from paravec.updating.fits import fit_settings

    check_output_path(out, base, corpus)
    if report is not None:
        check_output_folder(report, "--report")
    if replay and (fit is not FitMode.domain or rehearse is not None or drop_old_docs):
        raise ParameterError(
            "--replay goes with --fit domain, without --rehearse and without --drop-old-docs (it replays "
            "BASE's documents)"
        )
    if fit is FitMode.domain and rehearse is None and not replay:
        raise ParameterError(
            "--fit domain needs --rehearse CORPUS (the corpus BASE was trained from), or --replay without "
            "it; or use --fit keep"
        )
    if rehearsal_words is not None and rehearse is None:
        raise ParameterError("--rehearsal-words needs --rehearse CORPUS (the corpus BASE was trained from)")
    if rehearse is not None and drop_old_docs:
        raise ParameterError(
            "--rehearse trains against the base's document vectors; it cannot be combined with --drop-old-docs"
        )
    if base.exists() and out.exists() and out.samefile(base):
        raise ParameterError(
            f"--out {out} is the same file as BASE; inputs are never modified, give another --out"
        )

    with Steps() as steps:
        with steps.step(f"loading {base}"):
            model = load(base, mmap="r" if mmap else None)
        with steps.step(f"reading {corpus}"):
            # The batch's words must be made as the base's were: its recorded pipeline.
            docs = read_corpus(corpus, tokenizer=of_model(model), encoding=encoding, format=corpus_format)
        if docs.skipped:
            warn(f"{len(docs.skipped)} documents had no words and were skipped")
        rehearsal = base_docs = None
        if rehearse is not None:
            base_docs = _base_corpus(model, rehearse, encoding)
            if fit is FitMode.keep or rehearsal_words is not None:
                with steps.step(f"sampling rehearsal passages from {rehearse}"):
                    rehearsal = _rehearsal(
                        base_docs, docs, rehearsal_words, seed if seed is not None else model.seed
                    )
                base_docs = None
        derived = fit_settings(model, fit.value, 0).epochs
        with steps.step("updating", epochs or derived or model.epochs) as progress:
            result = update(
                model,
                docs,
                keep_old_docs=not drop_old_docs,
                fit=fit.value,
                rehearse="replay" if replay else base_docs,
                freeze=None if freeze is None else freeze.value,
                rehearsal=rehearsal,
                epochs=epochs,
                min_count=min_count,
                seed=seed,
                progress=progress,
            )
        with steps.step(f"saving {out}"):
            save(model, out)
        for message in result.warnings:
            warn(message)
        evaluation = None
        if report is not None:
            with steps.step(f"writing the verification report to {report}"):
                evaluation = evaluate_update(model, base, docs, result, report)

    if as_json:
        data = result.to_dict()
        data["out"] = str(out)
        if evaluation is not None:
            data["evaluation"] = {"verdict": evaluation.verdict, "folder": str(report)}
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        console = Console()
        console.print(_table(result, out))
        if evaluation is not None:
            console.print(f"verification report: {evaluation.verdict.upper()} -> {report}", highlight=False)
    if evaluation is not None and evaluation.verdict == "fail":
        # The model is saved either way; the exit code lets a script stop before using a failed update.
        raise typer.Exit(REPORT_FAILED)


def _base_corpus(model: Doc2Vec, path: Path, encoding: str) -> Corpus:
    from paravec.analysis import of_model
    from paravec.corpus import read_corpus

    base_docs = read_corpus(path, tokenizer=of_model(model), encoding=encoding)
    foreign = next((t for t in base_docs.tags if t not in model.dv.key_to_index), None)
    if foreign is not None:
        # Checked here, not left to update(): the fix is about the file, which update() never sees.
        raise ParameterError(
            f"--rehearse {path}: its document {foreign!r} is not in BASE; give the corpus BASE was trained "
            "from, in the same form, so that the tags match (a text file's are '<file stem>:<line>')"
        )
    return base_docs


def _rehearsal(base_docs: Corpus, batch: Corpus, n_words: int | None, seed: int) -> list[TaggedDocument]:
    from paravec.rehearsal import sample_rehearsal

    if n_words is None:
        n_words = max(1, round(REHEARSAL_SHARE * sum(len(d.words) for d in batch)))
    return sample_rehearsal(base_docs, n_words, seed=seed)  # two streaming passes, never all in memory


def _table(result: UpdateReport, out: Path) -> Table:
    table = Table(title=f"paravec update -> {out}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    examples = ", ".join(result.new_words[:10]) + (", ..." if len(result.new_words) > 10 else "")
    rows = [
        ("documents", f"{result.documents:,} ({result.words:,} words)"),
        ("new tags", f"{len(result.new_tags):,}"),
        ("replaced tags", f"{len(result.replaced_tags):,}"),
        ("dropped old documents", f"{result.dropped_tags:,}"),
        ("new words", f"{len(result.new_words):,}" + (f": {examples}" if examples else "")),
        ("words below min_count (remembered)", f"{result.pending_words:,}"),
        *(
            [(f"held back by min_count={result.min_count}", result.held_back())]
            if result.held_back_total
            else []
        ),
        *(
            [
                (
                    "rehearsed",
                    f"{result.rehearsed_documents:,} base passages ({result.rehearsed_words:,} words)",
                )
            ]
            if result.rehearsed_documents
            else []
        ),
        (
            "settings",
            f"freeze={result.freeze}, epochs={result.epochs}, alpha={result.alpha:g}->{result.min_alpha:g}, "
            f"keep_old_docs={result.keep_old_docs}",
        ),
        (
            "time",
            f"{result.seconds.get('total', 0.0):.2f}s (training {result.seconds.get('train', 0.0):.2f}s, "
            f"{result.words_per_second:,.0f} words/s)",
        ),
    ]
    if result.untrained_tags:
        shown = ", ".join(map(str, result.untrained_tags[:5]))
        rows.append(("not trained (no known word)", f"{len(result.untrained_tags)}: {shown}"))
    for row in rows:
        table.add_row(*row)
    return table
