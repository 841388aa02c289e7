"""Search and explore the joint word/document space of a Doc2Vec model that keeps learning.

A :class:`SearchIndex` is a folder next to the model: tantivy for keyword (BM25) ranking, the
model's document vectors for vector ranking (exact, or a usearch ANN graph for large indexes),
hybrid ranking that fuses both scores, document ranking for a query that is a whole document
(TF-IDF, soft and Doc2Vec cosine, :mod:`paravec.search.similarity`), optional query expansion with
the model's nearest words, and exploration (words near a document, documents near a word, ...). After
:func:`paravec.update`, :meth:`SearchIndex.sync` makes the new documents searchable without
rebuilding what did not change. See :mod:`paravec.search.index` for the approach.

Example
-------
>>> from paravec.search import SearchIndex            # doctest: +SKIP
>>> idx = SearchIndex.build("news.model", paravec.corpus.read_texts("news.txt"), "news.index")
>>> for hit in idx.search("space shuttle launch", k=5):
...     print(hit.tag, hit.why, hit.snippet[:60])
>>> idx.words_near_word("shuttle", k=5)
"""

from paravec.search.index import (
    FUSIONS,
    MAX_K,
    MAX_KEY_CHARS,
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    MAX_TEXT_CHARS,
    MODES,
    SearchIndex,
)
from paravec.search.types import Hit, Neighbor, NotFoundError, SyncReport
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD

__all__ = [
    "SearchIndex",
    "Hit",
    "Neighbor",
    "SyncReport",
    "NotFoundError",
    "MODES",
    "FUSIONS",
    "MAX_QUERY_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_KEY_CHARS",
    "MAX_K",
    "MAX_QUERY_TERMS",
    "DEFAULT_ANN_THRESHOLD",
]
