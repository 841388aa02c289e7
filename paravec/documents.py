"""Batches of ``TaggedDocument``: the one check every function that takes documents runs first.

gensim's compiled training code trusts its input: a string where a list of words belongs is
trained letter by letter, a tag of the wrong kind addresses another document's row. paravec checks a
batch once, up front, and names the first bad document (its position and first tag) and what to do.
The rules are those of a model that can be grown safely: ``words`` a list of strings, ``tags`` a
non-empty list of strings (or ints, on a model whose tags are ints; see `paravec.tags`), each
tag in one document only.

Examples
--------
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.documents import validate_documents
>>> len(validate_documents([TaggedDocument(["a", "b"], ["d0"])]))
1
>>> validate_documents([TaggedDocument("a b", ["d0"])])
Traceback (most recent call last):
...
paravec.errors.CorpusError: document #0 has a string as words; tokenize it first (paravec.tokenize)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gensim.models.doc2vec import TaggedDocument

from paravec.errors import CorpusError
from paravec.params import is_integer
from paravec.tags import uses_int_tags

__all__ = ["validate_documents"]


def validate_documents(
    documents: Iterable[TaggedDocument],
    *,
    name: str = "documents",
    model: Any = None,
    allow_empty_words: bool = False,
    allow_empty_batch: bool = False,
    unique_tags: bool = True,
) -> list[TaggedDocument]:
    """Return ``documents`` as a list after checking every document.

    Parameters
    ----------
    documents : iterable of TaggedDocument
        The batch (anything with ``words`` and ``tags``).
    name : str, default "documents"
        What the caller calls the batch, for messages (``"rehearsal"``, ``"corpus"``).
    model : gensim.models.Doc2Vec, optional
        The model the batch is for: int tags are allowed only when its own tags are ints, and a
        PV-DM concat model needs exactly ``dm_tag_count`` tags per document. Without a model,
        tags must be strings.
    allow_empty_words : bool, default False
        Accept documents without words (evaluation skips them; training cannot learn them).
    allow_empty_batch : bool, default False
        Accept a batch without documents.
    unique_tags : bool, default True
        Refuse a tag that an earlier document of the batch has. Rehearsal passages cut from one
        base document share its tags, so a rehearsal sample is checked with ``False``.

    Raises
    ------
    CorpusError
        ``documents`` is a string or not iterable, is empty, or a document is malformed, has no
        words, or repeats a tag of an earlier document.
    """
    if isinstance(documents, (str, bytes)):
        raise CorpusError(
            f"{name} must be an iterable of TaggedDocument, got a string; read files with paravec.read_corpus"
        )
    try:
        docs = list(documents)
    except TypeError as err:
        raise CorpusError(
            f"{name} must be an iterable of TaggedDocument, got {type(documents).__name__}"
        ) from err
    if not docs and not allow_empty_batch:
        raise CorpusError(f"{name} is empty: give at least one TaggedDocument with words and tags")
    what = "document" if name == "documents" else f"{name} document"
    int_tags = model is not None and uses_int_tags(model.dv)
    seen: dict[Any, int] = {}
    for i, doc in enumerate(docs):
        words = getattr(doc, "words", None)
        tags = getattr(doc, "tags", None)
        if words is None or tags is None:
            raise CorpusError(f"{what} #{i} is a {type(doc).__name__}, not a TaggedDocument(words, tags)")
        if isinstance(words, str):
            raise CorpusError(f"{what} #{i} has a string as words; tokenize it first (paravec.tokenize)")
        if isinstance(tags, (str, bytes)) or is_integer(tags):
            raise CorpusError(f"{what} #{i} has tags={tags!r}; tags must be a list, e.g. [{tags!r}]")
        if not len(tags):
            raise CorpusError(f"{what} #{i} has no tag; every document needs at least one tag")
        if not len(words) and not allow_empty_words:
            raise CorpusError(f"{what} {tags[0]!r} (#{i}) has no words; drop empty documents first")
        bad = next((w for w in words if not isinstance(w, str)), None)
        if bad is not None:
            raise CorpusError(
                f"{what} {tags[0]!r} (#{i}) has a word of type {type(bad).__name__}; words must be strings"
            )
        for tag in tags:
            if is_integer(tag):
                if not int_tags:
                    raise CorpusError(
                        f"{what} #{i} has the integer tag {tag}; this model's documents have string tags "
                        "and gensim treats integers as positions, so use string tags"
                    )
                if tag < 0:
                    raise CorpusError(f"{what} #{i} has the negative tag {tag}; integer tags must be >= 0")
            elif not isinstance(tag, str):
                raise CorpusError(f"{what} #{i} has a tag of type {type(tag).__name__}; tags must be strings")
            if unique_tags and tag in seen:
                raise CorpusError(
                    f"tag {tag!r} appears in {what}s #{seen[tag]} and #{i}; tags must be unique within a batch"
                )
            seen[tag] = i
    if model is not None and model.dm and model.dm_concat:
        wrong = next((i for i, d in enumerate(docs) if len(d.tags) != model.dm_tag_count), None)
        if wrong is not None:
            raise CorpusError(
                f"{what} #{wrong} has {len(docs[wrong].tags)} tags; this PV-DM concat model needs exactly "
                f"{model.dm_tag_count} per document"
            )
    return docs
