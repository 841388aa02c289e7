"""paravec.update end to end on real text: every architecture, every freeze mode, repeated batches."""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec import CorpusError, ParameterError

CONFIGS = {
    "dbow": dict(dm=0, dbow_words=0),
    "dbow_words": dict(dm=0, dbow_words=1),
    "dm_mean": dict(dm=1, dm_mean=1),
    "dm_concat": dict(dm=1, dm_concat=1),
}


@pytest.mark.parametrize("hs", [0, 1], ids=["neg", "hs"])
@pytest.mark.parametrize("arch", list(CONFIGS))
def test_update_every_architecture(arch, hs, lee_background, lee_test, seed_batch, initial_rows, base):
    model = base(lee_background, hs=hs, **CONFIGS[arch])
    before = copy.deepcopy(model)
    report = paravec.update(model, lee_test + seed_batch, min_count=2, epochs=10, trainer=initial_rows)

    assert paravec.check(model) == []
    n_words, n_docs = len(before.wv), len(before.dv)
    assert report.new_tags == [d.tags[0] for d in lee_test + seed_batch]
    assert len(model.dv) == n_docs + len(report.new_tags)
    # pretrained state is bit-identical under freeze="all"
    assert np.array_equal(model.dv.vectors[:n_docs], before.dv.vectors)
    assert np.array_equal(model.wv.vectors[:n_words], before.wv.vectors)
    if hs:
        assert np.array_equal(model.syn1[: len(before.syn1)], before.syn1)
        # every pretrained code is kept but the one leaf the new words' tree is grafted at, which
        # moves one level down (paravec.vocab)
        changed = [
            w
            for w in before.wv.index_to_key
            if not np.array_equal(model.wv.get_vecattr(w, "code"), before.wv.get_vecattr(w, "code"))
            or not np.array_equal(model.wv.get_vecattr(w, "point"), before.wv.get_vecattr(w, "point"))
        ]
        assert len(changed) == 1
        old_code = before.wv.get_vecattr(changed[0], "code").tolist()
        assert model.wv.get_vecattr(changed[0], "code").tolist() == [*old_code, 0]
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


@pytest.mark.parametrize(("arch", "hs"), [("dbow_words", 0), ("dm_concat", 1), ("dm_mean", 1)])
def test_update_at_300_dimensions(arch, hs, lee_background, lee_test, initial_rows, base):
    model = base(lee_background, size=300, hs=hs, epochs=3, **CONFIGS[arch])
    old = model.dv.vectors.copy()
    report = paravec.update(model, lee_test, epochs=5, trainer=initial_rows)
    assert paravec.check(model) == []
    assert model.dv.vectors.shape == (len(old) + 50, 300)
    assert np.array_equal(model.dv.vectors[: len(old)], old)
    assert np.any(model.dv.vectors[len(old) :] != initial_rows["dv"][len(old) :], axis=1).all()
    assert report.words_trained > 0


def test_seed_scenario_at_300_dimensions(lee_background, seed_batch, base):
    """The published workaround's own scenario, which crashes or corrupts at size 300 there."""
    model = base(lee_background, size=300, epochs=20, dm=0, dbow_words=1)
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
def test_freeze_modes_move_what_they_allow(freeze, lee_background, lee_test, base):
    model = base(lee_background, dm=0, dbow_words=1)
    before = copy.deepcopy(model)
    paravec.update(model, lee_test, freeze=freeze, epochs=5)
    n = len(before.wv)
    assert paravec.check(model) == []
    assert not np.array_equal(model.syn1neg[:n], before.syn1neg)
    assert np.array_equal(model.wv.vectors[:n], before.wv.vectors) == (freeze == "words")
    assert np.array_equal(model.dv.vectors[: len(before.dv)], before.dv.vectors)


def test_fractional_lock_factors(lee_background, lee_test, base):
    model = base(lee_background, dm=0, dbow_words=1)
    before = copy.deepcopy(model)
    report = paravec.update(model, lee_test, freeze=(0.5, 0.0), epochs=3)
    n = len(before.wv)
    assert report.freeze == "0.5,0"
    assert not np.array_equal(model.wv.vectors[:n], before.wv.vectors)
    assert np.array_equal(model.syn1neg[:n], before.syn1neg)
    with pytest.raises(ParameterError, match="pair of factors"):
        paravec.update(model, lee_test, freeze=(0.5, 2.0))


def test_rehearsal_trains_with_old_documents_held_fixed(lee_background, lee_test, base):
    model = base(lee_background, dm=0, dbow_words=1)
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


def test_ten_updates_then_plain_gensim_loads_it(tmp_path, lee_background, lee_test, base):
    model = base(lee_background, dm=0, dbow_words=1, hs=1)
    for k in range(10):
        batch = [
            TaggedDocument(d.words + [f"newword{k}"] * 2, [f"b{k}_{j}"])
            for j, d in enumerate(lee_test[k * 5 : (k + 1) * 5])
        ]
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
