"""Read corpora from files as gensim ``TaggedDocument`` streams.

What it does
------------
:func:`read_corpus` turns a file or a folder into a :class:`Corpus`: a re-iterable sequence of
``TaggedDocument(words=[...], tags=[tag])`` that can be passed to ``Doc2Vec.build_vocab`` /
``Doc2Vec.train`` (and to paravec's update) as often as training needs. :func:`read_texts` gives the
``(tag, raw_text)`` pairs of the *same* documents with the *same* tags, for keyword search and
snippets.

Formats (detected from the path; ``format=`` overrides)
-------------------------------------------------------
``"lines"`` (any other file, e.g. ``.txt``, ``.cor``)
    One document per line. The tag is ``"{stem}:{line}"`` with the 1-based line number in the file,
    e.g. ``"lee_background:1"``. Blank lines (only whitespace) are not documents but still count,
    so a tag is always the line number an editor shows, and a document keeps its tag when the
    file is read again or with another tokenizer.
``"jsonl"`` (``.jsonl``, ``.ndjson``, ``.json``)
    JSON Lines: one JSON object per line, with an id field (``id_field``, default ``"id"``) and a
    text field (``text_field``, default ``"text"``). The tag is ``str(id)``; ids must be strings or
    integers and unique (``1`` and ``"1"`` are the same tag). With ``id_field=None`` the tag is
    ``"{stem}:{line}"`` as for lines. Blank lines are skipped.
``"folder"`` (a directory)
    Every regular file below the folder, recursively, is one document; hidden files and folders
    (name starting with ``.``) are left out. Files are read in order of their relative path and the
    tag is that relative path with forward slashes, e.g. ``"sport/2024/match.txt"``. Files that
    look binary (a NUL byte in the first 8 KiB, for ASCII-compatible encodings) are skipped.

Documents that tokenize to nothing (e.g. a line of ``"-----"``) are skipped, not trained: gensim
cannot place a document without words and paravec's update rejects them. They are listed in
:attr:`Corpus.skipped` (tag -> reason) and a warning is logged, so a caller can report the count.

Everything else that is wrong raises :class:`~paravec.errors.CorpusError` with one line naming the
file, the line (or byte offset) and what to do: a missing path, a corpus without documents, bytes
that are not valid in ``encoding``, invalid JSON, a missing or wrongly typed id/text field, or a
duplicate id (naming both lines).

Approach
--------
The corpus is streamed, never held in memory. :func:`read_corpus` makes one full validation pass
(parsing and tokenizing every document) before returning, so every error surfaces there, with a
line number, and not halfway through training: an exception raised by a corpus iterator inside
gensim's ``train()`` kills its job-producer thread and leaves the workers waiting forever (gensim
4.3 and 4.4). Later iterations re-read the files; if a file changed in between, iteration raises
:class:`CorpusError` instead of yielding different documents, so iterate a corpus in the calling
thread (e.g. into a list per batch) rather than handing it straight to ``Doc2Vec.train`` when
files may change. Input files are opened read-only and never modified.

Example
-------
>>> from gensim.test.utils import datapath
>>> from paravec.corpus import read_corpus, read_texts
>>> corpus = read_corpus(datapath("lee_background.cor"))
>>> len(corpus), corpus.format
(300, 'lines')
>>> first = next(iter(corpus))
>>> first.tags, first.words[:4]
(['lee_background:1'], ['hundreds', 'of', 'people', 'have'])
>>> tag, text = next(read_texts(datapath("lee_background.cor")))
>>> tag, text[:24]
('lee_background:1', 'Hundreds of people have ')
"""

from __future__ import annotations

import codecs
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gensim.models.doc2vec import TaggedDocument

from paravec.errors import CorpusError, ParameterError
from paravec.tokenize import tokenize

__all__ = ["FORMATS", "Corpus", "read_corpus", "read_texts"]

logger = logging.getLogger(__name__)

FORMATS = ("lines", "jsonl", "folder")
"""The corpus formats :func:`read_corpus` understands."""

_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
_SNIFF_BYTES = 8192

Tokenizer = Callable[[str], list[str]]


@dataclass(frozen=True, slots=True)
class _Record:
    """One raw document: its tag, its text and where it came from (for messages)."""

    tag: str
    text: str
    line: int | None  # 1-based line number, None for a whole file in a folder corpus
    file: Path


class Corpus:
    """A re-iterable stream of ``TaggedDocument`` read from a file or folder.

    Build it with :func:`read_corpus`. Iterating yields
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
        Tokens in the longest document. gensim's compiled training silently cuts documents at
        10,000 words, so callers check this.
    """

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
        if not isinstance(path, (str, os.PathLike)):
            raise ParameterError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        if not callable(tokenizer):
            raise ParameterError(
                f"tokenizer must be a callable taking a str and returning a list of str, "
                f"got {type(tokenizer).__name__}"
            )
        if format is not None and format not in FORMATS:
            raise ParameterError(
                f"format must be one of {', '.join(map(repr, FORMATS))} or None (detect from the "
                f"path), got {format!r}"
            )
        if id_field is not None and (not isinstance(id_field, str) or not id_field):
            raise ParameterError(f"id_field must be a non-empty str or None, got {id_field!r}")
        if not isinstance(text_field, str) or not text_field:
            raise ParameterError(f"text_field must be a non-empty str, got {text_field!r}")
        self.path = Path(path)
        self.tokenizer = tokenizer
        self.id_field = id_field
        self.text_field = text_field
        self.encoding, self._decode_as = _check_encoding(encoding)
        self.format = _detect_format(self.path, format)
        self._signature = _signature(self.path, self.format)
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
        for record in self._records():
            if record.tag in self.skipped:
                continue
            words = tokenizer(record.text)
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
        for record in self._records():
            if record.tag not in self.skipped:
                yield record.tag, record.text

    # -- validation pass -------------------------------------------------------------------------

    def _scan(self) -> None:
        """Parse and tokenize every document once; raise on the first problem."""
        tags: list[str] = []
        first_line: dict[str, int | None] = {}
        skipped: dict[str, str] = {}
        total = longest = 0
        for record in self._records():
            if record.tag in first_line:
                raise CorpusError(
                    f"{record.file}: duplicate id {record.tag!r} on line {first_line[record.tag]} "
                    f"and line {record.line}; give every document a unique id"
                )
            first_line[record.tag] = record.line
            words = self._tokenize_checked(record)
            if not words:
                skipped[record.tag] = "no tokens after tokenizing"
                continue
            tags.append(record.tag)
            total += len(words)
            longest = max(longest, len(words))
        skipped.update(self._binary_files())
        if not tags:
            detail = f"; {len(skipped)} documents had no tokens or were binary" if skipped else ""
            fields = f" and text_field={self.text_field!r}" if self.format == "jsonl" else ""
            raise CorpusError(
                f"{self.path}: corpus has no documents{detail}; check the path, "
                f"format={self.format!r}{fields}"
            )
        if skipped:
            shown = ", ".join(repr(tag) for tag in list(skipped)[:3])
            logger.warning(
                "%s: skipped %d of %d documents with no tokens or binary content (%s%s)",
                self.path, len(skipped), len(skipped) + len(tags), shown,
                ", ..." if len(skipped) > 3 else "",
            )
        self.tags = tuple(tags)
        self.skipped = skipped
        self.total_words = total
        self.max_words = longest

    def _tokenize_checked(self, record: _Record) -> list[str]:
        words = self.tokenizer(record.text)
        if isinstance(words, (str, bytes)) or not hasattr(words, "__iter__"):
            raise ParameterError(
                f"tokenizer must return a list of str, got {type(words).__name__} for "
                f"{_where(record)}"
            )
        words = list(words)
        for word in words:
            if not isinstance(word, str):
                raise ParameterError(
                    f"tokenizer must return a list of str, got an item of type "
                    f"{type(word).__name__} for {_where(record)}"
                )
        return words

    def _check_unchanged(self) -> None:
        if _signature(self.path, self.format) != self._signature:
            raise CorpusError(
                f"{self.path}: files changed since read_corpus() read them; call read_corpus() "
                "again so tags and counts match the new content"
            )

    # -- readers ---------------------------------------------------------------------------------

    def _records(self) -> Iterator[_Record]:
        if self.format == "folder":
            return self._folder_records()
        if self.format == "jsonl":
            return self._jsonl_records()
        return self._line_records()

    def _lines(self, file: Path) -> Iterator[tuple[int, str]]:
        """Yield ``(line_number, line)`` for the non-blank lines of a text file."""
        try:
            handle = open(file, encoding=self._decode_as, errors="strict", newline=None)
        except OSError as err:
            raise CorpusError(
                f"{file}: cannot read ({err.strerror}); check the path and permissions"
            ) from None
        with handle:
            number = 0
            try:
                for number, line in enumerate(handle, start=1):
                    line = line.rstrip("\n")
                    if line.strip():
                        yield number, line
            except UnicodeDecodeError:
                raise _decode_error(file, self.encoding) from None

    def _line_records(self) -> Iterator[_Record]:
        stem = self.path.stem
        for number, line in self._lines(self.path):
            yield _Record(f"{stem}:{number}", line, number, self.path)

    def _jsonl_records(self) -> Iterator[_Record]:
        stem = self.path.stem
        id_field, text_field = self.id_field, self.text_field
        first = True
        for number, line in self._lines(self.path):
            where = f"{self.path} line {number}"
            array_hint = (
                "; the file looks like one JSON array, but paravec reads JSON Lines (one object per"
                " line): convert it, e.g. with jq -c '.[]'"
                if first and line.lstrip().startswith("[")
                else ""
            )
            first = False
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(
                    f"{where}: invalid JSON ({err.msg} at column {err.colno}); each line must be one "
                    f"JSON object{array_hint}"
                ) from None
            if not isinstance(obj, dict):
                raise CorpusError(
                    f"{where}: expected a JSON object, got a JSON {_json_type(obj)}; each line must "
                    f"be one JSON object{array_hint}"
                )
            if id_field is None:
                tag = f"{stem}:{number}"
            else:
                tag = _json_id(obj, id_field, where)
            if text_field not in obj:
                raise CorpusError(
                    f"{where}: no {text_field!r} field (fields: {_field_list(obj)}); pass "
                    "text_field= naming the field that holds the text"
                )
            text = obj[text_field]
            if not isinstance(text, str):
                raise CorpusError(
                    f"{where}: field {text_field!r} must be a string, got a JSON {_json_type(text)}"
                )
            yield _Record(tag, text, number, self.path)

    def _folder_records(self) -> Iterator[_Record]:
        for relative, file in _folder_files(self.path):
            if self._looks_binary(file):
                continue
            try:
                data = file.read_bytes()
            except OSError as err:
                raise CorpusError(
                    f"{file}: cannot read ({err.strerror}); check permissions"
                ) from None
            try:
                text = data.decode(self._decode_as)
            except UnicodeDecodeError as err:
                line = data[: err.start].decode(self._decode_as, errors="replace").count("\n") + 1
                raise CorpusError(_decode_message(file, self.encoding, err.start, line)) from None
            yield _Record(relative, text, None, file)

    def _binary_files(self) -> dict[str, str]:
        if self.format != "folder":
            return {}
        return {
            relative: "binary file (NUL bytes)"
            for relative, file in _folder_files(self.path)
            if self._looks_binary(file)
        }

    def _looks_binary(self, file: Path) -> bool:
        if not _ascii_compatible(self._decode_as):
            return False  # UTF-16/32 text is full of NUL bytes
        try:
            with open(file, "rb") as handle:
                return b"\x00" in handle.read(_SNIFF_BYTES)
        except OSError as err:
            raise CorpusError(f"{file}: cannot read ({err.strerror}); check permissions") from None


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
    tokenizer : callable, default :func:`paravec.tokenize.tokenize`
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
        If an argument has a type or value that is not allowed.

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
    """Yield ``(tag, raw_text)`` for the documents :func:`read_corpus` would yield, same tags.

    The whole corpus is validated before the first pair is produced (the tokenizer decides which
    documents are skipped, so pass the same one as to :func:`read_corpus`).

    Parameters
    ----------
    path, tokenizer, format, id_field, text_field, encoding
        As for :func:`read_corpus`.

    Returns
    -------
    iterator of tuple of (str, str)
        Each document's tag and its original, untokenized text.

    Raises
    ------
    CorpusError, ParameterError
        As for :func:`read_corpus`, raised by this call (not on the first ``next()``).

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


# -- helpers -------------------------------------------------------------------------------------


def _check_encoding(encoding: str) -> tuple[str, str]:
    """Validate ``encoding``; return it and the codec to decode with (BOM-tolerant for UTF-8)."""
    if not isinstance(encoding, str):
        raise ParameterError(
            f"encoding must be a str such as 'utf-8', got {type(encoding).__name__}"
        )
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ParameterError(
            f"encoding {encoding!r} is unknown; use a Python codec name such as 'utf-8' or "
            "'latin-1'"
        ) from None
    return encoding, ("utf-8-sig" if name == "utf-8" else encoding)


def _ascii_compatible(encoding: str) -> bool:
    try:
        return b"ab\n".decode(encoding) == "ab\n"
    except UnicodeDecodeError:
        return False


def _detect_format(path: Path, format: str | None) -> str:
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except OSError as err:
        raise CorpusError(f"{path}: cannot access ({err.strerror}); check the path") from None
    if not is_dir and not is_file:
        if path.exists():
            raise CorpusError(f"{path}: not a regular file or folder; give a corpus file or folder")
        raise CorpusError(f"{path}: no such file or folder; check the corpus path")
    if format == "folder" and not is_dir:
        raise CorpusError(
            f"{path}: format='folder' needs a folder, but this is a file; drop format="
        )
    if format in ("lines", "jsonl") and is_dir:
        raise CorpusError(
            f"{path}: format={format!r} needs a file, but this is a folder; use format='folder'"
        )
    if format is not None:
        return format
    if is_dir:
        return "folder"
    return "jsonl" if path.suffix.lower() in _JSONL_SUFFIXES else "lines"


def _folder_files(root: Path) -> list[tuple[str, Path]]:
    """Return ``(relative_posix_path, path)`` for every non-hidden regular file below ``root``."""
    found: list[tuple[str, Path]] = []
    # Directory symlinks are not followed (os.walk default), so a link loop cannot recurse forever.
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if not name.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            file = Path(directory, name)
            if file.is_file():
                found.append((file.relative_to(root).as_posix(), file))
    found.sort(key=lambda item: item[0])
    return found


def _signature(path: Path, format: str) -> tuple[object, ...]:
    """Size and modification time of every input file, to notice changes between passes."""
    try:
        if format == "folder":
            return tuple(
                (relative, file.stat().st_size, file.stat().st_mtime_ns)
                for relative, file in _folder_files(path)
            )
        stat = path.stat()
        return (stat.st_size, stat.st_mtime_ns)
    except OSError as err:
        raise CorpusError(f"{path}: cannot access ({err.strerror}); check the path") from None


def _decode_message(file: Path, encoding: str, offset: int, line: int) -> str:
    return (
        f"{file}: bytes are not valid {encoding} at byte offset {offset} (line {line}); pass "
        "encoding= with the file's real encoding (e.g. encoding='latin-1') or convert the file "
        "to UTF-8"
    )


def _decode_error(file: Path, encoding: str) -> CorpusError:
    """Find where ``file`` stops decoding as ``encoding`` and build the error for it."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    consumed = newlines = 0
    with open(file, "rb") as handle:
        while chunk := handle.read(1 << 16):
            pending = decoder.getstate()[0]
            try:
                newlines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as err:
                data = pending + chunk
                before = data[: err.start].decode(encoding, errors="replace")
                offset = consumed - len(pending) + err.start
                return CorpusError(
                    _decode_message(file, encoding, offset, newlines + before.count("\n") + 1)
                )
            consumed += len(chunk)
        pending = decoder.getstate()[0]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            # A truncated multi-byte sequence at the very end of the file.
            offset = consumed - len(pending) + err.start
            return CorpusError(_decode_message(file, encoding, offset, newlines + 1))
    # The text layer failed but a plain decode does not: report without an offset.
    return CorpusError(
        f"{file}: bytes are not valid {encoding}; pass encoding= with the file's real encoding"
    )


def _json_id(obj: dict[str, object], id_field: str, where: str) -> str:
    if id_field not in obj:
        raise CorpusError(
            f"{where}: no {id_field!r} field (fields: {_field_list(obj)}); pass id_field= naming "
            "the id field, or id_field=None to tag documents by line number"
        )
    value = obj[id_field]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CorpusError(
            f"{where}: id field {id_field!r} must be a string or an integer, got a JSON "
            f"{_json_type(value)}"
        )
    tag = str(value)
    if not tag.strip():
        raise CorpusError(f"{where}: id field {id_field!r} is empty; give every document an id")
    return tag


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _field_list(obj: dict[str, object]) -> str:
    names = [repr(name) for name in list(obj)[:8]]
    if len(obj) > 8:
        names.append("...")
    return ", ".join(names) if names else "none"


def _where(record: _Record) -> str:
    if record.line is None:
        return f"{record.file}"
    return f"{record.file} line {record.line}"
