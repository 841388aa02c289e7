"""The corpus as gensim sees it: a re-iterable stream of ``TaggedDocument``, checked up front.

`read_corpus` returns a `Corpus` that gensim's ``build_vocab``/``train`` (and paravec's
update) can iterate once per epoch without holding the corpus in memory; `read_texts` gives
the raw text of the same documents under the same tags, for keyword search and snippets.

Why a validation pass: an exception raised by a corpus iterator inside gensim's ``train()`` kills
its job-producer thread and leaves the workers waiting forever (gensim 4.3 and 4.4). So
`read_corpus` parses and tokenizes every document once before returning, and every error
surfaces there, naming the file and line. Documents that tokenize to nothing are skipped (gensim
cannot place a document without words), listed in `Corpus.skipped` and logged as a warning.
Later passes re-read the files; if they changed in between, iteration raises instead of yielding
other documents under the old tags.

Examples
--------
>>> from gensim.test.utils import datapath
>>> from paravec.corpus.reader import MAX_DOCUMENT_WORDS, read_corpus
>>> corpus = read_corpus(datapath("lee_background.cor"))
>>> corpus  # doctest: +ELLIPSIS
Corpus('...lee_background.cor', format='lines', documents=300, skipped=0)
>>> corpus.total_words > 50_000, corpus.max_words < MAX_DOCUMENT_WORDS
(True, True)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from gensim.models.doc2vec import TaggedDocument
from gensim.models.word2vec_inner import MAX_WORDS_IN_BATCH

from paravec.corpus.decoding import ENCODING
from paravec.corpus.formats import FORMAT, FieldName, Source, binary_files, detect_format, records, signature
from paravec.errors import CorpusError
from paravec.params import InstanceOf, validate
from paravec.tokenizer import TOKENIZER, Tokenizer, apply_tokenizer, tokenize

__all__ = ["MAX_DOCUMENT_WORDS", "Corpus", "read_corpus", "read_texts"]

logger = logging.getLogger(__name__)

MAX_DOCUMENT_WORDS: int = MAX_WORDS_IN_BATCH
"""gensim's compiled training silently uses only the first this many words of a document (10,000)."""


class Corpus:
    """A re-iterable stream of ``TaggedDocument`` read from a file or folder.

    Build it with `read_corpus` (same parameters). Iterating yields
    ``TaggedDocument(words=list[str], tags=[tag])``, one per document, in file order; it can be
    iterated any number of times (gensim iterates once per epoch) and ``len()`` is the number of
    documents, known from the validation pass.

    Attributes
    ----------
    path : pathlib.Path
        The file or folder read.
    format : str
        One of ``"lines"``, ``"jsonl"``, ``"folder"``.
    tags : tuple of str
        The tag of every document, in iteration order (all unique).
    skipped : dict of str to str
        Documents left out, tag -> reason (no tokens after tokenizing, or a binary file).
    total_words : int
        Number of tokens over all documents (gensim's ``total_words``).
    max_words : int
        Tokens in the longest document; gensim trains only the first `MAX_DOCUMENT_WORDS`
        of a document, so callers check this.
    """

    @validate(
        path=InstanceOf((str, os.PathLike), "a str or os.PathLike"),
        tokenizer=TOKENIZER,
        format=FORMAT,
        id_field=FieldName(none=True),
        text_field=FieldName(),
        encoding=ENCODING,
    )
    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        tokenizer: Tokenizer = tokenize,
        format: str | None = None,
        id_field: str | None = "id",
        text_field: str = "text",
        encoding: str = "utf-8",
    ) -> None:
        self.path = Path(path)
        self.tokenizer = tokenizer
        self.id_field = id_field
        self.text_field = text_field
        self.encoding = encoding
        self.format = detect_format(self.path, format)
        self._source = Source(self.path, self.format, encoding, id_field, text_field)
        self._signature = signature(self.path, self.format)
        self.tags: tuple[str, ...] = ()
        self.skipped: dict[str, str] = {}
        self.total_words = 0
        self.max_words = 0
        self._scan()

    def __len__(self) -> int:
        return len(self.tags)

    def __iter__(self) -> Iterator[TaggedDocument]:
        self._check_unchanged()
        tokenizer = self.tokenizer
        for record in records(self._source):
            if record.tag in self.skipped:
                continue
            # The validation pass proved the tokenizer returns iterables of str; a list is what gensim
            # indexes fastest, so only other iterables are copied.
            words: Iterable[str] = tokenizer(record.text)
            if not isinstance(words, list):
                words = list(words)
            if words:
                yield TaggedDocument(words=words, tags=[record.tag])

    def __repr__(self) -> str:
        return (
            f"Corpus({str(self.path)!r}, format={self.format!r}, documents={len(self)}, "
            f"skipped={len(self.skipped)})"
        )

    def texts(self) -> Iterator[tuple[str, str]]:
        """Yield ``(tag, raw_text)`` for every document, with the same tags and order as iteration.

        The text is exactly as stored in the file (one line without its newline, the JSON text
        field, or the whole file), not normalised or tokenized. Skipped documents are left out.

        Yields
        ------
        tuple of (str, str)
            The document's tag and its original text.

        Raises
        ------
        CorpusError
            If the files changed since the corpus was read.
        """
        self._check_unchanged()
        for record in records(self._source):
            if record.tag not in self.skipped:
                yield record.tag, record.text

    def _scan(self) -> None:
        """Parse and tokenize every document once; raise on the first problem."""
        tags: list[str] = []
        first_line: dict[str, int | None] = {}
        skipped: dict[str, str] = {}
        total = longest = 0
        for record in records(self._source):
            if record.tag in first_line:
                raise CorpusError(
                    f"{record.file}: duplicate id {record.tag!r} on line {first_line[record.tag]} "
                    f"and line {record.line}; give every document a unique id"
                )
            first_line[record.tag] = record.line
            words = apply_tokenizer(self.tokenizer, record.text, where=record.where)
            if not words:
                skipped[record.tag] = "no tokens after tokenizing"
                continue
            tags.append(record.tag)
            total += len(words)
            longest = max(longest, len(words))
        skipped.update(binary_files(self._source))
        if not tags:
            detail = f"; {len(skipped)} documents had no tokens or were binary" if skipped else ""
            fields = f" and text_field={self.text_field!r}" if self.format == "jsonl" else ""
            raise CorpusError(
                f"{self.path}: corpus has no documents{detail}; check the path, format={self.format!r}{fields}"
            )
        if skipped:
            shown = ", ".join(repr(tag) for tag in list(skipped)[:3])
            logger.warning(
                "%s: skipped %d of %d documents with no tokens or binary content (%s%s)",
                self.path,
                len(skipped),
                len(skipped) + len(tags),
                shown,
                ", ..." if len(skipped) > 3 else "",
            )
        self.tags = tuple(tags)
        self.skipped = skipped
        self.total_words = total
        self.max_words = longest

    def _check_unchanged(self) -> None:
        if signature(self.path, self.format) != self._signature:
            raise CorpusError(
                f"{self.path}: files changed since read_corpus() read them; call read_corpus() "
                "again so tags and counts match the new content"
            )


def read_corpus(
    path: str | os.PathLike[str],
    *,
    tokenizer: Tokenizer = tokenize,
    format: str | None = None,
    id_field: str | None = "id",
    text_field: str = "text",
    encoding: str = "utf-8",
) -> Corpus:
    """Read a corpus file or folder into a re-iterable stream of ``TaggedDocument``.

    Parameters
    ----------
    path : str or os.PathLike
        A text file (one document per line), a JSON Lines file (``.jsonl``, ``.ndjson``,
        ``.json``) or a folder (one document per file, recursively).
    tokenizer : callable, default `paravec.tokenize`
        Turns a document's text into its list of words.
    format : {"lines", "jsonl", "folder"} or None, default None
        Overrides the format detected from the path.
    id_field : str or None, default "id"
        JSON Lines only: the field holding each document's id (a string or an integer). ``None``
        tags documents by line number like the lines format.
    text_field : str, default "text"
        JSON Lines only: the field holding each document's text.
    encoding : str, default "utf-8"
        Encoding of the files. A UTF-8 byte order mark is ignored.

    Returns
    -------
    Corpus
        Re-iterable, with ``len()``, ``.tags``, ``.skipped`` and ``.texts()``.

    Raises
    ------
    CorpusError
        If the path is missing, the corpus has no documents, the bytes are not valid in
        ``encoding``, a JSON line is invalid or lacks a valid id/text field, or an id repeats.
    ParameterError
        If an argument has a type or value that is not allowed, or the tokenizer returns
        something other than a list of str.

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> corpus = read_corpus(datapath("lee.cor"), encoding="latin-1")  # it holds a latin-1 "£"
    >>> len(corpus), corpus.tags[:2]
    (50, ('lee:1', 'lee:2'))
    """
    return Corpus(
        path,
        tokenizer=tokenizer,
        format=format,
        id_field=id_field,
        text_field=text_field,
        encoding=encoding,
    )


def read_texts(
    path: str | os.PathLike[str],
    *,
    tokenizer: Tokenizer = tokenize,
    format: str | None = None,
    id_field: str | None = "id",
    text_field: str = "text",
    encoding: str = "utf-8",
) -> Iterator[tuple[str, str]]:
    """Yield ``(tag, raw_text)`` for the documents `read_corpus` would yield, same tags.

    The whole corpus is validated before the first pair is produced (the tokenizer decides which
    documents are skipped, so pass the same one as to `read_corpus`).

    Parameters
    ----------
    path, tokenizer, format, id_field, text_field, encoding
        As for `read_corpus`.

    Returns
    -------
    iterator of tuple of (str, str)
        Each document's tag and its original, untokenized text.

    Raises
    ------
    CorpusError, ParameterError
        As for `read_corpus`, raised by this call (not on the first ``next()``).

    Examples
    --------
    >>> from gensim.test.utils import datapath
    >>> pairs = dict(read_texts(datapath("lee.cor"), encoding="latin-1"))
    >>> len(pairs), pairs["lee:1"][:25]
    (50, 'The national executive of')
    """
    corpus = read_corpus(
        path,
        tokenizer=tokenizer,
        format=format,
        id_field=id_field,
        text_field=text_field,
        encoding=encoding,
    )
    return corpus.texts()
