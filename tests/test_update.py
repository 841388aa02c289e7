"""paravec.update on real text: every architecture, every freeze mode, repeated batches."""

from __future__ import annotations

from collections import Counter

import copy
import gc
import subprocess
import sys
import textwrap
import weakref

import numpy as np
import pytest
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

import paravec
import paravec.vocab
from paravec import CorpusError, ModelBrokenError, ParameterError

CONFIGS = {
    "dbow": dict(dm=0, dbow_words=0),
    "dbow_words": dict(dm=0, dbow_words=1),
    "dm_mean": dict(dm=1, dm_mean=1),
    "dm_concat": dict(dm=1, dm_concat=1),
}


def _base(docs, *, size=32, hs=0, epochs=5, **cfg) -> Doc2Vec:
    return paravec.train(docs, vector_size=size, epochs=epochs, min_count=2, hs=hs,
                         negative=0 if hs else 5, seed=3, workers=2, **cfg)


@pytest.fixture
def initial_rows(monkeypatch):
    """Snapshot of wv/dv/syn1neg/syn1 as update hands them to training (new rows initialised)."""
    seen = {}
    original = paravec.update.__globals__["_train"]

    def spy(model, *args, **kwargs):
        seen["wv"] = model.wv.vectors.copy()
        seen["dv"] = model.dv.vectors.copy()
        seen["syn1neg"] = model.syn1neg.copy() if model.negative else None
        seen["syn1"] = model.syn1.copy() if model.hs else None
        return original(model, *args, **kwargs)

    monkeypatch.setitem(paravec.update.__globals__, "_train", spy)
    return seen


@pytest.mark.parametrize("hs", [0, 1], ids=["neg", "hs"])
@pytest.mark.parametrize("arch", list(CONFIGS))
def test_update_every_architecture(arch, hs, lee_background, lee_test, seed_batch, initial_rows):
    model = _base(lee_background, hs=hs, **CONFIGS[arch])
    before = copy.deepcopy(model)
    report = paravec.update(model, lee_test + seed_batch, min_count=2, epochs=10)

    assert paravec.check(model) == []
    n_words, n_docs = len(before.wv), len(before.dv)
    assert report.new_tags == [d.tags[0] for d in lee_test + seed_batch]
    assert len(model.dv) == n_docs + len(report.new_tags)
    # pretrained state is bit-identical under freeze="all"
    assert np.array_equal(model.dv.vectors[:n_docs], before.dv.vectors)
    assert np.array_equal(model.wv.vectors[:n_words], before.wv.vectors)
    if hs:
        assert np.array_equal(model.syn1[: len(before.syn1)], before.syn1)
        for word in before.wv.index_to_key:
            assert np.array_equal(model.wv.get_vecattr(word, "code"), before.wv.get_vecattr(word, "code"))
            assert np.array_equal(model.wv.get_vecattr(word, "point"), before.wv.get_vecattr(word, "point"))
    else:
        assert np.array_equal(model.syn1neg[:n_words], before.syn1neg)
    # every new tag and every new word is trained
    assert report.untrained_tags == []
    moved = lambda now, then: np.any(now != then, axis=1)  # noqa: E731
    new_rows = [model.dv.get_index(t) for t in report.new_tags]
    assert moved(model.dv.vectors[new_rows], initial_rows["dv"][new_rows]).all()
    assert {"xxyfg", "jav", "python", "ruby"} <= set(report.new_words)
    new_idx = [model.wv.get_index(w) for w in report.new_words]
    if CONFIGS[arch].get("dm") or CONFIGS[arch].get("dbow_words"):
        assert moved(model.wv.vectors[new_idx], initial_rows["wv"][new_idx]).all()
    if hs:
        new_nodes = slice(len(before.syn1), None)
        assert moved(model.syn1[new_nodes], initial_rows["syn1"][new_nodes]).any()
    else:
        assert moved(model.syn1neg[new_idx], initial_rows["syn1neg"][new_idx]).all()
    # the model's own training settings are not overwritten
    assert (model.epochs, model.alpha, model.min_alpha) == (before.epochs, before.alpha, before.min_alpha)
    if CONFIGS[arch].get("dm_concat"):
        assert model.wv.index_to_key.count("\0") == 1


@pytest.mark.parametrize("arch,hs", [("dbow_words", 0), ("dm_concat", 1), ("dm_mean", 1)])
def test_update_at_300_dimensions(arch, hs, lee_background, lee_test, initial_rows):
    model = _base(lee_background, size=300, hs=hs, epochs=3, **CONFIGS[arch])
    old = model.dv.vectors.copy()
    report = paravec.update(model, lee_test, epochs=5)
    assert paravec.check(model) == []
    assert model.dv.vectors.shape == (len(old) + 50, 300)
    assert np.array_equal(model.dv.vectors[: len(old)], old)
    assert np.any(model.dv.vectors[len(old):] != initial_rows["dv"][len(old):], axis=1).all()
    assert report.words_trained > 0


def test_seed_scenario_at_300_dimensions(lee_background, seed_batch):
    """The published workaround's own scenario, which crashes or corrupts at size 300 there."""
    model = _base(lee_background, size=300, epochs=20, dm=0, dbow_words=1)
    paravec.update(model, seed_batch, min_count=1)
    assert paravec.check(model) == []
    own = {"jav", "python", "ruby", "xxyfg"}
    for i in range(9):
        nearest = {w for w, _ in model.wv.most_similar([model.dv[f"E{i}"]], topn=5)}
        assert len(own & nearest) >= 3, (i, nearest)
    assert {w for w, _ in model.wv.most_similar("xxyfg", topn=3)} == {"jav", "python", "ruby"}
    inferred = model.infer_vector(["jav", "python", "ruby", "xxyfg"], epochs=50)
    top = [t for t, _ in model.dv.most_similar([inferred], topn=9)]
    assert set(top) == {f"E{i}" for i in range(9)}


@pytest.mark.parametrize("freeze", ["none", "words"])
def test_freeze_modes_move_what_they_allow(freeze, lee_background, lee_test):
    model = _base(lee_background, dm=0, dbow_words=1)
    before = copy.deepcopy(model)
    paravec.update(model, lee_test, freeze=freeze, epochs=5)
    n = len(before.wv)
    assert paravec.check(model) == []
    assert not np.array_equal(model.syn1neg[:n], before.syn1neg)
    assert np.array_equal(model.wv.vectors[:n], before.wv.vectors) == (freeze == "words")
    assert np.array_equal(model.dv.vectors[: len(before.dv)], before.dv.vectors)


def test_drop_old_docs_frees_their_memory(lee_background, lee_test):
    model = _base(lee_background)
    words = model.wv.vectors.copy()
    old_vectors = weakref.ref(model.dv.vectors)
    report = paravec.update(model, lee_test, keep_old_docs=False, epochs=5)
    gc.collect()
    assert old_vectors() is None
    assert report.dropped_tags == 300
    assert model.dv.index_to_key == [d.tags[0] for d in lee_test]
    assert model.dv.vectors.shape == (50, 32)
    assert np.array_equal(model.wv.vectors[: len(words)], words)
    assert paravec.check(model) == []


def test_existing_tag_is_retrained_as_new_version(lee_background, lee_test):
    model = _base(lee_background)
    before = model.dv.vectors.copy()
    new_text = TaggedDocument(lee_test[0].words, ["bg5"])
    report = paravec.update(model, [new_text], epochs=10)
    assert report.replaced_tags == ["bg5"] and report.new_tags == []
    assert len(model.dv) == 300
    changed = np.flatnonzero(np.any(model.dv.vectors != before, axis=1))
    assert changed.tolist() == [5]
    assert model.dv.get_vecattr("bg5", "word_count") == len(lee_test[0].words)


def test_rare_words_wait_until_they_reach_min_count(lee_background):
    model = _base(lee_background)
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
    retrained = paravec.train(lee_background + [TaggedDocument(["government", rare, rare], ["new"])],
                              vector_size=16, epochs=1, min_count=5, seed=1, workers=1)
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
    model = paravec.train(lee_background, vector_size=16, epochs=1, min_count=5, seed=1, workers=1,
                          keep_rare_words=False)
    assert not model.raw_vocab
    paravec.update(model, [TaggedDocument(["government", rare, rare], ["new"])])
    assert rare not in model.wv and model.raw_vocab[rare] == 2


def test_downsampling_uses_counts_over_everything_seen(lee_background, lee_test):
    model = _base(lee_background)
    paravec.update(model, lee_test, epochs=2)
    counts = np.maximum(model.wv.expandos["count"].astype(float), 1)
    threshold = model.sample * counts.sum()
    expected = np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0) * (2**32 - 1)
    assert np.array_equal(model.wv.expandos["sample_int"], expected.astype(np.uint32))
    gov = model.wv.get_index("government")
    assert model.wv.expandos["count"][gov] == sum(d.words.count("government") for d in lee_background + lee_test)


def test_integer_tag_base(lee_background, lee_test):
    int_docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background)]
    model = _base(int_docs)
    batch = [TaggedDocument(d.words, [300 + i]) for i, d in enumerate(lee_test[:10])]
    batch.append(TaggedDocument(lee_test[10].words, ["named"]))
    report = paravec.update(model, batch, epochs=5)
    assert paravec.check(model) == []
    assert report.new_tags == list(range(300, 310)) + ["named"]
    assert model.dv.get_index(305) == 305 and model.dv.get_index("named") == 310
    assert model.dv.most_similar(305, topn=1)


def test_integer_tags_refused_on_string_model(lee_background, lee_test):
    model = _base(lee_background)
    with pytest.raises(CorpusError, match="integer tag 7"):
        paravec.update(model, [TaggedDocument(lee_test[0].words, [7])])


def test_ten_updates_then_plain_gensim_loads_it(tmp_path, lee_background, lee_test):
    model = _base(lee_background, dm=0, dbow_words=1, hs=1)
    for k in range(10):
        batch = [TaggedDocument(d.words + [f"newword{k}"] * 2, [f"b{k}_{j}"]) for j, d in enumerate(lee_test[k * 5:(k + 1) * 5])]
        paravec.update(model, batch, epochs=3, keep_old_docs=(k != 4))
        assert paravec.check(model) == [], k
    path = tmp_path / "updated.model"
    paravec.save(model, path)
    script = textwrap.dedent(f"""
        import sys
        from gensim.models import Doc2Vec
        m = Doc2Vec.load({str(path)!r})
        v = m.infer_vector(["government", "newword9"])
        assert m.dv.most_similar([v], topn=3)
        assert m.wv.most_similar("newword9", topn=3)
        assert m.dv.most_similar("b9_0", topn=3)
        assert "paravec" not in sys.modules
        print(len(m.dv), len(m.wv))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(len(model.dv)), str(len(model.wv))]


@pytest.mark.parametrize(
    "batch,message",
    [
        ([], "empty"),
        ([TaggedDocument([], ["x"])], "no words"),
        ([TaggedDocument(["a"], ["x"]), TaggedDocument(["b"], ["x"])], "appears in documents #0 and #1"),
        ([TaggedDocument("a text", ["x"])], "tokenize"),
        ([TaggedDocument(["a"], "x")], "must be a list"),
        ([TaggedDocument(["a"], [])], "no tag"),
        (["just a string"], "not a TaggedDocument"),
    ],
)
def test_bad_batches_are_refused_without_change(batch, message, lee_background):
    model = _base(lee_background)
    before = copy.deepcopy(model)
    with pytest.raises(CorpusError, match=message):
        paravec.update(model, batch)
    assert np.array_equal(model.wv.vectors, before.wv.vectors) and len(model.dv) == len(before.dv)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"freeze": "some"}, "freeze must be one of"), ({"epochs": 0}, "epochs must be"),
     ({"alpha": -1.0}, "learning rates"), ({"min_count": 0}, "min_count must be")],
)
def test_bad_parameters(kwargs, message, lee_background, lee_test):
    model = _base(lee_background)
    with pytest.raises(ParameterError, match=message):
        paravec.update(model, lee_test, **kwargs)


def test_broken_model_is_refused(lee_background, lee_test):
    model = _base(lee_background)
    model.build_vocab(lee_test, update=True)  # gensim's own update breaks Doc2Vec
    with pytest.raises(ModelBrokenError, match="paravec check"):
        paravec.update(model, lee_test)


def test_fractional_lock_factors(lee_background, lee_test):
    model = _base(lee_background, dm=0, dbow_words=1)
    before = copy.deepcopy(model)
    report = paravec.update(model, lee_test, freeze=(0.5, 0.0), epochs=3)
    n = len(before.wv)
    assert report.freeze == "0.5,0"
    assert not np.array_equal(model.wv.vectors[:n], before.wv.vectors)
    assert np.array_equal(model.syn1neg[:n], before.syn1neg)
    with pytest.raises(ParameterError, match="pair of factors"):
        paravec.update(model, lee_test, freeze=(0.5, 2.0))


def test_rehearsal_trains_with_old_documents_held_fixed(lee_background, lee_test):
    model = _base(lee_background, dm=0, dbow_words=1)
    plain = copy.deepcopy(model)
    old_docs = model.dv.vectors.copy()
    rehearsed = paravec.update(model, lee_test, freeze="none", rehearsal=lee_background[:100], epochs=3)
    baseline = paravec.update(plain, lee_test, freeze="none", epochs=3)
    assert np.array_equal(model.dv.vectors[:300], old_docs)
    assert rehearsed.new_tags == baseline.new_tags and rehearsed.replaced_tags == []
    assert rehearsed.words_trained > baseline.words_trained
    assert rehearsed.rehearsed_documents == 100 and baseline.rehearsed_documents == 0
    assert rehearsed.rehearsed_words == sum(len(d.words) for d in lee_background[:100])
    assert "rehearsed 100 base documents" in rehearsed.summary()
    with pytest.raises(CorpusError, match="does not have"):
        paravec.update(model, lee_test[:1], rehearsal=[TaggedDocument(["a"], ["unknown"])])
    with pytest.raises(ParameterError, match="keep_old_docs=True"):
        paravec.update(model, lee_test[:1], rehearsal=lee_background[:2], keep_old_docs=False)


def test_negative_sampling_table_matches_gensim(lee_background):
    model = _base(lee_background)
    for exponent in (0.75, 0.5, -0.5):
        model.ns_exponent = exponent
        model.make_cum_table()
        assert np.array_equal(paravec.vocab.cum_table(model.wv.expandos["count"], exponent), model.cum_table)
