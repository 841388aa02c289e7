"""Training new documents into an index's model: the one place search reaches the update machinery.

`train_documents` loads the model file fully (it learns, so not memory-mapped), tokenizes
the texts as the model's words were (its recorded pipeline, `paravec.analysis.of_model`), trains them in with
`paravec.update` (Doc2Vec: Le & Mikolov, "Distributed Representations of Sentences and
Documents", ICML 2014) and saves the model with
`paravec.save`, atomically. It goes through paravec's public API only; the index then syncs
to the saved file (`paravec.search.SearchIndex.add_documents`). If the update fails,
nothing on disk has changed.

Examples
--------
>>> from paravec.search.ingestion import documents_to_add
>>> documents_to_add([("n1", "A new article."), ("n2", "Another one.")])
[('n1', 'A new article.'), ('n2', 'Another one.')]
>>> documents_to_add([])
Traceback (most recent call last):
...
paravec.errors.CorpusError: no documents to add; give (tag, text) pairs
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.analysis import of_model
from paravec.errors import CorpusError
from paravec.search.syncing import Syncing, given_texts
from paravec.search.types import SyncReport
from paravec.tags import uses_int_tags

__all__ = ["Ingesting", "documents_to_add", "train_documents"]


def documents_to_add(texts: Iterable[tuple[Any, str]] | Mapping[Any, str]) -> list[tuple[str, str]]:
    """The checked, cleaned ``(tag, text)`` pairs to add; `CorpusError` if none or a tag twice."""
    pairs = list(given_texts(texts).items())
    if not pairs:
        raise CorpusError("no documents to add; give (tag, text) pairs")
    return pairs


def train_documents(
    model_path: Path, pairs: list[tuple[str, str]], target: Path, **update_kwargs: Any
) -> None:
    """Update the model saved at ``model_path`` with ``pairs`` and save it to ``target``.

    Parameters
    ----------
    model_path : pathlib.Path
        The model file to start from.
    pairs : list of (str, str)
        ``(tag, text)`` from `documents_to_add`; an existing tag replaces that document.
    target : pathlib.Path
        Where to save the updated model (may be ``model_path``).
    **update_kwargs
        Passed to `paravec.update` (``freeze``, ``epochs``, ``min_count``, ...).

    Raises
    ------
    CorpusError
        A text without words.
    ParameterError, ModelBrokenError
        From `paravec.update`.
    """
    model = paravec.load(model_path)
    int_tags = uses_int_tags(model.dv)
    analysis = of_model(model)
    documents = []
    for tag, body in pairs:
        words = analysis(body)
        if not words:
            raise CorpusError(f"document {tag!r} has no words (letters or digits); give it some text")
        key: str | int = int(tag) if int_tags and tag.isdigit() else tag
        documents.append(TaggedDocument(words, [key]))
    paravec.update(model, documents, **update_kwargs)
    paravec.save(model, target)


class Ingesting(Syncing):
    """`paravec.search.SearchIndex.add_documents`: new documents trained in, saved and indexed."""

    @property
    def model_path(self) -> Path:
        raise NotImplementedError

    def add_documents(
        self,
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str],
        *,
        model_path: str | os.PathLike[str] | None = None,
        titles: Mapping[Any, str] | None = None,
        **update_kwargs: Any,
    ) -> SyncReport:
        """Train new or replaced documents into the model, save it, and sync the index.

        The model is loaded from the index's model file (fully, not memory-mapped, since it
        learns), updated with `paravec.update` on the documents analysed with
        the model's recorded pipeline (`paravec.analysis.of_model`), saved atomically to ``model_path`` (default: the same
        file), and the index is synced (`paravec.search.ingestion`). If the update fails
        nothing on disk has changed.

        Parameters
        ----------
        texts : iterable of (str, str)
            ``(tag, text)``; an existing tag replaces that document.
        model_path : path, optional
            Where to save the updated model (default: over the index's model file).
        titles : mapping of str to str, optional
            Titles of the documents.
        **update_kwargs
            Passed to `paravec.update` (``freeze``, ``epochs``, ``min_count``, ...).

        Returns
        -------
        SyncReport

        Raises
        ------
        ParameterError, CorpusError, ModelBrokenError
            From validating the texts or from `paravec.update`.
        """
        pairs = documents_to_add(texts)
        target = Path(model_path).resolve() if model_path is not None else self.model_path
        with self._write_lock:
            train_documents(self.model_path, pairs, target, **update_kwargs)
            # The synced index reads the saved file memory-mapped, like a fresh open would.
            return self.sync(target, pairs, titles=titles, model_path=target)
