"""paravec: add documents and words to a pretrained gensim Doc2Vec model, correctly and provably.

gensim 4 cannot grow a trained Doc2Vec: ``build_vocab(update=True)`` overwrites old document
vectors or crashes. `update` adds a batch of ``TaggedDocument``\\s — new tags, new words —
to a trained model in place, keeps every pretrained weight bit-identical if asked, and reports
what it changed; `check` proves the result consistent; the model stays a plain gensim
``Doc2Vec`` that loads without paravec.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> model = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                       vector_size=16, min_count=1, epochs=5)
>>> report = paravec.update(model, [TaggedDocument(["graph", "xxyfg", "xxyfg"], ["E0"])], min_count=1)
>>> report.new_tags, report.new_words, paravec.check(model)
(['E0'], ['xxyfg'], [])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from paravec.errors import (
    ClusterError,
    CorpusError,
    IndexStateError,
    ModelBrokenError,
    ModelFileError,
    NotFoundError,
    ParameterError,
    ParavecError,
    StoreError,
)

if TYPE_CHECKING:
    from paravec.analysis import Analysis
    from paravec.corpus import Corpus, read_corpus, read_texts
    from paravec.deleting import delete
    from paravec.evaluation import evaluate, evaluate_update
    from paravec.inference import infer
    from paravec.invariants import check
    from paravec.model_io import load, save
    from paravec.rehearsal import sample_rehearsal
    from paravec.replay import sample_replay
    from paravec.report import Report
    from paravec.scores import RandomPairs
    from paravec.search import SearchIndex
    from paravec.store import Store, VersionInfo
    from paravec.tokenizer import tokenize
    from paravec.training import suggested_settings, train
    from paravec.updating import FREEZE_MODES, UpdateReport, update

# The public API is imported on first use: `import paravec` (and so every `paravec` command) then
# costs nothing until a command needs gensim, which alone takes most of a second to import.
_LAZY = {
    "Analysis": "paravec.analysis",
    "Corpus": "paravec.corpus",
    "read_corpus": "paravec.corpus",
    "read_texts": "paravec.corpus",
    "delete": "paravec.deleting",
    "evaluate": "paravec.evaluation",
    "evaluate_update": "paravec.evaluation",
    "infer": "paravec.inference",
    "check": "paravec.invariants",
    "load": "paravec.model_io",
    "save": "paravec.model_io",
    "sample_rehearsal": "paravec.rehearsal",
    "sample_replay": "paravec.replay",
    "Report": "paravec.report",
    "RandomPairs": "paravec.scores",
    "SearchIndex": "paravec.search",
    "Store": "paravec.store",
    "VersionInfo": "paravec.store",
    "tokenize": "paravec.tokenizer",
    "train": "paravec.training",
    "suggested_settings": "paravec.training",
    "FREEZE_MODES": "paravec.updating",
    "UpdateReport": "paravec.updating",
    "update": "paravec.updating",
}

__version__ = "0.1.0"

__all__ = [
    "FREEZE_MODES",
    "Analysis",
    "ClusterError",
    "Corpus",
    "CorpusError",
    "IndexStateError",
    "ModelBrokenError",
    "ModelFileError",
    "NotFoundError",
    "ParameterError",
    "ParavecError",
    "RandomPairs",
    "Report",
    "SearchIndex",
    "Store",
    "StoreError",
    "UpdateReport",
    "VersionInfo",
    "check",
    "delete",
    "evaluate",
    "evaluate_update",
    "infer",
    "load",
    "read_corpus",
    "read_texts",
    "sample_rehearsal",
    "sample_replay",
    "save",
    "suggested_settings",
    "tokenize",
    "train",
    "update",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'paravec' has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(module), name)
    except ImportError as err:
        if name == "SearchIndex":
            # The search index needs the optional extra paravec[search] (tantivy, usearch).
            raise ImportError(
                f"paravec.SearchIndex needs the search extra ({err.name} is missing): pip install 'paravec[search]'"
            ) from err
        raise
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
