"""Search and explore the joint word/document space of a Doc2Vec model that keeps learning.

A `SearchIndex` is a folder next to the model: keyword ranking (BM25, Robertson &
Zaragoza, 2009, with tantivy), vector ranking by the model's document vectors (Doc2Vec, Le &
Mikolov, 2014; exact, or a usearch ANN graph for large indexes), hybrid ranking that fuses both
(convex fusion, Bruch et al., 2023, or reciprocal-rank fusion, Cormack et al., 2009), document
ranking for a query that is a whole document (TF-IDF, soft cosine after Sidorov et al., 2014, and
Doc2Vec cosine), optional query expansion with the model's nearest words, and exploration (words
near a document, documents near a word, ...). After `paravec.update`,
`SearchIndex.sync` makes the new documents searchable without rebuilding what did not change.

The package's parts: `paravec.search.index` (the facade), `paravec.search.backend`
(the storage seam), `paravec.search.embedded` with `paravec.search.store`,
`paravec.search.text` and `paravec.search.vectors` (the embedded storage),
`paravec.search.snippets` (document mode's snippets, on either storage),
`paravec.search.postgres` with `paravec.search.pgview` and `paravec.search.pgsql` (storage in
PostgreSQL), `paravec.search.inferred` (indexing with vectors inferred on a Dask cluster),
`paravec.search.ranking`, `paravec.search.similarity`,
`paravec.search.exploration`, `paravec.search.syncing`,
`paravec.search.ingestion`, `paravec.search.validate` (limits and input checks) and
`paravec.search.fingerprint`.

Examples
--------
>>> import os, tempfile, paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.search import SearchIndex
>>> texts = [("s1", "The space shuttle launch was delayed by rain."),
...          ("s2", "Bushfires burned near Sydney all week."),
...          ("s3", "The shuttle crew trained for the launch.")]
>>> model = paravec.train([TaggedDocument(paravec.tokenize(t), [tag]) for tag, t in texts],
...                       vector_size=16, min_count=1, epochs=5, seed=1, dbow_words=1)
>>> folder = tempfile.mkdtemp()
>>> paravec.save(model, os.path.join(folder, "news.model"))
>>> idx = SearchIndex.build(os.path.join(folder, "news.model"), texts, os.path.join(folder, "news.index"))
>>> hits = idx.search("shuttle launch", k=2)
>>> sorted(hit.tag for hit in hits)
['s1', 's3']
>>> len(idx.words_near_word("shuttle", k=3))
3
"""

from paravec.search.backend import Changes, IndexBackend, IndexedText, IndexView
from paravec.search.embedded import EmbeddedBackend
from paravec.search.index import SearchIndex
from paravec.search.ranking import (
    FUSIONS,
    KEYWORD_WEIGHT,
    MAX_DOCUMENT_TERMS,
    MAX_QUERY_TERMS,
    MODES,
    VECTOR_WEIGHT,
)
from paravec.search.types import Hit, Neighbor, NotFoundError, SyncReport
from paravec.search.validate import MAX_K, MAX_KEY_CHARS, MAX_QUERY_CHARS, MAX_TEXT_CHARS
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD

__all__ = [
    "DEFAULT_ANN_THRESHOLD",
    "FUSIONS",
    "KEYWORD_WEIGHT",
    "MAX_DOCUMENT_TERMS",
    "MAX_K",
    "MAX_KEY_CHARS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MAX_TEXT_CHARS",
    "MODES",
    "VECTOR_WEIGHT",
    "Changes",
    "EmbeddedBackend",
    "Hit",
    "IndexBackend",
    "IndexView",
    "IndexedText",
    "Neighbor",
    "NotFoundError",
    "SearchIndex",
    "SyncReport",
]
