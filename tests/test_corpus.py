"""Tests of paravec.corpus: reading lines, JSON Lines and folder corpora built from real text."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from gensim.test.utils import datapath

from paravec.corpus import Corpus, read_corpus, read_texts
from paravec.errors import CorpusError, ParameterError
from paravec.tokenize import tokenize

LEE_BG = Path(datapath("lee_background.cor"))
LEE = Path(datapath("lee.cor"))

NORWEGIAN = [
    "Sykehusinnkjøpsavdelingen har bestilt nye senger til Universitetssykehuset i Nord-Norge.",
    "Fotballkeeperen på Ålesund reddet straffesparket i det 89. minutt.",
    "Blåbærsyltetøy og brunost er godt på vafler, sa Øystein Ærø.",
]


def _lee_lines(count: int) -> list[str]:
    return LEE_BG.read_text(encoding="utf-8").splitlines()[:count]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


# -- lines ---------------------------------------------------------------------------------------


def test_lee_background_as_lines_corpus() -> None:
    corpus = read_corpus(LEE_BG)
    assert isinstance(corpus, Corpus)
    assert corpus.format == "lines"
    docs = list(corpus)
    assert len(docs) == len(corpus) == 300
    assert all(isinstance(doc, TaggedDocument) and len(doc.tags) == 1 for doc in docs)
    tags = [doc.tags[0] for doc in docs]
    assert tags == list(corpus.tags) == [f"lee_background:{n}" for n in range(1, 301)]
    assert all(word == word.lower() and word for doc in docs for word in doc.words)
    assert docs[0].words == tokenize(_lee_lines(1)[0])
    assert corpus.total_words == sum(len(doc.words) for doc in docs)
    assert corpus.max_words == max(len(doc.words) for doc in docs)
    assert corpus.skipped == {}
    # Re-iterable: a second pass yields the same documents (gensim iterates once per epoch).
    assert list(corpus) == docs


def test_corpus_trains_a_gensim_doc2vec_model() -> None:
    corpus = read_corpus(LEE_BG)
    model = Doc2Vec(vector_size=16, min_count=2, epochs=2, workers=1, seed=1)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=model.corpus_count, epochs=model.epochs)
    assert model.corpus_count == 300
    assert model.dv.index_to_key == list(corpus.tags)
    assert "hundreds" in model.wv.key_to_index


def test_lines_skip_blank_lines_keep_line_numbers_and_report_empty_documents(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lee = _lee_lines(3)
    path = tmp_path / "news.txt"
    # CRLF endings, a blank line, a whitespace-only line and a line with no words.
    path.write_bytes(
        "\r\n".join([lee[0], "", lee[1], "   \t", "-----  ***", lee[2], ""]).encode("utf-8")
    )
    with caplog.at_level(logging.WARNING, logger="paravec.corpus"):
        corpus = read_corpus(path)
    assert list(corpus.tags) == ["news:1", "news:3", "news:6"]
    assert corpus.skipped == {"news:5": "no tokens after tokenizing"}
    assert "skipped 1 of 4" in caplog.text and "news:5" in caplog.text
    assert [doc.words for doc in corpus] == [tokenize(text) for text in lee]
    assert dict(corpus.texts()) == {"news:1": lee[0], "news:3": lee[1], "news:6": lee[2]}


def test_norwegian_utf8_with_bom_and_custom_tokenizer(tmp_path: Path) -> None:
    path = tmp_path / "nyheter.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(NORWEGIAN).encode("utf-8"))
    docs = list(read_corpus(path))
    assert docs[0].tags == ["nyheter:1"]
    assert docs[0].words[0] == "sykehusinnkjøpsavdelingen"  # no BOM glued to the first word
    assert "universitetssykehuset" in docs[0].words
    assert docs[2].words[-2:] == ["øystein", "ærø"]
    split_docs = list(read_corpus(path, tokenizer=str.split))
    assert split_docs[1].words[:2] == ["Fotballkeeperen", "på"]


def test_other_encodings_are_read_when_named(tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("\n".join(NORWEGIAN), encoding="utf-16")
    assert [doc.words for doc in read_corpus(utf16, encoding="utf-16")] == [
        tokenize(text) for text in NORWEGIAN
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


def test_unknown_encoding_is_a_parameter_error() -> None:
    with pytest.raises(ParameterError, match="encoding 'utf-9' is unknown"):
        read_corpus(LEE_BG, encoding="utf-9")


# -- JSON Lines ----------------------------------------------------------------------------------


def _write_jsonl(path: Path, rows: list[object]) -> None:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", "utf-8")


def test_jsonl_corpus_tags_are_ids_and_texts_are_raw(tmp_path: Path) -> None:
    lee = _lee_lines(4)
    path = tmp_path / "docs.jsonl"
    rows = [{"id": "doc-a", "text": lee[0]}, {"id": 17, "text": lee[1], "extra": [1, 2]}]
    rows += [{"id": "nb", "text": NORWEGIAN[0]}, {"id": "doc-b", "text": lee[2]}]
    _write_jsonl(path, rows)
    corpus = read_corpus(path)
    assert corpus.format == "jsonl"
    assert list(corpus.tags) == ["doc-a", "17", "nb", "doc-b"]
    docs = list(corpus)
    assert docs[1] == TaggedDocument(tokenize(lee[1]), ["17"])
    assert "sykehusinnkjøpsavdelingen" in docs[2].words
    assert list(read_texts(path)) == [(str(row["id"]), row["text"]) for row in rows]


def test_jsonl_custom_fields_and_line_number_tags(tmp_path: Path) -> None:
    path = tmp_path / "custom.json"
    lines = [json.dumps({"key": f"k{i}", "body": text}) for i, text in enumerate(NORWEGIAN)]
    path.write_text("\n\n".join(lines), encoding="utf-8")  # blank lines between records
    assert list(read_corpus(path, id_field="key", text_field="body").tags) == ["k0", "k1", "k2"]
    by_line = read_corpus(path, id_field=None, text_field="body")
    assert list(by_line.tags) == ["custom:1", "custom:3", "custom:5"]
    with pytest.raises(CorpusError, match=r"custom.json line 1: no 'text' field \(fields: 'key', 'body'\)"):
        read_corpus(path, id_field="key")


def test_jsonl_duplicate_ids_name_the_id_and_both_lines(tmp_path: Path) -> None:
    lee = _lee_lines(5)
    path = tmp_path / "dup.jsonl"
    _write_jsonl(path, [{"id": i, "text": t} for i, t in zip([1, 2, 3, 4, "2"], lee)])
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    assert str(info.value) == (
        f"{path}: duplicate id '2' on line 2 and line 5; give every document a unique id"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "x", "text": "unterminated', r"dup.jsonl line 2: invalid JSON \(Unterminated string"),
        ('["x", "text"]', r"line 2: expected a JSON object, got a JSON array"),
        ('{"text": "no id here"}', r"line 2: no 'id' field \(fields: 'text'\); pass id_field="),
        ('{"id": 1.5, "text": "t"}', r"line 2: id field 'id' must be a string or an integer, got a JSON number"),
        ('{"id": true, "text": "t"}', r"must be a string or an integer, got a JSON boolean"),
        ('{"id": null, "text": "t"}', r"must be a string or an integer, got a JSON null"),
        ('{"id": ["a"], "text": "t"}', r"must be a string or an integer, got a JSON array"),
        ('{"id": "  ", "text": "t"}', r"line 2: id field 'id' is empty"),
        ('{"id": "y", "text": ["a", "b"]}', r"line 2: field 'text' must be a string, got a JSON array"),
    ],
)
def test_jsonl_bad_records_name_file_and_line(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text(json.dumps({"id": "ok", "text": NORWEGIAN[0]}) + "\n" + line + "\n", "utf-8")
    with pytest.raises(CorpusError, match=expected) as info:
        read_corpus(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_json_array_file_gets_a_conversion_hint(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([{"id": 1, "text": t} for t in NORWEGIAN], indent=2), "utf-8")
    with pytest.raises(CorpusError, match=r"array.json line 1: .*JSON Lines.*jq -c"):
        read_corpus(path)


# -- folders -------------------------------------------------------------------------------------


def _make_folder(root: Path) -> dict[str, str]:
    lee = _lee_lines(4)
    files = {
        "b.txt": lee[0],
        "a/z.txt": lee[1],
        "a/deeper/x.md": NORWEGIAN[1] + "\n" + NORWEGIAN[2],
        "a b/space name.txt": lee[2],
        "c.TXT": lee[3],
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    (root / ".hidden.txt").write_text("hidden file", "utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("hidden folder", "utf-8")
    (root / "a" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (root / "a" / "empty.txt").write_text("\n  \n", "utf-8")
    return files


def test_folder_corpus_uses_sorted_relative_paths(tmp_path: Path) -> None:
    files = _make_folder(tmp_path)
    corpus = read_corpus(tmp_path)
    assert corpus.format == "folder"
    assert list(corpus.tags) == sorted(files) == [
        "a b/space name.txt", "a/deeper/x.md", "a/z.txt", "b.txt", "c.TXT",
    ]
    assert corpus.skipped == {
        "a/empty.txt": "no tokens after tokenizing",
        "a/image.png": "binary file (NUL bytes)",
    }
    docs = {doc.tags[0]: doc.words for doc in corpus}
    assert docs["a/deeper/x.md"] == tokenize(NORWEGIAN[1]) + tokenize(NORWEGIAN[2])
    assert dict(read_texts(tmp_path)) == files


def test_folder_with_non_utf8_file_names_it(tmp_path: Path) -> None:
    _make_folder(tmp_path)
    (tmp_path / "a" / "latin.txt").write_bytes(b"line one\nfotball p\xe5 \xc5lesund\n")
    with pytest.raises(CorpusError) as info:
        read_corpus(tmp_path)
    assert str(tmp_path / "a" / "latin.txt") in str(info.value)
    assert "byte offset 18 (line 2)" in str(info.value)
    assert len(read_corpus(tmp_path, encoding="latin-1")) == 6


# -- bad paths, empty corpora, formats -------------------------------------------------------------


def test_missing_path_and_empty_corpora_are_corpus_errors(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"nope.txt: no such file or folder"):
        read_corpus(tmp_path / "nope.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("", "utf-8")
    with pytest.raises(CorpusError, match=r"empty.txt: corpus has no documents; check the path"):
        read_corpus(empty)
    punctuation = tmp_path / "punct.txt"
    punctuation.write_text("---\n\n***\n", "utf-8")
    with pytest.raises(CorpusError, match=r"no documents; 2 documents had no tokens"):
        read_corpus(punctuation)
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(CorpusError, match=r"folder: corpus has no documents"):
        read_corpus(folder)


def test_format_override_and_mismatches(tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text(json.dumps({"id": "r1", "text": NORWEGIAN[0]}) + "\n", "utf-8")
    assert list(read_corpus(path).tags) == ["records:1"]
    assert list(read_corpus(path, format="jsonl").tags) == ["r1"]
    with pytest.raises(CorpusError, match="format='folder' needs a folder"):
        read_corpus(path, format="folder")
    with pytest.raises(CorpusError, match="use format='folder'"):
        read_corpus(tmp_path, format="lines")
    with pytest.raises(ParameterError, match=r"format must be one of 'lines', 'jsonl', 'folder'.*got 'csv'"):
        read_corpus(path, format="csv")
    with pytest.raises(ParameterError, match="tokenizer must be a callable"):
        read_corpus(path, tokenizer="split")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="tokenizer must return a list of str, got str"):
        read_corpus(path, tokenizer=str.lower)  # type: ignore[arg-type]


def test_read_texts_matches_read_corpus_and_validates_eagerly(tmp_path: Path) -> None:
    corpus = read_corpus(LEE_BG)
    pairs = list(read_texts(LEE_BG))
    assert [tag for tag, _text in pairs] == list(corpus.tags)
    assert [tokenize(text) for _tag, text in pairs] == [doc.words for doc in corpus]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', "utf-8")
    with pytest.raises(CorpusError, match="no 'text' field"):
        read_texts(bad)  # raised by the call, before any next()


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    _make_folder(folder)
    lines = tmp_path / "lee_background.cor"
    shutil.copyfile(LEE_BG, lines)
    jsonl = tmp_path / "docs.jsonl"
    _write_jsonl(jsonl, [{"id": i, "text": t} for i, t in enumerate(_lee_lines(20))])
    before = _tree_hashes(tmp_path)
    stats = {p: os.stat(p).st_mtime_ns for p in (lines, jsonl)}
    for path in (folder, lines, jsonl):
        corpus = read_corpus(path)
        list(corpus)
        list(corpus.texts())
    assert _tree_hashes(tmp_path) == before
    assert {p: os.stat(p).st_mtime_ns for p in (lines, jsonl)} == stats


def test_changed_file_between_passes_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_text("\n".join(_lee_lines(3)) + "\n", "utf-8")
    corpus = read_corpus(path)
    assert len(list(corpus)) == 3
    with path.open("a", encoding="utf-8") as handle:
        handle.write(NORWEGIAN[0] + "\n")
    with pytest.raises(CorpusError, match="changed since read_corpus"):
        list(corpus)
