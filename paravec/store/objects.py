"""Content-addressed objects: immutable files named by the SHA-256 of their bytes.

A store keeps every large piece of data (chunks of array rows, lists of keys, batches of texts) as
an object ``objects/ab/abcdef...`` whose name is the digest of its content, the way git stores
blobs. A version lists the digests it uses, so two versions that share a chunk share one file:
ten versions of a model that only grows store the unchanged rows once. Objects are written
atomically (`paravec.files.write_atomic`), so a present object is always complete; one that no
version names any more is removed by `sweep`.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.objects import ObjectStore
>>> objects = ObjectStore(Path(tempfile.mkdtemp()))
>>> digest = objects.put(b"hello")
>>> objects.get(digest), objects.put(b"hello") == digest
(b'hello', True)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from paravec.errors import StoreError
from paravec.files import write_atomic

__all__ = ["ObjectStore"]

_DIGEST = re.compile(r"[0-9a-f]{64}")


class ObjectStore:
    """The ``objects/`` folder of a store (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        """Where the object ``digest`` lives; `StoreError` for a name that is not a digest."""
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            # Names come from manifests on disk: never let one be a path.
            raise StoreError(f"{self.root}: {digest!r} is not an object name; the store manifest is corrupt")
        return self.root / digest[:2] / digest

    def put(self, data: bytes | memoryview) -> str:
        """Store ``data`` (unless an equal object exists); return its digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, bytes(data))
        return digest

    def get(self, digest: str) -> bytes:
        """The bytes of object ``digest``; `StoreError` when it is missing."""
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            raise StoreError(
                f"{self.root}: object {digest[:12]}... is missing; the store lost a file "
                "(restore it from a backup)"
            ) from None

    def read_into(self, digest: str, buffer: memoryview) -> None:
        """Fill ``buffer`` with object ``digest``, which must be exactly as long."""
        path = self.path(digest)
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size != len(buffer):
                    raise StoreError(
                        f"{path} holds {size} bytes, expected {len(buffer)}; the store is corrupt"
                    )
                handle.readinto(buffer)
        except FileNotFoundError:
            raise StoreError(
                f"{self.root}: object {digest[:12]}... is missing; the store lost a file "
                "(restore it from a backup)"
            ) from None

    def all(self) -> list[Path]:
        """Every file under ``objects/`` (objects and temporary files)."""
        if not self.root.is_dir():
            return []
        return [p for sub in self.root.iterdir() if sub.is_dir() for p in sub.iterdir()]

    def size(self, digests: Iterable[str]) -> int:
        """Bytes used by the given objects (each counted once)."""
        return sum(self.path(d).stat().st_size for d in set(digests))

    def sweep(self, keep: set[str]) -> int:
        """Remove every object not in ``keep`` and every temporary file; return how many went."""
        removed = 0
        for path in self.all():
            if path.name not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
        return removed
