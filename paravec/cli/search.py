"""``paravec search``: rank an index's documents for a query (a thin layer over `paravec.search.SearchIndex.search`).

Examples
--------
    paravec search news.index "bushfires near Sydney" --mode hybrid --k 5
    paravec search news.index "shuttle" --expand --json
    paravec search news.index "$(cat article.txt)" --mode document

prints a table of the best documents (tag, title, score, which ranking found them, and a snippet
with the matched words highlighted), or JSON with ``--json``.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Literal, cast

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from paravec.cli import app


class Mode(StrEnum):
    hybrid = "hybrid"
    keyword = "keyword"
    vector = "vector"
    document = "document"


@app.command("search")
def search_command(
    index: str = typer.Argument(..., help="The index folder (or PostgreSQL URI) written by `paravec index`."),
    query: str = typer.Argument(..., help="What to search for."),
    mode: Mode = typer.Option(
        Mode.hybrid,
        "--mode",
        help="keyword (BM25), vector (infer_vector + nearest documents), hybrid (both, fused) or document (QUERY is a whole document: documents like it).",
    ),
    k: int = typer.Option(10, "--k", "-k", help="Number of results."),
    expand: bool = typer.Option(
        False, "--expand", help="Add the model's nearest words of each query word to the keyword query."
    ),
    feedback: int | None = typer.Option(
        None,
        "--feedback",
        show_default="10 with --mode document, else 0",
        help="Pseudo-relevance feedback: move the query's vector towards the document vectors of this many top keyword hits (0: off).",
    ),
    similarity: str | None = typer.Option(
        None,
        "--similarity",
        show_default="second_order with --mode document, else cosine",
        help="How the vector side compares vectors: second_order (in the metric of the indexed documents' covariance) or cosine.",
    ),
    keyword_weight: float | None = typer.Option(
        None,
        "--keyword-weight",
        show_default="0.7; 0.5 with --similarity second_order",
        help="Weight of the keyword ranking in hybrid fusion.",
    ),
    vector_weight: float | None = typer.Option(
        None,
        "--vector-weight",
        show_default="0.3; 0.5 with --similarity second_order",
        help="Weight of the vector ranking in hybrid fusion.",
    ),
    fusion: str = typer.Option(
        "convex",
        "--fusion",
        help="Hybrid fusion: convex (weighted mean of BM25/best BM25 and cosine) or rrf (reciprocal rank).",
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Model file (default: the one recorded in the index)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as JSON."),
) -> None:
    """Search the documents of INDEX for QUERY."""
    from paravec.search import SearchIndex

    idx = SearchIndex.open(index, model=model)
    # Weights left out keep the library's defaults (paravec.search.ranking.FUSION_WEIGHTS).
    weights = {
        name: value
        for name, value in (("keyword_weight", keyword_weight), ("vector_weight", vector_weight))
        if value is not None
    }
    # The library checks the value and names what is allowed.
    chosen = cast(Literal["convex", "rrf"], fusion)
    compare = cast(Literal["cosine", "second_order"] | None, similarity)
    hits = idx.search(
        query,
        mode=mode.value,
        k=k,
        expand=expand,
        fusion=chosen,
        feedback=feedback,
        similarity=compare,
        **weights,
    )
    if expand:
        added = idx.expansion(query)
        shown = ", ".join(f"{w} ({v:.2f})" for w, v in added.items())
        # On stderr, so the JSON or table on stdout keeps its shape.
        Console(stderr=True).print(
            f"expanded with: {shown}" if added else "expanded with: nothing (no query word is in the model)",
            highlight=False,
            soft_wrap=True,
        )
    if as_json:
        typer.echo(json.dumps([hit.to_dict() for hit in hits], indent=2, ensure_ascii=False))
        return
    console = Console()
    if not hits:
        console.print(f"no documents match {short(query)!r}", highlight=False)
        return
    table = Table(title=f"{mode.value} search: {short(query)}", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("document", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("found by")
    table.add_column("snippet", overflow="fold", ratio=3)
    for rank, hit in enumerate(hits, start=1):
        name = hit.tag if hit.title == hit.tag else f"{hit.title}\n[dim]{hit.tag}[/]"
        ranks = []
        if hit.keyword_rank is not None:
            ranks.append(f"kw #{hit.keyword_rank}")
        if hit.vector_rank is not None:
            ranks.append(f"vec #{hit.vector_rank}")
        table.add_row(
            str(rank),
            Text.from_markup(name) if name != hit.tag else Text(hit.tag),
            f"{hit.score:.4f}",
            ", ".join(ranks),
            highlighted(hit.snippet, hit.highlights),
        )
    console.print(table)


def short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut at a word boundary near ``limit`` characters (a pasted article is long)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return f"{cut} ... ({len(flat.split()):,} words)"


def highlighted(snippet: str, spans: list[tuple[int, int]]) -> Text:
    """The snippet as rich Text with the matched spans in bold yellow (no markup parsing of the text)."""
    text = Text(snippet)
    for start, end in spans:
        text.stylize("bold yellow", start, end)
    return text
