"""Document mode's keyword candidates: the query's heaviest words, each weighted by its TF-IDF.

The index holds lee_background.cor; its articles and lee.cor's query it by their text.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tantivy")

from paravec.search import ranking
from paravec.search.analyzer import LEGACY, KeywordAnalyzer
from paravec.search.postings import bm25_idf
from paravec.search.similarity import tfidf_rows
from paravec.search.text import TextStore
from paravec.tokenizer import tokenize

ENGLISH = {"stemmer": "english", "stop_words": False, "compounds": False, "exact_forms": True}


def test_document_terms_are_the_querys_own_tfidf_weights(idx, new_texts):
    view = idx.backend.view()
    for _tag, text in new_texts[:5]:
        words = tokenize(text)
        weights = ranking.document_terms(words, view, 20)
        df, n = view.document_frequencies(words)
        terms, rows = tfidf_rows([words], df, n)
        row = dict(zip(terms, rows[0] / rows[0].max(), strict=True))
        assert len(weights) == 20
        assert list(weights.values()) == sorted(weights.values(), reverse=True)  # heaviest first
        assert [weights[t] for t in weights] == pytest.approx([row[t] for t in weights], rel=1e-12)
        assert max(row[t] for t in row if t not in weights) <= min(weights.values()) + 1e-12
        assert max(weights.values()) == 1.0 and len(set(words)) > 20


@pytest.mark.parametrize("settings", [ENGLISH, LEGACY])
def test_weighted_search_ranks_by_each_words_weight(tmp_path, settings):
    store = TextStore.create(tmp_path, KeywordAnalyzer(settings))
    store.add([(0, "a", "", "The launch of the shuttle."), (1, "b", "", "Apples and pears, apples.")])
    assert [slot for slot, _ in store.search_weighted({"shuttle": 1.0, "apples": 0.1}, 2)] == [0, 1]
    assert [slot for slot, _ in store.search_weighted({"shuttle": 0.1, "apples": 1.0}, 2)] == [1, 0]
    assert store.search_weighted({"zzqx": 1.0, "shuttle": 0.0}, 2) == []


def test_weighted_search_counts_words_as_written(tmp_path):
    # The words document mode's TF-IDF weighs: "launches" is not "launch" there, as in its counts.
    store = TextStore.create(tmp_path, KeywordAnalyzer(ENGLISH))
    store.add([(0, "a", "", "The shuttle launches today."), (1, "b", "", "A launch, delayed.")])
    assert [slot for slot, _ in store.search_weighted({"launches": 1.0}, 2)] == [0]


def test_document_mode_takes_its_keyword_ranking_from_the_weighted_words(idx, texts):
    view = idx.backend.view()
    for tag, text in texts[20:23]:
        weights = ranking.document_terms(tokenize(text), view, ranking.MAX_DOCUMENT_TERMS)
        expected = [view.tag(slot) for slot, _score in view.document_candidates(weights, 100)]
        hits = idx.search(text, mode="document", k=20)
        assert hits[0].tag == tag and expected[0] == tag
        ranked = {h.tag: h.keyword_rank for h in hits if h.keyword_rank is not None}
        assert len(ranked) >= 10
        assert all(expected[r - 1] == t for t, r in ranked.items())
        # The snippets highlight the query's heaviest words.
        spans = {hits[0].snippet[a:b].lower() for a, b in hits[0].highlights}
        assert spans and all(any(s.startswith(w[:4]) for w in weights) for s in spans)


def test_heavy_words_find_what_the_formula_ranks_first(idx, new_texts):
    # Over the 300 articles, the formula's own top 10 among every document (the reference) is
    # found by 100 weighted keyword candidates with the vector candidates at least as well as
    # by the three-field query over the highest (1 + log tf) x idf words it replaced.
    view = idx.backend.view()
    cache = idx._documents.get(view, idx.model.wv, idx._encoder.analysis)
    calibration = idx.calibration()
    every = list(range(len(view)))
    found = {"weighted": 0, "before": 0}
    for _tag, text in new_texts[:12]:
        words = idx._encoder.analysis(text)
        vector = idx._encoder.infer(words)
        query = cache.query_row(words)

        def top(slots, query=query, vector=vector):
            found = cache.candidates(dict.fromkeys(slots))
            cosines = ranking._cosines(view, vector, found.slots)
            z = calibration.z(cache.measures(query, found, cosines))
            return {found.slots[i] for i in np.argsort(-z, kind="stable")[:10]}

        reference = top(every)
        near = [slot for slot, _ in view.vector_candidates(vector, 30)]
        weights = ranking.document_terms(tokenize(text), view, ranking.MAX_DOCUMENT_TERMS)
        terms = ranking.key_terms(tokenize(text), view, ranking.MAX_QUERY_TERMS)
        weighted = [slot for slot, _ in view.document_candidates(weights, 30)]
        before = [slot for slot, _ in view.keyword_candidates(terms, {}, 30)]
        found["weighted"] += len(top(weighted + near) & reference)
        found["before"] += len(top(before + near) & reference)
    assert found["weighted"] >= found["before"], found
    assert found["weighted"] >= 0.8 * 12 * 10, found


def test_document_mode_asks_each_side_for_its_own_number_of_candidates(idx, texts, monkeypatch):
    # Document mode scores each candidate with its words, so it takes `document_candidates` from
    # each ranking (25); hybrid's fusion takes `candidates` (100).
    view = idx.backend.view()
    asked: list[tuple[str, int]] = []
    keyword, vector = view.document_candidates, view.vector_candidates

    def keyword_side(weights, n):
        asked.append(("keyword", n))
        return keyword(weights, n)

    def vector_side(query, n, **kwargs):
        asked.append(("vector", n))
        return vector(query, n, **kwargs)

    monkeypatch.setattr(view, "document_candidates", keyword_side)
    monkeypatch.setattr(view, "vector_candidates", vector_side)
    text = dict(texts)["bg40"]
    hits = idx.search(text, mode="document", k=10, feedback=0)
    assert asked == [("keyword", 25), ("vector", 25)] and hits[0].tag == "bg40"
    assert max(h.keyword_rank or 0 for h in hits) <= 25 and max(h.vector_rank or 0 for h in hits) <= 25
    asked.clear()
    monkeypatch.setattr(idx, "document_candidates", 120)
    wider = idx.search(text, mode="document", k=10, feedback=0)
    assert asked == [("keyword", 120), ("vector", 120)] and wider[0].tag == "bg40"
    asked.clear()
    idx.search("bushfires near Sydney", mode="hybrid", k=10, similarity="second_order", feedback=0)
    assert ("vector", 100) in asked


def test_words_that_cannot_move_a_candidate_are_left_out(idx, new_texts):
    # A function word is in nearly every article: its BM25 idf is near 0, so whatever its weight
    # it adds a sliver to any document's sum while its posting list spans the index. The lightest
    # words go while all they can add (weight x idf x (k1 + 1) each) stays under 1% of what the
    # heaviest can add, and no candidate's score moves by more than that.
    view = idx.backend.view()
    n = len(view)
    dropped = 0
    for _tag, text in new_texts[:8]:
        words = tokenize(text)
        every = ranking.document_terms(words, view, 10_000, min_share=0.0)
        kept = ranking.document_terms(words, view, 10_000)
        df, _n = view.document_frequencies(every)
        reach = {w: every[w] * bm25_idf(df[w], n) for w in every}
        left_out = [w for w in every if w not in kept]
        assert list(kept) == [w for w in every if w in kept]  # heaviest first still
        assert kept == pytest.approx({w: every[w] for w in kept}, rel=1e-12)  # weights unchanged
        assert sum(reach[w] for w in left_out) <= 0.01 * max(reach.values())
        assert max((reach[w] for w in left_out), default=0.0) <= min(reach[w] for w in kept)
        dropped += len(left_out)
        full = dict(view.document_candidates(every, n))
        pruned = dict(view.document_candidates(kept, n))
        slack = 2.2 * sum(reach[w] for w in left_out) + 1e-4  # k1 + 1 = 2.2 in tantivy's BM25
        assert set(pruned) <= set(full)
        assert all(0 <= full[s] - pruned[s] <= slack for s in pruned)
    # Long news articles have such words ("the": in every article), and the rule keeps most words.
    assert 8 <= dropped <= 8 * 20
