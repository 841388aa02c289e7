"""Which words of a batch enter a trained model's vocabulary, and which wait for later batches.

A paragraph-vector model (Le & Mikolov 2014) learns vectors only for the words of its vocabulary,
which gensim builds once from counts over the whole corpus: a word enters when its count reaches
``min_count``. An update keeps that rule over everything the model has seen: the batch's counts
are added to those of the vocabulary, and a new word enters once its count over base and batches
reaches ``min_count`` and the batch uses it (so that it is trained). The others are remembered in
``model.raw_vocab`` — gensim's own place for raw counts — until a later batch brings them in. A
base from `paravec.train` starts that record with its own corpus's rare words, so at the
model's ``min_count`` the vocabulary grows as retraining on everything would build it. The rows
themselves are grown by `paravec.vocab.add_words`.

Examples
--------
>>> from collections import Counter
>>> from gensim.models import Doc2Vec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.updating.vocabulary import grow_vocabulary
>>> model = Doc2Vec([TaggedDocument(["a", "b", "a"], ["d0"])], vector_size=4, min_count=1, epochs=1, workers=1)
>>> model.raw_vocab = {}
>>> grow_vocabulary(model, Counter(["a", "new", "new", "rare"]), min_count=2, seed=0)
['new']
>>> model.raw_vocab, int(model.wv.get_vecattr("a", "count"))
({'rare': 1}, 3)
"""

from __future__ import annotations

from collections import Counter

from gensim.models import Doc2Vec

from paravec.vocab import add_words

__all__ = ["NULL_WORD", "grow_vocabulary"]

# The padding word of PV-DM concat models: part of the vocabulary, never a word of the text.
NULL_WORD = "\0"


def grow_vocabulary(model: Doc2Vec, batch_counts: Counter[str], min_count: int, seed: int) -> list[str]:
    """Count the batch's words and add those that reach ``min_count`` to the vocabulary.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The model; its counts (``wv`` attribute ``count``), ``raw_vocab`` and vocabulary change.
    batch_counts : Counter
        Occurrences of each word in the batch.
    min_count : int
        Count over everything seen that a new word needs to enter.
    seed : int
        Seed of the update; new word vectors are drawn from ``seed + len(vocabulary)``.

    Returns
    -------
    list of str
        The words added, most frequent first.
    """
    wv = model.wv
    # The base's pending counts are updated in place and only the batch's words are visited: the
    # time follows the batch, not the millions of rare words a large base may remember.
    pending = model.raw_vocab if isinstance(model.raw_vocab, dict) else dict(model.raw_vocab or {})
    counted = wv.expandos["count"]
    ready = {}
    for word, count in batch_counts.items():
        if word == NULL_WORD:
            continue
        row = wv.key_to_index.get(word)
        if row is not None:
            counted[row] += count
            continue
        total = pending.pop(word, 0) + count
        # Only words this batch uses may enter: a word whose count reached min_count through the
        # base's remembered counts alone (min_count lowered below the base's) would have no
        # occurrence to train on and keep its random vector. It stays pending until a batch uses it.
        if total >= min_count:
            ready[word] = total
        else:
            pending[word] = total
    model.raw_vocab = pending
    return add_words(model, ready, seed=seed + len(wv.index_to_key))
