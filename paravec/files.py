"""Atomic files: a file paravec writes is either the old one or the whole new one, never half.

Every write goes to a temporary file in the target's own folder (so the final rename stays on one
file system), is flushed to disk, given the permissions an ordinary new file gets under the user's
umask (``mkstemp`` would leave it 0600), and then renamed over the target with ``os.replace``, which
POSIX makes atomic. A crash before the rename leaves the target untouched and at most a hidden
``.NAME.*.tmp`` file behind; any error removes the temporary file and re-raises.

Examples
--------
>>> import tempfile, pathlib
>>> from paravec.files import read_json, write_json
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_json(folder / "manifest.json", {"version": 1})
>>> read_json(folder / "manifest.json")
{'version': 1}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_path", "read_json", "write_atomic", "write_json"]


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on a clean exit it replaces ``path`` atomically.

    For writers that want a file name rather than bytes (``np.save``, ``fig.savefig``, usearch's
    ``save``). The writer must write the yielded path exactly (NumPy appends ``.npy`` to names
    without it, so keep the suffix: the temporary name ends with the target's own suffix).
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, _default_mode())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text is UTF-8 encoded) to ``path`` atomically; returns the path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)
    return Path(path)


def write_json(path: str | os.PathLike[str], data: Any, *, indent: int | None = 2) -> None:
    """Write ``data`` as UTF-8 JSON to ``path`` atomically."""
    write_atomic(path, json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file written by `write_json`."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
