"""``paravec similar``: nearest words or documents of a word, a document tag, or free text.

Examples
--------
    paravec similar updated.model --word xxyfg
    paravec similar updated.model --tag E0 --to words
    paravec similar updated.model --text "jav python ruby xxyfg" --topn 5 --json

Beside each document's cosine the command shows the share of random pairs of documents that score
lower (`paravec.scores.RandomPairs`): a raw cosine of 0.99 means little in a model whose random
pairs score 0.9, while 99.9% above random pairs means the same in any model. A word's score is
the sum of its cosine and output-layer score, each in standard deviations above the vocabulary's
mean (`paravec.word_ranking`): relative to the model by construction.

Words and documents share one space in PV-DBOW with word training (paravec's default) and in
PV-DM, so any source can be compared with either target. Free text (and a word) is analysed
with the model's recorded pipeline (`paravec.analysis.of_model`) and placed with `paravec.infer`
(gensim's ``infer_vector`` arithmetic). Words are ranked by `paravec.word_ranking` (what the
model predicts around the document, text or word; its score is already relative to the whole
vocabulary), documents by cosine.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import PICKLE_NOTE, Steps, warn
from paravec.errors import ParameterError
from paravec.params import Integer
from paravec.tags import tag_hint, tag_row


class Target(StrEnum):
    words = "words"
    docs = "docs"


@app.command("similar")
def similar_command(
    model: Path = typer.Argument(..., help="The model file." + PICKLE_NOTE),
    word: str | None = typer.Option(None, "--word", help="A word of the vocabulary."),
    tag: str | None = typer.Option(None, "--tag", help="A document tag."),
    text: str | None = typer.Option(None, "--text", help="Free text, placed by inference (paravec.infer)."),
    to: Target | None = typer.Option(
        None, "--to", help="Return words or docs (default: words for --word, docs otherwise)."
    ),
    topn: int = typer.Option(10, "--topn", help="How many neighbours."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Nearest words or documents of --word, --tag or --text in MODEL."""
    from paravec.model_io import load
    from paravec.scores import RandomPairs  # numpy: not for `--help`

    given = [
        name for name, value in (("--word", word), ("--tag", tag), ("--text", text)) if value is not None
    ]
    if len(given) != 1:
        raise ParameterError(f"give exactly one of --word, --tag, --text; got {', '.join(given) or 'none'}")
    Integer(min=1)("--topn", topn)
    target = to or (Target.words if word is not None else Target.docs)
    with Steps() as steps:
        with steps.step(f"loading {model}"):
            loaded = load(model, mmap="r")
        with steps.step("searching"):
            query, neighbours = nearest(loaded, word=word, tag=tag, text=text, to=target.value, topn=topn)
            pairs = RandomPairs.of(loaded.dv) if target is Target.docs else None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "query": query,
                    "to": target.value,
                    "neighbours": [
                        {"key": k, "similarity": s}
                        | ({} if pairs is None else {"above_random_pairs": round(pairs.percentile(s), 4)})
                        for k, s in neighbours
                    ],
                    **({} if pairs is None else {"random_pairs_mean": round(pairs.mean, 4)}),
                },
                indent=2,
            )
        )
        return
    console = Console()
    console.print(f"{target.value} nearest to {query}", highlight=False, soft_wrap=True)
    table = Table()
    table.add_column("#", justify="right")
    table.add_column("word" if target is Target.words else "tag")
    if target is Target.docs:
        table.add_column("cosine", justify="right")
        table.add_column("above random pairs", justify="right")
    else:
        table.add_column("score", justify="right")
    for i, (key, sim) in enumerate(neighbours, 1):
        extra = [] if pairs is None else [f"{100 * pairs.percentile(sim):.1f}%"]
        table.add_row(str(i), key, f"{sim:.3f}", *extra)
    console.print(table)
    note = (
        "score: cosine + output-layer score, each in standard deviations above the vocabulary's mean"
        if pairs is None
        else f"a random pair of documents scores {pairs.mean:.2f} on average; 'above random pairs' "
        "is the share of random pairs with a lower cosine"
    )
    console.print(f"[dim]{note}[/]", highlight=False, soft_wrap=True)


def nearest(
    model: Any,
    *,
    word: str | None = None,
    tag: str | None = None,
    text: str | None = None,
    to: str = "docs",
    topn: int = 10,
) -> tuple[str, list[tuple[str, float]]]:
    """The ``topn`` nearest words or documents (``to``) of one word, tag or text, with a label of the query."""
    from paravec.analysis import of_model
    from paravec.inference import infer

    analysis = of_model(model)  # a text or word is analysed as the model's corpus was
    if not model.dm and not model.dbow_words and (to == "words" or word is not None):
        warn(
            "this PV-DBOW model was trained without word vectors (dbow_words=0); word results are meaningless"
        )
    exclude = None
    if word is not None:
        analysed = analysis(word)
        if word not in model.wv.key_to_index and len(analysed) == 1:
            word = analysed[0]  # "Bushfires" -> "bushfires"; "bøkene" -> "bok" on a lemmatized model
        if word not in model.wv.key_to_index:
            raise ParameterError(
                f"word {word!r} is not in the model's vocabulary ({len(model.wv):,} words); "
                "try another word or --text"
            )
        vector, query, exclude = model.wv[word], f"word {word!r}", ("words", word)
    elif tag is not None:
        key = _doc_key(model, tag)
        vector, query, exclude = model.dv[key], f"document {tag!r}", ("docs", key)
    else:
        words = analysis(text or "")
        if not words:
            raise ParameterError(f"--text {text!r} has no words after tokenizing")
        known = [w for w in words if w in model.wv.key_to_index]
        if not known:
            raise ParameterError(
                f"none of the words of --text {text!r} is in the model's vocabulary; "
                "infer_vector would return noise"
            )
        vector, query = infer(model, [words])[0], f"text {text!r}"
    if to == "words":
        from paravec.word_ranking import nearest_words, words_near_word

        found = words_near_word(model, word, topn) if word is not None else nearest_words(model, vector, topn)
        return query, [(k, round(s, 4)) for k, s in found]
    # Ask for one extra so the query itself can be left out of its own neighbours.
    found = model.dv.most_similar([vector], topn=topn + 1)
    if exclude is not None and exclude[0] == to:
        found = [(k, s) for k, s in found if k != exclude[1]]
    return query, [(str(k), round(float(s), 4)) for k, s in found[:topn]]


def _doc_key(model: Any, tag: str) -> Any:
    row = tag_row(model.dv, tag)
    if row is not None:
        return model.dv.index_to_key[row]
    raise ParameterError(
        f"document tag {tag!r} is not in the model ({len(model.dv):,} documents); "
        f"{tag_hint(tag, model.dv.index_to_key)}"
    )
