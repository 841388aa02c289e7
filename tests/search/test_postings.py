"""The keyword candidates of document mode from the kept words (`paravec.search.postings`).

BM25 term at a time over the index's kept words must rank as the formula does (computed here
word by word from the texts), agree with tantivy's BM25 of the same words but for tantivy's
one-byte document lengths, follow syncs (added, re-texted and removed documents) and step
aside for an index whose kept words are not the words as written.
"""

from __future__ import annotations

import copy
import math
from collections import Counter

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

pytest.importorskip("tantivy")

import paravec
from paravec.analysis import Analysis, record
from paravec.search import SearchIndex, ranking
from paravec.search.postings import BM25_B, BM25_K1, Postings
from paravec.tokenizer import tokenize


def _reference(texts: list[str], weights: dict[str, float]) -> dict[int, float]:
    # BM25 straight from the formula: tantivy's idf, k1 and b over exact document lengths.
    counted = [Counter(tokenize(t)) for t in texts]
    lengths = [sum(c.values()) for c in counted]
    mean = sum(lengths) / len(lengths)
    scores: dict[int, float] = {}
    for word, weight in weights.items():
        holders = [d for d, c in enumerate(counted) if word in c]
        idf = math.log(1 + (len(texts) - len(holders) + 0.5) / (len(holders) + 0.5))
        for d in holders:
            tf = counted[d][word]
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[d] / mean)
            scores[d] = scores.get(d, 0.0) + weight * idf * tf * (BM25_K1 + 1) / (tf + norm)
    return scores


def test_scores_are_the_bm25_formula_over_the_kept_words(idx, texts, new_texts):
    view = idx.backend.view()
    postings = view.postings()
    assert postings is not None and len(postings) == len(texts)
    for _tag, text in new_texts[:6]:
        weights = ranking.document_terms(tokenize(text), view, ranking.MAX_DOCUMENT_TERMS)
        expected = _reference([t for _tag, t in texts], weights)
        got = postings.top(weights, 40)
        best = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:40]
        assert [slot for slot, _s in got] == [slot for slot, _s in best]
        assert [s for _slot, s in got] == pytest.approx([s for _slot, s in best], rel=1e-5)


def test_every_matching_document_when_n_is_large_and_none_for_unknown_words(idx, texts):
    postings = idx.backend.view().postings()
    found = postings.top({"fire": 1.0}, len(texts) + 10)
    holders = [slot for slot, (_tag, t) in enumerate(texts) if "fire" in tokenize(t)]
    assert sorted(slot for slot, _s in found) == holders and len(holders) > 3
    assert postings.document_frequency("fire") == len(holders)
    assert postings.top({"zzqxv": 1.0, "bushfires": 0.0}, 10) == []
    assert postings.top({"bushfires": 1.0}, 0) == []


def test_ties_come_in_slot_order():
    postings = Postings.of_words([["a", "b"], ["c", "d"], ["a", "b"], ["a", "b"]])
    assert [slot for slot, _s in postings.top({"a": 1.0}, 2)] == [0, 2]
    assert [slot for slot, _s in postings.top({"a": 1.0}, 5)] == [0, 2, 3]


def test_agrees_with_tantivys_bm25_of_the_same_words(idx, new_texts):
    # Tantivy keeps a document's length in one byte, so scores differ a little; the texts have
    # no titles, so both count the same words. The candidates are nearly the same.
    view = idx.backend.view()
    postings = view.postings()
    shared = []
    for _tag, text in new_texts[:20]:
        weights = ranking.document_terms(tokenize(text), view, ranking.MAX_DOCUMENT_TERMS)
        ours = dict(postings.top(weights, 25))
        theirs = dict(view._text.search_weighted(weights, 25, view._searcher))
        shared.append(len(set(ours) & set(theirs)) / 25)
        both = sorted(set(ours) & set(theirs))
        assert np.allclose([ours[s] for s in both], [theirs[s] for s in both], rtol=0.1)
    assert np.mean(shared) >= 0.9, shared


def test_document_candidates_follow_a_sync(tmp_path, model, texts):
    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", texts[:40], tmp_path / "i", model=model)
    weights = {"bushfires": 1.0, "sydney": 0.5}
    before = [index.backend.view().tag(s) for s, _x in index.backend.view().document_candidates(weights, 40)]
    holders_before = {t for t, x in texts[:40] if {"bushfires", "sydney"} & set(tokenize(x))}
    gone = min(holders_before - {"bg0"})
    assert set(before) == holders_before and "bg0" in before
    # bg0 gets a text without the words, another holder leaves the model, bg40 and bg41 arrive.
    fewer = copy.deepcopy(model)
    paravec.delete(fewer, [gone])
    new = {"bg0": "Apples and pears.", "bg40": "Bushfires near Sydney, bushfires again.", "bg41": "Nothing."}
    index.sync(fewer, new)
    view = index.backend.view()
    after = [view.tag(slot) for slot, _s in view.document_candidates(weights, 50)]
    assert after[0] == "bg40"
    assert set(after) == (holders_before - {"bg0", gone}) | {"bg40"}
    postings = view.postings()
    assert len(postings) == 41 and postings.document_frequency("apples") >= 1


def test_an_index_that_keeps_lemmas_uses_tantivy(tmp_path, texts):
    pytest.importorskip("simplemma")
    analysis = Analysis(language="en", lemmatize=True)
    lemmatized = [TaggedDocument(analysis(t), [tag]) for tag, t in texts[:60]]
    model = paravec.train(lemmatized, vector_size=20, epochs=2, min_count=1, seed=1, workers=1)
    record(model, analysis)
    paravec.save(model, tmp_path / "m.model")
    index = SearchIndex.build(tmp_path / "m.model", texts[:60], tmp_path / "i")
    view = index.backend.view()
    assert view.forward is not None and view.postings() is None
    weights = {"bushfires": 1.0}
    assert view.document_candidates(weights, 10) == view._text.search_weighted(weights, 10, view._searcher)


def test_the_n_best_are_those_of_a_scan_of_every_document(texts):
    # Thousands of documents make many blocks of slots, of which `top` scans only those that can
    # hold the n best; repeated texts tie across blocks. n as large as the index scans them all.
    words = [tokenize(t) for _tag, t in texts]
    documents = [words[i % len(words)] for i in range(3_000)]
    postings = Postings.of_words(documents)
    for query in (words[0][:30], words[7][:80], ["fire", "sydney"], ["the"]):
        weights = {w: 1.0 / (1 + i) for i, w in enumerate(dict.fromkeys(query))}
        every = postings.top(weights, len(documents))
        for n in (1, 5, 40):
            assert postings.top(weights, n) == every[:n]
    # Ties keep slot order across blocks: each text is repeated every 300 slots.
    tied = postings.top({"bushfires": 1.0}, 10)
    assert [slot % 300 for slot, _s in tied] == [33] * 10
    assert [slot for slot, _s in tied] == list(range(33, 3_000, 300))
