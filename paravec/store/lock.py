"""One writer at a time: the store lock, the pending-step marker, and cleaning up after a killed step.

Every step that changes a store (update, delete, rollback, gc) holds an exclusive ``flock`` on
``STORE/lock`` for its whole run. The operating system releases it when the process ends, even by
``kill -9``, so a dead writer never blocks the store. A second writer waits up to ``wait``
seconds and then fails with `paravec.errors.StoreError` naming the process and step that hold
the lock. Readers never lock: they read the ``CURRENT`` pointer and immutable versions.

While a step runs, ``pending.json`` names it. Finding that file (or a temporary file of an atomic
write) while the lock is free means a step was killed: `clean_leftovers` then removes its temporary version folders, temporary files and the
objects no version names (`paravec.store.objects.ObjectStore.sweep`).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.layout import Layout
>>> from paravec.store.lock import StoreLock
>>> layout = Layout(Path(tempfile.mkdtemp()))
>>> with StoreLock(layout, "update", wait=0):
...     layout.pending.exists()
True
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable
from types import TracebackType

from paravec.errors import StoreError
from paravec.files import read_json, write_json
from paravec.store.layout import Layout, now

__all__ = ["StoreLock", "clean_leftovers", "has_leftovers", "try_lock"]

_POLL = 0.05


def has_leftovers(layout: Layout) -> bool:
    """Whether a step was killed: ``pending.json`` or a temporary file of one (even of
    ``pending.json`` itself, when the kill came while it was being written)."""
    return layout.pending.exists() or any(layout.root.glob(".*.tmp*"))


def _holder(layout: Layout) -> str:
    try:
        info = read_json(layout.pending)
        return f"process {info.get('pid')} running `{info.get('step')}` since {info.get('started')}"
    except (OSError, ValueError, AttributeError):
        return "another process"


class StoreLock:
    """The exclusive lock of a store, held for one step (a context manager)."""

    def __init__(self, layout: Layout, step: str, *, wait: float = 60.0) -> None:
        self.layout = layout
        self.step = step
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> StoreLock:
        self.layout.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.layout.lock, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(0.0, self.wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(self.layout)
                    os.close(fd)
                    raise StoreError(
                        f"{self.layout.root} is being changed by {holder}; waited {self.wait:g} s. "
                        "Run this step again when it is done (or give a longer wait)"
                    ) from None
                time.sleep(_POLL)
        self._fd = fd
        if has_leftovers(self.layout):
            clean_leftovers(self.layout)
        write_json(self.layout.pending, {"pid": os.getpid(), "step": self.step, "started": now()})
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            clean_leftovers(self.layout, sweep=kind is not None)
        finally:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = None


def try_lock(layout: Layout, action: Callable[[], None]) -> bool:
    """Run ``action`` under the lock if nobody holds it; False (and nothing run) if somebody does."""
    if not layout.root.is_dir():
        return False
    fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        action()
        return True
    finally:
        os.close(fd)


def clean_leftovers(layout: Layout, *, sweep: bool = True) -> None:
    """Remove what a killed or failed step left (call with the lock held), then ``pending.json``."""
    from paravec.store.objects import ObjectStore
    from paravec.store.referenced import referenced

    if layout.versions.is_dir():
        for path in layout.versions.iterdir():
            if path.name.startswith((".tmp-", ".trash-")):
                shutil.rmtree(path, ignore_errors=True)
    for path in layout.root.glob(".*.tmp*"):
        with contextlib.suppress(OSError):
            path.unlink()
    if sweep:
        ObjectStore(layout.objects).sweep(referenced(layout))
    with contextlib.suppress(OSError):
        layout.pending.unlink()
