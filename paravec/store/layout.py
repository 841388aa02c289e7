"""The folder of a store: where each file lives, the version records, and the current-version pointer.

::

    STORE/
      store.json            what the folder is (format, creation time)
      CURRENT               the pointer: {"version": N, ...}; replaced atomically, read by readers
      lock                  held (flock) by the one process changing the store
      pending.json          present while a step runs; left by a killed step -> cleaned on open
      objects/ab/abcd...    content-addressed chunks shared by all versions (`paravec.store.objects`)
      versions/000001/      one immutable folder per version:
          version.json      the lineage record (`VersionInfo`), written last
          model.json        the pickle-free model manifest (`paravec.store.format`)
          texts.json        the text objects of the version's documents (`paravec.store.texts`)
          index/            its search index (files shared with the parent's by hard links)
          report.json       the verification report (updates)
      versions/.tmp-N-PID   a version being written; renamed to N when complete

A version is written in full under a temporary name, renamed into ``versions/`` and only then
published by replacing ``CURRENT`` (``os.replace``, atomic on POSIX): a reader that reads
``CURRENT`` and then opens that version sees either the old version or the new one, never a part
of one, and the model and index of a version always move together. Noticing a new version costs
one read of ``CURRENT`` (a few dozen bytes); compare its ``version`` (or the file's mtime).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.layout import Layout
>>> layout = Layout(Path(tempfile.mkdtemp()))
>>> layout.version_dir(3).name
'000003'
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paravec.errors import StoreError
from paravec.files import read_json, write_json

__all__ = ["FORMAT", "Layout", "VersionInfo", "now"]

FORMAT = "paravec-store"
_VERSION_DIR = re.compile(r"[0-9]{6,12}")


def now() -> str:
    """The current UTC time, ISO 8601 to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class VersionInfo:
    """The lineage record of one version (``versions/N/version.json``).

    Attributes
    ----------
    number : int
        The version number (1 is the base).
    parent : int or None
        The version it was made from.
    created : str
        When it was written (UTC, ISO 8601).
    kind : str
        ``"base"``, ``"update"`` or ``"delete"``.
    documents, words : int
        Documents (tags) and words of its model.
    new_tags, new_words : int
        How many tags and words it added to its parent.
    verdict : str
        The verification report's verdict (``pass``, ``warn``, ``fail``, ``skip``), or ``"none"``.
    accepted : bool
        Passed the gate (verdict not fail, or forced): only accepted versions become current.
    rejected_reason : str or None
        Why it was not accepted.
    forced : bool
        Published despite a failing verdict (``force=True``).
    current : bool
        Is it the current version (filled in when listed, not stored).
    indexed : bool
        Whether it has a search index.
    batch_sha256 : str or None
        SHA-256 of the batch (tags, words and texts).
    options : dict
        Every update option given.
    figures : dict
        Headline figures of the update and its report.
    timings : dict
        Seconds per step.
    software : dict
        paravec, gensim, numpy and Python versions.
    removed_tags : int
        Documents of the parent that this version no longer has.
    """

    number: int
    parent: int | None
    created: str
    kind: str
    documents: int
    words: int
    new_tags: int = 0
    new_words: int = 0
    removed_tags: int = 0
    verdict: str = "none"
    accepted: bool = True
    rejected_reason: str | None = None
    forced: bool = False
    current: bool = False
    indexed: bool = False
    batch_sha256: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    software: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``current`` is not part of the record)."""
        data = asdict(self)
        data.pop("current")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VersionInfo:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "current"}
        return cls(**known)


class Layout:
    """Paths of a store folder (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.meta = root / "store.json"
        self.pointer = root / "CURRENT"
        self.lock = root / "lock"
        self.pending = root / "pending.json"
        self.objects = root / "objects"
        self.versions = root / "versions"

    def version_dir(self, number: int) -> Path:
        return self.versions / f"{number:06d}"

    def staging_dir(self, number: int) -> Path:
        return self.versions / f".tmp-{number:06d}-{os.getpid()}"

    def numbers(self) -> list[int]:
        """Numbers of the complete versions, ascending."""
        if not self.versions.is_dir():
            return []
        return sorted(
            int(p.name)
            for p in self.versions.iterdir()
            if _VERSION_DIR.fullmatch(p.name) and (p / "version.json").is_file()
        )

    def read_pointer(self) -> int:
        """The current version number from ``CURRENT``."""
        try:
            data = read_json(self.pointer)
            return int(data["version"])
        except FileNotFoundError:
            raise StoreError(
                f"{self.root} is not a paravec store (no CURRENT); create one with `paravec store init`"
            ) from None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise StoreError(f"{self.pointer} is corrupt ({err})") from None

    def write_pointer(self, number: int, action: str, previous: int | None) -> None:
        write_json(self.pointer, {"version": number, "previous": previous, "action": action, "at": now()})

    def read_version(self, number: int) -> VersionInfo:
        path = self.version_dir(number) / "version.json"
        try:
            return VersionInfo.from_dict(read_json(path))
        except FileNotFoundError:
            raise StoreError(
                f"{self.root} has no version {number} (versions: {self.numbers() or 'none'})"
            ) from None
        except (OSError, ValueError, TypeError) as err:
            raise StoreError(f"{path} is corrupt ({err})") from None

    def write_version(self, folder: Path, info: VersionInfo) -> None:
        write_json(folder / "version.json", info.to_dict())
