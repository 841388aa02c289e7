"""A store never unpickles: a pickle dropped into it cannot run code (issue 12, item 5).

The payload is a real gensim-style pickle whose loading creates a file; `paravec.load` runs it
(shown first, so the payload is known to work), the store's reading paths do not.
"""

from __future__ import annotations

import os
import pickle

import pytest

import paravec
from paravec.errors import ModelFileError, StoreError


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def payload(tmp_path):
    marker = tmp_path / "pwned"
    return pickle.dumps(_Payload(str(marker)), protocol=4), marker


def test_the_payload_runs_when_a_pickle_is_loaded(tmp_path, payload):
    data, marker = payload
    (tmp_path / "evil.model").write_bytes(data)
    with pytest.raises(ModelFileError):
        paravec.load(tmp_path / "evil.model")  # not a Doc2Vec, but the code ran while unpickling
    assert marker.exists()


def test_a_store_reads_no_pickle_wherever_it_is_dropped(store, payload):
    data, marker = payload
    version = store.path / "versions" / "000001"
    # beside the version's files, under names a pickle-based loader would look for
    for name in ("model.pkl", "model.model", "index/model.model", "index/vectors-0.npy.pkl"):
        (version / name).write_bytes(data)
    reopened = paravec.Store.open(store.path)
    model = reopened.model()
    assert paravec.check(model) == []
    assert len(reopened.index(model=model).search("fire", k=3)) == 3
    assert not marker.exists()


def test_a_pickle_in_place_of_the_model_manifest_or_a_chunk_is_refused_without_running(store, payload):
    data, marker = payload
    version = store.path / "versions" / "000001"
    manifest = (version / "model.json").read_bytes()
    (version / "model.json").write_bytes(data)
    with pytest.raises(StoreError, match="unreadable"):
        paravec.Store.open(store.path).model()
    (version / "model.json").write_bytes(manifest)
    chunk = sorted((store.path / "objects").rglob("*"), key=lambda p: p.stat().st_size if p.is_file() else 0)[
        -1
    ]
    chunk.write_bytes(data)
    with pytest.raises(StoreError, match="corrupt"):
        paravec.Store.open(store.path).model()
    assert not marker.exists()
