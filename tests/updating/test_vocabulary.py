"""paravec.updating.vocabulary (and paravec.vocab): which words enter, with which counts and tables."""

from __future__ import annotations

from collections import Counter

import numpy as np
from gensim.models.doc2vec import TaggedDocument

import paravec
import paravec.vocab


def test_rare_words_wait_until_they_reach_min_count(lee_background, base):
    model = base(lee_background)
    batch = lambda tag: [TaggedDocument(["government", "zzqfrob"], [tag])]  # noqa: E731
    first = paravec.update(model, batch("a"), min_count=2)
    assert "zzqfrob" not in model.wv and model.raw_vocab["zzqfrob"] == 1
    assert first.pending_words >= 1
    second = paravec.update(model, batch("b"), min_count=2)
    assert second.new_words == ["zzqfrob"]
    assert model.wv.get_vecattr("zzqfrob", "count") == 2 and "zzqfrob" not in model.raw_vocab
    assert paravec.check(model) == []


def test_rare_words_of_the_base_count_towards_min_count(lee_background):
    """A word seen 3 times in the base and 2 times in the batch enters at min_count=5, as in retraining."""
    counts = Counter(w for d in lee_background for w in d.words)
    rare = sorted(w for w, c in counts.items() if c == 3)[0]
    model = paravec.train(lee_background, vector_size=16, epochs=2, min_count=5, seed=1, workers=1)
    assert rare not in model.wv and model.raw_vocab[rare] == 3
    assert not set(model.raw_vocab) & set(model.wv.key_to_index)  # the vocabulary's counts live in wv
    report = paravec.update(model, [TaggedDocument(["government", rare, rare], ["new"])])
    assert rare in report.new_words and model.wv.get_vecattr(rare, "count") == 5
    assert rare not in model.raw_vocab and paravec.check(model) == []
    retrained = paravec.train(
        [*lee_background, TaggedDocument(["government", rare, rare], ["new"])],
        vector_size=16,
        epochs=1,
        min_count=5,
        seed=1,
        workers=1,
    )
    assert set(retrained.wv.key_to_index) == set(model.wv.key_to_index)


def test_lower_min_count_adds_only_words_the_batch_uses(lee_background):
    """Lowering min_count must not pull base-only rare words in untrained (random vectors)."""
    counts = Counter(w for d in lee_background for w in d.words)
    rare = sorted(w for w, c in counts.items() if c == 3)
    used, unused = rare[0], rare[1]
    model = paravec.train(lee_background, vector_size=16, epochs=2, min_count=5, seed=1, workers=1)
    report = paravec.update(model, [TaggedDocument(["government", used], ["new"])], min_count=3)
    assert used in report.new_words
    assert unused not in model.wv and model.raw_vocab[unused] == 3
    assert set(report.new_words) <= {"government", used}
    # It enters, with every count, once a batch uses it.
    again = paravec.update(model, [TaggedDocument(["government", unused], ["newer"])], min_count=3)
    assert again.new_words == [unused] and model.wv.get_vecattr(unused, "count") == 4
    assert paravec.check(model) == []


def test_forgetting_rare_words_counts_the_batch_alone(lee_background):
    counts = Counter(w for d in lee_background for w in d.words)
    rare = sorted(w for w, c in counts.items() if c == 3)[0]
    model = paravec.train(
        lee_background, vector_size=16, epochs=1, min_count=5, seed=1, workers=1, keep_rare_words=False
    )
    assert not model.raw_vocab
    paravec.update(model, [TaggedDocument(["government", rare, rare], ["new"])])
    assert rare not in model.wv and model.raw_vocab[rare] == 2


def test_downsampling_uses_counts_over_everything_seen(lee_background, lee_test, base):
    model = base(lee_background)
    paravec.update(model, lee_test, epochs=2)
    counts = np.maximum(model.wv.expandos["count"].astype(float), 1)
    threshold = model.sample * counts.sum()
    expected = np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0) * (2**32 - 1)
    assert np.array_equal(model.wv.expandos["sample_int"], expected.astype(np.uint32))
    gov = model.wv.get_index("government")
    assert model.wv.expandos["count"][gov] == sum(
        d.words.count("government") for d in lee_background + lee_test
    )


def test_negative_sampling_table_matches_gensim(lee_background, base):
    model = base(lee_background)
    for exponent in (0.75, 0.5, -0.5):
        model.ns_exponent = exponent
        model.make_cum_table()
        assert np.array_equal(paravec.vocab.cum_table(model.wv.expandos["count"], exponent), model.cum_table)
