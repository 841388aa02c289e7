"""Publishing a store to PostgreSQL: its current version, mirrored into an index that replicas serve.

A store can be told to publish to an index in PostgreSQL (`paravec.search.postgres`):
``store.publish_to("postgresql://user@host/db?schema=news")``. From then on every step that
changes the current version (``update``, ``delete``, ``rollback``) brings that index to the new
current version before it returns, still holding the store lock, so publishes reach PostgreSQL in
the order they happened. The sync is one transaction of the backend
(`paravec.search.postgres.PostgresBackend.apply`): readers see the old version's documents or
the new one's, never a mix, and the index's manifest records in the same transaction which store
version it holds (``"source": {"store": ..., "version": N}``). The store is the primary and
the index a follower brought to the primary's state by a diff (`paravec.store.pgmirror`), not
by replaying a log: the sync changes only what differs, whatever version the index held, so a
rollback or a catch-up after missed publishes is the same operation as an update. ``paravec serve
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paravec.errors import IndexStateError, ParameterError, ParavecError, StoreError
from paravec.files import read_json, write_json
from paravec.store.layout import now
from paravec.store.lock import StoreLock
from paravec.store.pgmirror import Foreign, mirror
from paravec.store.reading import Reading

__all__ = ["Publication", "PublishWarning", "Publishing"]

_FILE = "publish.json"


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
            None stops publishing (the index in PostgreSQL stays as it is, and `gc` no longer
            keeps the version it holds).
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
            except Foreign:
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
            mirror(self, dsn, number, overwrite=overwrite, text_config=setting.get("text_config"))
        except (ParavecError, psycopg.Error, OSError) as err:
            held = setting.get("version")
            reason = " ".join(str(err).split())
            self._record({**setting, "error": reason, "at": now()})
            if isinstance(err, Foreign):
                raise Foreign(
                    f"PostgreSQL at {shown_dsn(dsn)}: {reason}; version {number} of {self.path} was not published there"
                ) from None
            still = (
                f"it still holds version {held}, intact"
                if held is not None
                else "it holds no version of this store yet"
            )
            raise IndexStateError(
                f"version {number} is current in {self.path}, but PostgreSQL at {shown_dsn(dsn)} did not "
                f"get it: {reason}; {still}: `paravec store publish {self.path}` catches up "
                "(so does the next change of the store)"
            ) from None
        self._record({**setting, "dsn": dsn, "version": number, "error": None, "at": now()})
