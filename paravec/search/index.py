"""A search index over a Doc2Vec model and its documents' texts: the facade users hold.

`SearchIndex` builds and opens an index, keeps it in step with the model (Doc2Vec: Le &
Mikolov, 2014), ranks and explores, by delegating to parts of one job each: storage behind the
`paravec.search.backend.IndexBackend` seam (the embedded folder of
`paravec.search.embedded`: tantivy BM25 after Robertson & Zaragoza, 2009, and the model's
document vectors), `paravec.search.ranking` (convex fusion after Bruch et al., 2023, RRF
after Cormack et al., 2009, document mode with soft cosine after Sidorov et al., 2014),
`paravec.search.exploration`, `paravec.search.syncing` and
`paravec.search.ingestion`. The manifest records a fingerprint of the model
(`paravec.search.fingerprint`): opening the index with another version of the model raises
`paravec.errors.IndexStateError` (or syncs, if asked), so the index never ranks with
vectors of two model versions.

Examples
--------
>>> import os, tempfile, paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.search import SearchIndex
>>> from paravec.tokenizer import tokenize
>>> texts = [("d0", "The shuttle launch to the space station was delayed."),
...          ("d1", "Apples, pears and plums are fruit."),
...          ("d2", "The station crew waits for the next launch.")]
>>> model = paravec.train([TaggedDocument(tokenize(t), [tag]) for tag, t in texts],
...                       vector_size=16, min_count=1, epochs=5, seed=1)
>>> folder = tempfile.mkdtemp()
>>> paravec.save(model, os.path.join(folder, "m.model"))
>>> idx = SearchIndex.build(os.path.join(folder, "m.model"), texts, os.path.join(folder, "m.index"))
>>> [hit.tag for hit in idx.search("shuttle launch", mode="keyword", k=2)]
['d0', 'd2']
>>> len(SearchIndex.open(os.path.join(folder, "m.index")))
3
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec

import paravec
from paravec.analysis import of_model
from paravec.errors import IndexStateError, ModelFileError
from paravec.linalg import limited_blas
from paravec.params import Boolean, InstanceOf, Integer, OneOf, validate
from paravec.search import exploration, ingestion, ranking
from paravec.search.analyzer import for_model as keyword_analyzer_for
from paravec.search.backend import IndexBackend, IndexView, ProgressCallback
from paravec.search.document_cache import DocumentCaches
from paravec.search.embedded import EmbeddedBackend, check_target
from paravec.search.feedback import FEEDBACK_WEIGHT
from paravec.search.fingerprint import describe_difference, model_fingerprint
from paravec.search.pgsql import is_dsn, text_config_for
from paravec.search.ranking import (
    CalibrationCache,
    QueryEncoder,
    RankingSettings,
    expanded_words,
    rank,
)
from paravec.search.second_order import MetricCache
from paravec.search.similarity import Calibration
from paravec.search.syncing import indexable
from paravec.search.types import Hit, SyncReport
from paravec.search.validate import check_titles
from paravec.search.vectors import DEFAULT_ANN_THRESHOLD

__all__ = ["SearchIndex"]

logger = logging.getLogger(__name__)

SyncMode = Literal["refuse", "rebuild"]

_MODEL = InstanceOf(Doc2Vec, "a gensim Doc2Vec", none=True)
_MODEL_PATH_OR_NONE = InstanceOf((Doc2Vec, str, os.PathLike), "a gensim Doc2Vec or a path", none=True)


def _load_model(path: Path) -> Doc2Vec:
    from paravec.store.pgmirror import is_version_model, version_model

    if is_version_model(path):  # an index a store publishes: its version's pickle-free model
        return version_model(path)
    # Memory-mapped, read-only: searching never writes the model, and many processes share it.
    return paravec.load(path, mmap="r")


class SearchIndex(exploration.Explorer, ingestion.Ingesting):
    """Keyword, vector, hybrid and document search over a Doc2Vec model's documents, plus exploration.

    Build one with `build`, reopen it with `open`. See the module docstring.

    Attributes
    ----------
    path : pathlib.Path or str
        The index folder, or the DSN (without its password) of an index in PostgreSQL.
    model : gensim.models.Doc2Vec
        The model the index belongs to (loaded memory-mapped from the manifest's path by default).
    backend : IndexBackend
        Where the documents, texts and vectors live.
    rrf_k : float
        The constant of reciprocal-rank fusion (default 60, as in Cormack et al.).
    candidates : int
        How many documents each ranking contributes to the fusion (at least ``k``).
    document_candidates : int
        The same for ``mode="document"`` (at least ``k``). It scores every candidate with its
        words, so its cost follows this number; fewer candidates also leave fewer distractors
        that the three measures overrate (``benchmarks/document_mode_quality.py --candidates``).
    infer_epochs : int or None
        Epochs of ``infer_vector`` for queries; None uses the model's ``epochs``, and half of
        them (at least 5) for a whole-document query (`paravec.search.ranking.document_epochs`).
    expand_topn : int
        Nearest words added per query word with ``expand=True``.
    expand_weight : float
        Weight of an expansion word in the keyword query, relative to a query word.
    last_sync : SyncReport or None
        What the sync of `open` with ``sync="rebuild"`` changed.
    """

    SETTINGS = ("rrf_k", "candidates", "document_candidates", "infer_epochs", "expand_topn", "expand_weight")
    """The names of the attributes above that tune ranking (what a copy of the index must keep)."""

    rrf_k: float = 60.0
    candidates: int = 100
    document_candidates: int = 25
    infer_epochs: int | None = None
    expand_topn: int = 3
    expand_weight: float = 0.5

    def __init__(self, path: Path | str, model: Doc2Vec, backend: IndexBackend) -> None:
        self.path = path
        self.backend: IndexBackend = backend
        self._model = model
        self._encoder = QueryEncoder(model)
        self._calibrations = CalibrationCache()
        self._documents = DocumentCaches()
        self._metrics = MetricCache()
        self._write_lock = threading.RLock()
        self._model_path: Path | None = None
        self.last_sync: SyncReport | None = None
        self._seen_fingerprint = backend.fingerprint

    def __len__(self) -> int:
        return len(self.backend.view())

    def __repr__(self) -> str:
        return f"SearchIndex({str(self.path)!r}, documents={len(self)}, ann={self.uses_ann})"

    @property
    def model(self) -> Doc2Vec:
        """The model the index searches with."""
        return self._model

    @model.setter
    def model(self, model: Doc2Vec) -> None:
        self._model = model
        self._encoder = QueryEncoder(model)

    @property
    def uses_ann(self) -> bool:
        """True when vector search goes through the usearch ANN graph."""
        return self.backend.uses_ann

    @property
    def model_path(self) -> Path:
        """The model file this index searches with: the one it was opened with, else the one
        the manifest records (relative to the index folder first, so a copied index and model
        pair points at the copy, never at the original)."""
        if self._model_path is not None:
            return self._model_path
        return self.backend.recorded_model_path()

    @property
    def tags(self) -> list[str]:
        """Tags of the indexed documents, in slot order."""
        return self.backend.view().tags()

    # -- building and opening --------------------------------------------------------------------

    @classmethod
    @validate(
        ann_threshold=Integer(min=0, none=True),
        missing=OneOf(("error", "skip")),
        overwrite=Boolean(),
        text_config=InstanceOf(str, "a text-search configuration name", none=True),
        infer_missing=Boolean(),
        workers=Integer(min=1, none=True),
    )
    def build(
        cls,
        model_path: str | os.PathLike[str],
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str],
        index_dir: str | os.PathLike[str],
        *,
        titles: Mapping[Any, str] | None = None,
        progress: ProgressCallback | None = None,
        model: Doc2Vec | None = None,
        ann_threshold: int | None = None,
        overwrite: bool = False,
        missing: Literal["error", "skip"] = "error",
        text_config: str | None = None,
        infer_missing: bool = False,
        scheduler: str | None = None,
        workers: int | None = None,
    ) -> SearchIndex:
        """Build an index of ``texts`` over the model saved at ``model_path``.

        The keyword side analyses texts for the model's recorded language
        (`paravec.analysis.of_model`; English when it records none): Snowball stems, stop words
        and compound splitting as `paravec.search.analyzer` says; the manifest records it.

        Parameters
        ----------
        model_path : str or path-like
            The model file (written by ``Doc2Vec.save`` / `paravec.save`); recorded in the
            manifest so `open` can load it.
        texts : iterable of (str, str)
            ``(tag, text)`` of each document to index, e.g. `paravec.corpus.read_texts`.
            Every tag must be a document of the model.
        index_dir : str or path-like
            Folder to create. It is built in a temporary sibling folder and moved into place, so
            an interrupted build leaves nothing half-written under this name. A PostgreSQL URI
            (``postgresql://user@host:port/db?schema=NAME``) builds the index in that schema
            instead (`paravec.search.postgres`), in one transaction.
        titles : mapping of str to str, optional
            Display titles by tag (searched too, with a boost); without one a hit's title is its tag.
        progress : callable, optional
            Called as ``progress(step, done, total)``; steps ``"text"`` (total 0 when unknown)
            and ``"vectors"``.
        model : gensim.models.Doc2Vec, optional
            The model already loaded from ``model_path`` (saves loading it again).
        ann_threshold : int, optional
            Above this many documents vector search uses an ANN graph: usearch, by default from
            50,000; PostgreSQL's HNSW index from 10,000 (`paravec.search.postgres.ANN_THRESHOLD`:
            an exact scan there reads every row).
        overwrite : bool, default False
            Replace an existing index in ``index_dir`` (only a folder holding a paravec index).
        missing : {"error", "skip"}, default "error"
            What to do with texts whose tag the model does not have.
        text_config : str, optional
            PostgreSQL only: the text-search configuration of the keyword ranking (``"english"``
            stems English words, ``"norwegian"``, ..., ``"simple"`` only lowercases). Default:
            the model's analysis language (`paravec.search.pgsql.text_config_for`; English when
            it records none).
        infer_missing : bool, default False
            Index texts whose tag the model does not have too, with vectors inferred on a Dask
            cluster (`paravec.search.inferred`); ``missing`` is then not used.
        scheduler : str, optional
            With ``infer_missing``: ``tcp://host:8786`` of a Dask scheduler (default: a local
            cluster, one worker per core).
        workers : int, optional
            With ``infer_missing`` and no scheduler: worker processes of the local cluster.

        Returns
        -------
        SearchIndex

        Raises
        ------
        ModelFileError
            The model cannot be loaded.
        IndexStateError
            ``index_dir`` exists and is not empty (and ``overwrite`` is false or it is not an index).
        CorpusError
            No texts, a duplicate tag, or (``missing="error"``) tags the model does not have.
        ParameterError
            A bad parameter, tag or text type.
        """
        source = Path(model_path).resolve()
        postgres = is_dsn(index_dir)
        target: Path | str = str(index_dir) if postgres else Path(index_dir).resolve()
        if isinstance(target, Path):
            check_target(target, overwrite)
        if model is None:
            model = _load_model(source)
        elif not source.is_file():
            raise ModelFileError(
                f"model file not found: {source}; save the model there first "
                "(paravec.save), the index records where to load it from"
            )
        _MODEL("model", model)
        checked_titles = check_titles(titles)
        skipped: list[str] = []
        common: dict[str, Any] = {
            "fingerprint": model_fingerprint(model),
            "model_path": source,
            "ann_threshold": ann_threshold,  # None: the backend's own default
            "overwrite": overwrite,
            "progress": progress,
            "total": len(texts) if isinstance(texts, (list, tuple, Mapping)) else 0,
        }
        source_vectors = model.dv.vectors
        if infer_missing:
            from paravec.search.inferred import with_inferred

            documents, source_vectors = with_inferred(
                model, source, texts, checked_titles, scheduler=scheduler, workers=workers
            )
        else:
            documents = indexable(model, texts, checked_titles, skipped, missing)
        backend: IndexBackend
        if isinstance(target, Path):
            if ann_threshold is None:
                common["ann_threshold"] = DEFAULT_ANN_THRESHOLD
            analyzer, dictionary = keyword_analyzer_for(model)
            # Document mode's words of each text, analysed once here rather than at each query.
            backend = EmbeddedBackend.create(
                target,
                documents,
                source_vectors,
                analyzer=analyzer,
                dictionary=dictionary,
                analysis=of_model(model),
                **common,
            )
        else:
            from paravec.search.postgres import PostgresBackend

            backend = PostgresBackend.create(
                target, documents, source_vectors, text_config=text_config or text_config_for(model), **common
            )
            target = backend.location
        return cls(target, model, backend)

    @classmethod
    @validate(sync=OneOf(("refuse", "rebuild")), model=_MODEL_PATH_OR_NONE)
    def open(
        cls,
        index_dir: str | os.PathLike[str],
        *,
        model: Doc2Vec | str | os.PathLike[str] | None = None,
        sync: SyncMode = "refuse",
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str] = (),
        titles: Mapping[Any, str] | None = None,
    ) -> SearchIndex:
        """Open an index folder written by `build`.

        Parameters
        ----------
        index_dir : str or path-like
            The index folder, or the PostgreSQL URI it was built at.
        model : gensim.models.Doc2Vec or path, optional
            The model to search with; by default the file recorded in the manifest, loaded
            memory-mapped (read-only).
        sync : {"refuse", "rebuild"}, default "refuse"
            When the model is not the version the index was built for: ``"refuse"`` raises
            `IndexStateError`; ``"rebuild"`` brings the index up to date with
            `sync` (re-reading changed vectors, dropping removed documents; documents new
            to the model need their texts: pass them as ``texts``). The report is kept in
            `last_sync`.
        texts : iterable of (str, str), optional
            With ``sync="rebuild"``: texts of new and replaced documents (see `sync`).
        titles : mapping of str to str, optional
            With ``sync="rebuild"``: their titles.

        Returns
        -------
        SearchIndex

        Raises
        ------
        IndexStateError
            Not an index, a corrupt index, or an index of another model version (``"refuse"``).
        ModelFileError
            The model file cannot be loaded.
        """
        path: Path | str
        backend: IndexBackend
        if is_dsn(index_dir):
            from paravec.search.postgres import PostgresBackend

            backend = PostgresBackend.open(str(index_dir))
            path = backend.location
        else:
            path = Path(index_dir).resolve()
            backend = EmbeddedBackend.open(path)
        model_path: Path | None = None
        opened_from: Path | None = None
        if model is None:
            opened_from = backend.recorded_model_path()
            model = _load_model(opened_from)
        elif not isinstance(model, Doc2Vec):
            model_path = opened_from = Path(model).resolve()
            model = _load_model(model_path)
        index = cls(path, model, backend)
        index._model_path = opened_from
        current = model_fingerprint(model, like=backend.fingerprint)
        if current != backend.fingerprint:
            if sync == "refuse":
                raise IndexStateError(
                    f"{path} was built for another version of the model "
                    f"({describe_difference(backend.fingerprint, current)}); run "
                    f"`paravec index MODEL CORPUS --out {path} --sync` to bring it up to date "
                    "(or open it with sync='rebuild')"
                )
            index.last_sync = index.sync(model, texts, titles=titles, model_path=model_path)
            logger.info("index synced to the model on open: %s", index.last_sync.summary())
        return index

    # -- searching -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        mode: Literal["hybrid", "keyword", "vector", "document"] = "hybrid",
        k: int = 10,
        expand: bool = False,
        keyword_weight: float | None = None,
        vector_weight: float | None = None,
        fusion: Literal["convex", "rrf"] = "convex",
        feedback: int | None = None,
        feedback_weight: float = FEEDBACK_WEIGHT,
        similarity: Literal["cosine", "second_order"] | None = None,
    ) -> list[Hit]:
        """Rank the indexed documents for ``query`` (see `paravec.search.ranking`).

        Parameters
        ----------
        query : str
            Words to search for (at most `paravec.search.validate.MAX_QUERY_CHARS`
            characters; `paravec.search.validate.MAX_TEXT_CHARS` with ``mode="document"``).
        mode : {"hybrid", "keyword", "vector", "document"}, default "hybrid"
            ``"document"`` is for a query that is a whole document: documents like it.
        k : int, default 10
            Number of results (1 to `paravec.search.validate.MAX_K`).
        expand : bool, default False
            Add the nearest words of each query word to the keyword query (`expand_weight`).
        keyword_weight, vector_weight : float, optional
            Weights of the two rankings in hybrid fusion (>= 0, not both 0); by default those of
            ``similarity`` (`paravec.search.ranking.FUSION_WEIGHTS`: 0.7 and 0.3 for
            ``"cosine"``, 0.5 and 0.5 for ``"second_order"``).
        fusion : {"convex", "rrf"}, default "convex"
            ``"convex"``: weighted mean of BM25 / best BM25 and cosine; ``"rrf"``: reciprocal ranks.
        feedback : int, optional
            Pseudo-relevance feedback (`paravec.search.feedback`): the query's vector moves towards
            the document vectors of this many top keyword hits before the vector side ranks
            (0: off; not in ``"keyword"`` mode). Default: 10 in ``"document"`` mode, else 0.
            When it helps: ``benchmarks/README.md``.
        feedback_weight : float, default 2.0
            Weight of the hits' mean direction against the query's own.
        similarity : {"cosine", "second_order"}, optional
            How the vector side compares the query's vector with a document's: ``"cosine"``
            plain, ``"second_order"`` (`paravec.search.second_order`) in the metric of the indexed
            documents' covariance. Default: ``"second_order"`` in ``"document"`` mode, else
            ``"cosine"`` (`paravec.search.ranking.SIMILARITY`). Not used in ``"keyword"`` mode.

        Returns
        -------
        list of Hit
            Best first; fewer than ``k`` (possibly none) when fewer documents match.

        Raises
        ------
        ParameterError
            A blank, overlong or wordless query, one with control characters, a bad mode, k or
            weight; ``mode="vector"`` with no query word in the model's vocabulary.
        """
        settings = self._settings()
        view = self.backend.view()
        self.follow_model()  # the model of that view's vectors (PostgreSQL: another process may have synced)
        return rank(
            view,
            self._encoder,
            self._calibrations,
            query,
            mode=mode,
            k=k,
            expand=expand,
            keyword_weight=keyword_weight,
            vector_weight=vector_weight,
            fusion=fusion,
            settings=settings,
            infer_epochs=self.infer_epochs,
            documents=self._documents,
            feedback=feedback,
            feedback_weight=feedback_weight,
            similarity=similarity,
            metrics=self._metrics,
        )

    def expansion(self, query: str) -> dict[str, float]:
        """The words ``search(query, expand=True)`` adds to the keyword query, with their weights.

        Each is one of the `expand_topn` nearest words of a query word, weighted `expand_weight`
        x its cosine; highest weight first.
        """
        settings = self._settings()
        added = expanded_words(self.backend.view(), self.model, query, settings)
        return dict(sorted(added.items(), key=lambda item: (-item[1], item[0])))

    def _settings(self) -> RankingSettings:
        return RankingSettings(
            rrf_k=self.rrf_k,
            candidates=self.candidates,
            expand_topn=self.expand_topn,
            expand_weight=self.expand_weight,
            document_candidates=self.document_candidates,
        )

    def follow_model(self) -> None:
        """Load the index's model file again when another process synced the index to a new one.

        Several ``paravec serve`` processes read one PostgreSQL index; when one of them (or
        ``paravec index --sync``) syncs it after an update, the others must infer queries with
        the model the stored vectors now come from.
        """
        recorded = self.backend.fingerprint
        if recorded is self._seen_fingerprint:
            return
        with self._write_lock:
            self._seen_fingerprint = recorded
            if recorded != model_fingerprint(self.model, like=recorded):
                path = self.backend.recorded_model_path()
                self.model = _load_model(path)
                self._model_path = path
                logger.info("the index was synced by another process: now searching with %s", path)

    def warm(self, *, documents: int | None = None) -> int:
        """Compute now what document mode computes once per index version, so no query waits.

        Document mode measures, on its first query of a version, the collection's second-order
        metric and the calibration of its three measures; on its first keyword search of an
        embedded index, the postings of the kept words (`paravec.search.postings`); and on a
        candidate's first sight its TF-IDF row and soft norm (`paravec.search.document_cache`).
        This computes all of them for
        the current version: the service (`paravec.service.versions.ServedVersion.warm`) does
        it before it serves a version, or beside it right after a write. Queries may run
        meanwhile; a sync that makes a newer version stops the warm-up of the older one.

        Parameters
        ----------
        documents : int, optional
            Most documents whose rows and soft norms are computed, in slot order; 0 measures the
            metric, the calibration and the postings only. Default: three quarters of the per-version cache's
            capacity when the index keeps its documents' words (the embedded backend), else 0:
            a PostgreSQL index would send every text to be analysed, so its documents are
            computed the first time they are candidates.

        Returns
        -------
        int
            Documents whose rows and soft norms are now cached.

        Raises
        ------
        ParameterError
            ``documents`` is negative or not an integer.
        """
        documents = Integer(min=0, none=True)("documents", documents)
        view = self.backend.view()
        self.follow_model()
        with limited_blas(ranking.BLAS_THREADS):
            metric = self._metrics.get(view)
            self._calibrations.get(view, self._encoder, self._document_epochs(), metric)
            postings = getattr(view, "postings", None)  # document mode's keyword side (embedded)
            if postings is not None:
                postings()
            if documents is None and getattr(view, "forward", None) is None:
                documents = 0
            if documents == 0:
                return 0
            cache = self._documents.get(view, self.model.wv, self._encoder.analysis)
            return cache.warm() if documents is None else cache.warm(documents)

    def calibration(self, view: IndexView | None = None) -> Calibration:
        """How ``mode="document"`` scales its three measures on this index (the current view by default)."""
        return self._calibrations.get(
            self.backend.view() if view is None else view, self._encoder, self._document_epochs()
        )

    def _document_epochs(self) -> int:
        return ranking.document_epochs(self.model, self.infer_epochs)

    def _infer(self, words: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encoder.infer(words, self.infer_epochs)
