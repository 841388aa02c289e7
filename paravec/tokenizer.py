"""The default tokenizer: lowercased Unicode word runs, offline and deterministic.

What it does
------------
`tokenize` turns a text into the list of words that paravec feeds to gensim's ``Doc2Vec``
(``TaggedDocument.words``). It needs no downloaded model (NLTK's punkt is not required) and gives
the same output on every machine running the same Python version.

Approach
--------
The rules follow gensim's own ``simple_tokenize``/``wikicorpus.tokenize`` (a Unicode ``\\w+`` regular
expression over lowercased text, as used to build the usual Wikipedia ``Doc2Vec`` models), so the
words line up with the vocabulary of a model pretrained with gensim, with these deliberate changes:

1. The text is normalised to Unicode NFC first, so ``"ø"`` typed as ``o`` + combining stroke and the
   precomposed ``"ø"`` give the same word.
2. It is lowercased with `str.lower` (not ``casefold``), so German ``"ß"`` stays ``"ß"``.
3. A token is a run of Unicode letters and digits, plus the combining marks that follow them (so
   Devanagari, Thai and other scripts that write vowels as combining marks stay whole words).
   Everything else separates tokens: whitespace, punctuation, symbols, apostrophes, hyphens and
   underscores (``"state-of-the-art"`` -> ``state of the art``; ``"don't"`` -> ``don t``, as in
   gensim). Pure punctuation therefore never becomes a token.
4. Non-ASCII letters are kept: ``"Blåbærsyltetøy"`` -> ``"blåbærsyltetøy"``.
5. There is no upper length limit of 15 characters (gensim's ``simple_preprocess`` drops longer
   tokens, which would lose Norwegian and German compounds such as
   ``"sykehusinnkjøpsavdelingen"``). Tokens longer than `MAX_TOKEN_LEN` (100) characters are
   dropped: at that length they are base64 blobs, hashes or URLs glued together, not words.
6. Digits are kept, alone and inside words: ``"covid19"``, ``"python3"``, ``"2021"`` are tokens
   (gensim's wiki tokenizer would cut ``"covid19"`` to ``"covid"``). Decimal points and other
   punctuation split numbers: ``"3.14"`` -> ``3 14``.
7. One-character tokens are kept: ``"i"``, ``"å"`` and ``"ø"`` are words in Norwegian.
8. Runs of CJK characters without spaces or punctuation between them stay one token; Chinese,
   Japanese and Thai need a word segmenter, which can be plugged in (see below).

Every reader in paravec takes a `Tokenizer` (``Callable[[str], list[str]]``), so any function
from text to a list of words can replace this one; `apply_tokenizer` runs one on a document
and checks that it kept that contract. (This module is ``paravec.tokenizer`` so that the public
function ``paravec.tokenize`` does not shadow it.)

Examples
--------
>>> from paravec.tokenizer import tokenize
>>> tokenize("Sykehusinnkjøpsavdelingen kjøpte 3 nye Python3-bøker, sa Straße-Müller!")
['sykehusinnkjøpsavdelingen', 'kjøpte', '3', 'nye', 'python3', 'bøker', 'sa', 'straße', 'müller']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from paravec.errors import ParameterError
from paravec.params import Boolean, InstanceOf, Integer, IsCallable, validate

__all__ = ["MAX_TOKEN_LEN", "TOKENIZER", "Tokenizer", "apply_tokenizer", "continues_token", "tokenize"]

MAX_TOKEN_LEN = 100
"""Tokens longer than this many characters are dropped as junk (base64, hashes, glued URLs)."""

Tokenizer = Callable[[str], list[str]]
"""What every reader of text takes as ``tokenizer``: a function from a text to its list of words."""

# collections.abc.Callable is an ABC that isinstance() accepts; mypy sees only the typing special form.
TOKENIZER = IsCallable("a callable taking a str and returning a list of str")
"""The constraint of a ``tokenizer=`` parameter (for `paravec.params.validate`)."""


def _combining_mark_class() -> str:
    """Return a regex character-class body matching every Unicode combining mark (Mn, Mc, Me).

    Python's ``re`` has no ``\\p{M}``; ``\\w`` leaves marks out, which would cut words in scripts
    that write vowels as marks (Hindi ``"हिन्दी"`` would become three tokens). All marks live below
    U+20000 except the variation selectors supplement, so scanning that range is enough and costs a
    few milliseconds at import.
    """
    ranges: list[tuple[int, int]] = []
    candidates = list(range(0x20000)) + list(range(0xE0100, 0xE01F0))
    for code in candidates:
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = []
    for start, end in ranges:
        parts.append(f"\\U{start:08x}" if start == end else f"\\U{start:08x}-\\U{end:08x}")
    return "".join(parts)


_MARKS = _combining_mark_class()
# [^\W_] is a Unicode letter or digit; a token starts with one and may continue with letters,
# digits or combining marks. Underscores are part of \w in Python, so they are excluded explicitly.
_CONTINUES = f"[^\\W_]|[{_MARKS}]"
_TOKEN_RE = re.compile(f"[^\\W_](?:{_CONTINUES})*")
_CONTINUES_RE = re.compile(_CONTINUES)


def continues_token(char: str) -> bool:
    """Whether a token of `tokenize` may continue with ``char`` (a letter, digit or combining
    mark): a word found in a text is a whole token when neither of its neighbours does."""
    return _CONTINUES_RE.fullmatch(char) is not None


@validate(
    text=InstanceOf(str, "a str (decode bytes first, e.g. data.decode('utf-8'))"),
    max_len=Integer(min=1),
    lowercase=Boolean(),
)
def tokenize(text: str, *, max_len: int = MAX_TOKEN_LEN, lowercase: bool = True) -> list[str]:
    """Split a text into lowercased word tokens.

    Parameters
    ----------
    text : str
        Any text. It is normalised to NFC and lowercased before splitting.
    max_len : int, default 100
        Tokens longer than this many characters are dropped (junk such as base64 or hashes).
    lowercase : bool, default True
        Lowercase the text (``False`` keeps the case, for a pipeline that declares so).

    Returns
    -------
    list of str
        The tokens in the order they appear; empty if the text holds no letters or digits.

    Raises
    ------
    ParameterError
        If ``text`` is not a ``str`` (for example ``bytes``: decode it first) or ``max_len`` is not
        a positive integer.

    Examples
    --------
    >>> tokenize("Hello, World! It's 2024 -- covid19 & python_3")
    ['hello', 'world', 'it', 's', '2024', 'covid19', 'python', '3']
    >>> tokenize("... --- !!!")
    []
    """
    text = unicodedata.normalize("NFC", text)
    if lowercase and "\u0130" in text:
        # str.lower() turns Turkish dotted capital I into "i" + combining dot; "istanbul" is wanted.
        text = text.replace("\u0130", "i")
    if lowercase:
        text = text.lower()
    tokens = _TOKEN_RE.findall(text)
    if any(len(token) > max_len for token in tokens):
        tokens = [token for token in tokens if len(token) <= max_len]
    return tokens


def apply_tokenizer(tokenizer: Tokenizer, text: str, *, where: str) -> list[str]:
    """Run ``tokenizer`` on ``text`` and check it returned words: a list (or iterable) of str.

    A tokenizer that returns a string (``str.lower``) or yields non-strings would otherwise be
    trained letter by letter or crash deep inside gensim; the check names the document.

    Parameters
    ----------
    tokenizer : Tokenizer
        The function to run.
    text : str
        The document's text.
    where : str
        The document, for the message (e.g. ``"news.txt line 3"``).

    Returns
    -------
    list of str
        The words.

    Raises
    ------
    ParameterError
        If the tokenizer returned a string, a non-iterable, or an item that is not a str.

    Examples
    --------
    >>> apply_tokenizer(str.split, "Jav python", where="doc 1")
    ['Jav', 'python']
    >>> apply_tokenizer(str.lower, "Jav python", where="doc 1")
    Traceback (most recent call last):
    ...
    paravec.errors.ParameterError: tokenizer must return a list of str, got str for doc 1
    """
    # A user's tokenizer may break its declared type: check what it really returned.
    result: object = tokenizer(text)
    if isinstance(result, (str, bytes)) or not isinstance(result, Iterable):
        raise ParameterError(f"tokenizer must return a list of str, got {type(result).__name__} for {where}")
    words = list(result)
    bad = next((word for word in words if not isinstance(word, str)), None)
    if bad is not None:
        raise ParameterError(
            f"tokenizer must return a list of str, got an item of type {type(bad).__name__} for {where}"
        )
    return words
