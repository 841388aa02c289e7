"""Text analysis as one declared pipeline that a model records in itself.

What it does
------------
`Analysis` says how a text becomes the words of a model: the tokenizer (`paravec.tokenize`),
lowercasing, a lemmatizer, stop words and the language. Called on a text it returns the words,
so it is a `paravec.tokenizer.Tokenizer` every reader accepts. `record` stores it in the
model as the plain dict attribute ``model.paravec_analysis`` (gensim pickles it with the model,
which stays a plain ``Doc2Vec``), and `of_model` reads it back, so that an update, ``infer_vector``
on a query, a search index and its queries analyse text as the model's own corpus was analysed.
A model that records nothing is analysed with the defaults, which are what paravec always did.

The keyword index analyses the stored texts on its own (Snowball stemming, stop words, compound
splitting: `paravec.search.analyzer`); `Analysis.keyword_settings` says what it should do for
the model's language.

Approach
--------
Lemmatization by dictionary look-up with ``simplemma`` (Barbaresi, "Simplemma", 2021-2024;
optional extra ``paravec[lemmatize]``), which ships bokmål (``nb``) and nynorsk (``nn``)
dictionaries among about 50 languages and needs nothing downloaded. A word missing from the
dictionary stays as it is. Lemmas are cached, so a corpus costs one look-up per distinct word.

Examples
--------
>>> from paravec.analysis import Analysis
>>> Analysis()("The Bushfires near Sydney")
['the', 'bushfires', 'near', 'sydney']
>>> nn = Analysis(language="nn", lemmatize=True)
>>> nn("Bøkene låg på bordet")
['bok', 'liggja', 'på', 'bord']
>>> Analysis.from_dict(nn.to_dict()) == nn
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from paravec.errors import ParameterError

__all__ = ["ATTRIBUTE", "LANGUAGES", "Analysis", "lemmatizer", "lexicon", "of_model", "record"]

ATTRIBUTE = "paravec_analysis"
"""Name of the model attribute holding the recorded pipeline (a dict of str, bool and lists)."""

LANGUAGES: dict[str, str] = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "nn": "norwegian",
    "pt": "portuguese",
    "ru": "russian",
    "sv": "swedish",
}
"""Languages a pipeline may declare (ISO 639-1 code) and their Snowball stemmer in the keyword index."""

# Languages that write compounds as one word: the keyword index splits them into known words.
_COMPOUNDING = frozenset({"da", "de", "fi", "nb", "nl", "nn", "sv"})
# English keeps its stop words in the keyword index (BM25's idf already weighs them down, and a
# query such as "the who" must still find something); the others drop the Snowball list.
_KEEP_STOP_WORDS = frozenset({"en"})
_TOKENIZERS = ("paravec",)
_VERSION = 1


@functools.lru_cache(maxsize=1_000_000)
def _lemma(language: str | tuple[str, ...], word: str) -> str:
    import simplemma

    lemma: str = simplemma.lemmatize(word, lang=language)
    # simplemma capitalises some lemmas (proper nouns); the pipeline's case rule decides, not it.
    return lemma.lower() if word.islower() else lemma


def _require_simplemma() -> None:
    try:
        import simplemma  # noqa: F401
    except ImportError:
        raise ParameterError(
            "lemmatization needs the simplemma package: pip install 'paravec[lemmatize]'"
        ) from None


@dataclass(frozen=True)
class Analysis:
    """How text becomes words: tokenizer, lowercasing, lemmatizer, stop words, language.

    Parameters
    ----------
    language : str, default "en"
        ISO 639-1 code, one of `LANGUAGES` (``"nb"`` bokmål, ``"nn"`` nynorsk, ...).
    lowercase : bool, default True
        Lowercase the text before splitting it.
    lemmatize : bool, default False
        Replace each word by its dictionary lemma (simplemma), e.g. bokmål ``"husene"`` ->
        ``"hus"``. Needs ``paravec[lemmatize]``.
    stop_words : tuple of str, default ()
        Words dropped from the model's words (after lowercasing, before lemmatization).
    tokenizer : str, default "paravec"
        The tokenizer: ``"paravec"`` is `paravec.tokenize`.

    Raises
    ------
    ParameterError
        An unknown language or tokenizer, or lemmatization without simplemma installed.
    """

    language: str = "en"
    lowercase: bool = True
    lemmatize: bool = False
    stop_words: tuple[str, ...] = ()
    tokenizer: str = "paravec"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ParameterError(
                f"language must be one of {', '.join(sorted(LANGUAGES))} (ISO 639-1; nb = bokmål, "
                f"nn = nynorsk); got {self.language!r}"
            )
        if self.tokenizer not in _TOKENIZERS:
            raise ParameterError(f"tokenizer must be one of {_TOKENIZERS}; got {self.tokenizer!r}")
        if not isinstance(self.stop_words, tuple) or not all(isinstance(w, str) for w in self.stop_words):
            raise ParameterError("stop_words must be a tuple of str")
        if self.lemmatize:
            _require_simplemma()

    def __call__(self, text: str) -> list[str]:
        """The words of ``text`` (a `paravec.tokenizer.Tokenizer`)."""
        # Imported here: the tokenizer builds its Unicode tables at import, which reading a model's
        # recorded analysis (``paravec check``, ``info``) does not need.
        from paravec.tokenizer import tokenize

        words = tokenize(text, lowercase=self.lowercase)
        if self.stop_words:
            stop = frozenset(self.stop_words)
            words = [w for w in words if w not in stop]
        if self.lemmatize:
            words = [_lemma(self.language, w) for w in words]
        return words

    def lemma(self, word: str) -> str:
        """``word`` as this pipeline's lemmatizer writes it (itself without lemmatization)."""
        return _lemma(self.language, word) if self.lemmatize else word

    def describe(self) -> str:
        """One line for people, e.g. ``"nb, lowercased, lemmatized (simplemma)"``."""
        parts = [self.language, "lowercased" if self.lowercase else "case kept"]
        if self.lemmatize:
            parts.append("lemmatized (simplemma)")
        if self.stop_words:
            parts.append(f"{len(self.stop_words)} stop words dropped")
        return ", ".join(parts)

    def keyword_settings(self) -> dict[str, Any]:
        """What the keyword index does with texts of this language (`paravec.search.analyzer`).

        Snowball stemming of `LANGUAGES`, its stop words except in English, compound splitting
        in languages that write compounds as one word, and the words as written beside the stems.
        """
        return {
            "language": self.language,
            "stemmer": LANGUAGES[self.language],
            "stop_words": self.language not in _KEEP_STOP_WORDS,
            "compounds": "parts" if self.language in _COMPOUNDING else False,
            "exact_forms": True,
            # Norwegian stacks suffixes (-ar + -ane) that one Snowball pass leaves half taken off.
            "stem_passes": 2 if self.language in ("nb", "nn") else 1,
        }

    def to_dict(self) -> dict[str, Any]:
        """The pipeline as plain JSON-serialisable data (what `record` stores)."""
        return {
            "version": _VERSION,
            "tokenizer": self.tokenizer,
            "lowercase": self.lowercase,
            # Strings, ints, bools and lists only (no None): any store of model attributes keeps them.
            "lemmatizer": "simplemma" if self.lemmatize else "none",
            "stop_words": list(self.stop_words),
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Analysis:
        """The pipeline `to_dict` wrote; `ParameterError` naming what is wrong otherwise."""
        if not isinstance(data, Mapping):
            raise ParameterError(f"a recorded text analysis must be a dict; got {type(data).__name__}")
        if data.get("version", _VERSION) != _VERSION:
            raise ParameterError(
                f"the recorded text analysis has version {data.get('version')!r}; this paravec reads "
                f"version {_VERSION}: upgrade paravec"
            )
        lemmatizer = data.get("lemmatizer")
        if lemmatizer not in (None, "none", "simplemma"):
            raise ParameterError(f"unknown lemmatizer {lemmatizer!r} in the recorded text analysis")
        return cls(
            language=str(data.get("language", "en")),
            lowercase=bool(data.get("lowercase", True)),
            lemmatize=lemmatizer == "simplemma",
            stop_words=tuple(str(w) for w in data.get("stop_words", ())),
            tokenizer=str(data.get("tokenizer", "paravec")),
        )


def lemmatizer(language: str) -> Callable[[str], str]:
    """A function giving a word's lemma in ``language``; for ``nb`` or ``nn`` the other written
    standard is tried second, since Norwegian texts mix them. Needs simplemma."""
    _require_simplemma()
    codes = (language, "nn" if language == "nb" else "nb") if language in ("nb", "nn") else language
    return functools.partial(_lemma, codes)


def lexicon(language: str) -> frozenset[str]:
    """The words of simplemma's dictionary of ``language``, forms and lemmas (both written
    standards for ``nb``/``nn``); empty when simplemma is not installed.

    The known words of the language, e.g. for the keyword index's compound splitting
    (`paravec.search.compounds`). Loading takes seconds; the result is cached.
    """
    return _lexicon("nb+nn" if language in ("nb", "nn") else language)


@functools.lru_cache(maxsize=2)
def _lexicon(codes: str) -> frozenset[str]:
    try:
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory
    except ImportError:
        return frozenset()
    factory = DefaultDictionaryFactory()
    words: set[str] = set()
    for code in codes.split("+"):
        try:
            dictionary = factory.get_dictionary(code)
        except (ValueError, KeyError, OSError):  # a language simplemma has no dictionary for
            continue
        words.update(dictionary.keys())
        words.update(dictionary.values())
    return frozenset(words)


def record(model: Any, analysis: Analysis) -> None:
    """Store ``analysis`` in ``model`` (attribute `ATTRIBUTE`), kept by ``model.save``."""
    setattr(model, ATTRIBUTE, analysis.to_dict())


def of_model(model: Any) -> Analysis:
    """The pipeline ``model`` records, or the default `Analysis` when it records none.

    Raises
    ------
    ParameterError
        The recorded pipeline is malformed, from a newer paravec, or needs simplemma, which is
        not installed.
    """
    data = getattr(model, ATTRIBUTE, None)
    return Analysis() if data is None else Analysis.from_dict(data)
