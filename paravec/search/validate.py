"""The one definition of what search accepts: text limits, and checks of queries, tags, words, texts.

Every check here is a `paravec.params.Constraint` (or a function built on one) and raises
`paravec.errors.ParameterError` with one line that names the value and what is allowed,
so the CLI prints it and the HTTP service answers 422. The library and the service use these same
limits and rules; the service adds only limits of HTTP itself (URL and body size).

The rule for control characters, everywhere: a query, free text, tag or word that contains a
control character (Unicode category Cc) other than tab, newline and carriage return is refused,
naming the character (``U+0000``): it is almost always a mistake of the caller (a stray NUL, a
terminal escape) and never part of a word. Other characters that do not print (format characters
such as U+200B, line separators, lone surrogates) become spaces, since they separate words as
whitespace does, and never reach tantivy or gensim. Texts of documents being indexed are not
refused for control characters: they are stored as the corpus has them (`text_pairs`).

Examples
--------
>>> from paravec.search.validate import check_k, check_text
>>> check_text("query", "shuttle\\u200blaunch", 100)
'shuttle launch'
>>> check_text("query", "shuttle\\x00launch", 100)
Traceback (most recent call last):
...
paravec.errors.ParameterError: query contains the control character U+0000; remove it
>>> check_k(5)
5
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from paravec.errors import ParameterError
from paravec.params import InstanceOf, Integer, Real, is_integer
from paravec.search.text import clean_text

__all__ = [
    "MAX_K",
    "MAX_KEY_CHARS",
    "MAX_QUERY_CHARS",
    "MAX_TEXT_CHARS",
    "WEIGHT",
    "K",
    "Key",
    "Text",
    "check_k",
    "check_key",
    "check_text",
    "check_titles",
    "check_weight",
    "text_pairs",
]

MAX_QUERY_CHARS = 8_000
"""Longest search query, in characters (``mode="document"`` takes `MAX_TEXT_CHARS`).

A query fits in one URL of the HTTP service (8 KiB), so a typed query meets this limit, with its
message, before the URL limit; a whole document goes to ``mode="document"``."""

MAX_TEXT_CHARS = 100_000
"""Longest free text: a ``mode="document"`` query, ``text_to_words`` / ``text_to_documents``."""

MAX_KEY_CHARS = 1_000
"""Longest document tag or word accepted."""

MAX_K = 1_000
"""Most results one call returns."""

_ALLOWED_CONTROLS = frozenset("\t\n\r")

K = Integer(min=1, max=MAX_K)
"""Number of results: an integer from 1 to `MAX_K`."""

WEIGHT = Real(min=0.0)
"""A fusion weight: a finite number >= 0."""

_STR = InstanceOf(str, "a str")


def _refuse_controls(name: str, value: str) -> None:
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS:
            raise ParameterError(f"{name} contains the control character U+{ord(ch):04X}; remove it")


@dataclass(frozen=True)
class Text:
    """A query or free text: a str of at most ``limit`` characters, not blank, without controls.

    Characters that do not print (other than the refused control characters) become spaces.
    """

    limit: int

    def __call__(self, name: str, value: Any) -> str:
        text: str = _STR(name, value)
        if len(text) > self.limit:
            raise ParameterError(
                f"{name} is {len(text):,} characters long; at most {self.limit:,} are allowed: shorten it"
            )
        if not text.isprintable():
            _refuse_controls(name, text)
            text = "".join(ch if ch.isprintable() or ch in _ALLOWED_CONTROLS else " " for ch in text)
        if not text.strip():
            raise ParameterError(f"{name} is empty or only whitespace; give at least one word")
        return text


@dataclass(frozen=True)
class Key:
    """A document tag or a word: a str (an int tag is taken as its digits), 1 to
    `MAX_KEY_CHARS` characters; ``controls=False`` refuses control characters (a key to
    look up), ``True`` keeps them (a tag of a model being indexed, which is what it is)."""

    controls: bool = False

    def __call__(self, name: str, value: Any) -> str:
        key: str = _STR(name, str(int(value)) if is_integer(value) else value)
        if not key or len(key) > MAX_KEY_CHARS:
            raise ParameterError(f"{name} must be 1 to {MAX_KEY_CHARS} characters long, got {len(key)}")
        if not self.controls and not key.isprintable():
            _refuse_controls(name, key)
        return key


def check_text(name: str, value: Any, limit: int) -> str:
    """Check a query or free text (`Text`); returns it with unprintable characters as spaces."""
    return Text(limit)(name, value)


def check_key(name: str, value: Any) -> str:
    """Check a tag or word to look up (`Key`); returns it as a str."""
    return Key()(name, value)


def check_k(k: Any) -> int:
    """Check a number of results (`K`)."""
    return int(K("k", k) or 0)


def check_weight(name: str, value: Any) -> float:
    """Check a fusion weight (`WEIGHT`)."""
    return float(WEIGHT(name, value) or 0.0)


def text_pairs(texts: Iterable[tuple[Any, str]] | Mapping[Any, str]) -> Iterator[tuple[str, str]]:
    """Yield the checked ``(tag, text)`` pairs of ``texts`` (a mapping, or an iterable of pairs).

    Tags become str (an int tag its digits); texts must be str. Neither is refused for control
    characters: a model's tags and a corpus' texts are indexed as they are.
    """
    if isinstance(texts, (str, bytes, os.PathLike)):
        raise ParameterError(
            "texts must be (tag, text) pairs; read a corpus file with paravec.corpus.read_texts(path)"
        )
    pairs: Iterable[Any] = texts.items() if isinstance(texts, Mapping) else texts
    tag_key = Key(controls=True)
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ParameterError(f"texts item #{i} must be a (tag, text) pair, got {type(pair).__name__}")
        tag = tag_key(f"texts item #{i} tag", pair[0])
        body = pair[1]
        if not isinstance(body, str):
            raise ParameterError(f"texts item #{i} ({tag!r}) text must be a str, got {type(body).__name__}")
        yield tag, body


def check_titles(titles: Mapping[Any, str] | None) -> dict[str, str]:
    """Check display titles by tag; returns them keyed by str tag, cleaned for the text index."""
    if titles is None:
        return {}
    InstanceOf(Mapping, "a mapping of tag to title")("titles", titles)
    out = {}
    for tag, title in titles.items():
        out[str(tag)] = clean_text(_STR(f"title of {tag!r}", title))
    return out
