"""The keyword index's text analysis: tokens, lowercase, stop words, Snowball stems, compounds.

What it does
------------
`KeywordAnalyzer` is the tantivy analyzer of the search index's text fields, and maps a query's
words to the terms it indexed. Its settings come from the model's recorded pipeline
(`paravec.analysis.Analysis.keyword_settings`) and are recorded in the index manifest, so an index
always reopens with the analyzer it was built with; an index from before (no settings recorded)
keeps its plain lowercased tokens.

Approach
--------
The tokens are those of `paravec.tokenize` (Unicode letter/digit runs with their combining
marks, so æøå stay letters), lowercased; then the Snowball stop words of the language (not in
English), the Snowball stemmer (Porter, "Snowball: A language for stemming algorithms", 2001),
so that ``bushfires`` finds ``bushfire`` and ``skolene`` finds ``skole``. In languages that write
compounds as one word (``compounds="parts"``, the default there), the parts of each compound go
to a field of their own beside the whole words (`paravec.search.compounds`), so ``brann`` finds
``skogbrannen``. The alternative ``compounds="split"`` is tantivy's ``SplitCompoundWords`` with the
model's vocabulary as dictionary (kept in the index folder, ``compounds.json``): a stem that is
not itself a stem of the vocabulary but can be cut entirely into such stems (leftmost-longest,
with a linking ``s`` or ``e`` that a second stemming pass removes) is indexed as its parts only.
Since nearly every indexed word is in the vocabulary it splits little; ``benchmarks/analysis_recall.py``
measures both.

Examples
--------
>>> from paravec.search.analyzer import KeywordAnalyzer
>>> en = KeywordAnalyzer({"stemmer": "english", "stop_words": False, "compounds": False})
>>> en.terms("Bushfires"), en.terms("burning")
(['bushfir'], ['burn'])
>>> nb = KeywordAnalyzer({"stemmer": "norwegian", "stop_words": True, "compounds": "split"},
...                      compound_dictionary(["fotball", "kamp", "sykehus", "innkjøp", "avdeling"], "norwegian"))
>>> nb.terms("fotballkampen"), nb.terms("sykehusinnkjøpsavdelingen"), nb.terms("og")
(['fotball', 'kamp'], ['sykehus', 'innkjøp', 'avdeling'], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import tantivy
from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

from paravec.analysis import lemmatizer, lexicon, of_model
from paravec.errors import IndexStateError
from paravec.search.compounds import Decompounder

__all__ = [
    "COMPOUNDS_FILE",
    "LEGACY",
    "MAX_DICTIONARY",
    "KeywordAnalyzer",
    "compound_dictionary",
    "decompounder_for",
    "for_model",
]

COMPOUNDS_FILE = "compounds.json"
"""File of the index folder holding the compound splitter's dictionary."""

LEGACY: dict[str, Any] = {"stemmer": None, "stop_words": False, "compounds": False}
"""The settings of an index whose manifest records none: lowercased tokens only."""

MAX_DICTIONARY = 200_000
"""Most vocabulary words (most frequent first) that the compound splitter's dictionary takes."""

# The same token rule as paravec.tokenizer: a letter or digit, then letters, digits or marks.
TOKEN_PATTERN = r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*"
# Shorter parts split too eagerly (Norwegian "å", "i", "en" would cut almost anything).
_MIN_PART = 3
_LINKS = ("s", "e")


def _builder(settings: Mapping[str, Any]) -> TextAnalyzerBuilder:
    builder = TextAnalyzerBuilder(Tokenizer.regex(TOKEN_PATTERN)).filter(Filter.lowercase())
    stemmer = settings.get("stemmer")
    if stemmer and settings.get("stop_words"):
        builder = builder.filter(Filter.stopword(stemmer))
    if stemmer:
        # A second pass takes off a stacked suffix the first leaves (nynorsk "forfattaren" ->
        # "forfattar" -> "forfatt", as "forfattar" itself).
        for _pass in range(int(settings.get("stem_passes", 1))):
            builder = builder.filter(Filter.stemmer(stemmer))
    return builder


def compound_dictionary(words: Iterable[str], stemmer: str) -> list[str]:
    """The compound splitter's dictionary: stems of ``words`` (letters only, 3+ letters, not stop
    words), each also with a linking ``s`` and ``e``, at most `MAX_DICTIONARY` words taken."""
    picked = []
    for word in words:
        if len(word) >= _MIN_PART and word.isalpha() and word.islower():
            picked.append(word)
            if len(picked) >= MAX_DICTIONARY:
                break
    if not picked:
        return []
    # One analyzer call for all words: every picked word is one token, so the stop-word filter
    # drops tokens and the stemmer maps the others one to one.
    kept = set(
        TextAnalyzerBuilder(Tokenizer.regex(TOKEN_PATTERN))
        .filter(Filter.stopword(stemmer))
        .build()
        .analyze(" ".join(picked))
    )
    stems = _builder({"stemmer": stemmer}).build().analyze(" ".join(picked))
    parts = {
        stem for word, stem in zip(picked, stems, strict=True) if word in kept and len(stem) >= _MIN_PART
    }
    return sorted(parts | {part + link for part in parts for link in _LINKS})


def for_model(model: Any) -> tuple[dict[str, Any], list[str]]:
    """The keyword analyzer's settings for ``model``'s recorded language, and the dictionary of
    tantivy's compound splitter (``compounds="split"``: the model's vocabulary)."""
    settings = of_model(model).keyword_settings()
    if settings["compounds"] == "parts" and not lexicon(settings["language"]):
        settings["compounds"] = False  # no simplemma, no dictionary of the language's words
    dictionary = []
    if settings["compounds"] == "split":
        dictionary = compound_dictionary(model.wv.index_to_key[:MAX_DICTIONARY], settings["stemmer"])
    return settings, dictionary


def decompounder_for(settings: Mapping[str, Any]) -> Decompounder | None:
    """The compound splitter of an index whose settings say ``compounds="parts"`` (else None).

    Its dictionary (simplemma's words of the language) loads on first use, so an index opened
    only to search never loads it.
    """
    if settings.get("compounds") != "parts":
        return None
    language = str(settings.get("language", "nb"))
    return Decompounder(lambda: lexicon(language), lemmatizer(language))


class KeywordAnalyzer:
    """The analyzer of an index's text fields, built from its recorded settings.

    Parameters
    ----------
    settings : mapping
        ``language`` (ISO code), ``stemmer`` (a Snowball language name or None), ``stop_words``
        (bool), ``compounds``: False, ``"parts"`` (the parts of compounds go to a field of their
        own, `paravec.search.compounds`; the default for compounding languages) or ``"split"``
        (tantivy's splitter replaces a compound by its parts; measured, not the default),
        ``exact_forms`` (bool: the words as written go to a field of their own too, so the query's
        own form ranks first; `paravec.search.text`), ``stem_passes`` (int, default 1: times the
        stemmer runs; 2 for Norwegian).
    dictionary : sequence of str, optional
        The parts of tantivy's splitter (`compound_dictionary`), for ``compounds="split"``.
    """

    def __init__(self, settings: Mapping[str, Any], dictionary: Sequence[str] = ()) -> None:
        self.settings = dict(settings)
        builder = _builder(settings)
        stemmer = settings.get("stemmer")
        if settings.get("compounds") == "split" and stemmer and dictionary:
            # Split the stem, then stem the parts again: a part's linking "s" goes, as in "innkjøps".
            builder = builder.filter(Filter.split_compound(list(dictionary))).filter(Filter.stemmer(stemmer))
        try:
            self.analyzer: tantivy.TextAnalyzer = builder.build()
        except ValueError as err:
            raise IndexStateError(
                f"the index's keyword analyzer {self.settings} cannot be built ({err}); rebuild with `paravec index`"
            ) from None
        self.terms = lru_cache(maxsize=100_000)(self._terms)

    def _terms(self, word: str) -> list[str]:
        """The indexed terms of ``word``: none for a stop word, several for a split compound."""
        return list(self.analyzer.analyze(word))
