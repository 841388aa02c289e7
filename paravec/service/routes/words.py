"""Word routes: the words and the documents nearest to a word of the model's vocabulary.

The word is looked up the way `paravec.tokenizer.tokenize` writes words (``Cricket!`` is
``cricket``); two or more words are a 422 (explore a text with ``POST /api/explore``), an
unknown word a 404.

Examples
--------
>>> from paravec.service.routes.words import router
>>> [route.path for route in router.routes]
['/api/words/{word:path}/neighbors', '/api/words/{word:path}/documents']
"""

from __future__ import annotations

from fastapi import APIRouter

from paravec.service.results import document_scores, word_scores
from paravec.service.schemas import ERROR_RESPONSES, KQuery, WordDocumentsResponse, WordNeighborsResponse
from paravec.service.state import CurrentIndex

__all__ = ["router"]

router = APIRouter(tags=["words"], responses=ERROR_RESPONSES)


@router.get("/api/words/{word:path}/neighbors", response_model=WordNeighborsResponse)
def word_neighbors(index: CurrentIndex, word: str, k: KQuery = 10) -> WordNeighborsResponse:
    """The words whose vectors are nearest to the word's vector."""
    return WordNeighborsResponse(
        word=word, words=word_scores(index.read(lambda ix: ix.words_near_word(word, k=k)))
    )


@router.get("/api/words/{word:path}/documents", response_model=WordDocumentsResponse)
def word_documents(index: CurrentIndex, word: str, k: KQuery = 10) -> WordDocumentsResponse:
    """The documents whose vectors are nearest to the word's vector."""
    neighbors = index.read(lambda ix: ix.documents_near_word(word, k=k))
    return WordDocumentsResponse(word=word, documents=document_scores(neighbors, index))
