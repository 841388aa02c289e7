"""Tests of paravec.corpus.decoding: encodings of real files, and where decoding fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from gensim.test.utils import datapath

from paravec.corpus import read_corpus
from paravec.corpus.decoding import ENCODING, ascii_compatible, decoder_codec
from paravec.errors import CorpusError, ParameterError
from paravec.tokenizer import tokenize

LEE_BG = Path(datapath("lee_background.cor"))
LEE = Path(datapath("lee.cor"))


def test_norwegian_utf8_with_bom_and_custom_tokenizer(tmp_path: Path, norwegian: list[str]) -> None:
    path = tmp_path / "nyheter.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(norwegian).encode("utf-8"))
    docs = list(read_corpus(path))
    assert docs[0].tags == ["nyheter:1"]
    assert docs[0].words[0] == "sykehusinnkjøpsavdelingen"  # no BOM glued to the first word
    assert "universitetssykehuset" in docs[0].words
    assert docs[2].words[-2:] == ["øystein", "ærø"]
    split_docs = list(read_corpus(path, tokenizer=str.split))
    assert split_docs[1].words[:2] == ["Fotballkeeperen", "på"]


def test_other_encodings_are_read_when_named(tmp_path: Path, norwegian: list[str]) -> None:
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("\n".join(norwegian), encoding="utf-16")
    assert [doc.words for doc in read_corpus(utf16, encoding="utf-16")] == [
        tokenize(text) for text in norwegian
    ]
    corpus = read_corpus(LEE, encoding="latin-1")
    assert len(corpus) == 50
    pound = [text for _tag, text in corpus.texts() if "£" in text]
    assert len(pound) == 1 and "£3,000" in pound[0]


def test_non_utf8_file_names_file_offset_line_and_encoding(tmp_path: Path) -> None:
    # lee.cor really holds a latin-1 pound sign at byte 20357, on line 41.
    with pytest.raises(CorpusError) as info:
        read_corpus(LEE)
    message = str(info.value)
    assert str(LEE) in message and "byte offset 20357" in message and "(line 41)" in message
    assert "encoding=" in message and "\n" not in message
    # Far past the text layer's read buffer, offsets and line numbers are still exact.
    text = LEE_BG.read_bytes()
    bad = tmp_path / "big.txt"
    bad.write_bytes(text + b"\nCaf\xe9 au lait\n")
    with pytest.raises(CorpusError, match=rf"byte offset {len(text) + 4} \(line 301\)"):
        read_corpus(bad)


def test_truncated_multibyte_character_at_the_end_is_located(tmp_path: Path, norwegian: list[str]) -> None:
    data = "\n".join(norwegian).encode("utf-8")
    path = tmp_path / "cut.txt"
    path.write_bytes(data + b"\n\xc3")  # the first byte of a two-byte "å", then the file ends
    with pytest.raises(
        CorpusError, match=rf"cut.txt: bytes are not valid utf-8 at byte offset {len(data) + 1} \(line 4\)"
    ):
        read_corpus(path)


def test_unknown_encoding_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="encoding 'utf-9' is unknown"):
        read_corpus(LEE_BG, encoding="utf-9")
    with pytest.raises(ParameterError, match="encoding must be a str such as 'utf-8', got bytes"):
        read_corpus(LEE_BG, encoding=b"utf-8")  # type: ignore[arg-type]


def test_codec_helpers() -> None:
    assert ENCODING("encoding", "latin-1") == "latin-1"
    assert decoder_codec("UTF8") == decoder_codec("utf-8") == "utf-8-sig"
    assert decoder_codec("utf-16") == "utf-16"
    assert ascii_compatible("latin-1") and ascii_compatible("utf-8")
    assert not ascii_compatible("utf-16-le") and not ascii_compatible("utf-32")


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_utf16_without_bom_gets_an_error_naming_the_encoding_to_pass(
    tmp_path: Path, norwegian: list[str], order: str, suffix: str
) -> None:
    path = tmp_path / f"nyheter{suffix}"
    lines = (
        norwegian if suffix == ".txt" else [f'{{"id": {i}, "text": "{t}"}}' for i, t in enumerate(norwegian)]
    )
    path.write_bytes("\n".join(lines).encode(order))  # no byte order mark
    # read as UTF-8 it is valid (NULs are valid UTF-8): it must not become words full of NULs
    with pytest.raises(CorpusError, match=rf"looks like UTF-16 text without a byte order mark.*'{order}'"):
        list(read_corpus(path))
    # "utf-16" cannot tell the byte order without a BOM: a CorpusError, not a bare UnicodeError
    with pytest.raises(CorpusError, match=r"byte order mark needs its byte order: pass encoding='utf-16-le'"):
        list(read_corpus(path, encoding="utf-16"))
    assert next(d.words for d in read_corpus(path, encoding=order)) == tokenize(norwegian[0])
