"""Tests of paravec.corpus.formats: lines, JSON Lines and folder corpora built from real text."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

from paravec.corpus import read_corpus, read_texts
from paravec.corpus.formats import FORMAT, FieldName, Record, Source, detect_format, records
from paravec.errors import CorpusError, ParameterError
from paravec.tokenizer import tokenize

LEE_BG = Path(datapath("lee_background.cor"))

MakeFolder = Callable[[Path], dict[str, str]]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _write_jsonl(path: Path, rows: list[object]) -> None:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", "utf-8")


# -- lines ---------------------------------------------------------------------------------------


def test_line_records_are_raw_lines_tagged_by_editor_line_number(
    tmp_path: Path, lee_lines: list[str]
) -> None:
    path = tmp_path / "news.txt"
    path.write_text(f"{lee_lines[0]}\n\n{lee_lines[1]}\n", "utf-8")
    assert detect_format(path, None) == "lines"
    assert list(records(Source(path, "lines"))) == [
        Record("news:1", lee_lines[0], 1, path),
        Record("news:3", lee_lines[1], 3, path),
    ]
    assert Record("news:3", lee_lines[1], 3, path).where == f"{path} line 3"


# -- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_corpus_tags_are_ids_and_texts_are_raw(
    tmp_path: Path, lee_lines: list[str], norwegian: list[str]
) -> None:
    lee = lee_lines[:4]
    path = tmp_path / "docs.jsonl"
    rows = [{"id": "doc-a", "text": lee[0]}, {"id": 17, "text": lee[1], "extra": [1, 2]}]
    rows += [{"id": "nb", "text": norwegian[0]}, {"id": "doc-b", "text": lee[2]}]
    _write_jsonl(path, rows)
    corpus = read_corpus(path)
    assert corpus.format == "jsonl"
    assert list(corpus.tags) == ["doc-a", "17", "nb", "doc-b"]
    docs = list(corpus)
    assert docs[1] == TaggedDocument(tokenize(lee[1]), ["17"])
    assert "sykehusinnkjøpsavdelingen" in docs[2].words
    assert list(read_texts(path)) == [(str(row["id"]), row["text"]) for row in rows]


def test_jsonl_custom_fields_and_line_number_tags(tmp_path: Path, norwegian: list[str]) -> None:
    path = tmp_path / "custom.json"
    lines = [json.dumps({"key": f"k{i}", "body": text}) for i, text in enumerate(norwegian)]
    path.write_text("\n\n".join(lines), encoding="utf-8")  # blank lines between records
    assert list(read_corpus(path, id_field="key", text_field="body").tags) == ["k0", "k1", "k2"]
    by_line = read_corpus(path, id_field=None, text_field="body")
    assert list(by_line.tags) == ["custom:1", "custom:3", "custom:5"]
    with pytest.raises(CorpusError, match=r"custom.json line 1: no 'text' field \(fields: 'key', 'body'\)"):
        read_corpus(path, id_field="key")


def test_jsonl_field_names_must_be_non_empty_strings(tmp_path: Path, norwegian: list[str]) -> None:
    path = tmp_path / "docs.jsonl"
    _write_jsonl(path, [{"id": "a", "text": norwegian[0]}])
    with pytest.raises(ParameterError, match=r"^id_field must be a non-empty str or None, got ''$"):
        read_corpus(path, id_field="")
    with pytest.raises(ParameterError, match=r"^text_field must be a non-empty str, got None$"):
        read_corpus(path, text_field=None)  # type: ignore[arg-type]
    assert FieldName(none=True)("id_field", None) is None
    assert FORMAT("format", None) is None


def test_jsonl_duplicate_ids_name_the_id_and_both_lines(tmp_path: Path, lee_lines: list[str]) -> None:
    path = tmp_path / "dup.jsonl"
    _write_jsonl(path, [{"id": i, "text": t} for i, t in zip([1, 2, 3, 4, "2"], lee_lines[:5], strict=True)])
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
        (
            '{"id": 1.5, "text": "t"}',
            r"line 2: id field 'id' must be a string or an integer, got a JSON number",
        ),
        ('{"id": true, "text": "t"}', r"must be a string or an integer, got a JSON boolean"),
        ('{"id": null, "text": "t"}', r"must be a string or an integer, got a JSON null"),
        ('{"id": ["a"], "text": "t"}', r"must be a string or an integer, got a JSON array"),
        ('{"id": "  ", "text": "t"}', r"line 2: id field 'id' is empty"),
        ('{"id": "y", "text": ["a", "b"]}', r"line 2: field 'text' must be a string, got a JSON array"),
    ],
)
def test_jsonl_bad_records_name_file_and_line(
    tmp_path: Path, norwegian: list[str], line: str, expected: str
) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_text(json.dumps({"id": "ok", "text": norwegian[0]}) + "\n" + line + "\n", "utf-8")
    with pytest.raises(CorpusError, match=expected) as info:
        read_corpus(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_json_array_file_gets_a_conversion_hint(tmp_path: Path, norwegian: list[str]) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([{"id": 1, "text": t} for t in norwegian], indent=2), "utf-8")
    with pytest.raises(CorpusError, match=r"array.json line 1: .*JSON Lines.*jq -c"):
        read_corpus(path)


# -- folders -------------------------------------------------------------------------------------


@pytest.fixture
def make_folder(lee_lines: list[str], norwegian: list[str]) -> MakeFolder:
    def make(root: Path) -> dict[str, str]:
        lee = lee_lines[:4]
        files = {
            "b.txt": lee[0],
            "a/z.txt": lee[1],
            "a/deeper/x.md": norwegian[1] + "\n" + norwegian[2],
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

    return make


def test_folder_corpus_uses_sorted_relative_paths(
    tmp_path: Path, make_folder: MakeFolder, norwegian: list[str]
) -> None:
    files = make_folder(tmp_path)
    corpus = read_corpus(tmp_path)
    assert corpus.format == "folder"
    assert (
        list(corpus.tags)
        == sorted(files)
        == [
            "a b/space name.txt",
            "a/deeper/x.md",
            "a/z.txt",
            "b.txt",
            "c.TXT",
        ]
    )
    assert corpus.skipped == {
        "a/empty.txt": "no tokens after tokenizing",
        "a/image.png": "binary file (NUL bytes)",
    }
    docs = {doc.tags[0]: doc.words for doc in corpus}
    assert docs["a/deeper/x.md"] == tokenize(norwegian[1]) + tokenize(norwegian[2])
    assert dict(read_texts(tmp_path)) == files


def test_folder_with_non_utf8_file_names_it(tmp_path: Path, make_folder: MakeFolder) -> None:
    make_folder(tmp_path)
    (tmp_path / "a" / "latin.txt").write_bytes(b"line one\nfotball p\xe5 \xc5lesund\n")
    with pytest.raises(CorpusError) as info:
        read_corpus(tmp_path)
    assert str(tmp_path / "a" / "latin.txt") in str(info.value)
    assert "byte offset 18 (line 2)" in str(info.value)
    assert len(read_corpus(tmp_path, encoding="latin-1")) == 6


def test_inputs_are_never_modified(tmp_path: Path, make_folder: MakeFolder, lee_lines: list[str]) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    make_folder(folder)
    lines = tmp_path / "lee_background.cor"
    shutil.copyfile(LEE_BG, lines)
    jsonl = tmp_path / "docs.jsonl"
    _write_jsonl(jsonl, [{"id": i, "text": t} for i, t in enumerate(lee_lines[:20])])
    before = _tree_hashes(tmp_path)
    stats = {p: os.stat(p).st_mtime_ns for p in (lines, jsonl)}
    for path in (folder, lines, jsonl):
        corpus = read_corpus(path)
        list(corpus)
        list(corpus.texts())
    assert _tree_hashes(tmp_path) == before
    assert {p: os.stat(p).st_mtime_ns for p in (lines, jsonl)} == stats


# -- format detection ------------------------------------------------------------------------------


def test_format_override_and_mismatches(tmp_path: Path, norwegian: list[str]) -> None:
    path = tmp_path / "records.txt"
    path.write_text(json.dumps({"id": "r1", "text": norwegian[0]}) + "\n", "utf-8")
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


def test_detect_format_from_suffix_and_folder(tmp_path: Path) -> None:
    for name, expected in [
        ("a.jsonl", "jsonl"),
        ("b.NDJSON", "jsonl"),
        ("c.json", "jsonl"),
        ("d.cor", "lines"),
    ]:
        (tmp_path / name).write_text("x\n", "utf-8")
        assert detect_format(tmp_path / name, None) == expected
    assert detect_format(tmp_path, None) == "folder"
    with pytest.raises(CorpusError, match=r"missing.txt: no such file or folder; check the corpus path$"):
        detect_format(tmp_path / "missing.txt", None)
