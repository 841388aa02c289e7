"""Reading a store: the current version, the version records, a version's model, index, texts and reports.

`Reading` is the reading half of `paravec.Store` (`paravec.store.store`): nothing here takes the
lock or writes, so any number of processes may read while one changes the store. Each call reads the
files again (``CURRENT`` first), so a reader sees a version another process published.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.reading import Reading
>>> Reading(Path(tempfile.mkdtemp())).current  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
paravec.errors.StoreError: ... is not a paravec store (no CURRENT); create one with `paravec store init`
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gensim.models import Doc2Vec

from paravec.errors import ParameterError, StoreError
from paravec.files import read_json
from paravec.store.format import read_model
from paravec.store.layout import Layout, VersionInfo
from paravec.store.objects import ObjectStore
from paravec.store.texts import read_texts, text_objects

__all__ = ["Reading"]


class Reading:
    """The reading methods of `paravec.Store` (see the module docstring).

    Attributes
    ----------
    path : pathlib.Path
        The store folder.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._layout = Layout(path)
        self._objects = ObjectStore(self._layout.objects)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, current={self.current})"

    # -- reading -----------------------------------------------------------------------------------

    @property
    def current(self) -> int:
        """The current version number, read from the ``CURRENT`` pointer on every access.

        Other processes publish by replacing that small file atomically, so reading this property
        is the cheap way to notice a new current version.
        """
        return self._layout.read_pointer()

    def _number(self, version: int | None) -> int:
        if version is None:
            return self.current
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ParameterError(f"version must be a version number (int >= 1), got {version!r}")
        return version

    def info(self, version: int | None = None) -> VersionInfo:
        """The record of ``version`` (the current one by default)."""
        number = self._number(version)
        info = self._layout.read_version(number)
        info.current = number == self.current
        return info

    def versions(self) -> list[VersionInfo]:
        """Every version, oldest first, with ``current`` set on the current one."""
        current = self.current
        out = []
        for number in self._layout.numbers():
            info = self._layout.read_version(number)
            info.current = number == current
            out.append(info)
        return out

    def model(self, version: int | None = None) -> Doc2Vec:
        """The model of ``version`` (current by default), rebuilt from the pickle-free format.

        Each call returns a new, independent ``Doc2Vec``.
        """
        folder = self._layout.version_dir(self._number(version))
        self._layout.read_version(self._number(version))
        try:
            manifest = read_json(folder / "model.json")
        except (OSError, ValueError) as err:
            raise StoreError(f"{folder / 'model.json'} is unreadable ({err})") from None
        return read_model(manifest, self._objects)

    def index(self, version: int | None = None, *, model: Doc2Vec | None = None) -> Any:
        """The search index of ``version`` (current by default), searching with its model.

        Parameters
        ----------
        version : int, optional
        model : gensim.models.Doc2Vec, optional
            That version's model if already loaded (`model`), to save loading it again.

        Returns
        -------
        paravec.search.SearchIndex

        Raises
        ------
        StoreError
            The version has no index (it was created without texts).
        """
        from paravec.search import SearchIndex

        number = self._number(version)
        folder = self._layout.version_dir(number) / "index"
        if not folder.is_dir():
            self._layout.read_version(number)
            raise StoreError(
                f"version {number} of {self.path} has no search index (the store holds no texts)"
            )
        return SearchIndex.open(folder, model=self.model(number) if model is None else model)

    def texts(self, version: int | None = None) -> dict[str, str]:
        """The text of every document of ``version`` that has one, by tag."""
        number = self._number(version)
        folder = self._layout.version_dir(number)
        model = self.model(number)
        return read_texts(text_objects(folder), self._objects, set(map(str, model.dv.index_to_key)))

    def report(self, version: int | None = None) -> Any:
        """The verification report of ``version`` (`paravec.report.Report`), None if it has none."""
        from paravec.report import Report

        path = self._layout.version_dir(self._number(version)) / "report.json"
        return Report.from_dict(read_json(path)) if path.exists() else None

    def diff(self, a: int, b: int) -> dict[str, Any]:
        """What changed from version ``a`` to version ``b`` (`paravec.store.diff.diff_models`)."""
        from paravec.store.diff import diff_models

        return diff_models(self.model(self._number(a)), self.model(self._number(b)))

    def update_report(self, version: int | None = None) -> dict[str, Any] | None:
        """What `paravec.update` reported for ``version`` (`paravec.UpdateReport.to_dict`), None
        for a version that was not an update."""
        path = self._layout.version_dir(self._number(version)) / "update.json"
        if not path.exists():
            self._layout.read_version(self._number(version))
            return None
        data: dict[str, Any] = read_json(path)
        return data

    def disk_usage(self) -> dict[str, int]:
        """Bytes on disk: ``total`` (each file once, hard links counted once), ``objects``, ``indexes``."""
        seen: set[tuple[int, int]] = set()
        sizes = {"objects": 0, "indexes": 0, "other": 0}
        for root, _dirs, files in os.walk(self.path):
            for name in files:
                st = os.stat(os.path.join(root, name))
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                part = Path(root).relative_to(self.path).parts
                key = "objects" if part[:1] == ("objects",) else "indexes" if "index" in part else "other"
                sizes[key] += st.st_size
        sizes["total"] = sum(sizes.values())
        return sizes
