"""Tests of paravec.tokenizer on real and multilingual text."""

from __future__ import annotations

import unicodedata

import pytest
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess

from paravec.errors import ParameterError
from paravec.tokenizer import MAX_TOKEN_LEN, TOKENIZER, apply_tokenizer, tokenize


def test_norwegian_text_keeps_letters_and_long_compounds() -> None:
    text = "Sykehusinnkjøpsavdelingen i Tromsø kjøpte blåbærsyltetøy for 2 500 kroner på Ålesund."
    assert tokenize(text) == [
        "sykehusinnkjøpsavdelingen",
        "i",
        "tromsø",
        "kjøpte",
        "blåbærsyltetøy",
        "for",
        "2",
        "500",
        "kroner",
        "på",
        "ålesund",
    ]
    # gensim's simple_preprocess is what we replace: it drops the 25-letter compound.
    assert "sykehusinnkjøpsavdelingen" not in simple_preprocess(text)


def test_german_sharp_s_and_accents_survive_lowercasing() -> None:
    assert tokenize("Die STRAẞE der Straße, naïve Café-Besucher") == [
        "die",
        "straße",
        "der",
        "straße",
        "naïve",
        "café",
        "besucher",
    ]


def test_nfc_normalisation_makes_decomposed_and_composed_text_equal() -> None:
    composed = "Blåbær på Tromsø"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert tokenize(decomposed) == tokenize(composed) == ["blåbær", "på", "tromsø"]


def test_scripts_with_combining_marks_stay_whole_words() -> None:
    # Hindi writes vowels as combining marks, which Python's \w does not match.
    assert tokenize("हिन्दी भाषा") == ["हिन्दी", "भाषा"]
    assert tokenize("Привет, МИР!") == ["привет", "мир"]
    assert tokenize("İstanbul") == ["istanbul"]


def test_cjk_runs_are_tokens_split_by_cjk_punctuation() -> None:
    assert tokenize("我们今天，去北京。东京タワー") == ["我们今天", "去北京", "东京タワー"]


def test_digits_are_kept_inside_and_as_words() -> None:
    assert tokenize("COVID19 hit in 2020; Python3.11 is out") == [
        "covid19",
        "hit",
        "in",
        "2020",
        "python3",
        "11",
        "is",
        "out",
    ]


def test_punctuation_underscores_apostrophes_and_hyphens_separate_tokens() -> None:
    assert tokenize("snake_case state-of-the-art don't e-mail: a@b.no") == [
        "snake",
        "case",
        "state",
        "of",
        "the",
        "art",
        "don",
        "t",
        "e",
        "mail",
        "a",
        "b",
        "no",
    ]
    assert tokenize("... -- !!! ___ ,;: «» “” 🙂") == []
    assert tokenize("") == []


def test_overlong_junk_tokens_are_dropped() -> None:
    blob = "QUJD" * 40  # 160 characters of base64
    assert tokenize(f"before {blob} after") == ["before", "after"]
    at_limit = "a" * MAX_TOKEN_LEN
    assert tokenize(at_limit) == [at_limit]
    assert tokenize(at_limit + "a") == []
    assert tokenize(at_limit + "a", max_len=200) == [at_limit + "a"]


def test_lee_corpus_tokens_are_lowercase_words_and_deterministic() -> None:
    with open(datapath("lee_background.cor"), encoding="utf-8") as handle:
        text = handle.read()
    tokens = tokenize(text)
    assert len(tokens) > 50_000
    assert all(token == token.lower() and token.isalnum() for token in tokens)
    assert tokenize(text) == tokens
    # gensim's own tokenizer finds no word we miss, except pieces of tokens with digits that it
    # cuts apart ("3rd" -> "rd", "9mm" -> "mm"); we keep those whole.
    missing = set(simple_preprocess(text)) - set(tokens)
    with_digits = [token for token in set(tokens) if not token.isalpha()]
    assert {"3rd", "1980s", "9mm"} <= set(with_digits)
    assert all(any(word in token for token in with_digits) for word in missing)


def test_non_str_input_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="decode bytes first"):
        tokenize(b"bytes are not text")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="max_len must be a positive int"):
        tokenize("text", max_len=0)


def test_apply_tokenizer_checks_what_a_custom_tokenizer_returns() -> None:
    assert apply_tokenizer(lambda text: iter(text.split()), "jav python", where="doc 1") == ["jav", "python"]
    with pytest.raises(
        ParameterError, match=r"^tokenizer must return a list of str, got NoneType for doc 1$"
    ):
        apply_tokenizer(lambda text: None, "jav python", where="doc 1")  # type: ignore[arg-type, return-value]
    with pytest.raises(ParameterError, match=r"got an item of type bytes for news.txt line 3$"):
        apply_tokenizer(lambda text: [text.encode()], "jav", where="news.txt line 3")  # type: ignore[arg-type, list-item]


def test_parameters_are_declared_checks() -> None:
    with pytest.raises(ParameterError, match=r"^max_len must be a positive integer; got True$"):
        tokenize("text", max_len=True)
    assert TOKENIZER("tokenizer", tokenize) is tokenize
    with pytest.raises(
        ParameterError,
        match=r"^tokenizer must be a callable taking a str and returning a list of str, got int$",
    ):
        TOKENIZER("tokenizer", 3)


def test_continues_token_is_the_tokenizers_own_rule():
    # A character continues a token exactly when the tokenizer keeps "a" + it as one token.
    import unicodedata

    from paravec.tokenizer import continues_token

    joined = 0
    for code in range(0x20000):
        char = chr(code)
        if unicodedata.category(char) == "Cs":
            continue
        whole = tokenize("a" + char, lowercase=False) == [unicodedata.normalize("NFC", "a" + char)]
        assert continues_token(char) == whole, hex(code)
        joined += whole
    assert joined > 50_000  # the letters, digits and marks of the first two planes
