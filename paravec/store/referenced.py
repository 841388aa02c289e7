"""Which objects the versions of a store use: what `paravec.store.objects.ObjectStore.sweep` keeps.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.layout import Layout
>>> from paravec.store.referenced import referenced
>>> referenced(Layout(Path(tempfile.mkdtemp())))
set()
"""

from __future__ import annotations

from pathlib import Path

from paravec.errors import StoreError
from paravec.files import read_json
from paravec.store.format import referenced_objects
from paravec.store.layout import Layout
from paravec.store.texts import text_objects

__all__ = ["referenced", "version_objects"]


def version_objects(folder: Path) -> set[str]:
    """The objects one version folder names (its model's chunks and its text batches)."""
    try:
        found = referenced_objects(read_json(folder / "model.json"))
        found |= set(text_objects(folder))
    except (OSError, ValueError) as err:
        raise StoreError(f"{folder} is corrupt ({err}); the store cannot tell which files it needs") from None
    return found


def referenced(layout: Layout) -> set[str]:
    """Every object named by a complete version of the store."""
    found: set[str] = set()
    for number in layout.numbers():
        found |= version_objects(layout.version_dir(number))
    return found
