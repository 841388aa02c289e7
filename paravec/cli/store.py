"""``paravec store``: versions of a model and its search index in one folder (a thin layer over `paravec.Store`).

Examples
--------
    paravec store init news.store base.model wiki.txt      # version 1: the base, indexed
    paravec store update news.store week12.jsonl           # update, check, verify, index, publish
    paravec store versions news.store                      # lineage, verdicts, which one is served
    paravec store rollback news.store                      # back to the previous version
    paravec store diff news.store 1 2
    paravec store delete news.store doc17 doc18            # a new version without them
    paravec store gc news.store --keep 5
    paravec store publish news.store 'postgresql://me@db/search?schema=news'  # and after every change
    paravec store publish news.store                       # catch up after PostgreSQL was down

A version whose verification verdict is ``fail`` is stored as rejected and not served unless
``--force``; ``versions`` shows why. Only ``init`` reads a gensim model file, which is a pickle:
loading it runs any code it carries, so give only a file you trust. The store itself holds models
as arrays and JSON and never unpickles.
"""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from paravec.cli import app
from paravec.cli._ui import Steps, warn
from paravec.cli.update import FreezeMode

if TYPE_CHECKING:
    from paravec.store import Store, VersionInfo
    from paravec.store.publishing import Publication

store_app = typer.Typer(
    help="Versions of a model and its search index: update, verify, publish, roll back.",
    no_args_is_help=True,
)
app.add_typer(store_app, name="store")

_WAIT = typer.Option(60.0, "--wait", min=0, help="Seconds to wait for another process changing the store.")


@store_app.command("init")
def init_command(
    store: Path = typer.Argument(..., help="The store folder to create (new or empty)."),
    base_model: Path = typer.Argument(
        ...,
        help="The base: a gensim Doc2Vec file. It is a pickle: loading it runs any code it carries, "
        "so give only a file you trust. The store keeps it pickle-free.",
    ),
    corpus: Path | None = typer.Argument(
        None, help="The base documents' texts (same tags as the model): kept in the store and indexed."
    ),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(
        None, "--format", help="lines, jsonl or folder (default: detected)."
    ),
    skip_missing: bool = typer.Option(False, "--skip-missing", help="Skip texts whose tag the model lacks."),
    publish: str | None = typer.Option(
        None,
        "--publish",
        metavar="DSN",
        help="Also publish the current version to this PostgreSQL index "
        "(postgresql://user@host:port/db?schema=NAME), now and after every change.",
    ),
) -> None:
    """Create STORE with BASE_MODEL as version 1 (and a search index over CORPUS)."""
    from paravec import Store, load, read_texts

    with Steps() as steps:
        with steps.step(f"loading {base_model}"):
            model = load(base_model)
        texts = None
        if corpus is not None:
            with steps.step(f"reading {corpus}"):
                texts = list(read_texts(corpus, encoding=encoding, format=corpus_format))
            if skip_missing:
                texts = [(t, x) for t, x in texts if t in model.dv.key_to_index]
        with steps.step(f"writing version 1 to {store}"):
            created = Store.create(store, model, texts)
    _print_versions(created.versions(), f"paravec store {store}")
    if publish is not None:
        _publish_to(created, publish, force=False, text_config=None)


@store_app.command("update")
def update_command(
    store: Path = typer.Argument(..., help="The store."),
    corpus: Path = typer.Argument(
        ..., help="Documents to add: a text file (one per line), a .jsonl file, or a folder."
    ),
    drop_old_docs: bool = typer.Option(
        False,
        "--drop-old-docs",
        help="The new version holds the batch's documents only (older versions keep theirs).",
    ),
    freeze: FreezeMode = typer.Option(
        FreezeMode.all, help="Pretrained weights held fixed: all, words or none."
    ),
    epochs: int | None = typer.Option(None, help="Passes over the batch (default: the model's)."),
    min_count: int | None = typer.Option(
        None, "--min-count", help="Count a new word needs (default: the model's)."
    ),
    seed: int | None = typer.Option(None, help="Random seed (default: the model's)."),
    force: bool = typer.Option(False, "--force", help="Publish even if the verification verdict is fail."),
    verify: bool = typer.Option(True, "--verify/--no-verify", help="Run the verification report (the gate)."),
    word_benchmarks: bool = typer.Option(
        True, "--word-benchmarks/--no-word-benchmarks", help="Include WordSim/SimLex/analogies in the report."
    ),
    wait: float = _WAIT,
    nice: int = typer.Option(
        10,
        "--nice",
        min=0,
        max=19,
        help="CPU priority (nice value) of the training, report and index sync, so that a service on "
        "the same machine keeps serving; 0 runs them at the caller's priority.",
    ),
    encoding: str = typer.Option("utf-8", help="Encoding of the corpus files."),
    corpus_format: str | None = typer.Option(
        None, "--format", help="lines, jsonl or folder (default: detected)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the new version's record as JSON."),
) -> None:
    """Add CORPUS to the current version of STORE as a new version: update, check, verify, index, publish."""
    from paravec import Store, read_corpus

    opened = Store.open(store)
    with Steps() as steps:
        with steps.step(f"reading {corpus}"):
            docs = read_corpus(corpus, encoding=encoding, format=corpus_format)
        if docs.skipped:
            warn(f"{len(docs.skipped)} documents had no words and were skipped")
        with steps.step(f"updating version {opened.current}, verifying, indexing"), _publishing() as failed:
            info = opened.update(
                docs,
                force=force,
                evaluate=verify,
                evaluate_options={"word_benchmarks": word_benchmarks},
                wait=wait,
                nice=nice or None,
                keep_old_docs=not drop_old_docs,
                freeze=freeze.value,
                epochs=epochs,
                min_count=min_count,
                seed=seed,
            )
    if as_json:
        typer.echo(json.dumps({**info.to_dict(), "current": info.current}, indent=2, default=str))
        return
    _print_versions(opened.versions(), f"paravec store {store}")
    if not info.accepted:
        warn(f"version {info.number} was rejected and is not served: {info.rejected_reason}")
        raise typer.Exit(1)
    _exit_if(failed)


@store_app.command("versions")
def versions_command(
    store: Path = typer.Argument(..., help="The store."),
    as_json: bool = typer.Option(False, "--json", help="Print every version's full record as JSON."),
) -> None:
    """List the versions of STORE: parent, time, documents, words, what each added, verdict, current."""
    from paravec import Store

    opened = Store.open(store)
    versions = opened.versions()
    if as_json:
        typer.echo(
            json.dumps([{**v.to_dict(), "current": v.current} for v in versions], indent=2, default=str)
        )
        return
    _print_versions(versions, f"paravec store {store}")
    publication = opened.publication()
    if publication is not None:
        typer.echo(_describe(publication))


@store_app.command("rollback")
def rollback_command(
    store: Path = typer.Argument(..., help="The store."),
    version: int | None = typer.Argument(
        None, min=1, help="The version to serve (default: the current one's parent)."
    ),
    force: bool = typer.Option(False, "--force", help="Allow a rejected version."),
    wait: float = _WAIT,
) -> None:
    """Make VERSION (default: the parent of the current one) the current version of STORE."""
    from paravec import Store

    opened = Store.open(store)
    with _publishing() as failed:
        info = opened.rollback(version, force=force, wait=wait)
    typer.echo(f"version {info.number} is current")
    _exit_if(failed)


@store_app.command("diff")
def diff_command(
    store: Path = typer.Argument(..., help="The store."),
    a: int = typer.Argument(..., min=1, help="The older version."),
    b: int = typer.Argument(..., min=1, help="The newer version."),
    as_json: bool = typer.Option(False, "--json", help="Print every added and removed key as JSON."),
) -> None:
    """What changed from version A to version B: documents and words added and removed, vectors changed."""
    from paravec import Store

    diff = Store.open(store).diff(a, b)
    if as_json:
        typer.echo(json.dumps(diff, indent=2, default=str))
        return
    table = Table(title=f"paravec store diff {store} {a} {b}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("documents", f"{diff['documents'][0]:,} -> {diff['documents'][1]:,}")
    table.add_row("words", f"{diff['words'][0]:,} -> {diff['words'][1]:,}")
    for key in ("added_tags", "removed_tags", "added_words", "removed_words"):
        items = diff[key]
        shown = ", ".join(map(str, items[:8])) + (", ..." if len(items) > 8 else "")
        table.add_row(key.replace("_", " "), f"{len(items):,}" + (f": {shown}" if shown else ""))
    table.add_row("changed document vectors", f"{diff['changed_documents']:,}")
    table.add_row("changed word vectors", f"{diff['changed_words']:,}")
    Console().print(table)


@store_app.command("gc")
def gc_command(
    store: Path = typer.Argument(..., help="The store."),
    keep: int = typer.Option(
        ..., "--keep", min=1, help="How many of the newest versions to keep (plus the current)."
    ),
    wait: float = _WAIT,
) -> None:
    """Delete old versions of STORE, keeping the KEEP newest and the current one; free their files."""
    from paravec import Store

    opened = Store.open(store)
    before = opened.disk_usage()["total"]
    removed = opened.gc(keep, wait=wait)
    after = opened.disk_usage()["total"]
    typer.echo(
        f"removed {len(removed)} versions ({', '.join(map(str, removed)) or 'none'}); "
        f"{(before - after) / 1e6:.1f} MB freed, {after / 1e6:.1f} MB used"
    )


@store_app.command("delete")
def delete_command(
    store: Path = typer.Argument(..., help="The store."),
    tags: list[str] = typer.Argument(..., help="Tags of the documents to remove."),
    wait: float = _WAIT,
) -> None:
    """A new current version of STORE without the documents TAGS (vectors, texts, index entries)."""
    from paravec import Store

    opened = Store.open(store)
    with _publishing() as failed:
        info = opened.delete(tags, wait=wait)
    typer.echo(
        f"version {info.number}: {info.removed_tags} documents removed, {info.documents:,} left; it is current"
    )
    _exit_if(failed)


@store_app.command("publish")
def publish_command(
    store: Path = typer.Argument(..., help="The store."),
    dsn: str | None = typer.Argument(
        None,
        help="The PostgreSQL index to publish to from now on (postgresql://user@host:port/db?schema=NAME); "
        "without it, catch up with the one set before.",
        show_default=False,
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace an index in that schema that this store did not publish."
    ),
    text_config: str | None = typer.Option(
        None, help="Text-search configuration of a new index (english, norwegian, simple...; default simple)."
    ),
    stop: bool = typer.Option(
        False, "--stop", help="Stop publishing (the index in PostgreSQL stays as it is)."
    ),
    wait: float = _WAIT,
) -> None:
    """Publish the current version of STORE to a PostgreSQL index, now and after every change.

    `paravec serve DSN` replicas then serve it and name the store's version. Publishing is one
    transaction: when PostgreSQL is down, the index keeps the version it held and this (or the
    next change of the store) catches up.
    """
    from paravec import Store

    opened = Store.open(store)
    if stop:
        opened.publish_to(None, wait=wait)
        typer.echo(f"{store} no longer publishes to PostgreSQL")
    elif dsn is not None:
        _publish_to(opened, dsn, force=force, text_config=text_config, wait=wait)
    else:
        typer.echo(_describe(opened.publish(wait=wait)))


def _publish_to(store: Store, dsn: str, *, force: bool, text_config: str | None, wait: float = 60.0) -> None:
    from paravec.errors import IndexStateError

    try:
        publication = store.publish_to(dsn, overwrite=force, text_config=text_config, wait=wait)
    except IndexStateError as err:
        warn(str(err))
        raise typer.Exit(1) from None
    assert publication is not None
    typer.echo(_describe(publication))


def _describe(publication: Publication) -> str:
    if publication.in_sync:
        return f"published to {publication.dsn}: it holds version {publication.version}, the current one"
    held = "no version" if publication.version is None else f"version {publication.version}"
    why = f"the last try failed: {publication.error}" if publication.error else "a publish was interrupted"
    return (
        f"publishes to {publication.dsn}, which holds {held} (current: {publication.current}); {why}; "
        "`paravec store publish STORE` catches up"
    )


@contextlib.contextmanager
def _publishing() -> Iterator[list[str]]:
    """Collect the `PublishWarning`s of a step: the store changed, PostgreSQL did not follow."""
    from paravec.store.publishing import PublishWarning

    failed: list[str] = []
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PublishWarning)
            yield failed
    finally:
        for w in caught:
            if issubclass(w.category, PublishWarning):
                failed.append(str(w.message))
            else:  # not ours to swallow
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _exit_if(failed: list[str]) -> None:
    """After a step whose publish to PostgreSQL failed: say so in one line, exit 1."""
    for message in failed:
        warn(message)
    if failed:
        raise typer.Exit(1)


def _print_versions(versions: list[VersionInfo], title: str) -> None:
    table = Table(title=title)
    for column in (
        "version",
        "parent",
        "created (UTC)",
        "documents",
        "words",
        "new tags",
        "new words",
        "verdict",
        "current",
    ):
        table.add_column(column, justify="left" if column in ("created (UTC)", "verdict") else "right")
    notes = []
    for v in versions:
        verdict = v.verdict if v.accepted else f"{v.verdict} (rejected)"
        if v.forced:
            verdict += " (forced)"
        if v.kind == "delete":
            verdict = f"deleted {v.removed_tags}"
        if not v.accepted:
            notes.append(f"version {v.number} rejected: {v.rejected_reason}")
        table.add_row(
            str(v.number),
            "-" if v.parent is None else str(v.parent),
            v.created[:19].replace("T", " "),
            f"{v.documents:,}",
            f"{v.words:,}",
            f"{v.new_tags:,}",
            f"{v.new_words:,}",
            verdict,
            "*" if v.current else "",
        )
    console = Console(width=max(110, Console().width))
    console.print(table)
    for note in notes:
        console.print(note, highlight=False)
