"""paravec/search/second_order.py and ``search(..., similarity=...)`` on the Lee corpus.

The index holds lee_background.cor (300 articles, the model's corpus) and lee.cor (50 articles
with human similarity judgments, added with `paravec.update`); each lee.cor article queries it by
its whole text, as in ``benchmarks/keyword_gain.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tantivy")

from scipy.stats import spearmanr

import paravec
from paravec import datasets
from paravec.errors import ParameterError
from paravec.linalg import unit_rows
from paravec.search import SearchIndex
from paravec.search.second_order import CollectionMetric, MetricCache
from paravec.tokenizer import tokenize


@pytest.fixture(scope="module")
def lee_index(tmp_path_factory, updated, texts, new_texts) -> SearchIndex:
    both = updated(new_texts)
    folder = tmp_path_factory.mktemp("second_order")
    paravec.save(both, folder / "lee.model")
    return SearchIndex.build(folder / "lee.model", texts + new_texts, folder / "lee.index", model=both)


def _all_vectors(index: SearchIndex) -> np.ndarray:
    view = index.backend.view()
    return view.unit_vectors([view.slot(tag) for tag in view.tags()])


def test_similarity_is_the_correlation_of_cosine_profiles_over_the_index(lee_index, new_texts):
    docs = _all_vectors(lee_index)
    metric = CollectionMetric.of_vectors(docs, shrinkage=0.0)
    query = unit_rows(lee_index._infer(tokenize(new_texts[3][1])))[0].astype(np.float64)
    profiles = docs.astype(np.float64) @ np.vstack([query, docs[:20]]).T
    expected = np.corrcoef(profiles.T)[0, 1:]
    assert np.allclose(metric.similarities(query, docs[:20]), expected, atol=1e-5)
    # Shrinkage moves it towards the plain cosine, and a collection of one has only the cosine.
    plain = docs[:20] @ query
    shrunk = CollectionMetric.of_vectors(docs, shrinkage=100.0).similarities(query, docs[:20])
    assert np.abs(shrunk - plain).max() < np.abs(expected - plain).max() / 10
    single = CollectionMetric.of_vectors(docs[:1])
    assert single.root is None and np.allclose(single.similarities(query, docs[:20]), plain, atol=1e-6)


def test_the_cache_measures_once_per_view(lee_index):
    cache = MetricCache()
    view = lee_index.backend.view()
    first = cache.get(view)
    assert cache.get(view) is first and first.documents == len(view)


def test_vector_mode_reranks_the_nearest_by_second_order_similarity(lee_index, new_texts):
    query = new_texts[10][1]
    view = lee_index.backend.view()
    vector = lee_index._infer(tokenize(query))
    nearest = [slot for slot, _c in view.vector_candidates(vector, lee_index.candidates, exact=True)]
    metric = CollectionMetric.of_vectors(_all_vectors(lee_index))
    sims = metric.similarities(vector, view.unit_vectors(nearest))
    expected = [view.tag(nearest[i]) for i in np.argsort(-sims, kind="stable")[:10]]
    hits = lee_index.search(query, mode="vector", k=10, similarity="second_order")
    assert [h.tag for h in hits] == expected
    assert [h.score for h in hits] == pytest.approx(np.sort(sims)[::-1][:10], abs=1e-5)
    plain = lee_index.search(query, mode="vector", k=10)  # the default in vector mode
    assert [h.tag for h in plain] == [view.tag(s) for s in nearest[:10]]


def _per_query_spearman(index: SearchIndex, lee, **search) -> float:
    """Mean over the 50 articles of the Spearman correlation of their scores for the other 49 with people."""
    human = datasets.lee_similarities()
    pos = {tag: i for i, (tag, _t) in enumerate(lee)}
    values = []
    for i, (_tag, text) in enumerate(lee):
        scores = np.full(len(lee), np.nan)
        hits = index.search(text, k=len(index), **search)
        for hit in hits:
            if hit.tag in pos:
                scores[pos[hit.tag]] = hit.score
        scores[np.isnan(scores)] = min(h.score for h in hits) - 1.0
        others = [j for j in range(len(lee)) if j != i]
        values.append(spearmanr(scores[others], human[i, others]).statistic)
    return float(np.mean(values))


def test_second_order_tracks_people_at_least_as_well_as_the_cosine(lee_index, new_texts):
    """Second-order against the plain cosine, on this small model (50 dimensions); document mode's defaults."""
    lee_index.candidates = len(lee_index)  # every article scored, as the benchmark does
    try:
        found = {
            "vector": _per_query_spearman(lee_index, new_texts, mode="vector", similarity="second_order"),
            "vector, cosine": _per_query_spearman(lee_index, new_texts, mode="vector"),
            "document": _per_query_spearman(lee_index, new_texts, mode="document"),
            "document, cosine": _per_query_spearman(
                lee_index, new_texts, mode="document", similarity="cosine", feedback=0
            ),
        }
    finally:
        lee_index.candidates = SearchIndex.candidates
    print(found)
    assert found["vector"] >= found["vector, cosine"], found
    assert found["document"] > found["document, cosine"] + 0.02, found


def test_bad_similarity_is_refused_and_keyword_mode_ignores_it(lee_index):
    with pytest.raises(ParameterError, match="similarity"):
        lee_index.search("bushfires", similarity="euclid")
    keyword = [(h.tag, h.score) for h in lee_index.search("bushfires", mode="keyword")]
    assert [
        (h.tag, h.score) for h in lee_index.search("bushfires", mode="keyword", similarity="cosine")
    ] == keyword
