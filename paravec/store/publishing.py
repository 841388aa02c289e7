"""Publishing a store to PostgreSQL: its current version, mirrored into an index that replicas serve.

A store can be told to publish to an index in PostgreSQL (`paravec.search.postgres`):
``store.publish_to("postgresql://user@host/db?schema=news")``. From then on every step that
changes the current version (``update``, ``delete``, ``rollback``) brings that index to the new
current version before it returns, still holding the store lock, so publishes reach PostgreSQL in
the order they happened. The sync is one transaction of the backend
(`paravec.search.postgres.PostgresBackend.apply`): readers see the old version's documents or
the new one's, never a mix, and the index's manifest records in the same transaction which store
version it holds (``"source": {"store": ..., "version": N}``). The sync changes only what
differs between the index and the version -- documents whose text digest differs, vectors that
moved, tags the version no longer has -- whatever version the index held before, so a rollback,
or a catch-up after missed publishes, is the same operation as an update. ``paravec serve
postgresql://...`` replicas load the version's pickle-free model from the store (the manifest
records its path: replicas must see the store's folder) and name the store version in every
answer's ``Paravec-Version`` header.

Failures. The store publishes locally first (its ``CURRENT`` pointer): that never waits for, nor
depends on, PostgreSQL. When PostgreSQL is unreachable, refuses, or drops the connection during
the sync, the transaction is rolled back and the index stays on the version it held, intact; the
step returns normally, with a one-line `PublishWarning` saying which version PostgreSQL still
serves, and the store records the failure (`Publishing.publication`). The next step that
changes the store, or ``store.publish()`` (``paravec store publish STORE``), catches up. ``gc``
keeps the version PostgreSQL holds, since replicas load its model. The setting lives in
``STORE/publish.json`` (mode 0600: a DSN may hold a password; ``~/.pgpass`` is the better place).

Examples
--------
Publishing needs a server (see ``tests/store/test_publishing.py``); without one the setting is
kept and the failure is a one-line error:

>>> import os, tempfile, paravec
>>> from paravec.datasets import lee_background_documents
>>> docs = lee_background_documents()[:30]
>>> base = paravec.train(docs, vector_size=16, epochs=2, seed=1, workers=1)
>>> store = paravec.Store.create(os.path.join(tempfile.mkdtemp(), "s"),
...                              base, {d.tags[0]: " ".join(d.words) for d in docs})
>>> store.publish_to("postgresql://u@127.0.0.1:1/db?schema=news")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
paravec.errors.IndexStateError: ... cannot connect to PostgreSQL at postgresql://u@127.0.0.1:1/db?schema=news: ...
>>> status = store.publication()
>>> status.dsn, status.current, status.version, status.in_sync
('postgresql://u@127.0.0.1:1/db?schema=news', 1, None, False)
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gensim.models import Doc2Vec

from paravec.errors import IndexStateError, ParameterError, ParavecError, StoreError
from paravec.files import read_json, write_json
from paravec.store.layout import now
from paravec.store.lock import StoreLock
from paravec.store.reading import Reading

__all__ = ["Publication", "PublishWarning", "Publishing", "is_version_model", "version_model"]

_FILE = "publish.json"
_KIND = "paravec-store"


class PublishWarning(UserWarning):
    """A step changed the store but could not bring its PostgreSQL index along (see the module)."""


@dataclass(frozen=True)
class Publication:
    """Where a store publishes and what it last managed to publish there.

    Attributes
    ----------
    dsn : str
        The PostgreSQL index (without its password).
    current : int
        The store's current version.
    version : int or None
        The version the PostgreSQL index held after the last publish that reached it (None:
        none did yet).
    error : str or None
        Why the last publish failed (None after a success).
    at : str or None
        When the last publish was tried (UTC).
    """

    dsn: str
    current: int
    version: int | None
    error: str | None
    at: str | None

    @property
    def in_sync(self) -> bool:
        """True when PostgreSQL holds the current version."""
        return self.error is None and self.version == self.current


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


class Publishing(Reading):
    """Publishing methods of `paravec.Store`: `publish_to`, `publish`, `publication`."""

    # -- the setting and its state -----------------------------------------------------------------

    @property
    def _publish_file(self) -> Path:
        return self.path / _FILE

    def _setting(self) -> dict[str, Any] | None:
        try:
            data = read_json(self._publish_file)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            raise StoreError(
                f"{self._publish_file} is corrupt ({err}); set it again with publish_to"
            ) from None
        return data if isinstance(data, dict) and isinstance(data.get("dsn"), str) else None

    def _record(self, setting: dict[str, Any]) -> None:
        write_json(self._publish_file, setting)
        with contextlib.suppress(OSError):
            os.chmod(self._publish_file, 0o600)

    def publication(self) -> Publication | None:
        """Where the store publishes and how the last publish went (None: it does not publish).

        Read from the store alone (no connection): ``version`` is what PostgreSQL held after the
        last publish that reached it.
        """
        from paravec.search.pgsql import shown_dsn

        setting = self._setting()
        if setting is None:
            return None
        return Publication(
            dsn=shown_dsn(setting["dsn"]),
            current=self.current,
            version=setting.get("version"),
            error=setting.get("error"),
            at=setting.get("at"),
        )

    def _published_versions(self) -> set[int]:
        """The version PostgreSQL holds as far as the store knows: `gc` keeps it."""
        setting = self._setting()
        version = None if setting is None else setting.get("version")
        return {int(version)} if isinstance(version, int) else set()

    # -- publishing --------------------------------------------------------------------------------

    def publish_to(
        self,
        dsn: str | None,
        *,
        overwrite: bool = False,
        text_config: str | None = None,
        wait: float = 60.0,
    ) -> Publication | None:
        """Publish the current version to the PostgreSQL index ``dsn`` now and after every change.

        Parameters
        ----------
        dsn : str or None
            ``postgresql://user@host:port/db?schema=NAME``; the schema is created when missing.
            None stops publishing (the index in PostgreSQL stays as it is).
        overwrite : bool, default False
            Replace an index in that schema that this store did not publish.
        text_config : str, optional
            The text-search configuration of an index this creates (default ``"simple"``; see
            `paravec.search.SearchIndex.build`).
        wait : float, default 60
            Seconds to wait for another process changing the store.

        Returns
        -------
        Publication or None
            None when publishing was stopped.

        Raises
        ------
        ParameterError
            ``dsn`` is not a PostgreSQL URI.
        StoreError
            The store holds no texts (it has no search index).
        IndexStateError
            PostgreSQL cannot be reached or refused the sync (the setting is kept: the next
            change or `publish` tries again), or the schema holds an index this store did not
            publish (the setting is not kept; give another schema or ``overwrite=True``).
        """
        from paravec.search.pgsql import is_dsn, parse_dsn

        if dsn is not None and not is_dsn(dsn):
            raise ParameterError(
                f"publish_to needs a PostgreSQL URI (postgresql://user@host:port/db?schema=NAME), got {dsn!r}"
            )
        if dsn is not None:
            parse_dsn(dsn)  # a bad schema name fails before anything is written
            if not self.info().indexed:
                raise StoreError(
                    f"{self.path} holds no texts, so it has no search index to publish; "
                    "create the store with the base documents' texts"
                )
        with StoreLock(self._layout, "publish", wait=wait):
            if dsn is None:
                with contextlib.suppress(FileNotFoundError):
                    self._publish_file.unlink()
                return None
            previous = self._setting()
            kept = previous if previous is not None and previous["dsn"] == dsn else {}
            self._record(
                {
                    "dsn": dsn,
                    "text_config": text_config or kept.get("text_config"),
                    "version": kept.get("version"),
                    "error": None,
                    "at": None,
                }
            )
            try:
                self._sync_current(dsn, overwrite=overwrite)
            except _Foreign:
                if previous is None:
                    self._publish_file.unlink()
                else:
                    self._record(previous)
                raise
        return self.publication()

    def publish(self, *, wait: float = 60.0) -> Publication:
        """Bring the PostgreSQL index up to the current version now (after a failed publish).

        Raises
        ------
        StoreError
            The store does not publish (`publish_to` sets where).
        IndexStateError
            PostgreSQL cannot be reached or refused the sync; it keeps the version it held.
        """
        with StoreLock(self._layout, "publish", wait=wait):
            setting = self._setting()
            if setting is None:
                raise StoreError(
                    f"{self.path} does not publish to PostgreSQL; set where with "
                    "store.publish_to(DSN) (`paravec store publish STORE DSN`)"
                )
            self._sync_current(setting["dsn"])
        publication = self.publication()
        assert publication is not None
        return publication

    def _publish_current(self) -> None:
        """After the current version changed (lock held): publish it, or warn and keep the store's
        own publish. Called by `paravec.store.changing.Changing`."""
        setting = self._setting()
        if setting is None:
            return
        try:
            self._sync_current(setting["dsn"])
        except ParavecError as err:
            warnings.warn(PublishWarning(str(err)), stacklevel=3)

    def _sync_current(self, dsn: str, *, overwrite: bool = False) -> None:
        """Sync ``dsn`` to the current version and record the outcome (lock held); raise on failure."""
        import psycopg

        from paravec.search.pgsql import shown_dsn

        number = self.current
        setting = self._setting() or {"dsn": dsn}
        try:
            _sync(self, dsn, number, overwrite=overwrite, text_config=setting.get("text_config"))
        except (ParavecError, psycopg.Error, OSError) as err:
            held = setting.get("version")
            reason = " ".join(str(err).split())
            self._record({**setting, "error": reason, "at": now()})
            if isinstance(err, _Foreign):
                raise _Foreign(
                    f"PostgreSQL at {shown_dsn(dsn)}: {reason}; version {number} of {self.path} was not published there"
                ) from None
            still = (
                f"it still holds version {held}" if held is not None else "it holds no version of this store"
            )
            raise IndexStateError(
                f"version {number} is current in {self.path}, but PostgreSQL at {shown_dsn(dsn)} did not "
                f"get it: {reason}; {still}, intact: `paravec store publish {self.path}` catches up "
                "(so does the next change of the store)"
            ) from None
        self._record({**setting, "dsn": dsn, "version": number, "error": None, "at": now()})


class _Foreign(IndexStateError):
    """The schema holds an index that this store did not publish."""


def _identity(store: Reading) -> dict[str, Any]:
    meta = read_json(store.path / "store.json")
    return {"kind": _KIND, "store": str(store.path.resolve()), "created": meta.get("created")}


def _ours(manifest: Mapping[str, Any], identity: Mapping[str, Any]) -> bool:
    source = manifest.get("source") or {}
    return source.get("kind") == _KIND and source.get("created") == identity["created"]


def _sync(store: Reading, dsn: str, number: int, *, overwrite: bool, text_config: str | None) -> None:
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
            raise _Foreign(f"schema holds the index of another store ({source.get('store')})")
        if source.get("kind") != _KIND and not _ours_by_model(view.manifest, store):
            raise _Foreign(
                "the schema holds an index this store did not publish; give another schema "
                "(?schema=NAME) or replace it (overwrite=True, --force)"
            )
        if backend.dimensions != model.vector_size:
            raise _Foreign(
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
        gone = [tag for tag in held if tag not in local_digests and tag not in set(changes.removed)]
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
