"""Real text and a model trained on it, shared by the tests of :mod:`paravec.search`.

lee_background.cor (300 news articles) is the indexed corpus, lee.cor the new documents. Fixture
names are plain (``texts``, ``model``, ``idx``); a test file that needs another model of the same
name defines its own, which takes precedence in that file.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

pytest.importorskip("tantivy")
pytest.importorskip("usearch")

from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec.search import SearchIndex
from paravec.tokenizer import tokenize


def _lines(name: str, encoding: str = "utf-8") -> list[str]:
    with open(datapath(name), encoding=encoding) as fh:
        return [line for line in fh.read().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def texts() -> list[tuple[str, str]]:
    return [(f"bg{i}", t) for i, t in enumerate(_lines("lee_background.cor"))]


@pytest.fixture(scope="session")
def new_texts() -> list[tuple[str, str]]:
    return [(f"lee{i}", t) for i, t in enumerate(_lines("lee.cor", "latin-1"))]


@pytest.fixture(scope="session")
def model(texts):
    docs = [TaggedDocument(tokenize(t), [tag]) for tag, t in texts]
    return paravec.train(docs, vector_size=50, epochs=20, min_count=2, dm=0, dbow_words=1, seed=3, workers=2)


@pytest.fixture(scope="session")
def built(tmp_path_factory, model, texts) -> SearchIndex:
    folder = tmp_path_factory.mktemp("built")
    paravec.save(model, folder / "lee.model")
    return SearchIndex.build(folder / "lee.model", texts, folder / "lee.index")


@pytest.fixture(scope="session")
def idx(built) -> SearchIndex:
    return SearchIndex.open(built.path)


@pytest.fixture(scope="session")
def text_of(texts) -> Callable[[str], str]:
    """The text of a tag of ``texts``."""
    by_tag = dict(texts)
    return by_tag.__getitem__


@pytest.fixture(scope="session")
def updated(model) -> Callable[..., paravec.Doc2Vec]:
    """A copy of ``model`` updated with ``(tag, text)`` documents (seed 2)."""
    import copy

    def update(docs, **kwargs):
        result = copy.deepcopy(model)
        paravec.update(result, [TaggedDocument(tokenize(t), [tag]) for tag, t in docs], seed=2, **kwargs)
        return result

    return update


# Scores equal to this count as equal (float32 word cosines: see `_assert_same_ranking`).
SCORE_TOLERANCE = 5e-3


def _assert_same_ranking(got: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    """``got`` ranks as ``expected``: the same scores, and the same tags in the same order but
    for near ties. Float32 matrix products may round differently with a product's shape (OpenBLAS
    on AVX2 does: a column computed alone differs from the same column computed in a batch in its
    last bits), so a cache that computes a candidate with other candidates than a fresh
    computation does gives the same score to about 1e-7, not bit for bit; and a word pair whose
    cosine rounds to either side of the soft cosine's threshold (`SOFT_THRESHOLD`) counts in one
    computation and not in the other, which moves a score by more (seen once in CI)."""
    assert len(got) == len(expected)
    if not expected:
        return
    scores = np.array([score for _tag, score in expected])
    np.testing.assert_allclose([score for _tag, score in got], scores, rtol=0, atol=SCORE_TOLERANCE)
    # Positions whose scores are near ties (of each other, or of the last one kept) may swap tags.
    close = np.abs(np.diff(scores)) <= 2 * SCORE_TOLERANCE
    tied = np.abs(scores - scores[-1]) <= 2 * SCORE_TOLERANCE
    tied[:-1] |= close
    tied[1:] |= close
    for i, ((tag, _s), (want, _w)) in enumerate(zip(got, expected, strict=True)):
        assert tag == want or tied[i], (i, tag, want)


@pytest.fixture(scope="session")
def assert_same_ranking() -> Callable[[list[tuple[str, float]], list[tuple[str, float]]], None]:
    """`_assert_same_ranking`: equal hits up to float32 rounding and the threshold it may flip."""
    return _assert_same_ranking


@pytest.fixture(scope="session")
def score_tolerance() -> float:
    """`SCORE_TOLERANCE`, for tests that compare document-mode scores themselves."""
    return SCORE_TOLERANCE
