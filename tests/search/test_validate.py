"""paravec.search.validate: the one definition of search's text limits and input rules."""

from __future__ import annotations

import pytest

import paravec.search
from paravec.errors import ParameterError
from paravec.search.validate import (
    MAX_K,
    MAX_KEY_CHARS,
    MAX_QUERY_CHARS,
    MAX_TEXT_CHARS,
    check_k,
    check_key,
    check_text,
    check_titles,
    check_weight,
    text_pairs,
)


def test_the_limits_are_the_documented_numbers_and_the_package_exports_these_same_ones():
    assert (MAX_QUERY_CHARS, MAX_TEXT_CHARS, MAX_KEY_CHARS, MAX_K) == (8_000, 100_000, 1_000, 1_000)
    assert paravec.search.MAX_QUERY_CHARS is MAX_QUERY_CHARS
    assert paravec.search.MAX_TEXT_CHARS is MAX_TEXT_CHARS
    assert paravec.search.MAX_KEY_CHARS is MAX_KEY_CHARS
    assert paravec.search.MAX_K is MAX_K


@pytest.mark.parametrize("limit", [MAX_QUERY_CHARS, MAX_TEXT_CHARS])
def test_a_text_of_exactly_the_limit_passes_and_one_more_character_is_refused(limit):
    text = "fire " * (limit // 5)
    assert len(text) == limit
    assert check_text("query", text, limit) == text
    with pytest.raises(ParameterError) as info:
        check_text("query", text + "x", limit)
    assert str(info.value) == (
        f"query is {limit + 1:,} characters long; at most {limit:,} are allowed: shorten it"
    )


def test_the_index_refuses_a_query_one_character_over_the_limit_with_the_same_message(idx):
    query = "fire " * (MAX_QUERY_CHARS // 5)
    assert [h.tag for h in idx.search(query, mode="keyword", k=3)] == [
        h.tag for h in idx.search("fire", mode="keyword", k=3)
    ]
    with pytest.raises(ParameterError, match=r"^query is 8,001 characters long; at most 8,000 are allowed"):
        idx.search(query + "x", mode="keyword", k=3)


@pytest.mark.parametrize(
    ("char", "code"),
    [("\x00", "U+0000"), ("\x07", "U+0007"), ("\x1b", "U+001B"), ("\x7f", "U+007F"), ("\x85", "U+0085")],
)
def test_control_characters_are_refused_naming_the_character(char, code):
    with pytest.raises(ParameterError) as info:
        check_text("query", f"bushfires{char}near Sydney", MAX_QUERY_CHARS)
    assert str(info.value) == f"query contains the control character {code}; remove it"
    with pytest.raises(ParameterError) as info:
        check_key("word", f"fire{char}")
    assert str(info.value) == f"word contains the control character {code}; remove it"


def test_the_first_control_character_is_the_one_named():
    with pytest.raises(ParameterError, match=r"U\+0001; remove it$"):
        check_text("text", "a\x01b\x00c", 100)


def test_tab_newline_and_carriage_return_are_kept():
    assert check_text("text", "rain\tand\nwind\rtoday", 100) == "rain\tand\nwind\rtoday"


@pytest.mark.parametrize(
    ("char", "name"),
    [
        ("\u200b", "zero width space"),
        ("\u00ad", "soft hyphen"),
        ("\u2028", "line separator"),
        ("\ud800", "lone surrogate"),
    ],
)
def test_other_unprintable_characters_become_spaces(char, name):
    assert check_text("query", f"shuttle{char}launch", 100) == "shuttle launch", name


def test_printable_unicode_is_returned_unchanged():
    text = "Ærø café — 🔥 ẞ ﷽"
    assert check_text("query", text, 100) is text


@pytest.mark.parametrize("value", ["", "   ", "\t\n\r", "\u200b\u200b"])
def test_a_blank_text_is_refused(value):
    with pytest.raises(ParameterError) as info:
        check_text("query", value, 100)
    assert str(info.value) == "query is empty or only whitespace; give at least one word"


@pytest.mark.parametrize(("value", "kind"), [(b"fire", "bytes"), (None, "NoneType"), (["fire"], "list")])
def test_a_text_must_be_a_str(value, kind):
    with pytest.raises(ParameterError) as info:
        check_text("query", value, 100)
    assert str(info.value) == f"query must be a str, got {kind}"


def test_key_length_boundaries():
    assert check_key("tag", "t" * MAX_KEY_CHARS) == "t" * MAX_KEY_CHARS
    for bad, length in (("t" * (MAX_KEY_CHARS + 1), 1001), ("", 0)):
        with pytest.raises(ParameterError) as info:
            check_key("tag", bad)
        assert str(info.value) == f"tag must be 1 to 1000 characters long, got {length}"


def test_an_int_tag_is_looked_up_by_its_digits_but_a_float_or_bool_is_refused():
    assert check_key("tag", 7) == "7"
    assert check_key("tag", "../../etc/passwd") == "../../etc/passwd"
    with pytest.raises(ParameterError, match=r"^tag must be a str, got float$"):
        check_key("tag", 7.0)
    with pytest.raises(ParameterError, match=r"^tag must be a str, got bool$"):
        check_key("tag", True)


def test_k_boundaries():
    assert check_k(1) == 1
    assert check_k(MAX_K) == 1000
    for bad in (0, MAX_K + 1, 2.5, True, "5"):
        with pytest.raises(ParameterError) as info:
            check_k(bad)
        assert str(info.value) == f"k must be an integer from 1 to 1,000; got {bad!r}"


def test_weights_are_finite_numbers_at_least_zero():
    assert check_weight("keyword_weight", 0) == 0.0
    assert check_weight("keyword_weight", 2) == 2.0
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ParameterError) as info:
            check_weight("keyword_weight", bad)
        assert str(info.value) == f"keyword_weight must be a number >= 0; got {bad!r}"


def test_text_pairs_take_mappings_and_pairs_and_keep_texts_as_they_are(texts):
    assert list(text_pairs({3: "Rain.", "bg1": "Wind\x00."})) == [("3", "Rain."), ("bg1", "Wind\x00.")]
    assert list(text_pairs(texts[:2])) == texts[:2]
    # a tag of a model being indexed keeps its control characters: it is what the model has
    assert list(text_pairs([("tag\x00", "x")])) == [("tag\x00", "x")]


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (
            "corpus.txt",
            "texts must be (tag, text) pairs; read a corpus file with paravec.corpus.read_texts(path)",
        ),
        ([("a", "b", "c")], "texts item #0 must be a (tag, text) pair, got tuple"),
        ([("a", "b"), "ab"], "texts item #1 must be a (tag, text) pair, got str"),
        ([("a", 5)], "texts item #0 ('a') text must be a str, got int"),
        ([("", "x")], "texts item #0 tag must be 1 to 1000 characters long, got 0"),
    ],
)
def test_text_pairs_refuse_what_is_not_a_pair_of_tag_and_text(texts, message):
    with pytest.raises(ParameterError) as info:
        list(text_pairs(texts))
    assert str(info.value) == message


def test_titles_are_keyed_by_str_tag_and_cleaned_for_the_text_index():
    assert check_titles(None) == {}
    assert check_titles({1: "Cafe\u0301", "bg0": "Fire \ud800"}) == {"1": "Caf\u00e9", "bg0": "Fire \ufffd"}
    with pytest.raises(ParameterError, match=r"^titles must be a mapping of tag to title, got list$"):
        check_titles(["title"])
    with pytest.raises(ParameterError, match=r"^title of 1 must be a str, got int$"):
        check_titles({1: 5})
