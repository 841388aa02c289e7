"""Tests of paravec.corpus.reader: the Corpus stream, its validation pass and read_texts."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec.corpus import MAX_DOCUMENT_WORDS, Corpus, read_corpus, read_texts
from paravec.documents import validate_documents
from paravec.errors import CorpusError, ParameterError
from paravec.tokenizer import tokenize

LEE_BG = Path(datapath("lee_background.cor"))


def test_lee_background_as_lines_corpus(lee_lines: list[str]) -> None:
    corpus = read_corpus(LEE_BG)
    assert isinstance(corpus, Corpus)
    assert corpus.format == "lines"
    docs = list(corpus)
    assert len(docs) == len(corpus) == 300
    assert all(isinstance(doc, TaggedDocument) and len(doc.tags) == 1 for doc in docs)
    tags = [doc.tags[0] for doc in docs]
    assert tags == list(corpus.tags) == [f"lee_background:{n}" for n in range(1, 301)]
    assert all(word == word.lower() and word for doc in docs for word in doc.words)
    assert docs[0].words == tokenize(lee_lines[0])
    assert corpus.total_words == sum(len(doc.words) for doc in docs)
    assert corpus.max_words == max(len(doc.words) for doc in docs)
    assert corpus.skipped == {}
    # Re-iterable: a second pass yields the same documents (gensim iterates once per epoch).
    assert list(corpus) == docs
    # What read_corpus yields is a valid batch for paravec's update, by construction.
    assert validate_documents(corpus) == docs


def test_corpus_trains_a_gensim_doc2vec_model() -> None:
    corpus = read_corpus(LEE_BG)
    model = Doc2Vec(vector_size=16, min_count=2, epochs=2, workers=1, seed=1)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=model.corpus_count, epochs=model.epochs)
    assert model.corpus_count == 300
    assert model.dv.index_to_key == list(corpus.tags)
    assert "hundreds" in model.wv.key_to_index


def test_lines_skip_blank_lines_keep_line_numbers_and_report_empty_documents(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, lee_lines: list[str]
) -> None:
    lee = lee_lines[:3]
    path = tmp_path / "news.txt"
    # CRLF endings, a blank line, a whitespace-only line and a line with no words.
    path.write_bytes("\r\n".join([lee[0], "", lee[1], "   \t", "-----  ***", lee[2], ""]).encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="paravec.corpus"):
        corpus = read_corpus(path)
    assert list(corpus.tags) == ["news:1", "news:3", "news:6"]
    assert corpus.skipped == {"news:5": "no tokens after tokenizing"}
    assert "skipped 1 of 4" in caplog.text and "news:5" in caplog.text
    assert [doc.words for doc in corpus] == [tokenize(text) for text in lee]
    assert dict(corpus.texts()) == {"news:1": lee[0], "news:3": lee[1], "news:6": lee[2]}


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


def test_parameters_are_checked_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"^path must be a str or os.PathLike, got int$"):
        read_corpus(3)  # type: ignore[arg-type]
    with pytest.raises(
        ParameterError,
        match=r"^tokenizer must be a callable taking a str and returning a list of str, got str$",
    ):
        read_corpus(LEE_BG, tokenizer="split")  # type: ignore[arg-type]
    path = tmp_path / "numbers.txt"
    path.write_text("jav python\n", "utf-8")
    with pytest.raises(
        ParameterError,
        match=r"tokenizer must return a list of str, got an item of type int for .*numbers.txt line 1$",
    ):
        read_corpus(path, tokenizer=lambda text: [len(text)])  # type: ignore[list-item, return-value]


def test_read_texts_matches_read_corpus_and_validates_eagerly(tmp_path: Path) -> None:
    corpus = read_corpus(LEE_BG)
    pairs = list(read_texts(LEE_BG))
    assert [tag for tag, _text in pairs] == list(corpus.tags)
    assert [tokenize(text) for _tag, text in pairs] == [doc.words for doc in corpus]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', "utf-8")
    with pytest.raises(CorpusError, match="no 'text' field"):
        read_texts(bad)  # raised by the call, before any next()


def test_changed_file_between_passes_is_an_error(
    tmp_path: Path, lee_lines: list[str], norwegian: list[str]
) -> None:
    path = tmp_path / "growing.txt"
    path.write_text("\n".join(lee_lines[:3]) + "\n", "utf-8")
    corpus = read_corpus(path)
    assert len(list(corpus)) == 3
    with path.open("a", encoding="utf-8") as handle:
        handle.write(norwegian[0] + "\n")
    with pytest.raises(CorpusError, match="changed since read_corpus"):
        list(corpus)


def test_public_api_and_gensim_document_limit() -> None:
    assert (
        paravec.read_corpus is read_corpus and paravec.read_texts is read_texts and paravec.Corpus is Corpus
    )
    assert MAX_DOCUMENT_WORDS == 10_000
