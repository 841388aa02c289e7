"""Generative replay: pseudo-documents sampled from a trained model, to rehearse without its corpus.

What it does
------------
`sample_replay` writes passages for the model's own documents from what the model predicts
for them, so that an update can rehearse the base (`paravec.update`'s ``rehearsal=``) when the
base corpus is gone: a team may keep the model and not the dump. Each passage is tagged with a
pretrained document's tag; its words are drawn independently from that document's predicted word
distribution.

Approach
--------
Pseudo-rehearsal (Robins 1995, "Catastrophic forgetting, rehearsal and pseudorehearsal"; Shin et
al. 2017, "Continual learning with deep generative replay"): the old task's inputs are generated
by a model instead of kept. A PV-DBOW document vector ``d`` is trained with negative sampling to
tell its words from ``negative`` draws of the noise distribution ``Pn`` (unigram^0.75), whose
optimum is ``d . c = log(P(c | d) / (negative * Pn(c)))`` for each output row ``c`` (Levy &
Goldberg 2014 show the same for skip-gram). So ``P(c | d)`` is proportional to
``Pn(c) * exp(d . c)``, over the words the trainer kept after downsampling; dividing by each word's
keep probability gives the text before downsampling, which the update downsamples again as it
does real text. Only negative-sampling models have ``syn1neg``; a hierarchical-softmax-only model
is refused.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> from paravec.replay import sample_replay
>>> model = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                       vector_size=8, min_count=1, epochs=5, seed=1, workers=1)
>>> passages = sample_replay(model, 50, passage_words=20, seed=0)
>>> len(passages), len(passages[0].words), passages[0].tags[0] in model.dv.key_to_index
(3, 20, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from paravec.errors import ParameterError
from paravec.params import Integer, validate

if TYPE_CHECKING:
    from gensim.models.doc2vec import TaggedDocument

__all__ = ["sample_replay"]

# The padding word of PV-DM concat models is never a word of the text.
_NULL_WORD = "\0"


@validate(n_words=Integer(min=1), passage_words=Integer(min=1), seed=Integer(min=0))
def sample_replay(
    model: Any, n_words: int, *, passage_words: int = 1000, seed: int = 0
) -> list[TaggedDocument]:
    """Generate pseudo-passages of the model's documents, about ``n_words`` words in all.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        A trained model with negative sampling (``negative > 0``) and document vectors.
    n_words : int
        Words to generate in total (rounded up to whole passages).
    passage_words : int, default 1000
        Words per passage.
    seed : int, default 0
        Seed of the draw (same model and seed, same passages).

    Returns
    -------
    list of TaggedDocument
        Passages tagged with random pretrained documents' tags (each document at most once while
        there are enough); pass as ``rehearsal=`` to `paravec.update`.

    Raises
    ------
    ParameterError
        The model has no negative-sampling output layer or no document vectors, or a number is not
        a positive integer.
    """
    from gensim.models.doc2vec import TaggedDocument

    if not getattr(model, "negative", 0) or getattr(model, "syn1neg", None) is None:
        raise ParameterError(
            "generative replay needs a model trained with negative sampling (negative > 0); "
            "this one has hierarchical softmax only: rehearse its base corpus instead"
        )
    dv, wv = model.dv, model.wv
    n_docs, n_vocab = len(dv.index_to_key), len(wv.index_to_key)
    if not n_docs or not n_vocab:
        raise ParameterError("generative replay needs a model with document vectors and words")
    cum = np.asarray(model.cum_table, dtype=np.float64)
    noise = np.diff(cum, prepend=0.0)[:n_vocab] / cum[-1]
    keep = np.minimum(np.asarray(wv.expandos["sample_int"], dtype=np.float64) / 2**32, 1.0)
    with np.errstate(divide="ignore"):
        prior = np.log(noise) - np.log(np.maximum(keep, 1e-12))
    null = wv.key_to_index.get(_NULL_WORD)
    if null is not None:
        prior[null] = -np.inf
    out = np.asarray(model.syn1neg[:n_vocab], dtype=np.float64)
    rng = np.random.default_rng(seed)
    n_passages = -(-n_words // passage_words)
    rows = (
        rng.permutation(n_docs)[:n_passages] if n_passages <= n_docs else rng.integers(0, n_docs, n_passages)
    )
    passages = []
    for row in rows:
        logits = out @ np.asarray(dv.vectors[row], dtype=np.float64) + prior
        p = np.exp(logits - logits.max())
        p /= p.sum()
        ids = rng.choice(n_vocab, size=passage_words, p=p)
        passages.append(TaggedDocument([wv.index_to_key[i] for i in ids], [dv.index_to_key[row]]))
    return passages
