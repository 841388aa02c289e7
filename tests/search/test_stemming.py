"""Issue 16, item 6: keyword search finds the other inflections of an English word (Snowball stems)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("tantivy")

import paravec


def _keyword(index, query, k=3):
    return [hit.tag for hit in index.search(query, mode="keyword", k=k)]


def test_an_english_index_finds_the_other_inflections_of_a_word(idx, text_of):
    # Issue 16, item 6: "bushfires" did not find the "bushfire" article (bg9 has only the singular).
    assert "bushfires" not in paravec.tokenize(text_of("bg9"))
    assert "bg9" in _keyword(idx, "bushfires", k=5)
    [hit] = [h for h in idx.search("bushfires", mode="keyword", k=5) if h.tag == "bg9"]
    assert [hit.snippet[a:b].lower() for a, b in hit.highlights] == ["bushfire"] * len(hit.highlights)
    manifest = json.loads((idx.path / "manifest.json").read_text())
    assert manifest["analyzer"] == {
        "language": "en",
        "stemmer": "english",
        "stop_words": False,
        "compounds": False,
        "exact_forms": True,
        "stem_passes": 1,
    }
