"""Ranking: keyword, vector, hybrid (convex and RRF fusion), expansion, and what a query may be."""

from __future__ import annotations

import numpy as np
import pytest

from paravec.errors import ParameterError
from paravec.search.analyzer import KeywordAnalyzer
from paravec.search.ranking import FUSION_WEIGHTS, document_epochs, key_terms
from paravec.tokenizer import tokenize

# What the index built for an English model does with words (its default analyzer).
_ENGLISH = KeywordAnalyzer({"stemmer": "english", "stop_words": False, "compounds": False})


def stems(words):
    return {term for word in words for term in _ENGLISH.terms(word)}


def test_keyword_search_finds_documents_with_the_word_and_highlights_it(idx, texts, text_of):
    hits = idx.search("bushfires", mode="keyword", k=10)
    assert hits, "lee_background has several bushfire articles"
    having = {tag for tag, t in texts if "bushfir" in stems(tokenize(t))}  # bushfire, bushfires
    assert {h.tag for h in hits} <= having
    assert len(hits) == min(10, len(having))
    assert [h.keyword_rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.why == "keyword" and h.vector_rank is None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.highlights
        assert all(hit.snippet[a:b].lower() in ("bushfire", "bushfires") for a, b in hit.highlights)
        assert hit.snippet in " ".join(text_of(hit.tag).split()) or hit.snippet in text_of(hit.tag)


def test_keyword_search_treats_query_syntax_as_plain_words(idx):
    hits = idx.search('text:"bushfires" AND (sydney OR [', mode="keyword", k=5)
    assert hits and all(h.highlights for h in hits)


def test_long_queries_keep_their_most_telling_words(idx, texts):
    text = " ".join(t for _tag, t in texts[40:43])
    words = tokenize(text)
    terms = key_terms(words, idx.backend.view(), 64)
    assert len(terms) == 64 < len(set(words))
    assert "the" not in terms and "of" not in terms
    rare = [w for w in set(words) if sum(w in tokenize(t) for _tag, t in texts) == 1]
    assert rare and len(set(rare) & set(terms)) >= min(len(rare), 64) // 2
    assert {h.tag for h in idx.search(text, mode="keyword", k=3)} == {"bg40", "bg41", "bg42"}


def test_vector_search_finds_a_document_from_its_own_text(idx, text_of):
    found = 0
    for tag in ("bg3", "bg50", "bg120", "bg200", "bg280"):
        hits = idx.search(text_of(tag), mode="vector", k=3)
        assert all(h.why == "vector" and h.keyword_rank is None for h in hits)
        assert [h.vector_rank for h in hits] == [1, 2, 3]
        found += tag in [h.tag for h in hits]
    assert found >= 4


def test_the_same_query_gets_the_same_scores(idx):
    """Query inference is seeded from the query: repeated searches agree, model.random is left alone."""
    query = "firefighters battle bushfires near Sydney"
    state = idx.model.random.get_state()[1].copy()
    first = [(h.tag, h.score) for h in idx.search(query, mode="vector", k=10)]
    idx.search("an unrelated query about cricket", mode="vector")
    assert [(h.tag, h.score) for h in idx.search(query, mode="vector", k=10)] == first
    assert np.array_equal(idx.model.random.get_state()[1], state)


@pytest.mark.parametrize(("similarity", "weights"), list(FUSION_WEIGHTS.items()))
def test_hybrid_is_a_convex_combination_of_bm25_and_cosine(idx, similarity, weights):
    query = "firefighters battle bushfires near Sydney"
    bm25 = {h.tag: h.score for h in idx.search(query, mode="keyword", k=idx.candidates)}
    best = max(bm25.values())
    # The vector side's similarity (plain or second-order cosine) of every document.
    cosine = {h.tag: h.score for h in idx.search(query, mode="vector", k=len(idx), similarity=similarity)}
    assert len(cosine) == len(idx)
    hits = idx.search(query, k=2 * idx.candidates, similarity=similarity)
    # Documents only the keyword ranking found still get their exact cosine, not a guess.
    assert any(h.why == "keyword" for h in hits) and any(h.why == "vector" for h in hits)
    for h in hits:
        expected = weights[0] * bm25.get(h.tag, 0.0) / best + weights[1] * cosine[h.tag]
        assert h.score == pytest.approx(expected, abs=1e-5), h
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].why == "both"
    # Only the ratio of the weights matters; a zero weight leaves the other ranking's order.
    doubled = idx.search(
        query, k=10, keyword_weight=2 * weights[0], vector_weight=2 * weights[1], similarity=similarity
    )
    assert [(h.tag, round(h.score, 6)) for h in doubled] == [(h.tag, round(h.score, 6)) for h in hits[:10]]
    only_keyword = idx.search(query, k=10, vector_weight=0.0, similarity=similarity)
    assert [h.tag for h in only_keyword] == list(bm25)[:10]
    assert [h.score for h in only_keyword] == pytest.approx([s / best for s in list(bm25.values())[:10]])
    only_vector = idx.search(query, k=10, keyword_weight=0.0, similarity=similarity)
    # Both rerank the same candidates (the nearest by cosine) by the vector side's similarity.
    assert [h.tag for h in only_vector] == [
        h.tag for h in idx.search(query, mode="vector", k=10, similarity=similarity)
    ]


def test_rrf_fusion_adds_reciprocal_ranks(idx):
    query = "firefighters battle bushfires near Sydney"
    hits = idx.search(query, k=10, fusion="rrf", keyword_weight=1.0, vector_weight=1.0)
    assert {h.why for h in hits} & {"both"}
    for h in hits:
        expected = sum(1.0 / (idx.rrf_k + r) for r in (h.keyword_rank, h.vector_rank) if r is not None)
        assert h.score == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    only_vector = idx.search(query, k=10, fusion="rrf", keyword_weight=0.0)
    assert all(h.why == "vector" for h in only_vector)
    heavy_keyword = idx.search(query, k=5, fusion="rrf", keyword_weight=1000.0)
    keyword = idx.search(query, k=5, mode="keyword")
    assert [h.tag for h in heavy_keyword][:3] == [h.tag for h in keyword][:3]
    with pytest.raises(ParameterError, match="fusion"):
        idx.search(query, fusion="score")


def test_hybrid_falls_back_to_keywords_when_no_word_is_known(idx, model):
    word = "zzqx"
    assert word not in model.wv
    assert idx.search(word) == []
    with pytest.raises(ParameterError, match="vocabulary"):
        idx.search(word, mode="vector")


def test_expansion_adds_the_nearest_words_of_the_query(idx, model, text_of):
    word = "fires"
    plain = idx.search(word, mode="keyword", k=100)
    expanded = idx.search(word, mode="keyword", k=100, expand=True)
    near = {w for w, _ in model.wv.most_similar(word, topn=idx.expand_topn)}
    assert len(plain) < 100 and len(expanded) > len(plain)
    extra = [h for h in expanded if not stems([word]) & stems(tokenize(text_of(h.tag)))]
    assert extra, "expansion should reach documents without the query word"
    for hit in extra:
        assert stems(near) & stems(tokenize(text_of(hit.tag)))
        assert all(stems([hit.snippet[a:b]]) <= stems(near) for a, b in hit.highlights)


@pytest.mark.parametrize("query", ["", "   \t\n", "!!! --- ???", "\x00\x01\x02"])
def test_empty_queries_are_parameter_errors(idx, query):
    with pytest.raises(ParameterError):
        idx.search(query)


def test_oversized_and_odd_queries(idx):
    with pytest.raises(ParameterError, match="characters long"):
        idx.search("fire " * 210_000)
    with pytest.raises(ParameterError, match="must be a str"):
        idx.search(b"fire")
    # Control characters are refused, naming the first (the rule of paravec.search.validate, which
    # the HTTP service follows too); other unprintable characters separate words like spaces.
    with pytest.raises(ParameterError, match="U\\+0000"):
        idx.search("\x00fire\x07\x1b[31m", mode="keyword", k=3)
    assert idx.search("fire\u200b31m", mode="keyword", k=3) == idx.search("fire 31m", mode="keyword", k=3)
    assert isinstance(idx.search("\ud800 fire 🔥 ﷽ ẞ", k=3), list)
    with pytest.raises(ParameterError):
        idx.text_to_words("x" * 200_000)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "bm25"},
        {"k": 0},
        {"k": 10**6},
        {"k": 2.5},
        {"keyword_weight": -1},
        {"vector_weight": float("nan")},
        {"keyword_weight": 0, "vector_weight": 0},
    ],
)
def test_bad_search_parameters(idx, kwargs):
    with pytest.raises(ParameterError):
        idx.search("fire", **kwargs)


@pytest.mark.parametrize(
    ("model_epochs", "infer_epochs", "expected"),
    [(20, None, 10), (10, None, 5), (7, None, 5), (3, None, 3), (20, 7, 7)],
)
def test_document_mode_infers_with_half_the_epochs_but_at_least_five(model_epochs, infer_epochs, expected):
    class Model:
        epochs = model_epochs

    assert document_epochs(Model(), infer_epochs) == expected  # type: ignore[arg-type]


def test_document_queries_and_their_calibration_infer_with_document_epochs(idx, texts, monkeypatch):
    # Document mode's query and the documents that calibrate it are inferred alike, with half the
    # model's epochs; the other modes' queries with the model's own.
    from paravec.search.ranking import QueryEncoder

    seen: list[int | None] = []
    infer_many = QueryEncoder.infer_many

    def spy(self, texts_, epochs=None):
        seen.append(epochs)
        return infer_many(self, texts_, epochs)

    monkeypatch.setattr(QueryEncoder, "infer_many", spy)
    index = type(idx).open(idx.path)
    index.search(texts[3][1], mode="document", k=3)
    assert len(seen) >= 2  # the query and, first, the calibration's documents
    assert set(seen) == {document_epochs(index.model, None)} != {index.model.epochs}
    seen.clear()
    index.search("government", mode="hybrid", k=3)
    assert seen == [None]
