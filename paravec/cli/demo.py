"""``paravec demo``: the seed scenario end to end — pretrain on Wikipedia, add news as a store version, show and search it.

Examples
--------
    paravec demo --quick
    paravec demo --out /tmp/paravec-demo

A thin layer over `paravec.demo.run_demo`: progress per step on stderr, then tables with the
timings, the new words, neighbours of new documents and new words, the documents nearest to an
inferred text, the consistency check, the store's versions and a search of the current version.
The store and the models are left in --out.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import TaskID
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import Steps, check_output_folder, note

if TYPE_CHECKING:
    from paravec.demo import DemoResult


@app.command("demo")
def demo_command(
    out: Path = typer.Option(
        Path("paravec-demo"), "--out", "-o", help="Folder for base.model, the store and updated.model."
    ),
    quick: bool = typer.Option(
        False, "--quick", help="Small base (100 dimensions, 10 epochs): a third of the work."
    ),
) -> None:
    """Pretrain on gensim's Wikipedia extract, make it a store, add the Lee news corpus as a verified version, search it."""
    from paravec.demo import DEMO_STEPS, run_demo

    check_output_folder(out)
    if not quick:
        note(
            "the full demo does about 60 CPU-seconds of work (half a minute on two idle cores, minutes on a busy machine); --quick does a third"
        )
    with Steps() as steps:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = steps.progress.add_task(DEMO_STEPS.get(step, step), total=total)
            steps.progress.update(tasks[step], completed=done, total=total)

        result = run_demo(out, quick=quick, progress=progress)
    show(result, Console())
    if not result.consistent:
        raise typer.Exit(1)


def show(result: DemoResult, console: Console) -> None:
    """Print a `paravec.demo.DemoResult` as tables."""
    s, b, u = result.seconds, result.base, result.update
    console.print(
        f"[bold]paravec demo[/] ({'quick' if result.quick else 'full'}): PV-DBOW + word training, "
        f"vector_size={result.settings['vector_size']}, base epochs={result.settings['epochs']}, "
        f"update freeze={result.settings['freeze']}, settle_epochs={result.settings['settle_epochs']}",
        highlight=False,
    )

    timing = Table(title="timings")
    timing.add_column("step")
    timing.add_column("what", overflow="fold")
    timing.add_column("seconds", justify="right")
    timing.add_row(
        "base training",
        f"{b['documents']} Wikipedia articles, {b['words']:,} words, "
        f"{result.settings['epochs']} epochs -> {b['vocabulary']:,} words",
        f"{s['train_base']:.1f}",
    )
    timing.add_row(
        "update",
        f"{u['documents']} documents, {u['words']:,} words, {u['epochs']} epochs",
        f"{s['update']:.1f}",
    )
    t = result.store_timings
    timing.add_row(
        "",
        "of which: paravec.update / check / verification report / index sync / write",
        " / ".join(f"{t.get(k, 0.0):.1f}" for k in ("update", "check", "evaluate", "index", "write_model")),
    )
    timing.add_row("ratio", "base training / store update", f"{result.speedup:.1f}x")
    timing.add_row(
        "other",
        "read Wikipedia / save base / create store / export updated",
        f"{s['read_wiki']:.1f} / {s['save_base']:.1f} / {s['create_store']:.1f} / {s['save_updated']:.1f}",
    )
    console.print(timing)

    words = Table(title="what the update added")
    words.add_column("what")
    words.add_column("value", overflow="fold")
    words.add_row("new documents", f"{len(u['new_tags'])} (E0..E9 and lee_bg:0..lee_bg:299)")
    words.add_row("new words", f"{len(result.new_words):,}: " + ", ".join(result.new_words[:15]) + ", ...")
    words.add_row("words below min_count", f"{u['pending_words']:,} remembered for later batches")
    words.add_row(
        "pretrained word vectors unchanged",
        f"{result.pretrained_words_unchanged:,} of {b['vocabulary']:,} bit-identical",
    )
    if u["untrained_tags"]:
        words.add_row("not trained (no known word)", ", ".join(map(str, u["untrained_tags"])))
    console.print(words)

    docs = Table(title="nearest words of new documents")
    docs.add_column("document", overflow="fold")
    docs.add_column("nearest words", overflow="fold")
    for tag, pairs in result.doc_neighbours.items():
        docs.add_row(f"[bold]{tag}[/] {result.doc_texts.get(tag, '')}", _fmt(pairs))
    console.print(docs)

    new = Table(title="nearest words of new words")
    new.add_column("new word")
    new.add_column("nearest words", overflow="fold")
    for word, pairs in result.word_neighbours.items():
        new.add_row(word, _fmt(pairs))
    console.print(new)

    inferred = Table(
        title=f"documents nearest to paravec.infer({result.inferred_text!r}, "
        f"epochs={result.settings['settle_epochs']})"
    )
    inferred.add_column("#", justify="right")
    inferred.add_column("tag")
    inferred.add_column("cosine", justify="right")
    for i, (tag, sim) in enumerate(result.inferred_neighbours, 1):
        inferred.add_row(str(i), tag, f"{sim:.3f}")
    console.print(inferred)

    if result.consistent:
        console.print(
            f"check: [bold green]consistent[/] (reloaded {result.model_path} with plain gensim)",
            highlight=False,
        )
    else:
        console.print(f"check: [bold red]{len(result.problems)} problems[/]", highlight=False)
        for problem in result.problems:
            console.print(f"- {problem}", highlight=False)
    versions = Table(title=f"paravec store versions {result.store_path}")
    for column in ("version", "parent", "documents", "words", "new tags", "new words", "verdict", "current"):
        versions.add_column(column, justify="left" if column == "verdict" else "right")
    for v in result.versions:
        versions.add_row(
            str(v["number"]),
            "-" if v["parent"] is None else str(v["parent"]),
            f"{v['documents']:,}",
            f"{v['words']:,}",
            f"{v['new_tags']:,}",
            f"{v['new_words']:,}",
            v["verdict"] if v["accepted"] else f"{v['verdict']} (rejected)",
            "*" if v["current"] else "",
        )
    console.print(versions)
    hits = Table(title=f"paravec search {result.store_path} {result.search_query!r}")
    hits.add_column("#", justify="right")
    hits.add_column("document")
    hits.add_column("score", justify="right")
    hits.add_column("snippet", overflow="fold")
    for i, (tag, score, snippet) in enumerate(result.search_hits, 1):
        hits.add_row(str(i), tag, f"{score:.3f}", snippet)
    console.print(hits)
    console.print(
        f"store: {result.store_path} (paravec store versions / rollback / update); "
        f"models: {result.base_path} (base), {result.model_path} (version 2, plain gensim)",
        highlight=False,
    )


def _fmt(pairs: list[tuple[str, float]]) -> str:
    return ", ".join(f"{w} {sim:.2f}" for w, sim in pairs)
