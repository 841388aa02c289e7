"""``paravec train``: train a base Doc2Vec on a corpus file or folder (a thin layer over :func:`paravec.train`).

Example
-------
    paravec train lee_background.cor --out base.model --vector-size 100 --epochs 20

reads the corpus (one document per line, JSON Lines, or a folder; see :func:`paravec.read_corpus`),
trains PV-DBOW with word training by default and saves the model atomically. Progress goes to
stderr; the summary to stdout.

This module also holds :class:`Steps`, the progress display the other command modules share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from paravec.cli import app
from paravec.errors import ParameterError

_MAX_DOC_WORDS = 10000  # gensim's compiled training silently cuts documents there


class Steps:
    """One rich progress line per long step, on stderr so stdout stays clean for tables and JSON.

    Use as a context manager; :meth:`step` is itself a context manager yielding a
    ``progress(step, done, total)`` callback in the shape paravec's library functions take.
    """

    def __init__(self) -> None:
        self.progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=Console(stderr=True), transient=False,
        )

    def __enter__(self) -> Steps:
        self.progress.__enter__()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is not None:
            # An error ends the command with one line on stderr: clear the bars instead of leaving them.
            for task in list(self.progress.task_ids):
                self.progress.remove_task(task)
            self.progress.live.transient = True
        self.progress.__exit__(exc_type, *exc)

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
        if path.exists() and (path.resolve() == target or (path.is_dir() and target.is_relative_to(path.resolve()))):
            raise ParameterError(f"--out {out} would overwrite the input {path}; inputs are never modified, give another --out")


def warn(message: str) -> None:
    """One yellow line on stderr."""
    Console(stderr=True).print(f"[yellow]warning:[/] {message}", highlight=False)


@app.command("train")
def train_command(
    corpus: Path = typer.Argument(..., help="Corpus: a text file (one document per line), a .jsonl file, or a folder."),
    out: Path = typer.Option(..., "--out", "-o", help="Model file to write."),
    vector_size: int = typer.Option(300, "--vector-size", help="Dimensions of word and document vectors."),
    epochs: int = typer.Option(20, help="Passes over the corpus."),
    min_count: int = typer.Option(2, "--min-count", help="Ignore words rarer than this."),
    dm: bool = typer.Option(False, "--dm/--dbow", help="PV-DM instead of PV-DBOW (default, with word training)."),
    hs: bool = typer.Option(False, "--hs", help="Hierarchical softmax instead of negative sampling."),
    pretrained_vectors: Path | None = typer.Option(
        None, "--pretrained-vectors", help="Word vectors (word2vec text/binary, fastText .vec) to start words from."
    ),
    seed: int = typer.Option(0, help="Random seed."),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(None, "--format", help="lines, jsonl or folder (default: detected)."),
) -> None:
    """Train a base Doc2Vec model on CORPUS and save it to --out."""
    from paravec.corpus import read_corpus
    from paravec.model_io import save
    from paravec.train import train

    check_output_path(out, corpus, *([pretrained_vectors] if pretrained_vectors else []))
    with Steps() as steps:
        with steps.step(f"reading {corpus}"):
            docs = read_corpus(corpus, encoding=encoding, format=corpus_format)
        _warn_corpus(docs)
        with steps.step("training", epochs) as progress:
            model = train(
                docs, vector_size=vector_size, epochs=epochs, min_count=min_count, dm=int(dm), hs=int(hs),
                negative=0 if hs else 5, seed=seed, pretrained_vectors=pretrained_vectors, progress=progress,
            )
        with steps.step(f"saving {out}"):
            save(model, out)
    typer.echo(f"trained {len(model.dv)} documents, {len(model.wv)} words, vector_size={model.vector_size}, "
               f"epochs={epochs} -> {out}")


def _warn_corpus(docs: object) -> None:
    skipped = getattr(docs, "skipped", {})
    if skipped:
        warn(f"{len(skipped)} documents had no words and were skipped")
    if getattr(docs, "max_words", 0) > _MAX_DOC_WORDS:
        warn(f"the longest document has {docs.max_words:,} words; gensim trains the first {_MAX_DOC_WORDS:,} of each")
