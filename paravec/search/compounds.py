"""Compound words cut into known words, for the keyword index of languages that write them as one.

What it does
------------
`Decompounder` cuts a word such as Norwegian ``skogbrannen`` into the known words it is made of
(``skog brannen``). The keyword index puts these parts of every document into a field of their
own (``parts``, `paravec.search.text`) beside the whole words, so a query for ``brann`` finds
``skogbrannen`` while a query for ``skogbrann`` still prefers the documents that have the whole
word.

Approach
--------
Dictionary-based splitting in the manner of Koehn & Knight ("Empirical Methods for Compound
Splitting", EACL 2003): a split is a sequence of known words of at least three letters (four
for a word that is itself known, so that known words are not cut into chance pieces such as
``for|svar``), optionally joined by the linking letters ``s`` or ``e`` (``innkjøp-s-avdeling``,
``torsk-e-sesong``); of all splits the one with the fewest parts wins, then the one whose
shortest part is longest. The known words are simplemma's word forms and lemmas of the language
(`paravec.analysis.lexicon`, ~1 million for bokmål + nynorsk), so the last part may be inflected.
tantivy's own ``SplitCompoundWords`` replaces a compound by its parts and only splits words that
its dictionary does not hold; with the model's vocabulary as dictionary it splits almost nothing,
since every indexed word is in the vocabulary (``benchmarks/analysis_recall.py`` measures both).

Examples
--------
>>> from paravec.search.compounds import Decompounder
>>> split = Decompounder(["skog", "brann", "brannen", "sykehus", "innkjøp", "avdeling", "avdelingen"])
>>> split.parts("skogbrannen"), split.parts("sykehusinnkjøpsavdelingen"), split.parts("skog")
(['skog', 'brannen'], ['sykehus', 'innkjøp', 'avdelingen'], [])
>>> split.text("Skogbrannen nådde sykehusinnkjøpsavdelingen")
'skog brannen sykehus innkjøp avdelingen'
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from paravec.tokenizer import tokenize

__all__ = ["Decompounder"]

_MIN_PART = 3
_MIN_PART_OF_KNOWN = 4
_MIN_WORD = 6
_MAX_WORD = 40
_LINKS = ("s", "e")


class Decompounder:
    """Cuts compounds into known words (see the module docstring).

    Parameters
    ----------
    words : iterable of str, or a callable returning one
        The known words (lowercase); a callable is called on first use, so an index that only
        searches never loads a dictionary.
    lemma : callable, optional
        A known word's lemma: a known inflected word is split as its lemma (``fotballkampen`` as
        ``fotballkamp``), so that an inflection (``endr|ingen``, ``protest|erte``) is never taken
        for a compound.
    """

    def __init__(
        self, words: Iterable[str] | Callable[[], Iterable[str]], lemma: Callable[[str], str] | None = None
    ) -> None:
        self._source = words
        self._lemma = lemma
        self._words: frozenset[str] | None = None
        self.parts = functools.lru_cache(maxsize=200_000)(self._parts)

    @property
    def words(self) -> frozenset[str]:
        """The known words."""
        if self._words is None:
            source = self._source() if callable(self._source) else self._source
            self._words = frozenset(w for w in source if len(w) >= _MIN_PART and w.isalpha())
        return self._words

    def _parts(self, word: str) -> list[str]:
        """The parts of ``word``, or [] when it is not a compound of known words."""
        if not (_MIN_WORD <= len(word) <= _MAX_WORD) or not word.isalpha():
            return []
        words = self.words
        known = word in words
        if known and self._lemma is not None:
            word = self._lemma(word)
        shortest = _MIN_PART_OF_KNOWN if known else _MIN_PART

        @functools.cache
        def best(start: int) -> tuple[int, int, tuple[str, ...]] | None:
            # (number of parts, -shortest part, parts) of the best split of word[start:].
            found: tuple[int, int, tuple[str, ...]] | None = None
            for end in range(start + shortest, len(word) + 1):
                part = word[start:end]
                if part not in words or (start == 0 and end == len(word)):
                    continue
                rests: list[tuple[int, int, tuple[str, ...]] | None] = []
                if end == len(word):
                    rests.append((0, -len(part), ()))
                else:
                    rests.append(best(end))
                    rests.extend(best(end + 1) for link in _LINKS if word.startswith(link, end))
                for rest in rests:
                    if rest is None:
                        continue
                    candidate = (rest[0] + 1, max(rest[1], -len(part)), (part, *rest[2]))
                    if found is None or candidate[:2] < found[:2]:
                        found = candidate
            return found

        split = best(0)
        return list(split[2]) if split is not None and split[0] >= 2 else []

    def text(self, text: str) -> str:
        """The parts of every compound of ``text``, space-separated (what the ``parts`` field holds)."""
        return " ".join(part for token in tokenize(text) for part in self.parts(token))
