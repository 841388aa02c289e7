"""``paravec explore``: walk the joint word/document space of an index's model.

Examples
--------
    paravec explore news.index --word fire                 # words around a word
    paravec explore news.index --word fire --to docs       # documents around a word
    paravec explore news.index --doc "news:12"             # words around a document
    paravec explore news.index --doc "news:12" --to docs   # documents like a document
    paravec explore news.index --text "rain at last" --to docs --json

A thin layer over the exploration methods of `paravec.search.SearchIndex`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from paravec.cli import app
from paravec.cli.search import short

#: Characters of a document's text shown beside it.
SNIPPET_CHARS = 120


class Target(StrEnum):
    words = "words"
    docs = "docs"


@app.command("explore")
def explore_command(
    index: str = typer.Argument(..., help="The index folder (or PostgreSQL URI) written by `paravec index`."),
    word: str | None = typer.Option(None, "--word", help="Start from this word."),
    doc: str | None = typer.Option(None, "--doc", help="Start from the document with this tag."),
    text: str | None = typer.Option(
        None, "--text", help="Start from this free text (inferred into the space)."
    ),
    to: Target = typer.Option(Target.words, "--to", help="List nearest words or nearest documents."),
    k: int = typer.Option(10, "--k", "-k", help="Number of neighbours."),
    model: Path | None = typer.Option(
        None, "--model", help="Model file (default: the one recorded in the index)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the neighbours as JSON."),
) -> None:
    """List the words or documents nearest to a word, a document or a text."""
    from paravec.errors import ParameterError
    from paravec.search import SearchIndex

    given = [
        (name, value) for name, value in (("word", word), ("doc", doc), ("text", text)) if value is not None
    ]
    if len(given) != 1:
        raise ParameterError("give exactly one of --word, --doc or --text")
    kind, value = given[0]
    idx = SearchIndex.open(index, model=model)
    method = {
        ("word", "words"): idx.words_near_word,
        ("word", "docs"): idx.documents_near_word,
        ("doc", "words"): idx.words_near_document,
        ("doc", "docs"): idx.documents_like,
        ("text", "words"): idx.text_to_words,
        ("text", "docs"): idx.text_to_documents,
    }[(kind, to.value)]
    neighbors = method(value, k=k)
    if as_json:
        typer.echo(
            json.dumps(
                {"from": {kind: value}, "to": to.value, "neighbors": [n.to_dict() for n in neighbors]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"{to.value} nearest to {kind} {short(value)!r}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("document" if to is Target.docs else "word", overflow="fold")
    table.add_column("cosine", justify="right")
    if to is Target.docs:
        table.add_column("title and start of text", overflow="fold", ratio=3)
    for rank, n in enumerate(neighbors, start=1):
        row: list[str | Text] = [str(rank), n.key, f"{n.score:.3f}"]
        if to is Target.docs:
            row.append(_title_and_snippet(idx.document(n.key)))
        table.add_row(*row)
    Console().print(table)


def _title_and_snippet(document: dict[str, str]) -> Text:
    """The document's title in bold (when it has one besides its tag) and the start of its text."""
    out = Text()
    if document["title"] != document["tag"]:
        out.append(document["title"], style="bold")
        out.append("\n")
    out.append(short(document["text"], SNIPPET_CHARS).split(" ... (")[0] + " ...", style="dim")
    return out
