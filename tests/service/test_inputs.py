"""paravec.service.inputs: request values checked by paravec.search.validate, named as sent."""

from __future__ import annotations

import pytest

from paravec.errors import ParameterError
from paravec.search.validate import MAX_KEY_CHARS, MAX_QUERY_CHARS, MAX_TEXT_CHARS
from paravec.service.inputs import document_texts, free_text, query_text
from paravec.service.schemas import NewDocument


def test_query_text():
    assert query_text("bushfires Sydney") == "bushfires Sydney"
    assert query_text("x" * MAX_QUERY_CHARS) == "x" * MAX_QUERY_CHARS
    with pytest.raises(ParameterError) as info:
        query_text("x" * (MAX_QUERY_CHARS + 1))
    assert str(info.value) == (
        f"q is {MAX_QUERY_CHARS + 1:,} characters long; at most {MAX_QUERY_CHARS:,} are allowed: shorten it; "
        "use POST /api/explore to search with a whole text"
    )
    with pytest.raises(ParameterError, match=r"^q contains the control character U\+001B; remove it$"):
        query_text("fire\x1b[31m")
    with pytest.raises(ParameterError, match=r"^q is empty or only whitespace"):
        query_text(" \t")


def test_free_text():
    assert free_text("fire\u200bbrigade") == "fire brigade"  # a format character is a space
    assert free_text("x" * MAX_TEXT_CHARS) == "x" * MAX_TEXT_CHARS
    with pytest.raises(ParameterError, match=f"^text is {MAX_TEXT_CHARS + 1:,} characters long"):
        free_text("x" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(ParameterError, match=r"^text contains the control character U\+0000"):
        free_text("\x00")


def test_document_texts_and_titles():
    docs = [
        NewDocument(tag="a/1", text="Wombats dig burrows.", title="Wombats"),
        NewDocument(tag="a/2", text="Koalas sleep.", title=""),
        NewDocument(tag="a/3", text="Emus run."),
    ]
    texts, titles = document_texts(docs, max_chars=100)
    assert texts == [("a/1", "Wombats dig burrows."), ("a/2", "Koalas sleep."), ("a/3", "Emus run.")]
    assert titles == {"a/1": "Wombats"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (NewDocument(tag="ok", text="x" * 11), "^documents\\[1\\]\\.text is 11 characters long; at most 10"),
        (NewDocument(tag="ok", text="   "), "^documents\\[1\\]\\.text is empty"),
        (
            NewDocument(tag="ok", text="a\x00b"),
            "^documents\\[1\\]\\.text contains the control character U\\+0000",
        ),
        (
            NewDocument(tag="n\x07", text="fine"),
            "^documents\\[1\\]\\.tag contains the control character U\\+0007",
        ),
        (
            NewDocument(tag="ok", text="fine", title="a\x1bb"),
            "^documents\\[1\\]\\.title contains the control character U\\+001B",
        ),
    ],
    ids=["too-long", "blank", "control-text", "control-tag", "control-title"],
)
def test_document_texts_name_the_bad_document(doc, message):
    with pytest.raises(ParameterError, match=message):
        document_texts([NewDocument(tag="fine", text="fine"), doc], max_chars=10)


def test_document_tags_follow_the_key_limit():
    # the schema already stops longer tags; the check is validate's, with the same limit
    assert NewDocument.model_fields["tag"].metadata[-1].max_length == MAX_KEY_CHARS
