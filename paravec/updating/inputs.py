"""The inputs of an update, checked before the model is touched: the model, the batch, the rehearsal.

gensim's compiled training code trusts its input, and an update changes the model in place, so
every check runs first: the model must be consistent (`paravec.check`), the batch must be
well-formed TaggedDocuments (`paravec.documents.validate_documents`), and rehearsal
documents — pretrained documents trained alongside the batch with their vectors held fixed, a
form of rehearsal against forgetting (Robins 1995) in paragraph-vector training (Le & Mikolov
2014) — must name documents the model already has and the batch does not retrain.

Examples
--------
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.updating.inputs import validate_rehearsal
>>> model = Doc2Vec([TaggedDocument(["a", "b"], ["d0"])], vector_size=4, min_count=1, epochs=1, workers=1)
>>> batch = [TaggedDocument(["b", "c"], ["d1"])]
>>> len(validate_rehearsal(model, [TaggedDocument(["a"], ["d0"])] * 2, batch, keep_old_docs=True))
2
>>> validate_rehearsal(model, [TaggedDocument(["a"], ["d9"])], batch, keep_old_docs=True)
Traceback (most recent call last):
...
paravec.errors.CorpusError: rehearsal document #0 has tag 'd9', which the model does not have
"""

from __future__ import annotations

from collections.abc import Iterable

from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.documents import validate_documents
from paravec.errors import CorpusError, ModelBrokenError, ParameterError
from paravec.invariants import check
from paravec.tags import has_tag

__all__ = ["ensure_intact", "validate_rehearsal"]

# The position validate_documents gives a one-document batch ("#0"), not inside a quoted tag.


def ensure_intact(model: Doc2Vec) -> None:
    """Refuse a model that is already inconsistent, before anything is changed.

    Raises
    ------
    ModelBrokenError
        `paravec.check` finds a problem; the message names the first one.
    """
    problems = check(model)
    if problems:
        more = f"; {len(problems) - 1} more problems" if len(problems) > 1 else ""
        raise ModelBrokenError(
            f"the model is inconsistent ({problems[0]}{more}); run `paravec check MODEL` and start from an intact copy"
        )


def validate_rehearsal(
    model: Doc2Vec,
    rehearsal: Iterable[TaggedDocument] | None,
    batch: list[TaggedDocument],
    *,
    keep_old_docs: bool,
) -> list[TaggedDocument]:
    """Return the rehearsal documents as a list, after checking them against the model and batch.

    Each rehearsal document follows the rules of any batch document, except that its words may be
    empty and its tags may repeat (a long base document gives several passages, all tagged like
    it); its tags must be the model's, and none of the batch's.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model being updated.
    rehearsal : iterable of TaggedDocument, optional
        The rehearsal documents; ``None`` means none.
    batch : list of TaggedDocument
        The validated batch.
    keep_old_docs : bool
        Whether the update keeps the pretrained document vectors (rehearsal needs them).

    Returns
    -------
    list of TaggedDocument

    Raises
    ------
    ParameterError
        Rehearsal is asked for together with ``keep_old_docs=False``.
    CorpusError
        A rehearsal document is malformed, has a tag the model lacks, or a tag of the batch.
    """
    if rehearsal is None:
        return []
    if not keep_old_docs:
        raise ParameterError(
            "rehearsal needs the pretrained document vectors: use it with keep_old_docs=True"
        )
    # Passages cut from one base document share its tags, so tags may repeat here.
    passages = validate_documents(
        rehearsal,
        name="rehearsal",
        model=model,
        allow_empty_words=True,
        allow_empty_batch=True,
        unique_tags=False,
    )
    batch_tags = {t for d in batch for t in d.tags}
    for i, doc in enumerate(passages):
        unknown = [t for t in doc.tags if not has_tag(model.dv, t)]
        if unknown:
            raise CorpusError(
                f"rehearsal document #{i} has tag {unknown[0]!r}, which the model does not have"
            )
        if batch_tags.intersection(doc.tags):
            raise CorpusError(f"rehearsal document #{i} has a tag of the batch; rehearse old documents only")
    return passages
