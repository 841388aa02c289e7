"""Tests of paravec.datasets over the real test data shipped with gensim."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

from paravec import datasets
from paravec.corpus import read_corpus
from paravec.errors import CorpusError
from paravec.tokenizer import tokenize


@pytest.fixture(scope="module")
def wiki() -> list[TaggedDocument]:
    return datasets.wiki_documents()


def test_wiki_documents_are_titled_articles_with_long_words(wiki: list[TaggedDocument]) -> None:
    assert len(wiki) == 106
    titles = [doc.tags[0] for doc in wiki]
    assert all(len(doc.tags) == 1 for doc in wiki)
    assert len(set(titles)) == len(titles)
    assert titles[:3] == ["Anarchism", "Autism", "Albedo"]
    words = Counter(word for doc in wiki for word in doc.words)
    assert sum(words.values()) > 400_000
    assert all(word == word.lower() for word in words)
    # gensim's default WikiCorpus tokenizer drops words over 15 characters; ours keeps them.
    assert words["internationalization"] > 0 or words["responsibilities"] > 0
    assert any(len(word) > 15 for word in words)
    # No markup survives gensim's filter_wiki + our tokenizer.
    assert words["ref"] == 0 and words["http"] < 20
    # Several articles exceed the 10,000 words gensim trains per document.
    assert max(len(doc.words) for doc in wiki) > 10_000


def test_wiki_unpicklable_tokenizer_gives_the_same_documents(wiki: list[TaggedDocument]) -> None:
    # A lambda cannot go to WikiCorpus's worker process; the in-process path must agree.
    assert datasets.wiki_documents(tokenizer=lambda text: tokenize(text)) == wiki


def test_wiki_texts_have_the_same_titles_and_tokenize_to_the_documents(
    wiki: list[TaggedDocument],
) -> None:
    texts = list(datasets.wiki_texts())
    assert [title for title, _text in texts] == [doc.tags[0] for doc in wiki]
    assert all(tokenize(text) == doc.words for (_title, text), doc in zip(texts, wiki, strict=True))
    assert "[[" not in texts[0][1] and "Anarchism" in texts[0][1]


def test_lee_background_documents_match_the_lines_reader() -> None:
    docs = datasets.lee_background_documents()
    assert len(docs) == 300
    assert [doc.tags[0] for doc in docs] == [f"lee_bg:{i}" for i in range(300)]
    assert [doc.words for doc in docs] == [doc.words for doc in read_corpus(datapath("lee_background.cor"))]


def test_lee_test_documents_decode_latin1_and_align_with_similarities() -> None:
    docs = datasets.lee_test_documents()
    assert [doc.tags[0] for doc in docs] == [f"lee:{i}" for i in range(50)]
    assert all(doc.words for doc in docs)
    # The latin-1 "£3,000" on line 41 of lee.cor.
    assert "satelite" in docs[40].words and "3" in docs[40].words
    sims = datasets.lee_similarities()
    assert sims.shape == (50, len(docs)) and sims.dtype == np.float64
    assert np.array_equal(sims, sims.T)
    assert np.all(np.diag(sims) == 1.0)
    assert sims.min() > 0.0 and sims.max() <= 1.0
    raw = np.loadtxt(datapath("similarities0-1.txt"))
    assert np.array_equal(np.triu(sims), np.triu(raw))


def test_mini_newsgroup_documents_have_group_labels() -> None:
    docs, labels = datasets.mini_newsgroup_documents()
    assert len(docs) == len(labels) == 200
    assert Counter(labels) == {"alt.atheism": 100, "sci.space": 100}
    tags = [doc.tags[0] for doc in docs]
    assert len(set(tags)) == 200
    assert all(tag.startswith(label + "/") for tag, label in zip(tags, labels, strict=True))
    assert all(doc.words for doc in docs)
    # Headers are gone (no "Newsgroups:" line giving the label away), the subject is kept.
    assert docs[0].words[:3] == ["re", "biblical", "rape"]
    assert sum("newsgroups" in doc.words for doc in docs) < 20
    with_headers, _ = datasets.mini_newsgroup_documents(strip_headers=False)
    assert all("newsgroups" in doc.words for doc in with_headers)
    space = Counter(
        w for doc, label in zip(docs, labels, strict=True) if label == "sci.space" for w in doc.words
    )
    atheism = Counter(
        w for doc, label in zip(docs, labels, strict=True) if label == "alt.atheism" for w in doc.words
    )
    assert space["orbit"] > 5 * atheism["orbit"]
    assert atheism["god"] > 5 * space["god"]


def test_seed_documents_are_the_seed_scenario() -> None:
    docs = datasets.seed_documents()
    assert [doc.tags for doc in docs] == [[f"E{i}"] for i in range(10)]
    assert all(doc.words == ["jav", "python", "ruby", "xxyfg"] for doc in docs[:9])
    assert docs[9].words == ["fotball", "keeper"]


def test_evaluation_file_paths_exist_and_hold_their_data() -> None:
    pairs = [
        line
        for line in datasets.wordsim353_path().read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(pairs) == 353 and all(len(line.split("\t")) == 3 for line in pairs)
    simlex = [
        line
        for line in datasets.simlex999_path().read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(simlex) == 999
    questions = datasets.questions_words_path().read_text("utf-8").splitlines()
    assert questions[0] == ": capital-common-countries"
    assert sum(line.startswith(":") for line in questions) == 14


def test_missing_test_data_file_is_a_corpus_error() -> None:
    with pytest.raises(CorpusError, match=r"test data file 'no-such-file\.txt' is missing"):
        datasets.data_path("no-such-file.txt")
