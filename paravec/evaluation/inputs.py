"""The inputs of an evaluation, checked up front: the models, the documents and the update report.

`paravec.evaluate` compares a model after an update with the model before it, on the batch
that was added and on some old documents. Everything it is given is checked here before any
number is computed, with the project's shared rules: documents by
`paravec.documents.validate_documents` (so an int tag is a tag only on a model whose tags are
ints), the model before loaded by `paravec.model_io.load` when it is given as a path, and an
update report given as a mapping (``UpdateReport.to_dict()``, e.g. read back from JSON) turned into
an `paravec.updating.UpdateReport` once, at the entry.

Examples
--------
>>> from paravec.evaluation.inputs import TRAINED_MODEL, as_update_report
>>> as_update_report("update_report", {"new_words": ["xxyfg"], "documents": 1}).new_words
['xxyfg']
>>> TRAINED_MODEL("before", "base.model")
Traceback (most recent call last):
...
paravec.errors.ParameterError: before must be a gensim Doc2Vec model, got str
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.documents import validate_documents
from paravec.errors import ModelFileError, ParameterError
from paravec.model_io import load
from paravec.updating import UpdateReport

__all__ = [
    "TRAINED_MODEL",
    "TrainedDoc2Vec",
    "as_update_report",
    "check_same_space",
    "documents_of",
    "load_before",
    "new_words_of",
]


class TrainedDoc2Vec:
    """Constraint: a gensim ``Doc2Vec`` that has word vectors (see `paravec.params`)."""

    def __call__(self, name: str, value: Any) -> Any:
        if not isinstance(value, Doc2Vec):
            raise ParameterError(f"{name} must be a gensim Doc2Vec model, got {type(value).__name__}")
        vectors = getattr(value.wv, "vectors", None)
        if len(value.wv) == 0 or vectors is None or len(vectors) == 0:
            raise ParameterError(f"{name} has no word vectors; train it (or load a trained one) first")
        return value


#: The declared constraint of every model parameter of the evaluation.
TRAINED_MODEL = TrainedDoc2Vec()


def as_update_report(name: str, value: Any) -> UpdateReport | None:
    """Constraint: ``None``, an ``UpdateReport``, or a mapping of its fields (``UpdateReport.to_dict()``).

    Raises
    ------
    ParameterError
        Anything else, or a mapping with a key ``UpdateReport`` does not have.
    """
    if value is None or isinstance(value, UpdateReport):
        return value
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"{name} must be what paravec.update returned (an UpdateReport) or its to_dict(), "
            f"got {type(value).__name__}"
        )
    known = {f.name for f in dataclasses.fields(UpdateReport)}
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise ParameterError(f"{name} has the key {unknown[0]!r}, which UpdateReport does not have")
    return UpdateReport(**value)


def documents_of(
    documents: Iterable[TaggedDocument], name: str, model: Any, *, allow_empty_batch: bool = False
) -> list[TaggedDocument]:
    """``documents`` as a list, checked for ``model``'s tags; documents without words are accepted.

    An evaluation skips a document without words instead of refusing the batch, because the same
    batch was accepted by the update (which leaves such documents untrained and reports them).
    """
    return validate_documents(
        documents, name=name, model=model, allow_empty_words=True, allow_empty_batch=allow_empty_batch
    )


def load_before(before: Any) -> Any:
    """The model before the update: a trained Doc2Vec, or the path of one (loaded memory-mapped).

    Raises
    ------
    ModelFileError
        ``before`` is a path that does not exist or does not hold a Doc2Vec model.
    ParameterError
        ``before`` is neither a path nor a trained Doc2Vec.
    """
    if isinstance(before, (str, os.PathLike)):
        path = Path(before)
        if not path.is_file():
            raise ModelFileError(
                f"before model file {str(path)!r} does not exist; pass the model file as it was before the update"
            )
        before = load(path, mmap="r")
    return TRAINED_MODEL("before", before)


def check_same_space(model: Any, before: Any) -> None:
    """Refuse a model before the update whose vectors cannot be compared with ``model``'s.

    A relation between two parameters, so not one of `paravec.params`' single-value rules.
    """
    if before.vector_size != model.vector_size:
        raise ParameterError(
            f"before has vector_size={before.vector_size} but model has {model.vector_size}; "
            "pass the model as it was before this update"
        )


def new_words_of(
    model: Any, before: Any, new_words: Iterable[str] | None, update_report: UpdateReport | None
) -> list[str] | None:
    """The words the update added: as given, else from the report, else ``model``'s words ``before`` lacks.

    ``None`` when none of the three is known (the new-words section is then skipped).
    """
    if new_words is not None:
        return list(new_words)
    if update_report is not None:
        return list(update_report.new_words)
    if before is not None:
        return [w for w in model.wv.index_to_key if w not in before.wv.key_to_index]
    return None
