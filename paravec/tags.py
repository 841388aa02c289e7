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

A tag that is not there gets a hint naming real ones (`tag_hint`): the tag a text file's document
really has (``"{file stem}:{line}"``, lines counted from 1), else the nearest spellings, and examples:

>>> tag_hint("new.txt:0", ["old:1", "old:2", "new:1", "new:2"])
"did you mean 'new:1'? A text file's documents are tagged '<file stem>:<line>', lines counted from 1; this model's tags run 'old:1', 'old:2', ..., 'new:2'"
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Sequence
from typing import Any, cast

from paravec.params import is_integer

__all__ = ["describe_tags", "has_tag", "tag_hint", "tag_row", "uses_int_tags"]

#: How many tags `tag_hint` compares spellings with: difflib is linear in them (about 1 s per 100k).
_HINT_CANDIDATES = 50_000
_LINE_TAG = re.compile(r"^(?P<name>.+?):(?P<line>\d+)$")


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


def describe_tags(tags: Sequence[Any]) -> str:
    """Examples of ``tags`` (the first two and the last) and, when they look like it, how they were formed."""
    if not tags:
        return "no tags"
    shown = [repr(t) for t in tags[:2]] + ([repr(tags[-1])] if len(tags) > 2 else [])
    if len(tags) > 3:
        shown.insert(2, "...")
    text = ", ".join(shown)
    if all(isinstance(t, str) and _LINE_TAG.match(t) for t in (tags[0], tags[-1])):
        text += " ('<file stem>:<line>', lines counted from 1)"
    return text


def tag_hint(tag: Any, tags: Sequence[Any], owner: str = "this model's") -> str:
    """A sentence for a user whose ``tag`` is not among ``tags``: likely meant tags and examples.

    Parameters
    ----------
    tag : hashable
        The tag that was not found.
    tags : sequence
        The tags there are (``model.dv.index_to_key`` or an index's tags), in order.
    owner : str, default "this model's"
        Whose tags they are, for the sentence.

    Returns
    -------
    str
        ``"did you mean ...? ..."`` with real tags, or the examples alone.
    """
    if not tags:
        return "there are no documents"
    text = str(tag)
    known = {str(t) for t in tags} if len(tags) <= _HINT_CANDIDATES else None
    guesses: list[str] = []
    match = _LINE_TAG.match(text)
    if match:
        # 'new.txt:0': the file's name with its suffix, or lines counted from 0, instead of 'new:1'.
        name, line = match["name"], int(match["line"])
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0] if "." in name.rsplit("/", 1)[-1] else name
        for candidate in (f"{stem}:{line + 1}", f"{stem}:{line}"):
            if candidate != text and (candidate in known if known is not None else False):
                guesses.append(candidate)
                break
    if known is not None and not guesses:
        guesses = difflib.get_close_matches(text, list(known), n=3, cutoff=0.6)
    parts = [f"did you mean {' or '.join(repr(g) for g in guesses)}?"] if guesses else []
    if match:
        parts.append("A text file's documents are tagged '<file stem>:<line>', lines counted from 1;")
    examples = (
        [repr(t) for t in tags[:2]] + ["...", repr(tags[-1])] if len(tags) > 3 else [repr(t) for t in tags]
    )
    parts.append(f"{owner} tags run {', '.join(examples)}")
    return " ".join(parts)
