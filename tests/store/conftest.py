"""A small base trained on real news text (lee_background.cor) and the Lee batch, for the store tests."""

from __future__ import annotations

import pytest

pytest.importorskip("tantivy")

from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec.tokenizer import tokenize


def _lines(name: str) -> list[str]:
    with open(datapath(name), encoding="latin-1") as fh:
        return [line for line in fh.read().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def base_texts() -> dict[str, str]:
    return {f"bg{i}": t for i, t in enumerate(_lines("lee_background.cor"))}


@pytest.fixture(scope="session")
def batch_texts() -> dict[str, str]:
    return {f"lee{i}": t for i, t in enumerate(_lines("lee.cor"))}


@pytest.fixture(scope="session")
def batch(batch_texts) -> list[TaggedDocument]:
    return [TaggedDocument(tokenize(t), [tag]) for tag, t in batch_texts.items()]


@pytest.fixture(scope="session")
def base(base_texts):
    docs = [TaggedDocument(tokenize(t), [tag]) for tag, t in base_texts.items()]
    return paravec.train(docs, vector_size=50, epochs=20, min_count=2, seed=3, workers=1)


@pytest.fixture
def store(tmp_path, base, base_texts):
    return paravec.Store.create(tmp_path / "store", base, base_texts)
