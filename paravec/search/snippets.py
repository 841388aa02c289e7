"""Snippets: the passage of a text with most of a query's words, and where those words are.

What it does
------------
`passage` finds the stretch of at most `SNIPPET_CHARS` characters of a text that holds the most
of a set of weighted words, as whole words and in any case, and returns it with the character
spans of those words in it; a text with none of them gives its start. `head` is that start.
`passages` makes the `paravec.search.backend.Snippet` of each of a query's hits from their
titles and texts, as each backend's ``snippets(..., as_written=True)`` returns them.

Approach
--------
Document mode's keyword side matches a query's words as written (the index's ``exact`` field,
`paravec.search.ranking.document_terms`), so its snippets highlight them as written too: a
scan of the lowercased text for each word, kept where it stands as a whole token of
`paravec.tokenizer.tokenize` (no letter, digit or combining mark on either side). That needs
no analysis of the text. Highlighting stems instead (tantivy's snippet generator, which keyword
and hybrid search use: their keyword side matches stems) runs the index's analyzer over each
hit's whole text, which was the largest part of a document-mode query's snippets. The passage is
the window with the largest summed weight of the distinct words in it (then the most
occurrences, then the earliest), widened evenly on both sides to the length allowed and cut at
spaces.

Examples
--------
>>> from paravec.search.snippets import passage
>>> passage("Launches: the shuttle launched. Crowds watched the shuttle.", {"shuttle": 1.0}, 40)
('Launches: the shuttle launched. Crowds', [(14, 21)])
>>> passage("Nothing here matches.", {"shuttle": 1.0}, 40)
('Nothing here matches.', [])
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from paravec.tokenizer import continues_token

__all__ = ["SNIPPET_CHARS", "head", "passage", "passages"]

SNIPPET_CHARS = 240
"""Longest snippet, in characters."""


def head(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text`` up to ``limit`` characters, whitespace collapsed, cut at a space when there is one."""
    text = " ".join(text[: limit * 2].split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def passages(
    documents: Mapping[str, tuple[str, str]],
    tags: Sequence[str],
    words: Sequence[str],
    expansions: Mapping[str, float],
) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """``(title, passage, spans)`` of each of ``tags`` (``("", "", [])`` for one not in
    ``documents``, which maps a tag to its title and text): `passage` with ``words`` counting 1
    each and ``expansions`` what they weigh."""
    weights = _lowered({**expansions, **dict.fromkeys(words, 1.0)})
    out: list[tuple[str, str, list[tuple[int, int]]]] = []
    for tag in tags:
        if tag in documents:
            title, text = documents[tag]
            out.append((title, *_passage(text, weights, SNIPPET_CHARS)))
        else:
            out.append(("", "", []))
    return out


def passage(
    text: str, weights: Mapping[str, float], limit: int = SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """The passage of ``text`` with most of ``weights``' words, and their spans in it.

    Parameters
    ----------
    text : str
        The document's text. It is normalised to NFC and its whitespace collapsed to single
        spaces; the passage is cut from that.
    weights : mapping of str to float
        The words to find (tokens as `paravec.tokenizer.tokenize` gives them; matched in any
        case) and what each counts when passages are compared.
    limit : int
        The passage's most characters.

    Returns
    -------
    tuple of (str, list of (int, int))
        The passage and the ``(start, end)`` character spans of the words found in it, in
        order; ``(head(text, limit), [])`` when the text has none of the words.
    """
    return _passage(text, _lowered(weights), limit)


def _lowered(weights: Mapping[str, float]) -> dict[str, float]:
    return {word.lower(): float(weight) for word, weight in weights.items() if word}


def _passage(text: str, weight: Mapping[str, float], limit: int) -> tuple[str, list[tuple[int, int]]]:
    """`passage`, the words already lowercased."""
    flat = " ".join(unicodedata.normalize("NFC", text).split())
    # str.lower keeps every character's length but that of the Turkish dotted capital I, which
    # the tokenizer turns into "i" too; the spans found in `low` are then spans of `flat`.
    low = flat.replace("\u0130", "i").lower()
    if len(low) != len(flat):
        return head(flat, limit), []
    found: list[tuple[int, int, str]] = []
    for word in weight:
        at = low.find(word)
        while at >= 0:
            end = at + len(word)
            if (at == 0 or not continues_token(low[at - 1])) and (
                end == len(low) or not continues_token(low[end])
            ):
                found.append((at, end, word))
            at = low.find(word, at + 1)
    if not found:
        return head(flat, limit), []
    found.sort()
    first, last = _best_window(found, weight, limit)
    start, stop = found[first][0], found[last][1]
    # Widen to the length allowed, as much before the words as after, cut at spaces.
    room = limit - (stop - start)
    begin = max(0, start - room // 2)
    end = min(len(flat), begin + limit)
    begin = max(0, min(begin, end - limit))
    if begin > 0:
        space = flat.find(" ", begin - 1, start)
        begin = space + 1 if space >= 0 else start
    if end < len(flat):
        space = flat.rfind(" ", stop, end + 1)
        end = space if space >= 0 else stop
    spans = [(a - begin, b - begin) for a, b, _w in found if a >= begin and b <= end]
    return flat[begin:end], spans


def _best_window(
    found: list[tuple[int, int, str]], weight: Mapping[str, float], limit: int
) -> tuple[int, int]:
    """The first and last of ``found`` (sorted by start) of the window of at most ``limit``
    characters with the largest summed weight of distinct words, then most words, then earliest.

    One pass: the window's end moves on as its start does (a long text has thousands of matches).
    """
    counts: dict[str, int] = {}
    score, last = 0.0, 0
    best: tuple[float, int, int] | None = None
    span = (0, 0)
    for first in range(len(found)):
        last = max(last, first)
        while last < len(found) and found[last][1] - found[first][0] <= limit:
            word = found[last][2]
            if not counts.get(word):
                score += weight.get(word, 0.0)
            counts[word] = counts.get(word, 0) + 1
            last += 1
        key = (round(score, 9), last - first, -first)  # rounded: sums in another order tie
        if best is None or key > best:
            best, span = key, (first, max(first, last - 1))
        if last > first:  # the window's first word leaves it
            word = found[first][2]
            counts[word] -= 1
            if not counts[word]:
                score -= weight.get(word, 0.0)
    return span
