"""Document tags: which row of ``model.dv`` a tag names, under gensim's rules for int tags.

gensim 4 treats a plain ``int`` tag as a row position (``TaggedDocument(words, [5])`` trains row 5,
and ``dv.key_to_index`` may stay empty for such tags), while string tags are looked up by name. Every
paravec module that asks "does the model have this tag, and where" asks here, so the rule is the same
for updates, evaluation and search: an int is a tag only on a model whose tags are ints, and only
if the row it names holds that very int; a search index, which keeps every tag as a string, may name
an int tag by its digits.

Examples
--------
>>> from gensim.models.keyedvectors import KeyedVectors
>>> from paravec.tags import has_tag, tag_row
>>> dv = KeyedVectors(4)
>>> dv.add_vectors(["bg0", "bg1"], [[0.0] * 4, [1.0] * 4])
>>> tag_row(dv, "bg1"), has_tag(dv, 1), has_tag(dv, "bg2")
(1, False, False)
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, cast

from paravec.params import is_integer

__all__ = ["has_tag", "tag_row", "uses_int_tags"]


def uses_int_tags(kv: Any) -> bool:
    """Whether the documents of ``kv`` (a model's ``dv``) are tagged by plain ints."""
    keys = kv.index_to_key
    return bool(keys) and is_integer(keys[0])


def tag_row(kv: Any, tag: Hashable) -> int | None:
    """The row of ``tag`` in ``kv``, or ``None`` when ``kv`` has no such tag.

    On a model with int tags, a string of ASCII digits names the int tag (search indexes keep
    tags as strings).
    """
    row = kv.key_to_index.get(tag)
    if row is not None:
        return int(row)
    if isinstance(tag, str) and tag.isascii() and tag.isdigit() and uses_int_tags(kv):
        tag = int(tag)
        row = kv.key_to_index.get(tag)
        if row is not None:
            return int(row)
    if is_integer(tag):
        position = int(cast(int, tag))
        if 0 <= position < len(kv.index_to_key) and kv.index_to_key[position] == position:
            return position
    return None


def has_tag(kv: Any, tag: Hashable) -> bool:
    """Whether ``kv`` holds a vector for ``tag``."""
    return tag_row(kv, tag) is not None
