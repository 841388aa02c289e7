"""The pickle-free model format rebuilds a Doc2Vec equal to the original, and reads no pickle."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gensim.models import Doc2Vec

import paravec
from paravec.errors import StoreError
from paravec.store.format import read_model, referenced_objects, write_model
from paravec.store.objects import ObjectStore


def _equal(a, b, path="model"):
    if isinstance(a, np.random.RandomState):
        assert isinstance(b, np.random.RandomState)
        sa, sb = a.get_state(), b.get_state()
        assert sa[0] == sb[0] and np.array_equal(sa[1], sb[1]) and sa[2:] == sb[2:], path
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape, path
        if a.dtype == object:
            for x, y in zip(a, b, strict=True):
                _equal(x, y, path)
        else:
            assert np.array_equal(a, b), path
    elif isinstance(a, dict):
        assert type(b) is dict and a.keys() == b.keys(), (path, set(a) ^ set(b))
        for k in a:
            _equal(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for x, y in zip(a, b, strict=True):
            _equal(x, y, path)
    elif hasattr(a, "__dict__") and not callable(a):
        assert type(a) is type(b), path
        _equal(vars(a), vars(b), path)
    else:
        assert a is b or a == b, (path, a, b)


@pytest.mark.parametrize(
    "options",
    [
        {"dm": 0, "hs": 0, "negative": 5},
        {"dm": 0, "hs": 1, "negative": 0},
        {"dm": 1, "dm_concat": 1, "window": 2},
        {"dm": 1, "dm_mean": 1, "hs": 1, "negative": 3},
    ],
)
def test_rebuilt_model_equals_original(tmp_path, lee_background, options):
    model = paravec.train(lee_background[:120], vector_size=16, epochs=2, seed=1, workers=1, **options)
    model.paravec_analysis = {"lowercase": True, "steps": ["tokenize", "lemmatize"]}
    model.comment = "base"
    objects = ObjectStore(tmp_path)
    manifest = write_model(model, objects)
    json.dumps(manifest)  # the manifest is plain JSON
    copy = read_model(manifest, objects)
    assert type(copy) is Doc2Vec and manifest["dropped"] == []
    _equal(vars(model), vars(copy))
    words = lee_background[200].words
    assert np.array_equal(model.infer_vector(words, epochs=5), copy.infer_vector(words, epochs=5))
    assert copy.dv.most_similar("bg3", topn=3) == model.dv.most_similar("bg3", topn=3)
    # and it keeps training like the original: the same update gives the same vectors
    batch = lee_background[150:160]
    del model.paravec_analysis, copy.paravec_analysis  # not yet an attribute paravec.check knows
    paravec.update(model, batch, workers=1, seed=4, epochs=2)
    paravec.update(copy, batch, workers=1, seed=4, epochs=2)
    assert np.array_equal(model.dv.vectors, copy.dv.vectors)


def test_raw_vocab_and_int_tags_survive(tmp_path, lee_background):
    from gensim.models.doc2vec import TaggedDocument

    docs = [TaggedDocument(d.words, [i]) for i, d in enumerate(lee_background[:60])]
    model = paravec.train(docs, vector_size=8, epochs=1, seed=1, workers=1)
    assert model.raw_vocab  # paravec keeps the counts of words below min_count
    objects = ObjectStore(tmp_path)
    copy = read_model(write_model(model, objects), objects)
    assert copy.raw_vocab == model.raw_vocab and copy.dv.index_to_key == model.dv.index_to_key


def test_an_attribute_that_needs_pickle_is_dropped_and_named(tmp_path, lee_background):
    model = paravec.train(lee_background[:30], vector_size=8, epochs=1, seed=1, workers=1)
    model.some_object = object()
    objects = ObjectStore(tmp_path)
    manifest = write_model(model, objects)
    assert manifest["dropped"] == ["some_object"]
    assert not hasattr(read_model(manifest, objects), "some_object")


def test_appending_rows_shares_the_unchanged_chunks(tmp_path, lee_background, monkeypatch):
    monkeypatch.setattr("paravec.store.format.CHUNK_BYTES", 16 * 4 * 10)  # 10 rows per chunk
    model = paravec.train(lee_background[:100], vector_size=16, epochs=2, seed=1, workers=1)
    objects = ObjectStore(tmp_path)
    first = referenced_objects(write_model(model, objects))
    paravec.update(model, lee_background[100:105], workers=1, epochs=2)  # freeze="all": appends rows
    second = referenced_objects(write_model(model, objects))
    shared = first & second
    # everything but the last chunk of each growing array and the changed counts is shared
    assert len(shared) > 0.8 * len(first)
    assert len(second - first) < 0.2 * len(second)


def test_a_tampered_manifest_cannot_name_a_path_or_an_object_dtype(tmp_path, lee_background):
    model = paravec.train(lee_background[:30], vector_size=8, epochs=1, seed=1, workers=1)
    objects = ObjectStore(tmp_path)
    manifest = write_model(model, objects)
    bad = json.loads(json.dumps(manifest))
    bad["wv"]["attributes"]["vectors"]["$array"]["chunks"] = ["../../etc/passwd"]
    with pytest.raises(StoreError, match="not an object name"):
        read_model(bad, objects)
    bad = json.loads(json.dumps(manifest))
    bad["wv"]["attributes"]["vectors"]["$array"]["dtype"] = "|O"
    with pytest.raises(StoreError, match="only numeric"):
        read_model(bad, objects)


def test_key_chunks_are_reused_only_while_equal(tmp_path, lee_background, monkeypatch):
    monkeypatch.setattr("paravec.store.format._KEYS_PER_CHUNK", 40)
    model = paravec.train(lee_background[:100], vector_size=16, epochs=2, seed=1, workers=1)
    objects = ObjectStore(tmp_path)
    first = write_model(model, objects)
    copy = read_model(first, objects)
    encoded: list[int] = []
    real_dumps = json.dumps
    monkeypatch.setattr(
        "paravec.store.format.json.dumps", lambda v, **k: encoded.append(1) or real_dumps(v, **k)
    )
    paravec.update(copy, lee_background[100:105], workers=1, epochs=2)  # appends tags and words
    manifest = write_model(copy, objects)

    def changed(name):
        before, after = first[name]["keys"], manifest[name]["keys"]
        return sum(1 for i, d in enumerate(after) if i >= len(before) or before[i] != d)

    # Only chunks that differ from the same chunk of the version read were encoded and hashed:
    # the update appended tags and words, so all but the last chunks of both lists are reused.
    assert changed("dv") == 1 and changed("wv") <= 2
    assert len(encoded) == changed("dv") + changed("wv") + changed("raw_vocab")
    # a key renamed in place, in a chunk that was reused, is seen and stored
    copy.dv.index_to_key[3] = "renamed"
    copy.dv.key_to_index = {k: i for i, k in enumerate(copy.dv.index_to_key)}
    again = read_model(write_model(copy, objects), objects)
    assert again.dv.index_to_key[3] == "renamed"
    assert again.dv.index_to_key == copy.dv.index_to_key
    assert again.wv.index_to_key == copy.wv.index_to_key and again.raw_vocab == copy.raw_vocab
