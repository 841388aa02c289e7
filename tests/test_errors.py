"""paravec/errors.py: the error hierarchy, and the console entry point turning each error into one line.

The CLI cases run ``paravec.cli.main`` in-process on real files (a small model of
lee_background.cor, a broken copy of it, a search index); the fixtures of tests/cli/conftest.py are
not visible from here, so the entry point is driven with pytest's ``monkeypatch`` and ``capsys``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from gensim.test.utils import datapath

import paravec
from paravec.cli import main
from paravec.corpus import read_corpus, read_texts
from paravec.errors import (
    CorpusError,
    IndexStateError,
    ModelBrokenError,
    ModelFileError,
    NotFoundError,
    ParameterError,
    ParavecError,
    StoreError,
)
from paravec.search import SearchIndex

ALL = (
    CorpusError,
    IndexStateError,
    ModelBrokenError,
    ModelFileError,
    NotFoundError,
    ParameterError,
    StoreError,
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """news.txt (lee_background.cor), ok.model trained on it, broken.model (a dv row short), news.index."""
    folder = tmp_path_factory.mktemp("errors")
    corpus = folder / "news.txt"
    shutil.copyfile(datapath("lee_background.cor"), corpus)
    model = paravec.train(read_corpus(corpus), vector_size=8, epochs=1, seed=1, workers=1)
    paravec.save(model, folder / "ok.model")
    model.dv.vectors = model.dv.vectors[:-1]
    model.save(str(folder / "broken.model"))
    (folder / "empty.txt").write_text("\n  \n", encoding="utf-8")
    SearchIndex.build(folder / "ok.model", read_texts(corpus), folder / "news.index")
    return folder


def test_hierarchy():
    for cls in ALL:
        assert issubclass(cls, ParavecError) and issubclass(cls, Exception)
    assert issubclass(ParameterError, ValueError)
    assert issubclass(NotFoundError, LookupError)
    assert [cls for cls in ALL if issubclass(cls, ValueError)] == [ParameterError]
    assert [cls for cls in ALL if issubclass(cls, LookupError)] == [NotFoundError]
    assert set(paravec.errors.__all__) == {cls.__name__ for cls in (*ALL, ParavecError)}
    assert all(getattr(paravec, name) is getattr(paravec.errors, name) for name in paravec.errors.__all__)


def test_library_errors_are_caught_as_builtin_errors(files):
    model = paravec.load(files / "ok.model")
    with pytest.raises(ValueError, match=r"^epochs must be a positive integer; got 0$") as caught:
        paravec.update(model, [], epochs=0)
    assert type(caught.value) is ParameterError
    index = SearchIndex.open(files / "news.index")
    with pytest.raises(LookupError, match=r"^the word 'zzqqx' is not in the model's vocabulary") as caught:
        index.words_near_word("zzqqx")
    assert type(caught.value) is NotFoundError


CASES = {
    ModelFileError: (["info", "{f}/missing.model"], "model file not found: {f}/missing.model"),
    ModelBrokenError: (
        ["update", "{f}/broken.model", "{f}/news.txt", "--out", "{f}/out.model"],
        "the model is inconsistent (dv.vectors has 299 rows but dv has 300 keys); "
        "run `paravec check MODEL` and start from an intact copy",
    ),
    CorpusError: (
        ["train", "{f}/empty.txt", "--out", "{f}/out.model"],
        "{f}/empty.txt: corpus has no documents; check the path, format='lines'",
    ),
    ParameterError: (
        ["similar", "{f}/ok.model", "--word", "the", "--tag", "x"],
        "give exactly one of --word, --tag, --text; got --word, --tag",
    ),
    IndexStateError: (
        ["search", "{f}/nowhere", "fire"],
        "{f}/nowhere is not a folder; build an index with `paravec index MODEL CORPUS --out FOLDER`",
    ),
    NotFoundError: (
        ["explore", "{f}/news.index", "--word", "zzqqx"],
        "the word 'zzqqx' is not in the model's vocabulary (4067 words); "
        "check the spelling, or add documents that use it",
    ),
    StoreError: (
        ["store", "versions", "{f}/news.txt"],
        "{f}/news.txt is not a paravec store; create one with `paravec store init STORE BASE_MODEL`",
    ),
}


@pytest.mark.parametrize("error", ALL, ids=lambda cls: cls.__name__)
def test_cli_turns_each_error_into_one_line_and_exit_code_2(error, files, monkeypatch, capsys):
    args, message = CASES[error]
    monkeypatch.setattr(sys, "argv", ["paravec", *(a.format(f=files) for a in args)])
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()] == ["error: " + message.format(f=files)]
    assert not (files / "out.model").exists()
