"""Validation of what callers pass to a search index: queries, tags, words, k, weights, texts.

Every check raises :class:`~paravec.errors.ParameterError` with one line that names the value
and what is allowed, so the CLI prints it and the HTTP layer answers 4xx. Control characters in
a query become spaces (they separate words, as whitespace does) and never reach tantivy or gensim.

Example
-------
>>> from paravec.search.validate import check_k, check_text
>>> check_text("query", "shuttle\\x00launch", 100)
'shuttle launch'
>>> check_k(5)
5
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from paravec.errors import ParameterError
from paravec.search.text import clean_text

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_KEY_CHARS",
    "MAX_K",
    "check_text",
    "check_key",
    "check_k",
    "check_weight",
    "check_titles",
    "text_pairs",
]

MAX_QUERY_CHARS = 10_000
"""Longest search query, in characters; longer queries raise :class:`ParameterError`."""

MAX_TEXT_CHARS = 100_000
"""Longest free text for :meth:`SearchIndex.text_to_words` / ``text_to_documents``."""

MAX_KEY_CHARS = 1_000
"""Longest document tag or word accepted."""

MAX_K = 1_000
"""Most results one call returns."""

_ALLOWED_CONTROLS = frozenset("\t\n\r")


def check_text(name: str, value: Any, limit: int) -> str:
    """Validate a query or free text: a non-blank str of at most ``limit`` characters."""
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a str, got {type(value).__name__}")
    if len(value) > limit:
        raise ParameterError(
            f"{name} is {len(value):,} characters long; at most {limit:,} are allowed: shorten it"
        )
    # Control characters separate words like spaces do; they never reach tantivy or gensim.
    if not value.isprintable():
        value = "".join(ch if ch.isprintable() or ch in _ALLOWED_CONTROLS else " " for ch in value)
    if not value.strip():
        raise ParameterError(f"{name} is empty or only whitespace; give at least one word")
    return value


def check_key(name: str, value: Any) -> str:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str):
        raise ParameterError(f"{name} must be a str, got {type(value).__name__}")
    if not value or len(value) > MAX_KEY_CHARS:
        raise ParameterError(f"{name} must be 1 to {MAX_KEY_CHARS} characters long, got {len(value)}")
    return value


def check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= MAX_K:
        raise ParameterError(f"k must be an integer from 1 to {MAX_K}, got {k!r}")
    return int(k)


def check_weight(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ParameterError(f"{name} must be a number >= 0, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ParameterError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def text_pairs(texts: Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
    if isinstance(texts, (str, bytes, os.PathLike)):
        raise ParameterError("texts must be (tag, text) pairs; read a corpus file with "
                             "paravec.corpus.read_texts(path)")
    if isinstance(texts, Mapping):
        texts = texts.items()
    for i, pair in enumerate(texts):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ParameterError(f"texts item #{i} must be a (tag, text) pair, got {type(pair).__name__}")
        tag, body = pair
        tag = check_key(f"texts item #{i} tag", tag)
        if not isinstance(body, str):
            raise ParameterError(f"texts item #{i} ({tag!r}) text must be a str, got {type(body).__name__}")
        yield tag, body


def check_titles(titles: Mapping[str, str] | None) -> dict[str, str]:
    if titles is None:
        return {}
    if not isinstance(titles, Mapping):
        raise ParameterError(f"titles must be a mapping of tag to title, got {type(titles).__name__}")
    out = {}
    for tag, title in titles.items():
        if not isinstance(title, str):
            raise ParameterError(f"title of {tag!r} must be a str, got {type(title).__name__}")
        out[str(tag)] = clean_text(title)
    return out
