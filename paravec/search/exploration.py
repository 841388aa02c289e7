"""Exploring the joint word/document space of a Doc2Vec model: what is near a word, a document, a text.

PV-DBOW trained with ``dbow_words=1``, and PV-DM, put words and documents in one space (Le &
Mikolov, "Distributed Representations of Sentences and Documents", ICML 2014), so one can ask
for the words nearest a document (`words_near_document`), the documents nearest a word
(`documents_near_word`), a word's nearest words (`words_near_word`), the documents
most like a document (`documents_like`), and the words or documents nearest a free text
inferred into the space (`text_to_words`, `text_to_documents`). Words are ranked by
`paravec.word_ranking` (what the model predicts around the document, text or word: a
document's own words and their close relatives first); documents come from the index's stored
vectors (`paravec.search.backend.IndexView`),
so only indexed documents are returned. Every function checks its input
(`paravec.search.validate`) and raises `paravec.errors.NotFoundError` for an unknown
tag or word.

Examples
--------
>>> import numpy as np
>>> from gensim.models import KeyedVectors
>>> from paravec.search.exploration import words_near_vector
>>> wv = KeyedVectors(2)
>>> wv.add_vectors(["car", "auto", "fruit"], np.array([[1.0, 0.1], [0.9, 0.2], [0.0, 1.0]]))
>>> [n.key for n in words_near_vector(wv, np.array([1.0, 0.0]), 2)]
['car', 'auto']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec
from gensim.models.keyedvectors import KeyedVectors

from paravec.analysis import Analysis, of_model
from paravec.errors import ParameterError
from paravec.linalg import limited_blas
from paravec.search import ranking
from paravec.search.backend import IndexBackend, IndexView
from paravec.search.ranking import shown
from paravec.search.types import Neighbor, NotFoundError
from paravec.search.validate import MAX_TEXT_CHARS, check_k, check_key, check_text
from paravec.tags import tag_hint, tag_row
from paravec.word_ranking import nearest_words
from paravec.word_ranking import words_near_word as _ranked_words_near_word

__all__ = [
    "Explorer",
    "documents_like",
    "documents_near_word",
    "find_slot",
    "find_word",
    "text_to_documents",
    "text_to_words",
    "words_near_document",
    "words_near_vector",
    "words_near_word",
]

Infer = Callable[[Sequence[str]], npt.NDArray[np.float32]]
"""Infers a vector for a list of words (`paravec.search.ranking.QueryEncoder.infer`)."""


def find_slot(view: IndexView, tag: Any) -> int:
    """The slot of the indexed document ``tag``; `NotFoundError` when there is none."""
    tag = check_key("tag", tag)
    slot = view.slot(tag)
    if slot is None:
        raise NotFoundError(
            f"no document tagged {tag!r} in the index ({len(view)} documents); "
            f"{tag_hint(tag, view.tags(), owner='its')}"
        )
    return slot


def find_word(wv: KeyedVectors, word: Any, analysis: Analysis | None = None) -> str:
    """``word`` as the vocabulary has it (analysed as the model's words were, e.g. lowercased, lemmatized)."""
    word = check_key("word", word)
    if word in wv.key_to_index:
        return str(word)
    tokens = (analysis or Analysis())(word)
    if len(tokens) == 1 and tokens[0] in wv.key_to_index:
        return tokens[0]
    if len(tokens) > 1:
        raise ParameterError(f"{word!r} is {len(tokens)} words; give one word, or use text_to_words")
    raise NotFoundError(
        f"the word {word!r} is not in the model's vocabulary ({len(wv)} words); "
        "check the spelling, or add documents that use it"
    )


def words_near_vector(
    wv: KeyedVectors, vector: npt.NDArray[Any], k: int, exclude: str | None = None
) -> list[Neighbor]:
    """The ``k`` words nearest to ``vector`` (cosine), leaving out ``exclude``."""
    found = wv.similar_by_vector(vector, topn=k + (exclude is not None))
    return [Neighbor(str(w), float(s)) for w, s in found if w != exclude][:k]


def _documents(view: IndexView, found: list[tuple[int, float]]) -> list[Neighbor]:
    return [Neighbor(view.tag(slot) or "", score) for slot, score in found]


def _text_vector(model: Doc2Vec, infer: Infer, text: Any) -> npt.NDArray[np.float32]:
    words = of_model(model)(check_text("text", text, MAX_TEXT_CHARS))
    if not words:
        raise ParameterError("the text has no words (letters or digits)")
    if not any(w in model.wv.key_to_index for w in words):
        raise ParameterError(f"none of the text's words is in the model's vocabulary ({shown(words)})")
    return infer(words)


def _ranked(model: Doc2Vec, vector: npt.NDArray[Any], k: int) -> list[Neighbor]:
    return [Neighbor(w, s) for w, s in nearest_words(model, vector, k)]


def words_near_document(view: IndexView, model: Doc2Vec, tag: Any, k: Any = 10) -> list[Neighbor]:
    """The words the model predicts around the indexed document (`paravec.word_ranking`)."""
    k = check_k(k)
    slot = find_slot(view, tag)
    row = tag_row(model.dv, view.tag(slot))
    # The model's own vector where it has the tag (its length carries how sure the model is);
    # the index's stored unit vector for documents only the index holds.
    vector = model.dv.vectors[row] if row is not None else view.unit_vectors([slot])[0]
    return _ranked(model, vector, k)


def documents_near_word(view: IndexView, model: Doc2Vec, word: Any, k: Any = 10) -> list[Neighbor]:
    """Indexed documents whose vectors are nearest to the word's vector."""
    k = check_k(k)
    vector = model.wv.get_vector(find_word(model.wv, word, of_model(model)), norm=True)
    return _documents(view, view.vector_candidates(vector, k))


def words_near_word(model: Doc2Vec, word: Any, k: Any = 10) -> list[Neighbor]:
    """The word's nearest words: used alike and used together (`paravec.word_ranking`)."""
    k = check_k(k)
    found = _ranked_words_near_word(model, find_word(model.wv, word, of_model(model)), k)
    return [Neighbor(w, s) for w, s in found]


def documents_like(view: IndexView, tag: Any, k: Any = 10) -> list[Neighbor]:
    """Indexed documents nearest to the indexed document ``tag`` (itself left out)."""
    k = check_k(k)
    slot = find_slot(view, tag)
    return _documents(view, view.vector_candidates(view.unit_vectors([slot])[0], k, exclude=slot))


def text_to_words(model: Doc2Vec, infer: Infer, text: Any, k: Any = 10) -> list[Neighbor]:
    """The words the model predicts around the vector inferred for the text."""
    k = check_k(k)
    return _ranked(model, _text_vector(model, infer, text), k)


def text_to_documents(
    view: IndexView, model: Doc2Vec, infer: Infer, text: Any, k: Any = 10
) -> list[Neighbor]:
    """Indexed documents nearest to the vector inferred for the text."""
    k = check_k(k)
    return _documents(view, view.vector_candidates(_text_vector(model, infer, text), k))


class Explorer:
    """The exploration methods of `paravec.search.SearchIndex`, over its view and model.

    Like ranking, each runs BLAS on the calling thread only (`paravec.search.ranking.BLAS_THREADS`).
    """

    backend: IndexBackend
    model: Doc2Vec

    def _infer(self, words: Sequence[str]) -> npt.NDArray[np.float32]:
        raise NotImplementedError

    def words_near_document(self, tag: str, k: int = 10) -> list[Neighbor]:
        """The words the model predicts around the document: its own words and close relatives.

        Ranked through the output layer (`paravec.word_ranking`). Raises `NotFoundError` for an
        unknown tag.
        """
        with limited_blas(ranking.BLAS_THREADS):
            return words_near_document(self.backend.view(), self.model, tag, k)

    def documents_near_word(self, word: str, k: int = 10) -> list[Neighbor]:
        """Indexed documents whose vectors are nearest to the word's vector.

        Raises `NotFoundError` for a word not in the vocabulary.
        """
        with limited_blas(ranking.BLAS_THREADS):
            return documents_near_word(self.backend.view(), self.model, word, k)

    def words_near_word(self, word: str, k: int = 10) -> list[Neighbor]:
        """The word's nearest words: used alike and used together (`paravec.word_ranking`)."""
        with limited_blas(ranking.BLAS_THREADS):
            return words_near_word(self.model, word, k)

    def documents_like(self, tag: str, k: int = 10) -> list[Neighbor]:
        """Indexed documents nearest to the document ``tag`` (itself left out)."""
        with limited_blas(ranking.BLAS_THREADS):
            return documents_like(self.backend.view(), tag, k)

    def text_to_words(self, text: str, k: int = 10) -> list[Neighbor]:
        """The words the model predicts around the vector inferred for the text."""
        with limited_blas(ranking.BLAS_THREADS):
            return text_to_words(self.model, self._infer, text, k)

    def text_to_documents(self, text: str, k: int = 10) -> list[Neighbor]:
        """Indexed documents nearest to the vector inferred for the text."""
        with limited_blas(ranking.BLAS_THREADS):
            return text_to_documents(self.backend.view(), self.model, self._infer, text, k)

    def document(self, tag: str) -> dict[str, str]:
        """Return ``{"tag", "title", "text"}`` of an indexed document (title defaults to the tag).

        Raises `NotFoundError` for an unknown tag.
        """
        view = self.backend.view()
        key = check_key("tag", tag)
        find_slot(view, key)
        doc = view.document(key)
        if doc is None:
            raise NotFoundError(f"no document tagged {key!r} in the text index")
        doc["title"] = doc["title"] or key
        return doc
