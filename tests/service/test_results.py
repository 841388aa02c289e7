"""paravec.service.results: index answers as response models (finite scores, snippet parts)."""

from __future__ import annotations

import math

import pytest

from paravec.search import Hit, Neighbor, SyncReport
from paravec.service.results import (
    added_model,
    document_scores,
    finite,
    hit_model,
    snippet_parts,
    word_scores,
)
from paravec.service.state import ServedIndex


@pytest.mark.parametrize(
    ("score", "expected"),
    [(0.5, 0.5), (1, 1.0), (None, None), (math.nan, None), (math.inf, None), (-math.inf, None)],
)
def test_finite(score, expected):
    assert finite(score) == expected


def _parts(snippet, highlights):
    return [(p.text, p.match) for p in snippet_parts(snippet, highlights)]


def test_snippet_parts_join_back_to_the_snippet():
    assert _parts("fire near Sydney", [(0, 4), (10, 16)]) == [
        ("fire", True),
        (" near ", False),
        ("Sydney", True),
    ]
    assert _parts("fire", []) == [("fire", False)]
    assert _parts("", [(0, 3)]) == []


def test_snippet_parts_merge_overlaps_and_clip_spans():
    # overlapping and touching spans merge; spans past the end are clipped; empty ones dropped
    assert _parts("bushfires", [(4, 9), (0, 5), (3, 3), (7, 40), (-2, 1)]) == [("bushfires", True)]
    assert _parts("abcdef", [(4, 99), (1, 2)]) == [("a", False), ("b", True), ("cd", False), ("ef", True)]


def test_hit_model_of_real_hits(lee_index):
    for hit in lee_index.search("bushfires Sydney", mode="hybrid", k=5):
        model = hit_model(hit)
        assert (model.tag, model.title, model.snippet, model.why) == (
            hit.tag,
            hit.title,
            hit.snippet,
            hit.why,
        )
        assert model.highlights == [tuple(span) for span in hit.highlights]
        assert "".join(p.text for p in model.snippet_parts) == hit.snippet
        assert [p.text for p in model.snippet_parts if p.match] == [
            hit.snippet[s:e] for s, e in hit.highlights
        ]


def test_hit_model_turns_odd_scores_into_null():
    hit = Hit("d1", "", "", [], math.nan, 1, None, "keyword")
    assert hit_model(hit).model_dump() == {
        "tag": "d1",
        "title": "",
        "snippet": "",
        "highlights": [],
        "snippet_parts": [],
        "score": None,
        "keyword_rank": 1,
        "vector_rank": None,
        "why": "keyword",
    }


def test_word_and_document_scores(lee_index, lee, lee_title):
    assert [w.model_dump() for w in word_scores([Neighbor("fire", 0.5), Neighbor("smoke", math.nan)])] == [
        {"word": "fire", "score": 0.5},
        {"word": "smoke", "score": None},
    ]
    served = ServedIndex(lee_index).current
    docs = document_scores([Neighbor("lee/003", 0.25), Neighbor("not/indexed", 0.1)], served)
    assert [d.model_dump() for d in docs] == [
        {"tag": "lee/003", "title": lee_title(lee[1]["lee/003"]), "score": 0.25},
        {"tag": "not/indexed", "title": "", "score": 0.1},  # a tag the index cannot name: no title
    ]


def test_added_model():
    report = SyncReport(added=["a"], replaced=["b"], unchanged=3, unindexed=2, seconds=math.inf)
    assert added_model(report).model_dump() == {
        "added": ["a"],
        "removed": [],
        "replaced": ["b"],
        "skipped": [],
        "unchanged": 3,
        "unindexed": 2,
        "seconds": None,
        "version": None,
    }
