"""``paravec train``: train a base Doc2Vec on a corpus file or folder, a thin layer over `paravec.train`.

The corpus is read with `paravec.read_corpus` (one document per line, JSON Lines, or a
folder), PV-DBOW with word training is trained by default, and the model is saved atomically.
Without ``--vector-size`` / ``--epochs`` the settings follow the corpus size
(`paravec.training.suggested_settings`: a corpus under 200k words gets 100 dimensions and 40
epochs, which the command says); fewer epochs than suggested get a warning.
Progress goes to stderr, the one-line summary to stdout; what the corpus holds that training will
not see (empty documents, words past gensim's per-document limit) is warned about. On the shell::

    paravec train lee_background.cor --out base.model --vector-size 100 --epochs 20

Examples
--------
>>> import tempfile, pathlib
>>> from gensim.test.utils import datapath
>>> from typer.testing import CliRunner
>>> from paravec.cli import app
>>> out = pathlib.Path(tempfile.mkdtemp()) / "base.model"
>>> argv = ["train", datapath("lee_background.cor"), "--out", str(out), "--vector-size", "16", "--epochs", "2"]
>>> result = CliRunner().invoke(app, argv)
>>> result.exit_code, result.stdout.splitlines()[-1].startswith("trained 300 documents")
(0, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from paravec.cli import app
from paravec.cli._ui import Steps, check_output_path, note, warn

if TYPE_CHECKING:
    from paravec.corpus import Corpus


@app.command("train")
def train_command(
    corpus: Path = typer.Argument(
        ..., help="Corpus: a text file (one document per line), a .jsonl file, or a folder."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Model file to write."),
    vector_size: int | None = typer.Option(
        None,
        "--vector-size",
        show_default="100 below 200k words, else 300",
        help="Dimensions of word and document vectors.",
    ),
    epochs: int | None = typer.Option(
        None, show_default="40 below 200k words, else 20", help="Passes over the corpus."
    ),
    min_count: int = typer.Option(2, "--min-count", help="Ignore words rarer than this."),
    dm: bool = typer.Option(
        False, "--dm/--dbow", help="PV-DM instead of PV-DBOW (default, with word training)."
    ),
    hs: bool = typer.Option(False, "--hs", help="Hierarchical softmax instead of negative sampling."),
    pretrained_vectors: Path | None = typer.Option(
        None,
        "--pretrained-vectors",
        help="Word vectors (word2vec text/binary, fastText .vec) to start words from.",
    ),
    seed: int = typer.Option(0, help="Random seed."),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(
        None, "--format", help="lines, jsonl or folder (default: detected)."
    ),
    language: str = typer.Option(
        "en",
        "--language",
        help="Language of the corpus (ISO 639-1: en, nb bokmål, nn nynorsk, da, sv, de, ...): "
        "the lemmatizer's dictionary and the keyword index's stemmer.",
    ),
    lemmatize: bool = typer.Option(
        False, "--lemmatize", help="Train on lemmas (simplemma): bokmål 'husene' -> 'hus'."
    ),
) -> None:
    """Train a base Doc2Vec model on CORPUS and save it to --out.

    The text analysis (tokenizer, lowercasing, --language, --lemmatize) is recorded in the model;
    updates, queries and search indexes then analyse text the same way.
    """
    # The public API, not its modules: the command stays a layer over what users call themselves.
    from paravec import read_corpus, save, train
    from paravec.analysis import Analysis
    from paravec.training import SMALL_CORPUS_WORDS, suggested_settings

    check_output_path(out, corpus, *([pretrained_vectors] if pretrained_vectors else []))
    analysis = Analysis(language=language, lemmatize=lemmatize)
    with Steps() as steps:
        with steps.step(f"reading {corpus}"):
            docs = read_corpus(corpus, tokenizer=analysis, encoding=encoding, format=corpus_format)
        _warn_corpus(docs)
        suggested = suggested_settings(docs.total_words)
        chosen = {
            k: v for k, v in suggested.items() if {"vector_size": vector_size, "epochs": epochs}[k] is None
        }
        if chosen and docs.total_words < SMALL_CORPUS_WORDS:
            note(
                f"a small corpus ({docs.total_words:,} words): "
                + ", ".join(f"{k}={v}" for k, v in chosen.items())
                + ", which spread its vectors (benchmarks/README.md, 'Small corpus'); "
                "give --vector-size / --epochs to choose"
            )
        vector_size = suggested["vector_size"] if vector_size is None else vector_size
        epochs = suggested["epochs"] if epochs is None else epochs
        if epochs < suggested["epochs"]:
            warn(
                f"{epochs} epochs over {docs.total_words:,} words leave vectors crowded together "
                f"(every neighbour scores near 1); {suggested['epochs']} are suggested for a corpus this size"
            )
        with steps.step("training", epochs) as progress:
            model = train(
                docs,
                vector_size=vector_size,
                epochs=epochs,
                min_count=min_count,
                dm=int(dm),
                hs=int(hs),
                negative=0 if hs else 5,
                seed=seed,
                pretrained_vectors=pretrained_vectors,
                progress=progress,
                analysis=analysis,
            )
        with steps.step(f"saving {out}"):
            save(model, out)
    typer.echo(
        f"trained {len(model.dv)} documents, {len(model.wv)} words, vector_size={model.vector_size}, "
        f"epochs={epochs}, text analysis: {analysis.describe()} -> {out}"
    )


def _warn_corpus(docs: Corpus) -> None:
    from paravec.corpus import MAX_DOCUMENT_WORDS

    """Say what the corpus holds that training will not see."""
    if docs.skipped:
        warn(f"{len(docs.skipped)} documents had no words and were skipped")
    if docs.max_words > MAX_DOCUMENT_WORDS:
        warn(
            f"the longest document has {docs.max_words:,} words; gensim trains the first "
            f"{MAX_DOCUMENT_WORDS:,} of each"
        )
