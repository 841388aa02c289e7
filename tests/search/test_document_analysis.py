"""Document mode reads the indexed texts with the model's recorded text analysis, as it reads the
query: a lemmatizing model's documents are compared as lemmas, not as the words written."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tantivy")

from paravec.search.document_cache import DocumentCache, DocumentCaches
from paravec.search.similarity import similarities
from paravec.tokenizer import tokenize


def _singular(text: str) -> list[str]:
    # A stand-in for a lemmatizer: plural forms become the singular the model would hold.
    return [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in tokenize(text)]


def test_documents_are_analysed_like_the_query(idx, model, texts, new_texts):
    view = idx.backend.view()
    cache = DocumentCaches().get(view, model.wv, _singular)
    slots = list(range(0, 300, 7))
    found = cache.candidates(slots)
    by_tag = dict(texts)
    candidates = [_singular(by_tag[view.tag(slot) or ""]) for slot in slots]
    words = _singular(new_texts[0][1])
    cosines = np.linspace(-0.2, 0.9, len(slots))
    df, n = view.document_frequencies(words + [w for c in candidates for w in c])
    expected = similarities(words, candidates, cosines, df, n, model.wv)
    got = cache.measures(cache.query_row(words), found, cosines)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # The texts as written give other measures: the analysis is what made them equal.
    plain = DocumentCache(view, model.wv)
    written = plain.measures(plain.query_row(words), plain.candidates(slots), cosines)
    assert not np.allclose(written, expected, rtol=1e-5, atol=1e-6)


def test_document_mode_uses_the_models_analysis(idx, texts):
    tag, text = texts[5]
    assert idx.search(text, mode="document", k=1)[0].tag == tag
    cached = idx._documents.get(idx.backend.view(), idx.model.wv)
    assert cached.analyse is idx._encoder.analysis
