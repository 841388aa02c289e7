"""mode="document": TF-IDF, soft cosine and Doc2Vec cosine, calibrated, on the Lee corpus.

The index holds lee_background.cor (300 articles) and lee.cor (50 articles with human similarity
judgments); every lee.cor article queries it by its whole text.
"""

from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import pytest

pytest.importorskip("tantivy")

from gensim import corpora, models
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

import paravec
from paravec import datasets
from paravec.errors import ParameterError
from paravec.search import SearchIndex
from paravec.search.ranking import document_epochs
from paravec.search.similarity import (
    SOFT_THRESHOLD,
    Calibration,
    document_scores,
    similarities,
    soft_cosines,
    tfidf_rows,
)
from paravec.search.validate import MAX_QUERY_CHARS
from paravec.tokenizer import tokenize


def _lines(name: str, encoding: str = "utf-8") -> list[str]:
    with open(datapath(name), encoding=encoding) as fh:
        return [line for line in fh.read().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def background() -> list[tuple[str, str]]:
    return [(f"bg{i}", t) for i, t in enumerate(_lines("lee_background.cor"))]


@pytest.fixture(scope="module")
def lee() -> list[tuple[str, str]]:
    return [(f"lee{i}", t) for i, t in enumerate(_lines("lee.cor", "latin-1"))]


@pytest.fixture(scope="module")
def model(background, lee):
    base = paravec.train(
        [TaggedDocument(tokenize(t), [tag]) for tag, t in background],
        vector_size=50,
        epochs=20,
        min_count=2,
        dm=0,
        dbow_words=1,
        seed=3,
        workers=1,  # one thread: the same model in every run, so the margins below are not luck
    )
    paravec.update(
        base, [TaggedDocument(tokenize(t), [tag]) for tag, t in lee], min_count=2, seed=3, workers=1
    )
    return base


@pytest.fixture(scope="module")
def idx(tmp_path_factory, model, background, lee) -> SearchIndex:
    folder = tmp_path_factory.mktemp("document")
    paravec.save(model, folder / "lee.model")
    return SearchIndex.build(folder / "lee.model", background + lee, folder / "lee.index")


def _lee_pearson(idx: SearchIndex, lee, **search) -> float:
    """Pearson of the scores each article gives the other 49 with the human judgments."""
    human = datasets.lee_similarities()
    pos = {tag: i for i, (tag, _t) in enumerate(lee)}
    sims = np.zeros((len(lee), len(lee)))
    for i, (_tag, text) in enumerate(lee):
        for hit in idx.search(text, k=len(idx), **search):
            if hit.tag in pos:
                sims[i, pos[hit.tag]] = hit.score
    sims = (sims + sims.T) / 2
    iu = np.triu_indices(len(lee), 1)
    return float(np.corrcoef(sims[iu], human[iu])[0, 1])


# -- the measures ----------------------------------------------------------------------------------


def test_tfidf_rows_are_gensims_tfidf(background):
    docs = [tokenize(t) for _tag, t in background[:60]]
    dictionary = corpora.Dictionary(docs)
    tfidf = models.TfidfModel(dictionary=dictionary)
    expected = np.zeros((len(docs), len(dictionary)))
    for r, doc in enumerate(docs):
        for term_id, weight in tfidf[dictionary.doc2bow(doc)]:
            expected[r, term_id] = weight
    df = Counter(w for doc in docs for w in set(doc))
    terms, rows = tfidf_rows(docs, df, len(docs))
    columns = [dictionary.token2id[t] for t in terms]
    assert np.allclose(rows, expected[:, columns], atol=1e-6)
    # Terms of every document weigh 0 in both, so no column is lost.
    assert np.allclose(expected[:, [i for i in range(len(dictionary)) if i not in set(columns)]], 0)
    # A word no indexed document has cannot match one: it is left out.
    terms2, rows2 = tfidf_rows([docs[0] + ["zzqx"]], df, len(docs))
    assert "zzqx" not in terms2 and np.isclose(np.linalg.norm(rows2[0]), 1.0)


def test_soft_cosines_are_the_full_matrix_formula(model, lee):
    docs = [tokenize(t) for _tag, t in lee[:8]] + [["zzqx", "zzqy"]]
    df = Counter(w for doc in docs for w in set(doc))
    terms, rows = tfidf_rows(docs, df, len(docs))
    vectors = np.array(
        [
            model.wv[t] / np.linalg.norm(model.wv[t]) if t in model.wv else np.zeros(model.vector_size)
            for t in terms
        ]
    )
    cos = vectors @ vectors.T
    full = np.where(cos >= SOFT_THRESHOLD, cos, 0.0) ** 2
    np.fill_diagonal(full, 1.0)
    for i in range(len(docs)):
        expected = [(rows[i] @ full @ r) / np.sqrt((rows[i] @ full @ rows[i]) * (r @ full @ r)) for r in rows]
        assert np.allclose(soft_cosines(rows[i], rows, terms, model.wv), expected, atol=1e-5)
    # Words the model does not know still match themselves.
    assert soft_cosines(rows[-1], rows[-1:], terms, model.wv)[0] == pytest.approx(1.0)


def test_soft_cosine_counts_related_words_tfidf_does_not(model):
    word = "fire"
    near, cosine = model.wv.most_similar(word, topn=1)[0]
    assert cosine >= SOFT_THRESHOLD
    df = {word: 1, near: 1, "cricket": 1}
    terms, rows = tfidf_rows([[word], [near], ["cricket"]], df, 10)
    assert rows[0] @ rows[1] == 0
    soft = soft_cosines(rows[0], rows[1:], terms, model.wv)
    assert soft[0] == pytest.approx(cosine**2, abs=1e-5)
    assert soft[0] > soft[1]


def test_calibration_is_z_scores_and_falls_back_to_the_identity():
    rng = np.random.default_rng(0)
    samples = rng.normal([[0.1], [0.7], [0.4]], [[0.02], [0.1], [0.2]], size=(3, 500))
    calibration = Calibration.from_samples(samples)
    assert calibration.pairs == 500
    assert np.allclose(calibration.mean, samples.mean(axis=1))
    assert np.allclose(calibration.sd, samples.std(axis=1))
    assert calibration.z(samples).mean() == pytest.approx(0.0, abs=1e-9)
    assert calibration.z(samples).std() > 0.5
    # One pair (or none) cannot be scaled; a constant measure is left unscaled.
    assert Calibration.from_samples(samples[:, :1]) == Calibration(pairs=1)
    flat = Calibration.from_samples(np.vstack([samples[:2], np.full((1, 500), 0.3)]))
    assert flat.sd[2] == 1.0 and flat.mean[2] == pytest.approx(0.3)


def test_calibrated_fusion_beats_each_measure_and_the_plain_mean(model, lee):
    """Each measure alone and an uncalibrated mean (the widest-spread measure dominates) lose to it."""
    docs = [tokenize(t) for _tag, t in lee]
    background = [tokenize(t) for t in _lines("lee_background.cor")]
    df = Counter(w for doc in background + docs for w in set(doc))
    n = len(background) + len(docs)
    vectors = np.vstack([model.dv[tag] for tag, _t in lee])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    measures = np.stack(
        [similarities(docs[i], docs, vectors @ vectors[i], df, n, model.wv) for i in range(len(docs))]
    )
    human = datasets.lee_similarities()
    iu = np.triu_indices(len(docs), 1)

    def pearson(sims):
        return float(np.corrcoef(sims[iu], human[iu])[0, 1])

    alone = [pearson(measures[:, m, :]) for m in range(3)]
    samples = np.vstack([measures[:, m, :][~np.eye(len(docs), dtype=bool)] for m in range(3)])
    fused = pearson(
        np.stack(
            [
                document_scores(
                    docs[i], docs, vectors @ vectors[i], df, n, model.wv, Calibration.from_samples(samples)
                )
                for i in range(len(docs))
            ]
        )
    )
    plain = pearson(measures.mean(axis=1))
    assert fused > max(alone) + 0.01, (fused, alone)
    assert fused > plain + 0.03, (fused, plain)


# -- the search mode -------------------------------------------------------------------------------


def test_document_mode_agrees_with_people_better_than_the_other_modes(idx, lee):
    document = _lee_pearson(idx, lee, mode="document")
    others = {mode: _lee_pearson(idx, lee, mode=mode) for mode in ("hybrid", "keyword", "vector")}
    assert all(document > score + 0.02 for score in others.values()), (document, others)


def test_document_scores_are_the_mean_z_score_of_the_three_measures(idx, lee, background, model, monkeypatch):
    query = lee[7][1]
    # The plain cosine of the unmoved query (the defaults: second-order, with feedback; test_second_order.py).
    plain = {"similarity": "cosine", "feedback": 0}
    # Vector mode below infers with the epochs document mode infers its query with.
    monkeypatch.setattr(idx, "infer_epochs", document_epochs(model, None))
    hits = idx.search(query, mode="document", k=20, **plain)
    assert hits[0].tag == lee[7][0]  # its own text is the most alike
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    calibration = idx.calibration()
    assert calibration.pairs == 64 * 63
    texts = dict(background + lee)
    words = tokenize(query)
    candidates = [tokenize(texts[h.tag]) for h in hits]
    # The index counts a word's documents by the word as written, not by its stem.
    df = Counter(w for _tag, t in background + lee for w in set(tokenize(t)))
    cosines = {h.tag: h.score for h in idx.search(query, mode="vector", k=len(idx), similarity="cosine")}
    expected = document_scores(
        words,
        candidates,
        np.array([cosines[h.tag] for h in hits]),
        df,
        len(background) + len(lee),
        model.wv,
        calibration,
    )
    assert [h.score for h in hits] == pytest.approx(expected.tolist(), abs=1e-4)
    # Deterministic: the same document gets the same scores again.
    assert [(h.tag, h.score) for h in idx.search(query, mode="document", k=20, **plain)] == [
        (h.tag, h.score) for h in hits
    ]


def test_document_mode_follows_a_sync(tmp_path, model, background, lee):
    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", background[:100], tmp_path / "i")
    before = index.search(lee[0][1], mode="document", k=5)
    calibration = index.calibration()
    index.sync(model, background[:100] + lee)
    after = index.search(lee[0][1], mode="document", k=5)
    assert after[0].tag == lee[0][0] and lee[0][0] not in [h.tag for h in before]
    assert index.calibration() != calibration


def test_document_mode_takes_long_texts_and_refuses_empty_ones(idx, lee):
    long_text = " ".join(t for _tag, t in lee[:25])
    assert len(long_text) > MAX_QUERY_CHARS
    with pytest.raises(ParameterError, match="query"):
        idx.search(long_text, mode="hybrid")
    assert idx.search(long_text, mode="document", k=3)
    with pytest.raises(ParameterError):
        idx.search("  ,;  ", mode="document")
    # Words the model does not know: the keyword side still finds nothing, and nothing breaks.
    assert idx.search("zzqx zzqy", mode="document") == []


def test_a_reopened_index_gives_the_same_document_scores(tmp_path, model, lee, background):
    paravec.save(copy.deepcopy(model), tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", background + lee, tmp_path / "i")
    first = [(h.tag, round(h.score, 6)) for h in index.search(lee[3][1], mode="document", k=10)]
    again = SearchIndex.open(tmp_path / "i")
    assert [(h.tag, round(h.score, 6)) for h in again.search(lee[3][1], mode="document", k=10)] == first
