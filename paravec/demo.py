"""The end-to-end demo: pretrain on Wikipedia, add news as a verified store version, show and search it.

`run_demo` replays the seed scenario (/work/shared/seed/retraining-a-doc2vec-model.md) on
the data that ships with gensim, with nothing downloaded, through the weekly workflow of a
`paravec.Store`:

1. pretrain a PV-DBOW base with word training (``dm=0, dbow_words=1``, Lau & Baldwin 2016) on the
   Wikipedia extract in gensim's test data, save it, and create a store from it: version 1, with a
   search index over the articles;
2. add the domain batch as version 2 with `paravec.Store.update` (``freeze="words"``: pretrained
   word vectors fixed, output weights learn the batch, so that "python" can become the language
   the seed's documents use; short new
   documents settled with ``settle_epochs=100``, `paravec.updating.settling`): the 300
   news articles of ``lee_background.cor`` plus the seed's ten documents (nine
   ``"jav python ruby xxyfg"``, one ``"fotball keeper"``, tags ``E0`` .. ``E9``); the update is
   checked, verified (`paravec.evaluate`), indexed and published in one step;
3. export version 2 as a plain gensim file, reload it with plain gensim and `paravec.check` it;
4. measure what the update did: timings (base training vs update), the new words, the nearest
   words of new documents and of new words, the documents nearest to the vector `paravec.infer`
   gives ``"jav python ruby xxyfg"`` with as many passes as settling took (100), whether the pretrained word vectors stayed bit-identical, the
   store's versions, and a search of the current version.

The result is a `DemoResult` with plain data; ``paravec demo`` renders it as tables.

Examples
--------
>>> import tempfile
>>> from paravec.demo import run_demo
>>> result = run_demo(tempfile.mkdtemp(), quick=True)  # doctest: +SKIP
>>> result.consistent, result.inferred_neighbours[0][0].startswith("E")  # doctest: +SKIP
(True, True)
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from gensim.models import Doc2Vec

from paravec.analysis import of_model
from paravec.datasets import (
    SEED_TEXTS,
    data_path,
    lee_background_documents,
    seed_documents,
    wiki_documents,
    wiki_texts,
)
from paravec.errors import ParameterError
from paravec.inference import infer
from paravec.invariants import check
from paravec.model_io import save
from paravec.store import Store
from paravec.tokenizer import tokenize
from paravec.training import train
from paravec.updating.settling import SETTLE_EPOCHS
from paravec.word_ranking import nearest_words, words_near_word

__all__ = ["DEFAULT_OUT_DIR", "DEMO_STEPS", "DemoResult", "run_demo"]

DEFAULT_OUT_DIR = Path("paravec-demo")
"""Where `run_demo` writes ``base.model``, the store and ``updated.model`` by default."""

DEMO_STEPS: dict[str, str] = {
    "read_wiki": "reading the Wikipedia extract",
    "train_base": "pretraining the base on Wikipedia",
    "save_base": "saving base.model",
    "create_store": "creating the store: version 1 = the base, indexed",
    "read_domain": "reading the Lee news corpus and the seed documents",
    "update": "adding the domain documents as version 2 (update, check, verify, index, publish)",
    "save_updated": "exporting version 2 to updated.model",
    "check": "reloading updated.model with gensim and checking it",
    "explore": "finding neighbours",
    "search": "searching the current version",
}
"""The steps `run_demo` reports to ``progress``, in order, with a human label each."""

# Settings of the base: the full run is a few minutes at most on 2 cores; quick is seconds. Quick
# keeps 10 epochs: with 5, no ranking put the seed's words around E0 or xxyfg, settled or not
# (benchmarks/README.md, "words around a document").
_FULL = {"vector_size": 300, "epochs": 10}
_QUICK = {"vector_size": 100, "epochs": 10}
_BASE_MIN_COUNT = 5
# The domain batch is small: a word seen twice in it (or once before and once now) is learned.
_UPDATE_MIN_COUNT = 2
# The seed's documents use "python" as the language; in the Wikipedia extract it is the serpent.
# Frozen (freeze="all"), its output row keeps predicting Greek myth, and E0's and xxyfg's nearest
# words put artemis or zeus before python in some runs; fit="domain"'s rehearsal of Wikipedia
# passages pulls it back to the myth too. With the output weights learning from the batch alone,
# the four words were each other's nearest in every run measured (benchmarks/README.md, "words
# around a document"); pretrained word vectors and document vectors stay bit-identical.
_FREEZE = "words"
_LEE_SHOWN = ("lee_bg:0", "lee_bg:1")  # a bushfire report and a Kashmir conflict report
SEARCH_QUERY = "bushfires near sydney"
"""What the demo searches for in the current version."""
_TOPN = 8
_SEED = 1

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    """What `run_demo` did and measured.

    Attributes
    ----------
    out_dir, base_path, model_path, store_path : pathlib.Path
        The output folder, the saved base, the exported updated model and the store.
    quick : bool
        Whether the small settings were used.
    settings : dict
        ``vector_size``, ``epochs``, ``base_min_count``, ``update_min_count``, ``freeze``,
        ``settle_epochs`` (of the update, and the passes of `paravec.infer` for ``inferred_text``).
    seconds : dict of str to float
        Wall time of every step (keys of `DEMO_STEPS`).
    base : dict
        Size of the base: ``documents``, ``words`` (tokens trained on), ``vocabulary``.
    update : dict
        `paravec.UpdateReport.to_dict` of the update.
    new_words : list of str
        Words the update added, most frequent first.
    doc_texts : dict
        Tag -> the first characters of the document's text, for the documents shown.
    doc_neighbours : dict
        Tag of a new document -> its nearest words ``[(word, score), ...]`` (`paravec.word_ranking`).
    word_neighbours : dict
        New word -> its nearest words ``[(word, score), ...]`` (`paravec.word_ranking`).
    inferred_text : str
        The text inferred with `paravec.infer` (``settle_epochs`` passes, as the short new documents
        were settled).
    inferred_neighbours : list
        The documents nearest to the inferred vector ``[(tag, cosine), ...]``.
    pretrained_words_unchanged : int
        Pretrained word vectors that are bit-identical after the update (``freeze="words"`` keeps all).
    problems : list of str
        What `paravec.check` found on the reloaded updated model (empty: consistent).
    versions : list of dict
        The store's versions (`paravec.VersionInfo` as dicts, with ``current``).
    search_query : str
        What was searched.
    search_hits : list
        ``[(tag, score, snippet), ...]`` of the hybrid search of the current version.
    verdict : str
        The verification verdict of version 2.
    store_timings : dict of str to float
        Seconds of each part of the store update (load, update, check, evaluate, index, ...).
    """

    out_dir: Path
    base_path: Path
    model_path: Path
    quick: bool
    settings: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    base: dict[str, int] = field(default_factory=dict)
    update: dict[str, Any] = field(default_factory=dict)
    new_words: list[str] = field(default_factory=list)
    doc_texts: dict[str, str] = field(default_factory=dict)
    doc_neighbours: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    word_neighbours: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    inferred_text: str = ""
    inferred_neighbours: list[tuple[str, float]] = field(default_factory=list)
    pretrained_words_unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    store_path: Path = Path()
    versions: list[dict[str, Any]] = field(default_factory=list)
    search_query: str = ""
    search_hits: list[tuple[str, float, str]] = field(default_factory=list)
    verdict: str = ""
    store_timings: dict[str, float] = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        """True when `paravec.check` found nothing wrong with the updated model."""
        return not self.problems

    @property
    def speedup(self) -> float:
        """Base training time divided by update time."""
        return self.seconds.get("train_base", 0.0) / max(self.seconds.get("update", 0.0), 1e-9)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-serialisable data."""
        data = asdict(self)
        for key in ("out_dir", "base_path", "model_path", "store_path"):
            data[key] = str(data[key])
        data["consistent"] = self.consistent
        data["speedup"] = self.speedup
        return data


def run_demo(
    out_dir: str | os.PathLike[str] | None = None,
    *,
    quick: bool = False,
    progress: ProgressCallback | None = None,
) -> DemoResult:
    """Pretrain on Wikipedia, add the Lee news corpus and the seed documents, and measure the result.

    Parameters
    ----------
    out_dir : path, optional
        Folder for ``base.model``, the store (``store/``) and ``updated.model`` (created if
        missing); default ``./paravec-demo``. Files of an earlier run there are replaced.
    quick : bool, default False
        Small settings (100 dimensions, 10 epochs): a third of the work.
    progress : callable, optional
        Called as ``progress(step, done, total)``: with ``done == 0`` when a step starts and
        ``done == total`` when it ends (per epoch while training); ``step`` is a key of
        `DEMO_STEPS`.

    Returns
    -------
    DemoResult

    Raises
    ------
    ParameterError
        ``out_dir`` exists and is not a folder, or cannot be created, or its ``store`` is not a
        store of an earlier run.
    CorpusError
        gensim's test data is missing.
    """
    out = Path(DEFAULT_OUT_DIR if out_dir is None else out_dir)
    if out.exists() and not out.is_dir():
        raise ParameterError(f"out_dir must be a folder; {out} is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ParameterError(f"cannot create out_dir {out}: {err.strerror}") from None
    base_settings = _QUICK if quick else _FULL
    result = DemoResult(
        out_dir=out,
        base_path=out / "base.model",
        model_path=out / "updated.model",
        store_path=out / "store",
        quick=quick,
        settings={
            **base_settings,
            "base_min_count": _BASE_MIN_COUNT,
            "update_min_count": _UPDATE_MIN_COUNT,
            "freeze": _FREEZE,
            "settle_epochs": SETTLE_EPOCHS,
            "dm": 0,
            "dbow_words": 1,
        },
    )
    steps = _Steps(progress, result.seconds)

    with steps("read_wiki"):
        wiki = wiki_documents()
        texts = dict(wiki_texts())
    result.base = {"documents": len(wiki), "words": sum(len(d.words) for d in wiki)}
    with steps("train_base", base_settings["epochs"]) as report:
        base = train(
            wiki,
            vector_size=base_settings["vector_size"],
            epochs=base_settings["epochs"],
            min_count=_BASE_MIN_COUNT,
            seed=_SEED,
            progress=report,
        )
    result.base["vocabulary"] = len(base.wv)
    del wiki
    with steps("save_base"):
        save(base, result.base_path)
    with steps("create_store"):
        _remove_earlier_store(result.store_path)
        store = Store.create(result.store_path, base, texts)
    del texts
    pretrained_words = base.wv.vectors.copy()
    del base

    with steps("read_domain"):
        batch = lee_background_documents() + seed_documents()
        batch_texts = {**_lee_texts(None), **{f"E{i}": t for i, t in enumerate(SEED_TEXTS)}}
        doc_texts = _lee_texts(_LEE_SHOWN)
    with steps("update", base_settings["epochs"]) as report:
        info = store.update(
            batch,
            batch_texts,
            freeze=_FREEZE,
            min_count=_UPDATE_MIN_COUNT,
            # A 4-word document trained 10 epochs has had 40 updates: settled, it sits among its
            # own words (E0's top 4 are jav, python, ruby, xxyfg) instead of at random.
            settle_epochs=SETTLE_EPOCHS,
            seed=_SEED,
            progress=report,
            evaluate_options={"map_points": False},
        )
    model = store.model()
    result.update = store.update_report() or {}
    result.store_timings = dict(info.timings)
    result.verdict = info.verdict
    result.new_words = list(result.update["new_words"])
    n_old = len(pretrained_words)
    result.pretrained_words_unchanged = int(
        np.all(model.wv.vectors[:n_old] == pretrained_words, axis=1).sum()
    )
    del pretrained_words
    with steps("save_updated"):
        save(model, result.model_path)

    with steps("check"):
        # Plain gensim, no paravec: the exported file is what a user will load.
        model = Doc2Vec.load(str(result.model_path))
        result.problems = check(model)

    with steps("explore"):
        _explore(model, result, doc_texts)
    with steps("search"):
        result.versions = [{**v.to_dict(), "current": v.current} for v in store.versions()]
        result.search_query = SEARCH_QUERY
        hits = store.index(model=model).search(SEARCH_QUERY, k=5)
        result.search_hits = [(h.tag, round(float(h.score), 4), _short(h.snippet)) for h in hits]
    return result


def _remove_earlier_store(path: Path) -> None:
    if not path.exists():
        return
    if not (path / "store.json").is_file():
        raise ParameterError(
            f"{path} exists and is not a paravec store; move it away or give another out_dir"
        )
    shutil.rmtree(path)


def _short(snippet: Any, limit: int = 100) -> str:
    text = " ".join(str(snippet or "").split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


def _explore(model: Doc2Vec, result: DemoResult, lee_texts: dict[str, str]) -> None:
    shown_docs = ["E0", *_LEE_SHOWN]
    for tag in shown_docs:
        if tag in model.dv.key_to_index:
            result.doc_texts[tag] = lee_texts.get(tag) or SEED_TEXTS[int(tag[1:])]
            result.doc_neighbours[tag] = _pairs(nearest_words(model, model.dv[tag], _TOPN))
    seed_words = {w for text in SEED_TEXTS for w in tokenize(text)}
    shown_words = [w for w in ("xxyfg",) if w in model.wv.key_to_index]
    shown_words += [w for w in result.new_words if w not in seed_words][:2]
    for word in shown_words:
        result.word_neighbours[word] = _pairs(words_near_word(model, word, _TOPN))
    result.inferred_text = SEED_TEXTS[0]
    # As many passes as the short documents were settled with, so the text lands where they did.
    words = of_model(model)(result.inferred_text)
    vector = infer(model, [words], seed=_SEED, epochs=SETTLE_EPOCHS)[0]
    result.inferred_neighbours = _pairs(model.dv.most_similar([vector], topn=12))


def _pairs(similar: list[tuple[Any, float]]) -> list[tuple[str, float]]:
    return [(str(key), round(float(cos), 4)) for key, cos in similar]


def _lee_texts(shown: tuple[str, ...] | None) -> dict[str, str]:
    """The Lee articles by tag (the same 0-based line tags as `lee_background_documents`): all
    of them in full, or the ``shown`` ones cut to 90 characters."""
    with open(data_path("lee_background.cor"), encoding="utf-8") as handle:
        texts = {f"lee_bg:{i}": line.strip() for i, line in enumerate(handle)}
    if shown is None:
        return texts
    return {
        tag: text if len(text) <= 90 else text[:90].rsplit(" ", 1)[0] + " ..."
        for tag, text in texts.items()
        if tag in shown
    }


class _Steps:
    """Times each step and reports its start, epochs and end to a ``progress(step, done, total)``."""

    def __init__(self, progress: ProgressCallback | None, seconds: dict[str, float]) -> None:
        self.progress = progress
        self.seconds = seconds

    def __call__(self, name: str, total: int = 1) -> _Step:
        return _Step(self, name, total)


class _Step:
    def __init__(self, steps: _Steps, name: str, total: int) -> None:
        self.steps, self.name, self.total = steps, name, total

    def report(self, _inner_step: str, done: int, total: int) -> None:
        if self.steps.progress is not None:
            self.steps.progress(self.name, done, total)

    def __enter__(self) -> Callable[[str, int, int], None]:
        self.started = time.perf_counter()
        self.report(self.name, 0, self.total)
        return self.report

    def __exit__(self, exc_type: object, *_exc: object) -> None:
        self.steps.seconds[self.name] = time.perf_counter() - self.started
        if exc_type is None:
            self.report(self.name, self.total, self.total)
