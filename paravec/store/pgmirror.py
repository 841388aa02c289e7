"""Making an index in PostgreSQL hold one version of a store: the sync behind `paravec.store.publishing`.

`mirror` brings the index at a DSN to a store version in one transaction of the backend
(`paravec.search.postgres.PostgresBackend.apply`, or ``create`` for a new index): the documents
whose text digest differs from the version's own index are re-sent with their texts and titles,
the vectors that moved and the tags the version lacks are found by
`paravec.search.syncing.plan_sync`, and the manifest records the store version as its
``source`` in the same transaction. It works from whatever the index held, so an update, a
rollback and a catch-up after missed publishes are the same operation. An index that another store
or a plain ``paravec index`` wrote is `Foreign` and left alone unless overwriting is asked for.
The index records the version's pickle-free model (``STORE/versions/N/model.json``), which
`version_model` loads for `paravec.search.SearchIndex` (its model loader asks `is_version_model`).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.pgmirror import is_version_model
>>> is_version_model(Path(tempfile.mkdtemp()) / "versions" / "000003" / "model.json")  # no store.json
False
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from gensim.models import Doc2Vec

from paravec.errors import IndexStateError
from paravec.files import read_json
from paravec.store.layout import now
from paravec.store.reading import Reading

__all__ = ["Foreign", "is_version_model", "mirror", "version_model"]

_KIND = "paravec-store"


def is_version_model(path: Path) -> bool:
    """True when ``path`` is the model of a store version (``STORE/versions/N/model.json``)."""
    return (
        path.name == "model.json"
        and path.parent.name.isdigit()
        and path.parent.parent.name == "versions"
        and (path.parent.parent.parent / "store.json").is_file()
    )


def version_model(path: Path) -> Doc2Vec:
    """The model of the store version at ``path`` (see `is_version_model`), read pickle-free."""
    return Reading(path.parent.parent.parent).model(int(path.parent.name))


class Foreign(IndexStateError):
    """The schema holds an index that this store did not publish."""


def _identity(store: Reading) -> dict[str, Any]:
    meta = read_json(store.path / "store.json")
    return {"kind": _KIND, "store": str(store.path.resolve()), "created": meta.get("created")}


def _ours(manifest: Mapping[str, Any], identity: Mapping[str, Any]) -> bool:
    source = manifest.get("source") or {}
    return source.get("kind") == _KIND and source.get("created") == identity["created"]


def mirror(store: Reading, dsn: str, number: int, *, overwrite: bool, text_config: str | None) -> None:
    """Make the index at ``dsn`` hold version ``number`` of ``store``, in one transaction."""
    from paravec.search.postgres import PostgresBackend
    from paravec.search.syncing import plan_sync

    identity = _identity(store)
    model = store.model(number)
    local = store.index(number, model=model).backend.view()
    model_file = (store.path / "versions" / f"{number:06d}" / "model.json").resolve()
    record = {**identity, "version": number, "published": now()}
    if not _exists(dsn) or overwrite:
        _create(dsn, model, local, model_file, record, overwrite=overwrite, text_config=text_config)
        return
    backend = PostgresBackend.open(dsn)
    try:
        view = backend.view()
        source = view.manifest.get("source") or {}
        if source.get("kind") == _KIND and not _ours(view.manifest, identity):
            raise Foreign(f"schema holds the index of another store ({source.get('store')})")
        if source.get("kind") != _KIND and not _ours_by_model(view.manifest, store):
            raise Foreign(
                "the schema holds an index this store did not publish; give another schema "
                "(?schema=NAME) or replace it (overwrite=True, --force)"
            )
        if backend.dimensions != model.vector_size:
            raise Foreign(
                f"the index there holds {backend.dimensions}-dimensional vectors, the store's model "
                f"{model.vector_size}; give another schema or overwrite=True"
            )
        if _ours(view.manifest, identity) and source.get("version") == number:
            return  # already there (a publish whose local record a kill prevented)
        held = view.digests()
        local_digests = local.digests()
        wanted = [tag for tag, digest in local_digests.items() if held.get(tag) != digest]
        texts: dict[str, str] = {}
        titles: dict[str, str] = {}
        for tag in wanted:
            doc = local.document(tag) or {}
            texts[tag] = str(doc.get("text") or "")
            if doc.get("title") and doc["title"] != tag:
                titles[tag] = str(doc["title"])
        changes, _report = plan_sync(view, model, texts, titles)
        # The index mirrors the version's own index: also drop what that one does not hold.
        removed = set(changes.removed)
        gone = [tag for tag in held if tag not in local_digests and tag not in removed]
        changes.removed.extend(gone)
        for tag in gone:
            changes.vectors.pop(tag, None)
        changes.model_path = model_file
        backend.apply(changes, source=record)
    finally:
        backend.close()


def _ours_by_model(manifest: Mapping[str, Any], store: Reading) -> bool:
    """An index whose model is one of the store's versions (e.g. synced by hand since)."""
    recorded = str((manifest.get("model") or {}).get("path") or "")
    return recorded.startswith(str((store.path / "versions").resolve()) + os.sep)


def _exists(dsn: str) -> bool:
    """Whether the schema of ``dsn`` holds an index (its manifest table)."""
    from paravec.search.pgsql import connect, parse_dsn, shown_dsn

    plain, schema = parse_dsn(dsn)
    conn = connect(plain, shown=shown_dsn(dsn), purpose="publish")
    try:
        row = conn.execute("SELECT to_regclass(%s)", (f'"{schema}".manifest',)).fetchone()
    finally:
        conn.close()
    return row is not None and row[0] is not None


def _create(
    dsn: str,
    model: Doc2Vec,
    local: Any,
    model_file: Path,
    record: dict[str, Any],
    *,
    overwrite: bool,
    text_config: str | None,
) -> None:
    """A new index at ``dsn`` holding the documents of the version's own index, in one transaction."""
    from paravec.search.backend import IndexedText
    from paravec.search.fingerprint import model_fingerprint
    from paravec.search.pgsql import DEFAULT_TEXT_CONFIG
    from paravec.search.postgres import PostgresBackend
    from paravec.tags import tag_row

    digests = local.digests()

    def documents() -> Iterator[tuple[IndexedText, int]]:
        for tag in local.tags():
            row = tag_row(model.dv, tag)
            doc = local.document(tag)
            if row is None or doc is None:
                continue
            title = str(doc.get("title") or "")
            yield IndexedText(tag, "" if title == tag else title, str(doc["text"]), str(digests[tag])), row

    backend = PostgresBackend.create(
        dsn,
        documents(),
        model.dv.vectors,
        fingerprint=model_fingerprint(model),
        model_path=model_file,
        overwrite=overwrite,
        total=len(local),
        text_config=text_config or DEFAULT_TEXT_CONFIG,
        source=record,
    )
    backend.close()
