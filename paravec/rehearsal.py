"""Rehearsal for updates: random passages of the base corpus to train alongside a batch.

What it does
------------
`sample_rehearsal` draws a small, representative sample of the base corpus — random
contiguous passages of a fixed length, each tagged with the tags of the document it comes from —
to pass as ``rehearsal=`` to `paravec.update`. Training those passages alongside a small batch
(their document vectors held fixed) keeps pulling the shared weights back to what the base corpus
needs, so the update can let pretrained weights learn from the batch without forgetting the base.

Approach
--------
Rehearsal ("experience replay") against catastrophic forgetting, as in Robins (1995),
"Catastrophic forgetting, rehearsal and pseudorehearsal". Passages are drawn with probability
proportional to document length (every base word equally likely to start one), so the sample
follows the base's word distribution. The same document may give several passages; its document
vector stays fixed, so each passage is a training example of that document, as paragraph vectors
(Le & Mikolov 2014) train any document. The default passage is long (1,000 words): a longer
passage is a truer sample of the document whose fixed vector it is trained against (the
comparison is in ``benchmarks/README.md``). Rehearsal costs training time in proportion to its
words: ``n_words`` is the knob.

Examples
--------
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.rehearsal import sample_rehearsal
>>> base = [TaggedDocument([f"w{i}" for i in range(1000)], ["long"]),
...         TaggedDocument(["a", "b", "c"], ["short"])]
>>> sample = sample_rehearsal(base, 500, chunk_words=100, seed=0)
>>> sum(len(d.words) for d in sample) >= 500, all(len(d.words) <= 100 for d in sample)
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from paravec.errors import CorpusError, ParameterError
from paravec.params import Integer, validate

if TYPE_CHECKING:
    from gensim.models.doc2vec import TaggedDocument

__all__ = ["REHEARSAL_SHARE", "sample_rehearsal"]

# Rehearsal words per batch word in the recipe benchmarks/README.md describes; the CLI's default
# for --rehearsal-words.
REHEARSAL_SHARE = 0.6


@validate(n_words=Integer(min=1), chunk_words=Integer(min=1), seed=Integer(min=0))
def sample_rehearsal(
    documents: Iterable[TaggedDocument], n_words: int, *, chunk_words: int = 1000, seed: int = 0
) -> list[TaggedDocument]:
    """Draw random passages of the base corpus, about ``n_words`` words in all, for rehearsal.

    Parameters
    ----------
    documents : sequence or re-iterable of TaggedDocument
        The base corpus (documents the model was trained on, with the model's tags): a list, or
        a corpus that can be iterated twice such as `paravec.read_corpus`'s. It is read in
        two streaming passes (lengths, then the drawn passages), so a corpus on disk is never
        held in memory.
    n_words : int
        Words to draw in total; the sample stops at the first passage reaching it (so it holds
        at least ``n_words`` words, unless the corpus is smaller: then it is the whole corpus,
        each document once).
    chunk_words : int, default 1000
        Length of each passage; shorter documents are taken whole.
    seed : int, default 0
        Seed of the random draw (same seed, same sample).

    Returns
    -------
    list of TaggedDocument
        Passages with the tags of their source documents, in the order drawn; pass as
        ``rehearsal=`` to `paravec.update`.

    Raises
    ------
    ParameterError
        ``n_words`` or ``chunk_words`` is not a positive integer, ``seed`` not a non-negative integer, or
        ``documents`` is a string or a one-shot iterator (it must be read twice).
    CorpusError
        No document has both words and tags.
    """
    if (
        isinstance(documents, (str, bytes))
        or not isinstance(documents, Iterable)
        or iter(documents) is documents
    ):
        raise ParameterError(
            "documents must be a sequence of TaggedDocument (a list) or a corpus that can be read twice "
            f"(paravec.read_corpus); got {type(documents).__name__}"
        )
    # Pass 1: position and length of every usable document.
    usable: list[int] = []
    lengths: list[int] = []
    for position, doc in enumerate(documents):
        if _usable(doc):
            usable.append(position)
            lengths.append(len(doc.words))
    if not usable:
        raise CorpusError("no base document has both words and tags to rehearse; give the base corpus")
    # Imported here: the command line reads REHEARSAL_SHARE for its help text, which must not wait
    # for numpy.
    import numpy as np

    sizes = np.array(lengths, dtype=np.float64)
    plan: list[tuple[int, int, int]]  # (usable document, first word, end)
    if sizes.sum() <= n_words:
        plan = [(i, 0, lengths[i]) for i in range(len(usable))]
    else:
        rng = np.random.default_rng(seed)
        probs = sizes / sizes.sum()
        plan, total = [], 0
        while total < n_words:
            i = int(rng.choice(len(usable), p=probs))
            n = lengths[i]
            start = int(rng.integers(0, n - chunk_words + 1)) if n > chunk_words else 0
            plan.append((i, start, start + min(n, chunk_words)))
            total += min(n, chunk_words)
    # Pass 2: cut the drawn passages.
    wanted: dict[int, list[int]] = {}
    for k, (i, _, _) in enumerate(plan):
        wanted.setdefault(usable[i], []).append(k)
    # Imported here: the command line reads REHEARSAL_SHARE for its help without paying for gensim.
    from gensim.models.doc2vec import TaggedDocument

    out: list[TaggedDocument | None] = [None] * len(plan)
    for position, doc in enumerate(documents):
        for k in wanted.get(position, ()):
            _, start, end = plan[k]
            out[k] = TaggedDocument(list(doc.words[start:end]), list(doc.tags))
    if any(passage is None for passage in out):
        raise CorpusError("the base corpus changed between its two readings; sample it again")
    return out


def _usable(doc: Any) -> bool:
    return bool(len(getattr(doc, "words", None) or ()) and len(getattr(doc, "tags", None) or ()))
