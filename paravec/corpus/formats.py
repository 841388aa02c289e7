"""The three corpus formats: detect which one a path holds, and read its raw records.

A record is one document before tokenizing: its tag, its original text and where it came from
(file and line), so that every error and every skipped document can be named precisely.

``"lines"`` (any file that is not JSON Lines, e.g. ``.txt``, ``.cor``)
    One document per non-blank line, tagged ``"{stem}:{line}"`` with the 1-based line number an
    editor shows; blank lines count but are not documents, so a document keeps its tag when the
    file is read again or with another tokenizer.
``"jsonl"`` (``.jsonl``, ``.ndjson``, ``.json``)
    One JSON object per line; the tag is ``str(obj[id_field])`` (a string or an integer, so ``1``
    and ``"1"`` are the same tag), or ``"{stem}:{line}"`` with ``id_field=None``; the text is
    ``obj[text_field]``. Blank lines are skipped.
``"folder"`` (a directory)
    Every regular file below it, recursively, in order of relative path, tagged with that path in
    forward slashes (``"sport/2024/match.txt"``). Hidden files and folders (``.git``) are left
    out, and so are files that look binary: a NUL byte in the first 8 KiB, for encodings where
    ASCII text has none.

Examples
--------
>>> import json, tempfile, pathlib
>>> from paravec.corpus.formats import Source, detect_format, records
>>> path = pathlib.Path(tempfile.mkdtemp()) / "news.jsonl"
>>> _ = path.write_text(json.dumps({"id": 7, "text": "Fotball på TV"}) + "\\n", "utf-8")
>>> detect_format(path, None)
'jsonl'
>>> [(r.tag, r.text, r.where) for r in records(Source(path, "jsonl"))]  # doctest: +ELLIPSIS
[('7', 'Fotball på TV', '...news.jsonl line 1')]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paravec.corpus.decoding import ascii_compatible, decode_bytes, text_lines
from paravec.errors import CorpusError, ParameterError
from paravec.params import OneOf, is_integer

__all__ = [
    "FORMAT",
    "FORMATS",
    "FieldName",
    "Record",
    "Source",
    "binary_files",
    "detect_format",
    "folder_files",
    "records",
    "signature",
]

FORMATS = ("lines", "jsonl", "folder")
"""The corpus formats paravec reads."""

FORMAT = OneOf(FORMATS, none=True)
"""The constraint of a ``format=`` parameter: one of `FORMATS`, or None to detect it."""

_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class FieldName:
    """A parameter constraint (see `paravec.params`): a non-empty str naming a JSON field."""

    none: bool = False

    def __call__(self, name: str, value: Any) -> str | None:
        if value is None and self.none:
            return None
        if not isinstance(value, str) or not value:
            raise ParameterError(
                f"{name} must be a non-empty str{' or None' if self.none else ''}, got {value!r}"
            )
        return value


@dataclass(frozen=True, slots=True)
class Record:
    """One raw document: its tag, its text and where it came from (for messages)."""

    tag: str
    text: str
    line: int | None  # 1-based line number; None for a whole file of a folder corpus
    file: Path

    @property
    def where(self) -> str:
        """The file, and the line when there is one: ``"news.txt line 3"``."""
        return str(self.file) if self.line is None else f"{self.file} line {self.line}"


@dataclass(frozen=True)
class Source:
    """A corpus path with its (already detected) format and how to read it."""

    path: Path
    format: str
    encoding: str = "utf-8"
    id_field: str | None = "id"
    text_field: str = "text"


def detect_format(path: Path, format: str | None) -> str:
    """Return ``format``, or the format ``path`` holds when it is None, after checking they fit.

    Raises
    ------
    CorpusError
        If the path is missing, is neither a file nor a folder, or does not fit ``format``.
    """
    try:
        is_dir, is_file = path.is_dir(), path.is_file()
    except OSError as err:
        raise CorpusError(f"{path}: cannot access ({err.strerror}); check the path") from None
    if not is_dir and not is_file:
        if path.exists():
            raise CorpusError(f"{path}: not a regular file or folder; give a corpus file or folder")
        raise CorpusError(f"{path}: no such file or folder; check the corpus path")
    if format == "folder" and not is_dir:
        raise CorpusError(f"{path}: format='folder' needs a folder, but this is a file; drop format=")
    if format in ("lines", "jsonl") and is_dir:
        raise CorpusError(
            f"{path}: format={format!r} needs a file, but this is a folder; use format='folder'"
        )
    if format is not None:
        return format
    if is_dir:
        return "folder"
    return "jsonl" if path.suffix.lower() in _JSONL_SUFFIXES else "lines"


def records(source: Source) -> Iterator[Record]:
    """Yield the raw records of ``source`` in file order (binary files of a folder left out).

    Raises
    ------
    CorpusError
        On the first record that cannot be read: undecodable bytes, invalid JSON, a missing or
        wrongly typed id or text field.
    """
    if source.format == "folder":
        return _folder_records(source)
    if source.format == "jsonl":
        return _jsonl_records(source)
    return _line_records(source)


def binary_files(source: Source) -> dict[str, str]:
    """The files of a folder corpus left out as binary, tag -> reason; empty for other formats."""
    if source.format != "folder":
        return {}
    return {
        relative: "binary file (NUL bytes)"
        for relative, file in folder_files(source.path)
        if _looks_binary(file, source.encoding)
    }


def folder_files(root: Path) -> list[tuple[str, Path]]:
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


def signature(path: Path, format: str) -> tuple[object, ...]:
    """Size and modification time of every input file, to notice changes between passes."""
    try:
        if format == "folder":
            return tuple(
                (relative, file.stat().st_size, file.stat().st_mtime_ns)
                for relative, file in folder_files(path)
            )
        stat = path.stat()
        return (stat.st_size, stat.st_mtime_ns)
    except OSError as err:
        raise CorpusError(f"{path}: cannot access ({err.strerror}); check the path") from None


# -- readers -------------------------------------------------------------------------------------


def _line_records(source: Source) -> Iterator[Record]:
    stem = source.path.stem
    for number, line in text_lines(source.path, source.encoding):
        yield Record(f"{stem}:{number}", line, number, source.path)


def _jsonl_records(source: Source) -> Iterator[Record]:
    path, id_field, text_field = source.path, source.id_field, source.text_field
    first = True
    for number, line in text_lines(path, source.encoding):
        where = f"{path} line {number}"
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
        tag = f"{path.stem}:{number}" if id_field is None else _json_id(obj, id_field, where)
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
        yield Record(tag, text, number, path)


def _folder_records(source: Source) -> Iterator[Record]:
    for relative, file in folder_files(source.path):
        if _looks_binary(file, source.encoding):
            continue
        try:
            data = file.read_bytes()
        except OSError as err:
            raise CorpusError(f"{file}: cannot read ({err.strerror}); check permissions") from None
        yield Record(relative, decode_bytes(file, data, source.encoding), None, file)


def _looks_binary(file: Path, encoding: str) -> bool:
    if not ascii_compatible(encoding):
        return False  # UTF-16/32 text is full of NUL bytes
    try:
        with open(file, "rb") as handle:
            return b"\x00" in handle.read(_SNIFF_BYTES)
    except OSError as err:
        raise CorpusError(f"{file}: cannot read ({err.strerror}); check permissions") from None


# -- JSON fields ---------------------------------------------------------------------------------


def _json_id(obj: dict[str, object], id_field: str, where: str) -> str:
    if id_field not in obj:
        raise CorpusError(
            f"{where}: no {id_field!r} field (fields: {_field_list(obj)}); pass id_field= naming "
            "the id field, or id_field=None to tag documents by line number"
        )
    value = obj[id_field]
    # JSON's true/false parse as Python bools, which are ints: is_integer leaves them out.
    if not (isinstance(value, str) or is_integer(value)):
        raise CorpusError(
            f"{where}: id field {id_field!r} must be a string or an integer, got a JSON {_json_type(value)}"
        )
    tag = str(value)
    if not tag.strip():
        raise CorpusError(f"{where}: id field {id_field!r} is empty; give every document an id")
    return tag


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
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
