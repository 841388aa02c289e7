"""Check request values with `paravec.search.validate`, naming them as the HTTP API does.

The index checks everything it is given, but names the values as its Python API does
(``query``, ``texts item #0 tag``). The service checks first, with the names a client sent
(``q``, ``documents[0].text``), before it waits for the index's lock. The rules and limits are
`paravec.search.validate`'s, the one place that defines them; the only limit added here is
an HTTP one, the request body size, which bounds the text of an added document.

Examples
--------
>>> from paravec.service.inputs import query_text
>>> query_text("bushfires Sydney")
'bushfires Sydney'
>>> query_text("   ")
Traceback (most recent call last):
...
paravec.errors.ParameterError: q is empty or only whitespace; give at least one word
"""

from __future__ import annotations

from paravec.errors import ParameterError
from paravec.search.validate import MAX_QUERY_CHARS, MAX_TEXT_CHARS, check_key, check_text
from paravec.service.schemas import NewDocument

__all__ = ["document_texts", "free_text", "query_text"]


def query_text(q: str) -> str:
    """The search query ``q``, checked; too long a query is pointed to ``POST /api/explore``.

    Raises
    ------
    ParameterError
        If ``q`` is blank or longer than `paravec.search.validate.MAX_QUERY_CHARS`.
    """
    try:
        return check_text("q", q, MAX_QUERY_CHARS)
    except ParameterError as err:
        if len(q) > MAX_QUERY_CHARS:
            raise ParameterError(f"{err}; use POST /api/explore to search with a whole text") from err
        raise


def free_text(text: str) -> str:
    """The free ``text`` of ``/api/explore`` and ``/api/similar``, checked.

    Raises
    ------
    ParameterError
        If ``text`` is blank or longer than `paravec.search.validate.MAX_TEXT_CHARS`.
    """
    return check_text("text", text, MAX_TEXT_CHARS)


def document_texts(
    documents: list[NewDocument], *, max_chars: int
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The ``(tag, text)`` pairs and the titles of documents to add, checked.

    Parameters
    ----------
    documents : list of NewDocument
        The request's documents.
    max_chars : int
        Longest text accepted: the request body limit, since a text cannot be longer than the
        body that carries it.

    Returns
    -------
    (list of (str, str), dict of str to str)
        The texts, and the titles of the documents that have a non-empty one.

    Raises
    ------
    ParameterError
        Naming the first bad tag, text or title, e.g. ``documents[2].text``.
    """
    texts = [
        (check_key(f"documents[{i}].tag", doc.tag), check_text(f"documents[{i}].text", doc.text, max_chars))
        for i, doc in enumerate(documents)
    ]
    # A title is looked up by no one, but shown: it follows the rule of keys (no control
    # characters, at most MAX_KEY_CHARS); an empty one means "no title".
    titles = {
        tag: check_key(f"documents[{i}].title", doc.title)
        for i, ((tag, _), doc) in enumerate(zip(texts, documents, strict=True))
        if doc.title
    }
    return texts, titles
