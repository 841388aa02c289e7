"""The texts of a store's documents, kept as content-addressed batches.

Every document a version holds has its text in the store, so nothing added through the service
exists only in a request, and an index can always be rebuilt. Each update stores its batch of
``(tag, text)`` pairs as one object (`paravec.store.objects`); a version's ``texts.json`` lists
the batches of its lineage, oldest first. The text of a tag is the one of the newest batch that has
it, and only tags the version's model holds count, so a deleted or dropped document's text is
not part of that version (while an older version, sharing the same batch object, keeps it).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from paravec.store.objects import ObjectStore
>>> from paravec.store.texts import put_batch, read_texts
>>> objects = ObjectStore(Path(tempfile.mkdtemp()))
>>> batches = [put_batch({"a": "old a", "b": "b"}, objects), put_batch({"a": "new a"}, objects)]
>>> read_texts(batches, objects, {"a"})
{'a': 'new a'}
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from pathlib import Path

from paravec.errors import StoreError
from paravec.files import read_json, write_json
from paravec.store.objects import ObjectStore

__all__ = ["put_batch", "read_texts", "text_objects", "write_text_list"]

_FILE = "texts.json"


def put_batch(texts: Mapping[str, str], objects: ObjectStore) -> str:
    """Store one batch of texts; return its object digest."""
    payload = json.dumps([[tag, text] for tag, text in texts.items()], ensure_ascii=False)
    return objects.put(payload.encode("utf-8", "surrogatepass"))


def read_texts(
    batches: list[str], objects: ObjectStore, tags: Container[str] | None = None
) -> dict[str, str]:
    """The text of each tag over ``batches`` (newest wins), only of ``tags`` when given."""
    texts: dict[str, str] = {}
    for digest in batches:
        pairs = json.loads(objects.get(digest).decode("utf-8", "surrogatepass"))
        if not isinstance(pairs, list):
            raise StoreError(f"text batch {digest[:12]}... is corrupt")
        for tag, text in pairs:
            if tags is None or tag in tags:
                texts[tag] = text
    return texts


def text_objects(folder: Path) -> list[str]:
    """The text batches a version folder lists (none when it has no ``texts.json``)."""
    path = folder / _FILE
    if not path.exists():
        return []
    batches = read_json(path).get("batches", [])
    if not isinstance(batches, list) or not all(isinstance(b, str) for b in batches):
        raise StoreError(f"{path} is corrupt")
    return batches


def write_text_list(folder: Path, batches: list[str]) -> None:
    """Write a version's ``texts.json``."""
    write_json(folder / _FILE, {"batches": batches})
