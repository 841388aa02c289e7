"""``paravec train``: train a base Doc2Vec on a corpus file or folder (a thin layer over :func:`paravec.train`).

Example
-------
    paravec train lee_background.cor --out base.model --vector-size 100 --epochs 20

reads the corpus (one document per line, JSON Lines, or a folder; see :func:`paravec.read_corpus`),
trains PV-DBOW with word training by default and saves the model atomically. Progress goes to
stderr; the summary to stdout.
"""

from __future__ import annotations

from pathlib import Path

import typer

from paravec.cli import app
from paravec.cli._ui import Steps, check_output_path, warn

_MAX_DOC_WORDS = 10000  # gensim's compiled training silently cuts documents there


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
