"""paravec.check (paravec/invariants.py) catches the ways gensim models really get broken."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import Doc2Vec

import paravec


@pytest.fixture
def model(lee_background) -> Doc2Vec:
    return paravec.train(lee_background[:100], vector_size=24, epochs=2, min_count=2, seed=1, workers=1)


def test_fresh_gensim_models_are_consistent(lee_background):
    for kwargs in ({"dm": 0}, {"dm": 1, "hs": 1, "negative": 0}, {"dm": 1, "dm_concat": 1}):
        model = Doc2Vec(lee_background[:50], vector_size=16, min_count=2, epochs=1, **kwargs)
        assert paravec.check(model) == [], kwargs


def test_plain_gensim_update_is_caught(model, lee_test):
    # gensim's own build_vocab(update=True) on a Doc2Vec: new tags take the rows of old ones.
    model.build_vocab(lee_test, update=True)
    problems = paravec.check(model)
    assert "dv.vectors has 100 rows but dv has 50 keys" in problems
    assert "dv.key_to_index has 100 entries that do not point back to their key" in problems


def test_plain_gensim_update_with_more_tags_than_rows_and_filled_norms_is_listed(model, lee_background):
    # More new tags than the model had rows, after dv.most_similar filled the norms: the tags
    # outrun the vectors and the norms, which must be reported, not crash the check.
    model.dv.most_similar("bg0")
    model.build_vocab(lee_background[100:220], update=True)
    problems = paravec.check(model)
    assert "dv.vectors has 100 rows but dv has 120 keys" in problems
    assert any(p.startswith("dv.key_to_index has") for p in problems), problems


def test_published_workaround_is_caught(model, seed_batch):
    # The seed's recipe: a temporary Doc2Vec() (100 wide) donates its doc vectors, and two
    # assignments land on the model instead of on model.dv.
    temp = Doc2Vec()
    temp.build_vocab(seed_batch)
    model.build_vocab(seed_batch, update=True, keep_raw_vocab=True)
    model.index_to_key = temp.dv.index_to_key
    model.key_to_index = temp.dv.key_to_index
    model.dv.vectors = temp.dv.vectors
    problems = paravec.check(model)
    assert any("stray attributes on the model: index_to_key, key_to_index" in p for p in problems), problems
    assert any("100 wide" in p for p in problems), problems


def test_stale_norms_are_caught(model):
    model.wv.fill_norms()
    assert paravec.check(model) == []
    model.wv.vectors[3] *= 2.0
    assert paravec.check(model) == ["wv.norms are stale: they do not match the vectors"]


def test_huffman_points_outside_syn1_are_caught(lee_background):
    model = paravec.train(lee_background[:60], vector_size=16, epochs=1, hs=1, negative=0, workers=1)
    model.syn1 = model.syn1[:10]
    assert any("Huffman points outside syn1" in p for p in paravec.check(model))


def test_second_null_word_is_caught(lee_background, lee_test):
    model = paravec.train(lee_background[:60], vector_size=16, epochs=1, dm=1, dm_concat=1, workers=1)
    model.build_vocab(lee_test[:5], update=True)  # gensim appends another '\0'
    assert any("2 null words" in p for p in paravec.check(model))


def test_lock_array_and_nan_are_caught(model):
    model.wv.vectors_lockf = np.ones(3, dtype=np.float32)
    model.dv.vectors[0, 0] = np.nan
    problems = paravec.check(model)
    assert any("vectors_lockf has 3 entries" in p for p in problems)
    assert "dv.vectors contain NaN or infinite values" in problems


def test_not_a_doc2vec():
    assert paravec.check("model.bin") == ["not a gensim Doc2Vec but a str"]


def test_check_reads_few_blocks_of_a_big_memory_mapped_model():
    # Scattered sample rows make the kernel fault in a readahead window per row: checking a
    # memory-mapped base of a million documents read 1.2 GB. Contiguous blocks read a few MB.
    from paravec.invariants import _SAMPLE_ROWS, _sample_rows

    rows = _sample_rows(1_000_000)
    runs = 1 + int(np.count_nonzero(np.diff(rows) != 1))
    assert runs <= 20 and len(rows) <= _SAMPLE_ROWS
    assert rows[0] == 0 and rows[-1] == 999_999


def test_key_mapping_in_another_order_or_with_equal_copies_of_the_keys_is_consistent(model):
    # check proves the mapping with whole-list comparisons when key_to_index holds the very keys
    # of index_to_key in order; any other layout of a sound mapping must pass the per-key lookup.
    wv = model.wv
    wv.key_to_index = {"".join(list(k)): i for k, i in wv.key_to_index.items()}  # equal keys, new objects
    assert any(a is not b for a, b in zip(wv.key_to_index, wv.index_to_key, strict=True))
    assert paravec.check(model) == []
    wv.key_to_index = dict(reversed(list(wv.key_to_index.items())))
    assert paravec.check(model) == []


def test_two_swapped_entries_of_key_to_index_are_caught(model):
    wv = model.wv
    a, b = wv.index_to_key[5], wv.index_to_key[9]
    wv.key_to_index[a], wv.key_to_index[b] = 9, 5
    assert paravec.check(model) == [
        "wv.key_to_index has 2 entries that do not point back to their key",
        "wv.index_to_key has 2 keys that key_to_index does not map to their position",
    ]


def test_a_saved_model_keeps_its_keys_shared_so_the_fast_proof_applies(model, tmp_path):
    # The fast proof needs key_to_index's keys to be the very objects of index_to_key; a model
    # written and read back must keep them so, or every check falls back to a lookup per key.
    import operator

    paravec.save(model, tmp_path / "m.model")
    loaded = paravec.load(tmp_path / "m.model")
    for kv in (loaded.wv, loaded.dv):
        assert all(map(operator.is_, kv.key_to_index, kv.index_to_key))
    assert paravec.check(loaded) == []


def test_broken_huffman_codes_are_counted_per_word(lee_background):
    model = paravec.train(lee_background[:60], vector_size=16, epochs=1, hs=1, negative=0, workers=1)
    assert paravec.check(model) == []
    codes, points = model.wv.expandos["code"], model.wv.expandos["point"]
    codes[3] = codes[3].copy()
    codes[3][0] = 2
    codes[7] = np.concatenate([codes[7], np.ones(1, np.uint8)])  # one bit longer than its path
    points[11] = points[11].copy()
    points[11][-1] = len(model.syn1) + 4
    points[11][0] = len(model.syn1)  # two entries outside, one word
    codes[12] = codes[12][:0]
    points[12] = points[12][:0]
    assert paravec.check(model) == [
        "1 words have Huffman points outside syn1 (" + str(len(model.syn1)) + " rows)",
        "1 words have Huffman codes and points of different lengths",
        "1 words have Huffman codes other than 0/1",
        "some words have no Huffman code",
    ]


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan])
def test_a_non_finite_value_anywhere_in_a_small_model_is_caught(model, value):
    row = len(model.wv) - 1  # the last row, where updates append
    model.wv.vectors[row, 7] = value
    assert paravec.check(model) == ["wv.vectors contain NaN or infinite values"]
    model.wv.vectors[row, 7] = 0.0
    model.wv.vectors[len(model.wv) // 2, 0] = value
    assert paravec.check(model) == ["wv.vectors contain NaN or infinite values"]
