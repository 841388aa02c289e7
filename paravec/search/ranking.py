"""Ranking an index's documents for a query: keyword, vector, hybrid fusion and document mode.

``"keyword"``
    the backend's keyword ranking (BM25 in the embedded backend: Robertson & Zaragoza, "The
    Probabilistic Relevance Framework: BM25 and Beyond", 2009) over the query's most telling
    words (`key_terms`), optionally expanded with the model's nearest words.
``"vector"``
    the query inferred into the model's space (`paravec.infer`, gensim's ``infer_vector``
    arithmetic; Le & Mikolov, "Distributed Representations of Sentences and Documents", ICML
    2014; `QueryEncoder`) and the
    documents with the nearest vectors.
``"hybrid"``
    both fused. ``fusion="convex"`` (Bruch, Gai & Ingber, "An Analysis of Fusion Functions for
    Hybrid Retrieval", ACM TOIS 42(1), 2023): ``(keyword_weight * bm25 / best_bm25 +
    vector_weight * cosine) / (keyword_weight + vector_weight)``, both scales fixed (unlike a
    min-max over whatever the candidates score); a candidate of one ranking only gets its exact
    cosine from the stored vectors, or BM25 0. ``fusion="rrf"``: weighted reciprocal-rank fusion
    (Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and individual
    Rank Learning Methods", SIGIR 2009), ``keyword_weight / (rrf_k + keyword_rank) +
    vector_weight / (rrf_k + vector_rank)``, which looks at ranks only.
``feedback=m``
    pseudo-relevance feedback (`paravec.search.feedback`): the query's vector moves towards the
    document vectors of the top ``m`` keyword hits (Rocchio) before the vector side ranks (by
    default 10 in document mode, off otherwise).
``similarity="second_order"`` (document mode's default, `SIMILARITY`)
    the vector side compares the query's vector with the candidates' by second-order similarity
    (`paravec.search.second_order`: the cosine in the metric of the indexed documents'
    covariance) instead of the plain cosine; hybrid then weighs both rankings equally
    (`FUSION_WEIGHTS`). The nearest vectors by cosine are still the vector side's candidates.
``"document"``
    for a query that is a whole document: the candidates of both rankings scored by the mean
    z-score of TF-IDF, soft cosine (Sidorov et al., 2014) and Doc2Vec cosine with the query
    (`paravec.search.similarity`), calibrated on pairs of the index's own documents; the soft
    cosine only of candidates that can still reach the ``k`` best (`DocumentCache.best`). A view
    that offers ``document_candidates(weights, n)`` (the embedded one) gets the query's 64
    (`MAX_DOCUMENT_TERMS`) heaviest words with their TF-IDF weights (`document_terms`) for its
    keyword side, rather than `key_terms` (a more-like-this query weighted as the TF-IDF cosine
    weighs).

Ranking reads the index only through `paravec.search.backend.IndexView`, so every backend
ranks the same way. A view may also offer ``fused_candidates(words, expansions, query_vector, n,
keyword_weight, vector_weight, fusion, rrf_k) -> (keyword, vector, fused)``, the two candidate
lists and the fusion above computed in one round trip (PostgreSQL does it in one SQL query); hybrid
mode then uses it.

Examples
--------
>>> from paravec.search.ranking import convex_fusion, rrf_fusion
>>> keyword = [(7, 12.0), (3, 6.0)]            # (slot, BM25), best first
>>> vector = [(3, 0.9), (5, 0.5)]              # (slot, cosine), best first
>>> {s: round(v, 3) for s, v in convex_fusion(keyword, vector, {7: 0.1}, 0.7, 0.3).items()}
{7: 0.73, 3: 0.62, 5: 0.15}
>>> {s: round(v, 4) for s, v in rrf_fusion(keyword, vector, 1.0, 1.0, 60.0).items()}
{7: 0.0164, 3: 0.0325, 5: 0.0161}
"""

from __future__ import annotations

import math
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec

from paravec.analysis import of_model
from paravec.errors import ParameterError
from paravec.inference import infer_seeded
from paravec.linalg import limited_blas, unit_rows
from paravec.params import Integer, OneOf
from paravec.search.backend import IndexView
from paravec.search.document_cache import DocumentCache, DocumentCaches
from paravec.search.feedback import FEEDBACK_DOCUMENTS, FEEDBACK_WEIGHT, rocchio_vector
from paravec.search.postings import bm25_idf
from paravec.search.second_order import SIMILARITIES, CollectionMetric, MetricCache
from paravec.search.similarity import Calibration, pair_samples
from paravec.search.types import Hit
from paravec.search.validate import MAX_QUERY_CHARS, MAX_TEXT_CHARS, check_k, check_text, check_weight
from paravec.tokenizer import tokenize

__all__ = [
    "BLAS_THREADS",
    "DOCUMENT_EPOCHS_SHARE",
    "FUSIONS",
    "FUSION_WEIGHTS",
    "KEYWORD_WEIGHT",
    "MAX_DOCUMENT_TERMS",
    "MAX_QUERY_TERMS",
    "MODES",
    "SIMILARITY",
    "VECTOR_WEIGHT",
    "CalibrationCache",
    "QueryEncoder",
    "RankingSettings",
    "convex_fusion",
    "document_epochs",
    "document_terms",
    "expanded_words",
    "expansions",
    "key_terms",
    "rank",
    "rrf_fusion",
    "shown",
]

MODES = ("hybrid", "keyword", "vector", "document")
"""Ranking modes of `paravec.search.SearchIndex.search`."""

FUSIONS = ("convex", "rrf")
"""How hybrid mode fuses the keyword and the vector ranking."""

KEYWORD_WEIGHT = 0.7
"""Default weight of the keyword ranking in hybrid mode (chosen with ``benchmarks/search_quality.py``)."""

VECTOR_WEIGHT = 0.3
"""Default weight of the vector ranking in hybrid mode."""

SIMILARITY: dict[str, Literal["cosine", "second_order"]] = {
    "hybrid": "cosine",
    "keyword": "cosine",
    "vector": "cosine",
    "document": "second_order",
}
"""Default similarity of the vector side in each mode (``benchmarks/README.md``: second-order
similarity gained in document mode on every set, in hybrid and vector search on news and Usenet
posts but not on the held-out docstrings)."""

FUSION_WEIGHTS = {"cosine": (KEYWORD_WEIGHT, VECTOR_WEIGHT), "second_order": (0.5, 0.5)}
"""Default (keyword, vector) weights of hybrid mode for each similarity of the vector side
(chosen with ``benchmarks/keyword_gain.py`` on Lee and mini_newsgroup)."""

MAX_QUERY_TERMS = 64
"""Most distinct query words sent to the keyword ranking; a longer query keeps its highest tf x idf words."""

MAX_DOCUMENT_TERMS = 64
"""Most words of a whole-document query (``mode="document"``) that its keyword side weighs
(`document_terms`), heaviest first. Fewer words make its keyword search cheaper and its
candidates worse (``benchmarks/document_mode_quality.py --document-terms``)."""

DOCUMENT_EPOCHS_SHARE = 0.5
"""Share of the model's ``epochs`` that ``mode="document"`` infers a whole-document query with when
no ``infer_epochs`` is set (`document_epochs`): a document's many words make each epoch long, and
half the epochs rank about as well (``benchmarks/document_mode_quality.py --infer-epochs``) for about
half of inference's cost."""

BLAS_THREADS: int | None = 1
"""Threads BLAS may use while ranking (None: BLAS's own default). Ranking's matrix products are
small; parallelism comes from serving queries side by side (see `paravec.linalg.limited_blas`)."""

_FEEDBACK = Integer(min=0, max=100)
# Document mode infers with fewer epochs than the model's only down to this many.
_MIN_DOCUMENT_EPOCHS = 5
# Documents whose pairs calibrate mode="document" (64 give 4,032 ordered pairs, a second or two).
_CALIBRATION_SAMPLE = 64
# Words of a whole-document query (heaviest first) that its snippets highlight.
_SNIPPET_TERMS = 16
# A document query's lightest words, which together can add less than this share of what its
# heaviest word can add to a BM25 sum, are left out of the keyword side: in a long text they are
# function words, whose posting lists span most of the index (the slowest queries' BM25 time).
_MIN_TERM_SHARE = 0.01
Ranked = list[tuple[int, float]]


@dataclass(frozen=True)
class RankingSettings:
    """The tunable constants of ranking (see `paravec.search.SearchIndex`'s attributes)."""

    rrf_k: float = 60.0
    candidates: int = 100
    expand_topn: int = 3
    expand_weight: float = 0.5
    fuse_in_backend: bool = True
    """Let a view with ``fused_candidates`` (PostgreSQL) fuse hybrid rankings in its own query."""
    document_candidates: int = 25
    """``candidates`` of ``mode="document"``, which scores each of them with its texts' words."""


class QueryEncoder:
    """Infers a query's vector with the model, the same vector for the same words on every call.

    Inference samples at random; each query is seeded from its words (and the model's seed), so
    the same query asked twice gets the same vector and the same scores, whatever is asked
    alongside it. One thread per call: concurrent queries are the service's parallelism.
    """

    def __init__(self, model: Doc2Vec) -> None:
        self.model = model
        # Queries and documents become the model's words as its corpus did (its recorded pipeline).
        self.analysis = of_model(model)

    def infer(self, words: Sequence[str], epochs: int | None = None) -> npt.NDArray[np.float32]:
        """The vector of ``words`` (``epochs``: inference epochs; None uses the model's)."""
        vector: npt.NDArray[np.float32] = self.infer_many([words], epochs)[0]
        return vector

    def infer_many(
        self, texts: Sequence[Sequence[str]], epochs: int | None = None
    ) -> npt.NDArray[np.float32]:
        """`infer` of each word list, in one compiled call; row ``i`` is ``infer(texts[i])``."""
        base = int(getattr(self.model, "seed", 0) or 0)
        seeds = [(zlib.crc32("\x1f".join(words).encode("utf-8")) ^ base) % 2**32 for words in texts]
        return infer_seeded(self.model, [list(words) for words in texts], seeds, epochs=epochs, workers=1)


class CalibrationCache:
    """How the three measures of ``mode="document"`` spread over pairs of a view's documents.

    Measured once per view (a sync makes a new one) on up to 64 documents spread evenly over
    the index, each inferred as a query is.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # One per similarity (plain cosine: key False), so switching between them recalibrates nothing.
        self._cached: dict[bool, tuple[IndexView, CollectionMetric | None, Calibration]] = {}

    def get(
        self,
        view: IndexView,
        encoder: QueryEncoder,
        epochs: int | None = None,
        metric: CollectionMetric | None = None,
    ) -> Calibration:
        """The calibration of ``view``, measured on first use (``metric``: second-order similarity)."""
        with self._lock, limited_blas(BLAS_THREADS):
            cached = self._cached.get(metric is not None)
            if cached is not None and cached[0] is view and cached[1] is metric:
                return cached[2]
            tags = view.tags()
            spread = np.linspace(0, len(tags) - 1, min(len(tags), _CALIBRATION_SAMPLE)).round().astype(int)
            picked = sorted({tags[i] for i in spread}, key=lambda tag: view.slot(tag) or 0)
            texts = view.texts(picked)
            picked = [tag for tag in picked if tag in texts]
            words = [encoder.analysis(texts[tag]) for tag in picked]
            if len(picked) < 2:
                calibration = Calibration()
            else:
                inferred = encoder.infer_many(words, epochs)
                df, n_documents = view.document_frequencies([w for doc in words for w in doc])
                stored = view.unit_vectors([view.slot(tag) or 0 for tag in picked])
                if metric is not None:
                    inferred, stored = metric.transform(unit_rows(inferred)), metric.transform(stored)
                samples = pair_samples(words, inferred, stored, df, n_documents, encoder.model.wv)
                calibration = Calibration.from_samples(samples)
            self._cached[metric is not None] = (view, metric, calibration)
            return calibration


def document_epochs(model: Doc2Vec, infer_epochs: int | None) -> int:
    """Epochs ``mode="document"`` infers its query (and its calibration's documents) with.

    ``infer_epochs`` when it is set; else `DOCUMENT_EPOCHS_SHARE` of the model's ``epochs``,
    but not fewer than 5 (nor than the model's own, when it has fewer).
    """
    if infer_epochs is not None:
        return infer_epochs
    epochs = int(model.epochs)
    return max(min(epochs, _MIN_DOCUMENT_EPOCHS), round(epochs * DOCUMENT_EPOCHS_SHARE))


def shown(words: Sequence[str]) -> str:
    """The first few words, quoted, for a message."""
    text = ", ".join(repr(w) for w in words[:5])
    return text + (", ..." if len(words) > 5 else "")


def key_terms(words: Sequence[str], view: IndexView | DocumentCache, limit: int) -> list[str]:
    """The ``limit`` most telling distinct words of ``words``: highest (1 + log tf) x idf.

    A short query keeps all its words, in order. A long one (a paragraph pasted as the query)
    keeps the words that best tell documents apart, as a more-like-this query does, rather than
    its first words, which are mostly stop words. The document frequencies come from ``view``
    (or a view's `DocumentCache`, which asks the index for each word once).
    """
    distinct = list(dict.fromkeys(words))
    if len(distinct) <= limit:
        return distinct
    df, n_documents = view.document_frequencies(distinct)
    total = max(n_documents, 1)
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    scored = []
    for order, word in enumerate(distinct):
        if df.get(word):
            # Sublinear tf, so a stop word's many repeats do not outweigh its low idf.
            tf = 1.0 + math.log(counts[word])
            scored.append((-tf * math.log(1.0 + total / df[word]), order, word))
    scored.sort()
    return [word for _score, _order, word in scored[:limit]]


def document_terms(
    words: Sequence[str],
    view: IndexView | DocumentCache,
    limit: int,
    min_share: float = _MIN_TERM_SHARE,
) -> dict[str, float]:
    """A whole-document query's ``limit`` heaviest words, each with its TF-IDF weight / the largest.

    The weights of document mode's TF-IDF (raw tf x ``log2(N / df)``,
    `paravec.search.similarity.tfidf_rows`), so the keyword candidates (BM25 of each word times
    its weight, `IndexView`'s optional ``document_candidates``) are the documents that share the
    query's heavy words, as its TF-IDF cosine counts them; heaviest first. A word in no indexed
    document, or in all of them, weighs 0 and is left out.

    So are the words that together can add less than ``min_share`` of what the heaviest alone
    can add to a document's BM25 sum (a word adds at most its weight x its BM25 idf x (k1 + 1)),
    lightest first: no document's sum moves by more, while their posting lists (a function word's
    spans most of the index) cost the keyword search most of its time. 0 keeps every word.
    """
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    df, n_documents = view.document_frequencies(counts)
    weights = {
        word: count * math.log2(n_documents / df[word])
        for word, count in counts.items()
        if 0 < df.get(word, 0) < n_documents
    }
    heaviest = sorted(weights, key=lambda word: -weights[word])[:limit]
    if heaviest and min_share > 0:
        # A word adds at most weight x idf x (k1 + 1) to a document's sum: the lightest words go
        # while all they could add together stays under min_share of what the heaviest can add.
        idf = bm25_idf([df[word] for word in heaviest], n_documents).tolist()
        reach = {word: weights[word] * x for word, x in zip(heaviest, idf, strict=True)}
        budget, left_out = min_share * max(reach.values()), set()
        for word in sorted(heaviest, key=lambda word: reach[word]):
            budget -= reach[word]
            if budget < 0:
                break
            left_out.add(word)
        heaviest = [word for word in heaviest if word not in left_out]
    top = weights[heaviest[0]] if heaviest else 1.0
    return {word: weights[word] / top for word in heaviest}


def expansions(words: Sequence[str], model: Doc2Vec, topn: int, weight: float) -> dict[str, float]:
    """The nearest words of each query word (``model.wv.most_similar``), weighted by similarity."""
    wv = model.wv
    query = set(words)
    out: dict[str, float] = {}
    for word in words:
        if word not in wv.key_to_index:
            continue
        for near, sim in wv.most_similar(word, topn=topn):
            if near not in query and sim > 0:
                out[near] = max(out.get(near, 0.0), weight * float(sim))
    return out


def expanded_words(
    view: IndexView, model: Doc2Vec, query: Any, settings: RankingSettings
) -> dict[str, float]:
    """The words ``rank(..., expand=True)`` adds to the keyword query of ``query``, with their weights."""
    words = tokenize(check_text("query", query, MAX_QUERY_CHARS))
    terms = key_terms(words, view, MAX_QUERY_TERMS)
    return expansions(terms, model, settings.expand_topn, settings.expand_weight)


def convex_fusion(
    keyword: Ranked,
    vector: Ranked,
    missing_cosines: Mapping[int, float],
    keyword_weight: float,
    vector_weight: float,
) -> dict[int, float]:
    """Weighted mean of BM25 / best BM25 and cosine over the union of both rankings' candidates.

    ``missing_cosines`` are the exact cosines of keyword candidates the vector ranking did not
    return (from the stored vectors, so the vector side never guesses). A vector candidate the
    keyword ranking did not return scores BM25 0 (its true BM25 is at most the last keyword
    candidate's, often 0: it shares no query word).
    """
    total = keyword_weight + vector_weight
    best = keyword[0][1] if keyword and keyword[0][1] > 0 else 1.0
    fused = {slot: keyword_weight * score / best / total for slot, score in keyword}
    cosines = dict(vector)
    cosines.update(missing_cosines)
    for slot, cosine in cosines.items():
        fused[slot] = fused.get(slot, 0.0) + vector_weight * cosine / total
    return fused


def rrf_fusion(
    keyword: Ranked, vector: Ranked, keyword_weight: float, vector_weight: float, rrf_k: float
) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of two rankings (best first)."""
    fused: dict[int, float] = {}
    for r, (slot, _score) in enumerate(keyword, start=1):
        fused[slot] = keyword_weight / (rrf_k + r)
    for r, (slot, _score) in enumerate(vector, start=1):
        fused[slot] = fused.get(slot, 0.0) + vector_weight / (rrf_k + r)
    return fused


def _cosines(
    view: IndexView, query_vector: npt.NDArray[Any], slots: Sequence[int]
) -> npt.NDArray[np.float32]:
    # One matrix product for all of them: this runs on every hybrid query.
    result: npt.NDArray[np.float32] = view.unit_vectors(slots) @ unit_rows(query_vector)[0]
    return result


def _similarities(
    view: IndexView,
    metric: CollectionMetric | None,
    query_vector: npt.NDArray[Any],
    slots: Sequence[int],
) -> npt.NDArray[np.float32]:
    # The vector side's similarity: the cosine, or the second-order similarity under ``metric``.
    if metric is None:
        return _cosines(view, query_vector, slots)
    return metric.similarities(query_vector, view.unit_vectors(slots))


def _document_mode(
    view: IndexView,
    documents: DocumentCache,
    calibration: Callable[[], Calibration],
    words: list[str],
    candidates: list[int],
    query_vector: npt.NDArray[Any] | None,
    metric: CollectionMetric | None = None,
    k: int | None = None,
    known: dict[int, float] | None = None,
) -> dict[int, float]:
    """Mean z-score of TF-IDF, soft and Doc2Vec cosine with the query, for each candidate that
    can be among the ``k`` best (`DocumentCache.best`; every candidate when ``k`` is None).
    ``known``: the vector-side similarities already computed (`_similarities`) of some of them."""
    # A document the text store has dropped but this view still lists has no row: it is left out.
    found = documents.candidates(candidates)
    slots = found.slots
    if not slots:
        return {}
    if query_vector is None:
        cosines = np.zeros(len(slots))
    else:
        known = known or {}
        missing = [slot for slot in slots if slot not in known]
        computed = (
            dict(zip(missing, _similarities(view, metric, query_vector, missing).tolist(), strict=True))
            if missing
            else {}
        )
        cosines = np.array([known[slot] if slot in known else computed[slot] for slot in slots])
    query = documents.query_row(words)
    calibrated = calibration()
    if k is None:
        return dict(zip(slots, calibrated.z(documents.measures(query, found, cosines)).tolist(), strict=True))
    kept, scores = documents.best(query, found, cosines, calibrated, k)
    return dict(zip([slots[i] for i in kept.tolist()], scores.tolist(), strict=True))


def rank(
    view: IndexView,
    encoder: QueryEncoder,
    calibrations: CalibrationCache,
    query: Any,
    *,
    mode: Literal["hybrid", "keyword", "vector", "document"] = "hybrid",
    k: Any = 10,
    expand: bool = False,
    keyword_weight: Any = None,
    vector_weight: Any = None,
    fusion: Literal["convex", "rrf"] = "convex",
    settings: RankingSettings = RankingSettings(),
    infer_epochs: int | None = None,
    documents: DocumentCaches | None = None,
    feedback: Any = None,
    feedback_weight: Any = FEEDBACK_WEIGHT,
    similarity: Literal["cosine", "second_order"] | None = None,
    metrics: MetricCache | None = None,
) -> list[Hit]:
    """Rank ``view``'s documents for ``query``: see `paravec.search.SearchIndex.search`.

    ``documents`` keeps what document mode computes of each indexed document across queries
    (one query's worth when None). BLAS runs on the calling thread only (`limited_blas`).
    """
    with limited_blas(BLAS_THREADS):
        return _rank(
            view,
            encoder,
            calibrations,
            query,
            mode=mode,
            k=k,
            expand=expand,
            keyword_weight=keyword_weight,
            vector_weight=vector_weight,
            fusion=fusion,
            settings=settings,
            infer_epochs=infer_epochs,
            documents=documents or DocumentCaches(),
            feedback=feedback,
            feedback_weight=feedback_weight,
            similarity=similarity,
            metrics=metrics or MetricCache(),
        )


def _rank(
    view: IndexView,
    encoder: QueryEncoder,
    calibrations: CalibrationCache,
    query: Any,
    *,
    mode: Literal["hybrid", "keyword", "vector", "document"],
    k: Any,
    expand: bool,
    keyword_weight: Any,
    vector_weight: Any,
    fusion: Literal["convex", "rrf"],
    settings: RankingSettings,
    infer_epochs: int | None,
    documents: DocumentCaches,
    feedback: Any,
    feedback_weight: Any,
    similarity: Literal["cosine", "second_order"] | None,
    metrics: MetricCache,
) -> list[Hit]:
    OneOf(MODES)("mode", mode)
    similarity = SIMILARITY[mode] if similarity is None else similarity
    OneOf(SIMILARITIES)("similarity", similarity)
    # Weights and feedback left out (None) take the defaults of the similarity and the mode.
    defaults = FUSION_WEIGHTS[similarity]
    keyword_weight = check_weight("keyword_weight", defaults[0] if keyword_weight is None else keyword_weight)
    vector_weight = check_weight("vector_weight", defaults[1] if vector_weight is None else vector_weight)
    feedback = (FEEDBACK_DOCUMENTS if mode == "document" else 0) if feedback is None else feedback
    feedback = int(_FEEDBACK("feedback", feedback) or 0)
    feedback_weight = check_weight("feedback_weight", feedback_weight)
    # Feedback moves the query's vector: it needs the keyword ranking first and a vector side.
    feedback = feedback if mode != "keyword" and (mode != "hybrid" or vector_weight != 0) else 0
    OneOf(FUSIONS)("fusion", fusion)
    k = check_k(k)
    if mode == "hybrid" and keyword_weight == 0 and vector_weight == 0:
        raise ParameterError("keyword_weight and vector_weight are both 0; make at least one positive")
    query = check_text("query", query, MAX_TEXT_CHARS if mode == "document" else MAX_QUERY_CHARS)
    if mode == "document":
        infer_epochs = document_epochs(encoder.model, infer_epochs)
    # The model's words (lemmas, if its pipeline lemmatizes) for inference; the text as written
    # for the keyword side, whose own analyzer stems it as it stemmed the documents.
    words = encoder.analysis(query)
    if not words:
        raise ParameterError("the query has no words (letters or digits); type at least one word")
    # Document mode's query is a whole document: its many words' frequencies come from the cache.
    cache = documents.get(view, encoder.model.wv, encoder.analysis) if mode == "document" else None
    plain = not encoder.analysis.stop_words and not encoder.analysis.lemmatize
    written = words if plain else tokenize(query, lowercase=encoder.analysis.lowercase)
    # A backend that can weigh each word (embedded) gets a document's heaviest words, weighted.
    like = getattr(view, "document_candidates", None) if cache is not None and not expand else None
    term_weights = document_terms(written, cache, MAX_DOCUMENT_TERMS) if like is not None and cache else {}
    terms = list(term_weights) if like is not None else key_terms(written, cache or view, MAX_QUERY_TERMS)
    # The vector side's second-order similarity (`paravec.search.second_order`) reranks candidates.
    metric = metrics.get(view) if similarity == "second_order" and mode != "keyword" else None
    wanted = settings.document_candidates if mode == "document" else settings.candidates
    n = max(k, wanted) if mode in ("hybrid", "document") or metric is not None else k
    extra = {}
    if expand:
        near = list(dict.fromkeys(encoder.analysis.lemma(term) for term in terms))
        extra = expansions(near, encoder.model, settings.expand_topn, settings.expand_weight)

    keyword: Ranked = []
    vector: Ranked = []
    similar: dict[int, float] = {}
    query_vector: npt.NDArray[np.float32] | None = None
    known = any(w in encoder.model.wv.key_to_index for w in words)
    # A backend that can run both rankings and the fusion in one query (PostgreSQL) does.
    in_backend = getattr(view, "fused_candidates", None) if settings.fuse_in_backend else None
    fused_by_backend: dict[int, float] | None = None
    if (
        mode == "hybrid"
        and in_backend is not None
        and keyword_weight > 0
        and vector_weight > 0
        and known
        and not feedback
        and metric is None
    ):
        query_vector = encoder.infer(words, infer_epochs)
        keyword, vector, fused_by_backend = in_backend(
            terms, extra, query_vector, n, keyword_weight, vector_weight, fusion, settings.rrf_k
        )
    if fused_by_backend is None and (
        mode in ("keyword", "document") or (mode == "hybrid" and keyword_weight > 0) or feedback
    ):
        if like is not None:
            keyword = like(term_weights, max(n, feedback))
        else:
            keyword = view.keyword_candidates(terms, extra, max(n, feedback))
    if fused_by_backend is None and (
        mode in ("vector", "document") or (mode == "hybrid" and vector_weight > 0)
    ):
        if known:
            query_vector = encoder.infer(words, infer_epochs)
        if feedback and keyword:
            # The top keyword hits' vectors know their documents; a short query's knows a few words.
            top = view.unit_vectors([slot for slot, _score in keyword[:feedback]])
            zero = np.zeros(encoder.model.vector_size, dtype=np.float32)
            moved = rocchio_vector(zero if query_vector is None else query_vector, top, feedback_weight)
            query_vector = moved.astype(np.float32)
        if query_vector is not None:
            vector = view.vector_candidates(query_vector, n)
            if metric is not None and vector:
                slots = [slot for slot, _cosine in vector]
                # Document mode scores every candidate with them: the keyword side's too, in
                # the same call (each call's fixed cost is most of its cost).
                seen = set(slots)
                others = [slot for slot, _s in keyword if slot not in seen] if mode == "document" else []
                rescored = _similarities(view, metric, query_vector, slots + others).tolist()
                similar = dict(zip(slots + others, rescored, strict=True))
                vector = sorted(zip(slots, rescored[: len(slots)], strict=True), key=lambda item: -item[1])
            keyword = keyword if mode != "vector" else []  # only the feedback's; not a ranking here
        elif mode == "vector":
            raise ParameterError(
                f"none of the query's words is in the model's vocabulary ({shown(words)}); "
                "vector search needs known words: try other words or mode='keyword'"
            )

    kw_rank = {slot: r for r, (slot, _s) in enumerate(keyword, start=1)}
    vec_rank = {slot: r for r, (slot, _s) in enumerate(vector, start=1)}
    if mode == "keyword":
        ranked = keyword
    elif mode == "vector":
        ranked = vector
    else:
        if mode == "document":
            candidates = list(dict.fromkeys([slot for slot, _s in keyword] + [slot for slot, _s in vector]))
            fused = _document_mode(
                view,
                cache or documents.get(view, encoder.model.wv, encoder.analysis),
                lambda: calibrations.get(view, encoder, infer_epochs, metric),
                words,
                candidates,
                query_vector,
                metric,
                k,
                similar,
            )
        elif fused_by_backend is not None:
            fused = fused_by_backend
        elif fusion == "rrf":
            fused = rrf_fusion(keyword, vector, keyword_weight, vector_weight, settings.rrf_k)
        else:
            cosines = dict(vector)
            missing = [slot for slot, _score in keyword if slot not in cosines]
            found: dict[int, float] = {}
            if query_vector is not None and missing:
                sims = _similarities(view, metric, query_vector, missing)
                found = dict(zip(missing, sims.tolist(), strict=True))
            fused = convex_fusion(keyword, vector, found, keyword_weight, vector_weight)
        ranked = sorted(fused.items(), key=lambda item: (-item[1], kw_rank.get(item[0], n + 1)))
    ranked = ranked[:k]
    tags = [view.tag(slot) or "" for slot, _s in ranked]
    # A whole document's snippet shows where its heaviest words are, as written: the form its
    # keyword side matches, and a scan for a few words costs far less than analysing each hit.
    if mode == "document":
        snippets = view.snippets(tags, terms[:_SNIPPET_TERMS], extra, as_written=True)
    else:
        snippets = view.snippets(tags, terms, extra)
    hits = []
    for (slot, score), tag, (title, snippet, spans) in zip(ranked, tags, snippets, strict=True):
        kr, vr = kw_rank.get(slot), vec_rank.get(slot)
        why: Literal["keyword", "vector", "both"] = (
            "both" if kr is not None and vr is not None else ("keyword" if kr is not None else "vector")
        )
        hits.append(
            Hit(
                tag=tag,
                title=title or tag,
                snippet=snippet,
                highlights=spans,
                score=float(score),
                keyword_rank=kr,
                vector_rank=vr,
                why=why,
            )
        )
    return hits
