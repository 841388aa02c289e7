"""Loading and saving: every way a model file can be wrong gives a clear ModelFileError."""

from __future__ import annotations

import hashlib
import os
import random

import numpy as np
import pytest
from gensim.models import Doc2Vec, FastText, Word2Vec

import paravec
from paravec import ModelFileError


@pytest.fixture(scope="module")
def small_model(lee_background) -> Doc2Vec:
    return paravec.train(lee_background[:80], vector_size=16, epochs=2, seed=2, workers=1)


def _digest(folder) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def test_roundtrip_and_mmap(tmp_path, small_model):
    path = tmp_path / "m.model"
    paravec.save(small_model, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.model"]  # no staging folder left
    loaded = paravec.load(path)
    assert np.array_equal(loaded.dv.vectors, small_model.dv.vectors)
    mapped = paravec.load(path, mmap="r")
    assert paravec.check(mapped) == []


def test_large_arrays_go_to_side_files_and_mmap(tmp_path, lee_background):
    model = paravec.train(lee_background, vector_size=300, epochs=1, min_count=1, workers=2)
    model.dv.vectors = np.vstack([model.dv.vectors] * 120)  # > 10M values: gensim stores it apart
    model.dv.index_to_key = [f"d{i}" for i in range(len(model.dv.vectors))]
    model.dv.key_to_index = {k: i for i, k in enumerate(model.dv.index_to_key)}
    model.dv.expandos = {}
    path = tmp_path / "big.model"
    paravec.save(model, path)
    assert (tmp_path / "big.model.dv.vectors.npy").exists()
    mapped = paravec.load(path, mmap="r")
    assert isinstance(mapped.dv.vectors, np.memmap)
    report = paravec.update(mapped, [lee_background[0]._replace(tags=["fresh"])], epochs=1)
    assert report.new_tags == ["fresh"] and paravec.check(mapped) == []
    # a second save over the same name replaces the side files and leaves no stale ones
    model.dv.vectors = model.dv.vectors[:10]
    model.dv.index_to_key = model.dv.index_to_key[:10]
    model.dv.key_to_index = {k: i for i, k in enumerate(model.dv.index_to_key)}
    paravec.save(model, path)
    assert not (tmp_path / "big.model.dv.vectors.npy").exists()
    assert len(paravec.load(path).dv) == 10


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p, m: None, "not found"),
        (lambda p, m: p.write_bytes(b""), "empty"),
        (lambda p, m: (m.save(str(p)), p.write_bytes(p.read_bytes()[:300])), "truncated or corrupt"),
        # Seeded garbage: seed 0 fails to unpickle; seeds 43, 45 and 102 make gensim's loader raise
        # OverflowError, ValueError and UnicodeDecodeError (OverflowError used to escape).
        (lambda p, m: p.write_bytes(random.Random(0).randbytes(2000)), "truncated or corrupt"),
        (lambda p, m: p.write_bytes(random.Random(43).randbytes(2000)), "truncated or corrupt"),
        (lambda p, m: p.write_bytes(random.Random(45).randbytes(2000)), "truncated or corrupt"),
        (lambda p, m: p.write_bytes(random.Random(102).randbytes(2000)), "truncated or corrupt"),
        (lambda p, m: p.write_text("3 2\na 0.1 0.2\nb 0.3 0.4\nc 0.5 0.6\n"), "word2vec-format"),
        (
            lambda p, m: Word2Vec([["a", "b"]], vector_size=4, min_count=1).save(str(p)),
            "holds a gensim Word2Vec",
        ),
        (
            lambda p, m: FastText([["a", "b"]], vector_size=4, min_count=1).save(str(p)),
            "holds a gensim FastText",
        ),
        (lambda p, m: m.wv.save(str(p)), "holds a gensim KeyedVectors"),
        (lambda p, m: p.mkdir(), "is a folder"),
    ],
    ids=[
        "missing",
        "empty",
        "truncated",
        "garbage",
        "garbage-overflow",
        "garbage-value",
        "garbage-unicode",
        "w2v-text",
        "word2vec",
        "fasttext",
        "keyedvectors",
        "folder",
    ],
)
def test_bad_model_files(tmp_path, small_model, make, message):
    path = tmp_path / "model"
    make(path, small_model)
    before = _digest(tmp_path)
    with pytest.raises(ModelFileError, match=message):
        paravec.load(path)
    assert _digest(tmp_path) == before


def test_interrupted_save_keeps_the_old_model(tmp_path, small_model, monkeypatch):
    path = tmp_path / "m.model"
    paravec.save(small_model, path)
    before = _digest(tmp_path)

    def failing_save(self, fname, *args, **kwargs):
        with open(fname, "wb") as fh:
            fh.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Doc2Vec, "save", failing_save)
    with pytest.raises(ModelFileError, match="No space left"):
        paravec.save(small_model, path)
    assert _digest(tmp_path) == before


def test_save_into_missing_folder(tmp_path, small_model):
    with pytest.raises(ModelFileError, match="does not exist"):
        paravec.save(small_model, tmp_path / "nope" / "m.model")


def _big_model(lee_background) -> Doc2Vec:
    """A model whose document vectors gensim writes to a side file (>= 10M values)."""
    model = paravec.train(lee_background[:50], vector_size=100, epochs=1, min_count=1, workers=1, seed=1)
    rows = 10 * 1024 * 1024 // 100 + 1
    model.dv.vectors = np.random.default_rng(0).random((rows, 100), dtype=np.float32)
    model.dv.index_to_key = [f"d{i}" for i in range(rows)]
    model.dv.key_to_index = {k: i for i, k in enumerate(model.dv.index_to_key)}
    model.dv.expandos = {}
    return model


def test_saving_over_a_name_keeps_the_side_files_of_other_models_that_start_with_it(tmp_path, lee_background):
    """Saving c/m.model deleted the side files of c/m.model.v1 (its glob m.model.*.npy matched them)."""
    model = _big_model(lee_background)
    paravec.save(model, tmp_path / "m.model.v1")
    side_files = sorted(p.name for p in tmp_path.glob("m.model.v1.*.npy"))
    assert side_files
    paravec.save(model, tmp_path / "m.model")
    assert sorted(p.name for p in tmp_path.glob("m.model.v1.*.npy")) == side_files
    assert np.array_equal(paravec.load(tmp_path / "m.model.v1", mmap="r").dv.vectors, model.dv.vectors)


def test_a_save_stopped_between_side_files_and_main_file_is_refused_on_load(
    tmp_path, lee_background, monkeypatch
):
    """A save killed after the side files moved left old main + new side files that loaded silently."""
    model = _big_model(lee_background)
    path = tmp_path / "m.model"
    paravec.save(model, path)
    model.dv.vectors += 1.0  # a new version of the model, same shapes
    real_replace = os.replace

    def killed_at_main_file(src, dst):
        if str(dst) == str(path):
            raise KeyboardInterrupt  # the process dies here
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed_at_main_file)
    with pytest.raises(KeyboardInterrupt):
        paravec.save(model, path)
    monkeypatch.setattr(os, "replace", real_replace)
    with pytest.raises(ModelFileError, match="do not belong to"):
        paravec.load(path, mmap="r")
    # a complete save loads, and the saved model does not keep paravec's bookkeeping attribute
    paravec.save(model, path)
    loaded = paravec.load(path, mmap="r")
    assert np.array_equal(loaded.dv.vectors, model.dv.vectors) and paravec.check(loaded) == []
    assert not hasattr(model, "paravec_side_files") and not hasattr(loaded, "paravec_side_files")
