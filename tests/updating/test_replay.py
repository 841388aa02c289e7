"""Generative replay: pseudo-passages from the model's own document vectors, and fit='domain' on them."""

from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import pytest
from scipy.stats import binomtest

import paravec
from paravec.errors import ParameterError
from paravec.replay import sample_replay
from paravec.updating.fits import fit_settings


@pytest.fixture(scope="module")
def lee_base(base, lee_background):
    # One worker: gensim's training with two is not repeatable, and the counts below need a fixed base.
    return base(lee_background[:200], size=48, epochs=40, dbow_words=0, workers=1)


def test_replayed_passages_are_about_their_documents(lee_base, lee_background):
    """A document's pseudo-passage holds its own rare words, not a random other document's."""
    passages = sample_replay(lee_base, 40 * 300, passage_words=300, seed=1)
    assert len(passages) == 40 and all(len(p.words) == 300 for p in passages)
    df = Counter(w for d in lee_background[:200] for w in set(d.words))
    rare = {d.tags[0]: {w for w in d.words if df[w] <= 10} for d in lee_background[:200]}
    tags = list(rare)
    rng = np.random.default_rng(0)
    own = [sum(w in rare[p.tags[0]] for w in p.words) for p in passages]
    other = [sum(w in rare[tags[rng.integers(len(tags))]] for w in p.words) for p in passages]
    assert np.mean(own) > 4 * np.mean(other)
    # Passage by passage, its own document's rare words win far more often than a random
    # document's (a sign test over the untied passages; chance would split them evenly).
    wins = sum(o > x for o, x in zip(own, other, strict=True))
    losses = sum(o < x for o, x in zip(own, other, strict=True))
    assert binomtest(wins, wins + losses, alternative="greater").pvalue < 1e-3


def test_replay_is_reproducible_and_uses_each_document_once(lee_base):
    a = sample_replay(lee_base, 5000, passage_words=100, seed=4)
    b = sample_replay(lee_base, 5000, passage_words=100, seed=4)
    assert [p.words for p in a] == [p.words for p in b]
    assert len({p.tags[0] for p in a}) == len(a) == 50
    assert all(w in lee_base.wv.key_to_index for p in a for w in p.words)


def test_replay_refuses_a_model_without_negative_sampling(base, lee_background):
    hs_model = base(lee_background[:50], hs=1, epochs=1)
    with pytest.raises(ParameterError, match="needs a model trained with negative sampling"):
        sample_replay(hs_model, 100)


def test_domain_fit_with_replay_needs_no_base_text(lee_base, lee_background):
    model = copy.deepcopy(lee_base)
    words = model.wv.vectors.copy()
    report = paravec.update(model, lee_background[200:], fit="domain", rehearse="replay")
    assert (report.fit, report.freeze) == ("domain", "words")
    # as many words as a rehearsal of base text would have (0.6x the batch's, at most 1/10 of the base's)
    wanted = fit_settings(lee_base, "domain", report.words).rehearsal_words
    assert wanted <= report.rehearsed_words < wanted + 1000
    assert np.array_equal(model.wv.vectors[: len(words)], words)
    assert not np.array_equal(model.syn1neg[: len(words)], lee_base.syn1neg)  # output weights learnt
    assert paravec.check(model) == []


def test_an_unknown_rehearse_string_is_refused(lee_base, lee_background):
    model = copy.deepcopy(lee_base)
    with pytest.raises(
        ParameterError, match=r"rehearse must be the base corpus .* or 'replay'; got the string 'wiki\.txt'"
    ):
        paravec.update(model, lee_background[200:210], fit="domain", rehearse="wiki.txt")
    assert len(model.dv) == len(lee_base.dv)
