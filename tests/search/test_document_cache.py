"""What document mode keeps of each indexed document per index version gives the scores it
would compute afresh, and ranking keeps BLAS to the calling thread.

The index holds lee_background.cor; lee.cor articles and indexed articles query it by their text.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tantivy")

from threadpoolctl import threadpool_info

from paravec.errors import ParameterError
from paravec.linalg import limited_blas
from paravec.search import SearchIndex, ranking
from paravec.search.document_cache import DocumentCache
from paravec.search.similarity import similarities
from paravec.tokenizer import tokenize


def _blas_threads() -> list[int]:
    return [int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_cached_measures_equal_the_reference_formula(idx, model, texts, new_texts):
    view = idx.backend.view()
    cache = DocumentCache(view, model.wv)
    slots = list(range(0, 300, 3))
    found = cache.candidates(slots)
    assert found.slots == slots
    by_tag = dict(texts)
    candidates = [tokenize(by_tag[view.tag(slot) or ""]) for slot in slots]
    for _tag, query in new_texts[:5] + texts[10:12]:
        words = tokenize(query)
        cosines = np.linspace(-0.2, 0.9, len(slots))
        df, n = view.document_frequencies(words + [w for c in candidates for w in c])
        expected = similarities(words, candidates, cosines, df, n, model.wv)
        got = cache.measures(cache.query_row(words), found, cosines)
        assert got.shape == expected.shape == (3, len(slots))
        # Both take word cosines from float32 products of different shapes: equal to ~1e-8, but
        # for a word pair that rounds to either side of the soft cosine's threshold.
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3)
        assert got[0].max() > 0.05 and got[1].max() > 0.3  # real overlaps, not all zeros


def test_scores_from_a_warm_cache_equal_a_fresh_index(built, new_texts, texts, assert_same_ranking):
    queries = [t for _tag, t in new_texts[:4] + texts[40:42]]
    warm = SearchIndex.open(built.path)
    for q in queries:  # fill the cache with these queries' candidates
        warm.search(q, mode="document", k=20)
    for q in queries:
        fresh = SearchIndex.open(built.path)
        expected = [(h.tag, h.score) for h in fresh.search(q, mode="document", k=20)]
        assert_same_ranking([(h.tag, h.score) for h in warm.search(q, mode="document", k=20)], expected)


def test_the_cache_is_kept_per_index_version(tmp_path, model, texts):
    import paravec

    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", texts[:150], tmp_path / "i")
    index.search(texts[0][1], mode="document")
    first = index._documents.get(index.backend.view(), model.wv)
    assert index._documents.get(index.backend.view(), model.wv) is first
    index.sync(model, texts[:200])
    # A sync changes N and document frequencies: the next query computes rows afresh.
    second = index._documents.get(index.backend.view(), model.wv)
    assert second is not first
    assert [h.tag for h in index.search(texts[160][1], mode="document", k=1)] == [texts[160][0]]


def test_ranking_runs_blas_on_one_thread(idx, new_texts, monkeypatch):
    if not _blas_threads() or max(_blas_threads()) < 2:
        pytest.skip("BLAS runs on one thread here anyway")
    seen: list[list[int]] = []
    best = DocumentCache.best

    def spy(self, *args, **kwargs):
        seen.append(_blas_threads())
        return best(self, *args, **kwargs)

    monkeypatch.setattr(DocumentCache, "best", spy)
    before = _blas_threads()
    idx.search(new_texts[0][1], mode="document")
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    assert _blas_threads() == before  # restored after


def test_limited_blas_restores_only_when_the_last_user_leaves():
    # Blocks of two threads overlap like these: the first to leave must not lift the limit.
    if not _blas_threads() or max(_blas_threads()) < 2:
        pytest.skip("BLAS runs on one thread here anyway")
    before = _blas_threads()
    first, second = limited_blas(), limited_blas()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert max(_blas_threads()) == 1
    second.__exit__(None, None, None)
    assert _blas_threads() == before


class _Counting:
    """An index view that records which words it was asked the document frequencies of."""

    def __init__(self, view):
        self.view = view
        self.asked: list[str] = []

    def document_frequencies(self, words):
        words = list(words)
        self.asked += words
        return self.view.document_frequencies(words)

    def texts(self, tags):
        return self.view.texts(tags)

    def tag(self, slot):
        return self.view.tag(slot)


def test_each_words_frequency_is_asked_of_the_index_once(idx, model, new_texts):
    view = idx.backend.view()
    counting = _Counting(view)
    cache = DocumentCache(counting, model.wv)
    words = tokenize(new_texts[3][1])
    assert cache.document_frequencies(words) == view.document_frequencies(words)
    assert sorted(counting.asked) == sorted(set(words))
    cache.query_row(words)
    cache.rows(list(range(40)))
    # The terms the query and the rows needed were looked up once, with the key terms before them.
    assert len(counting.asked) == len(set(counting.asked))
    before = len(counting.asked)
    assert ranking.key_terms(words, cache, 20) == ranking.key_terms(words, view, 20)
    assert len(counting.asked) == before


def test_rows_built_together_equal_rows_built_alone(idx, model):
    view = idx.backend.view()
    cache = DocumentCache(view, model.wv)
    words = tokenize("the government said on tuesday")
    together = cache.candidates(range(0, 120, 2))
    # Soft norms are computed when a soft cosine needs them, all of them here.
    cache.measures(cache.query_row(words), together, np.zeros(len(together)))
    kept = cache.rows(range(0, 120, 2))
    for slot in (0, 58, 118):
        alone_cache = DocumentCache(view, model.wv)
        alone = alone_cache.candidates([slot])
        assert np.isnan(alone.norms[0])
        alone_cache.measures(alone_cache.query_row(words), alone, [0.0])
        assert alone_cache.rows([slot])[slot].norm == kept[slot].norm >= 1.0
        np.testing.assert_array_equal(alone.row(0).weights, kept[slot].weights)


def test_pruned_scoring_keeps_the_k_best_with_their_scores(idx, model, texts, new_texts, score_tolerance):
    # Every indexed article is a candidate: the soft cosine is computed only for those that can
    # still reach the k best, and those get the scores of the full computation.
    view = idx.backend.view()
    cache = DocumentCache(view, model.wv)
    calibration = idx.calibration()
    z = calibration.z
    found = cache.candidates(range(len(texts)))
    computed = 0
    for _tag, text in new_texts[:6] + texts[7:9]:
        words = tokenize(text)
        query = cache.query_row(words)
        cosines = np.linspace(-0.1, 0.8, len(found))
        full = z(cache.measures(query, found, cosines))
        for k in (1, 10, 40):
            kept, scores = cache.best(query, found, cosines, calibration, k)
            # Equal but for float32 rounding and the threshold it may flip (`assert_same_ranking`).
            np.testing.assert_allclose(scores, full[kept], rtol=0, atol=score_tolerance)
            best_k = np.argsort(-full, kind="stable")[:k]
            assert set(best_k.tolist()) <= set(kept.tolist())
            computed += len(kept) if k == 10 else 0
    assert computed < 0.5 * 8 * len(found)  # most soft cosines were not needed for the top 10


def test_search_with_pruning_equals_search_without(built, new_texts, texts, monkeypatch, assert_same_ranking):
    queries = [t for _tag, t in new_texts[10:14] + texts[50:52]]
    index = SearchIndex.open(built.path)
    pruned = [
        [(h.tag, h.score) for h in index.search(q, mode="document", k=k)] for q in queries for k in (3, 10)
    ]

    def every(self, query, found, cosines, calibration, k):
        return np.arange(len(found)), calibration.z(self.measures(query, found, cosines))

    monkeypatch.setattr(DocumentCache, "best", every)
    index = SearchIndex.open(built.path)
    full = [
        [(h.tag, h.score) for h in index.search(q, mode="document", k=k)] for q in queries for k in (3, 10)
    ]
    for got, expected in zip(pruned, full, strict=True):
        assert_same_ranking(got, expected)
    assert all(len(hits) in (3, 10) for hits in full)


def test_warm_computes_every_row_and_norm_a_query_would(built, new_texts, monkeypatch):
    index = SearchIndex.open(built.path)
    assert index.warm() == len(index)
    view = index.backend.view()
    cache = index._documents.get(view, index.model.wv, index._encoder.analysis)
    warmed = cache.rows(range(len(index)))
    assert len(warmed) == len(index) and not any(np.isnan(row.norm) for row in warmed.values())
    assert cache._n_rows == len(index)
    # The same norms as a cache whose queries compute them one candidate at a time.
    lazy = DocumentCache(view, index.model.wv, index._encoder.analysis)
    for slot in (0, 17, len(index) - 1):
        lazy.measures(
            lazy.query_row(tokenize("the government said on tuesday")), lazy.candidates([slot]), [0.0]
        )
        # The same norm but for float32 rounding and the threshold it may flip (a block alone, or
        # among the warm-up's, with BLAS as set).
        assert lazy.rows([slot])[slot].norm == pytest.approx(warmed[slot].norm, rel=1e-3)
        assert warmed[slot].norm >= 1.0
    # The warmed version's queries compute no candidate's row and no candidate's norm (only
    # the query's own).
    fail = lambda *a, **k: pytest.fail("a candidate's row or norm was computed")  # noqa: E731
    monkeypatch.setattr(DocumentCache, "keep_norms", fail)
    monkeypatch.setattr(DocumentCache, "_compute", fail)
    monkeypatch.setattr(view, "texts", fail)
    for _tag, text in new_texts[:3]:
        assert index.search(text, mode="document", k=5)


def test_warm_stops_at_its_limit_and_when_a_newer_version_replaces_it(built, texts):
    index = SearchIndex.open(built.path)
    assert index.warm(documents=0) == 0
    view = index.backend.view()
    assert index._calibrations._cached[True][0] is view  # the calibration was measured all the same
    assert view._postings is not None  # and the keyword side's postings made
    cache = index._documents.get(view, index.model.wv, index._encoder.analysis)
    assert cache._n_rows == 0
    assert index.warm(documents=40) == 40 and cache._n_rows == 40
    with pytest.raises(ParameterError, match="documents must be a non-negative integer"):
        index.warm(documents=-1)
    retired = DocumentCache(view, index.model.wv, index._encoder.analysis)
    retired.retired = True
    assert retired.warm() == 0 and retired._n_rows == 0


def test_warmed_rows_stay_when_the_cache_fills_up(idx, model, monkeypatch):
    import paravec.search.document_cache as document_cache

    monkeypatch.setattr(document_cache, "_MAX_DOCUMENTS", 60)
    cache = DocumentCache(idx.backend.view(), model.wv)
    assert cache.warm(limit=40) == 40
    warmed = cache.rows(range(40))
    cache.candidates(range(40, 60))  # fills the cache
    later = cache.candidates(range(50, 60))
    # Ten more, asked with ten of the later ones: the later rows go, the warmed ones stay, and
    # every document asked has its row.
    both = cache.candidates([*range(55, 60), *range(60, 70), 3])
    assert both.slots == [*range(55, 70), 3]
    assert cache._n_rows == 55 and (cache._row_of[:40] == np.arange(40)).all()
    assert (cache._row_of[40:55] == -1).all() and (cache._row_of[55:70] >= 40).all()
    kept = cache.rows(range(40))
    assert all(
        np.array_equal(kept[s].weights, warmed[s].weights) and kept[s].norm == warmed[s].norm for s in kept
    )
    # A norm computed for rows gathered before the cache was emptied is not kept: their places
    # hold other documents' rows now.
    cache.keep_norms(later, np.arange(len(later)), np.full(len(later), 7.0))
    assert not (cache._norms[: cache._n_rows] == 7.0).any()


def test_document_mode_measures_each_candidates_vector_similarity_once(built, new_texts, monkeypatch):
    index = SearchIndex.open(built.path)
    text = new_texts[3][1]
    expected = [(h.tag, h.score) for h in index.search(text, mode="document", k=10)]
    asked: list[int] = []
    real = ranking._similarities

    def counting(view, metric, query_vector, slots):
        asked.extend(slots)
        return real(view, metric, query_vector, slots)

    monkeypatch.setattr(ranking, "_similarities", counting)
    assert [(h.tag, h.score) for h in index.search(text, mode="document", k=10)] == expected
    assert asked and len(asked) == len(set(asked))  # the vector candidates' are reused, not recomputed
