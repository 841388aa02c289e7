"""Turn the bytes of corpus files into text, and say exactly where and why decoding failed.

A corpus in the wrong encoding is the most common first-run failure (``lee.cor`` itself holds a
Latin-1 ``"£"``). Python's text layer reports a position inside its read buffer, not in the file, so
`decode_error` re-decodes the file incrementally to find the byte offset and line of the first
bad byte; every message names the file, the offset, the line and the ``encoding=`` to pass.
A UTF-8 byte order mark is ignored (files saved by Windows editors start with one). UTF-16 text
read as UTF-8 is valid but full of NUL bytes, and ``encoding="utf-16"`` cannot tell the byte order
of a file without a byte order mark: both get an error that names the encoding to pass.

Examples
--------
>>> import tempfile, pathlib
>>> from paravec.corpus.decoding import ENCODING, decoder_codec, text_lines
>>> ENCODING("encoding", "latin-1"), decoder_codec("utf-8")
('latin-1', 'utf-8-sig')
>>> path = pathlib.Path(tempfile.mkdtemp()) / "news.txt"
>>> _ = path.write_bytes(b"\\xef\\xbb\\xbfFotball p\\xc3\\xa5 TV\\n\\nKeeper\\n")
>>> list(text_lines(path, "utf-8"))
[(1, 'Fotball på TV'), (3, 'Keeper')]
>>> _ = path.write_bytes(b"line one\\nfotball p\\xe5 \\xc5lesund\\n")
>>> list(text_lines(path, "utf-8"))  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
paravec.errors.CorpusError: ...news.txt: bytes are not valid utf-8 at byte offset 18 (line 2); ...
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paravec.errors import CorpusError, ParameterError

__all__ = [
    "ENCODING",
    "Codec",
    "ascii_compatible",
    "decode_bytes",
    "decode_error",
    "decoder_codec",
    "text_lines",
]


@dataclass(frozen=True)
class Codec:
    """A parameter constraint (see `paravec.params`): the name of a codec Python knows."""

    def __call__(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ParameterError(f"{name} must be a str such as 'utf-8', got {type(value).__name__}")
        try:
            codecs.lookup(value)
        except LookupError:
            raise ParameterError(
                f"{name} {value!r} is unknown; use a Python codec name such as 'utf-8' or 'latin-1'"
            ) from None
        return value


ENCODING = Codec()
"""The constraint of an ``encoding=`` parameter."""


def decoder_codec(encoding: str) -> str:
    """The codec to decode ``encoding`` with: BOM-tolerant ``utf-8-sig`` for UTF-8, else itself."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def ascii_compatible(encoding: str) -> bool:
    """True when ASCII text is stored as itself (so a NUL byte means binary, not UTF-16 text)."""
    try:
        return b"ab\n".decode(encoding) == "ab\n"
    except UnicodeDecodeError:
        return False


def text_lines(file: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` for the non-blank lines of a text file, newline stripped.

    Line numbers are 1-based and count blank lines, so they are the numbers an editor shows.
    Any newline convention is accepted (``\\n``, ``\\r\\n``, ``\\r``).

    Raises
    ------
    CorpusError
        If the file cannot be opened, or its bytes are not valid ``encoding``.
    """
    try:
        with open(file, "rb") as raw:
            head = raw.read(_SNIFF_BYTES)
        handle = open(file, encoding=decoder_codec(encoding), errors="strict", newline=None)  # noqa: SIM115
    except OSError as err:
        raise CorpusError(f"{file}: cannot read ({err.strerror}); check the path and permissions") from None
    _refuse_utf16(file, head, encoding)
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                stripped = line.rstrip("\n")
                if stripped.strip():
                    yield number, stripped
        except UnicodeDecodeError:
            raise decode_error(file, encoding) from None
        except UnicodeError as err:  # "UTF-16 stream does not start with BOM"
            raise CorpusError(_byte_order_message(file, encoding, err)) from None


def decode_bytes(file: Path, data: bytes, encoding: str) -> str:
    """Decode the whole content ``data`` of ``file``; on failure name its byte offset and line.

    Raises
    ------
    CorpusError
        If ``data`` is not valid ``encoding``.
    """
    codec = decoder_codec(encoding)
    _refuse_utf16(file, data[:_SNIFF_BYTES], encoding)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as err:
        line = data[: err.start].decode(codec, errors="replace").count("\n") + 1
        raise CorpusError(_message(file, encoding, err.start, line)) from None
    except UnicodeError as err:
        raise CorpusError(_byte_order_message(file, encoding, err)) from None


def decode_error(file: Path, encoding: str) -> CorpusError:
    """Find where ``file`` stops decoding as ``encoding`` and build the error that says so."""
    # The plain codec, not the BOM-tolerant one: a BOM is three bytes of valid UTF-8 either way,
    # and utf-8-sig's decoder state would hide them from the offset arithmetic.
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
                return CorpusError(_message(file, encoding, offset, newlines + before.count("\n") + 1))
            consumed += len(chunk)
        pending = decoder.getstate()[0]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            # A truncated multi-byte sequence at the very end of the file.
            offset = consumed - len(pending) + err.start
            return CorpusError(_message(file, encoding, offset, newlines + 1))
    # The text layer failed but a plain decode does not: report without an offset.
    return CorpusError(
        f"{file}: bytes are not valid {encoding}; pass encoding= with the file's real encoding"
    )


#: Bytes read from the start of a file to recognise UTF-16 read with an ASCII-compatible encoding.
_SNIFF_BYTES = 8192


def _refuse_utf16(file: Path, head: bytes, encoding: str) -> None:
    """Refuse UTF-16 without a BOM read with an ASCII-compatible ``encoding``, or as "utf-16" (byte order unknown)."""
    boms = {
        "utf-16": (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE),
        "utf-32": (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE),
    }
    expected = boms.get(codecs.lookup(encoding).name)
    if expected and head and not head.startswith(expected):
        raise CorpusError(_byte_order_message(file, encoding, UnicodeError("no byte order mark")))
    if b"\x00" not in head or not ascii_compatible(encoding):
        return
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < len(head) // 4:
        return  # a stray NUL, not the every-other-byte pattern of UTF-16
    order = "utf-16-le" if odd > even else "utf-16-be"
    raise CorpusError(
        f"{file}: looks like UTF-16 text without a byte order mark (NUL bytes every other byte), "
        f"not {encoding}; pass encoding='{order}' (--encoding {order}) or convert the file to UTF-8"
    )


def _byte_order_message(file: Path, encoding: str, err: UnicodeError) -> str:
    return (
        f"{file}: cannot decode as {encoding} ({err}); a file without a byte order mark needs its byte "
        "order: pass encoding='utf-16-le' or 'utf-16-be' (or 'utf-32-le' / 'utf-32-be')"
    )


def _message(file: Path, encoding: str, offset: int, line: int) -> str:
    return (
        f"{file}: bytes are not valid {encoding} at byte offset {offset} (line {line}); pass "
        "encoding= with the file's real encoding (e.g. encoding='latin-1') or convert the file "
        "to UTF-8"
    )
