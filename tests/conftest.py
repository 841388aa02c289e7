"""Shared fixtures: real text from the corpora that ship with gensim."""

from __future__ import annotations

import pytest
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

from paravec.tokenizer import tokenize


def _lines(name: str) -> list[str]:
    with open(datapath(name), encoding="latin-1") as fh:  # lee.cor has a latin-1 pound sign
        return [line for line in fh.read().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def lee_background() -> list[TaggedDocument]:
    """The 300 news articles of lee_background.cor, tagged bg0..bg299."""
    return [TaggedDocument(tokenize(t), [f"bg{i}"]) for i, t in enumerate(_lines("lee_background.cor"))]


@pytest.fixture(scope="session")
def lee_test() -> list[TaggedDocument]:
    """The 50 articles of lee.cor, tagged lee0..lee49 (a batch of new domain documents)."""
    return [TaggedDocument(tokenize(t), [f"lee{i}"]) for i, t in enumerate(_lines("lee.cor"))]


@pytest.fixture(scope="session")
def seed_batch() -> list[TaggedDocument]:
    """The seed scenario's ten documents: nine 'jav python ruby xxyfg', one 'fotball keeper'."""
    docs = [TaggedDocument(["jav", "python", "ruby", "xxyfg"], [f"E{i}"]) for i in range(9)]
    return [*docs, TaggedDocument(["fotball", "keeper"], ["E9"])]
