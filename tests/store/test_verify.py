"""The store's gate proves retention from stored chunks exactly as a row-by-row comparison does."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import paravec
from paravec.store import format as store_format
from paravec.store.format import write_model
from paravec.store.objects import ObjectStore
from paravec.store.verify import chunk_retention, exact_retention


@pytest.fixture
def small_chunks(monkeypatch):
    # A few rows a chunk, so that the proof meets both kinds of chunk: equal digests (read
    # nothing) and the last pretrained chunk, which the new rows share (read and compared).
    monkeypatch.setattr(store_format, "CHUNK_BYTES", 4096)


@pytest.fixture
def updated(base, batch):
    model = copy.deepcopy(base)
    paravec.update(model, batch[:8], workers=1, seed=1)
    return model


def _proofs(tmp_path, before, after, keep_old_docs=True):
    objects = ObjectStore(tmp_path / "objects")
    parent, manifest = write_model(before, objects), write_model(after, objects)
    by_chunks = chunk_retention(parent, manifest, after, objects, keep_old_docs=keep_old_docs)
    by_rows = exact_retention(before, after, keep_old_docs=keep_old_docs)
    return by_chunks, by_rows


def test_chunk_proof_equals_the_row_comparison_after_a_frozen_update(tmp_path, small_chunks, base, updated):
    by_chunks, by_rows = _proofs(tmp_path, base, updated)
    assert by_chunks.verdict == by_rows.verdict == "pass"
    assert by_chunks.metrics == by_rows.metrics
    assert by_chunks.metrics["word_vectors_identical"] == len(base.wv) > 100
    assert by_chunks.metrics["document_vectors_identical"] == len(base.dv)


def test_chunk_proof_finds_every_moved_pretrained_row(tmp_path, small_chunks, base, updated):
    moved = copy.deepcopy(updated)
    moved.wv.vectors[[0, 7, len(base.wv) - 1]] += 1e-3  # first chunk, a middle one, the shared last one
    moved.syn1neg[3] = np.nextafter(moved.syn1neg[3], np.inf)  # one unit in the last place
    by_chunks, by_rows = _proofs(tmp_path, base, moved)
    assert by_chunks.verdict == by_rows.verdict == "fail"
    assert by_chunks.metrics == by_rows.metrics
    assert by_chunks.metrics["word_vectors_identical"] == len(base.wv) - 3
    assert by_chunks.metrics["output_weights_identical"] == len(base.wv) - 1
    assert by_chunks.summary == by_rows.summary


def test_chunk_proof_with_one_chunk_per_array(tmp_path, base, updated):
    by_chunks, by_rows = _proofs(tmp_path, base, updated, keep_old_docs=False)
    assert by_chunks.metrics == by_rows.metrics and "document_vectors_identical" not in by_chunks.metrics


def test_a_frozen_store_update_proves_retention_without_loading_the_parent(
    store, batch, batch_texts, monkeypatch
):
    loads = []
    original = type(store).model

    def counted(self, version=None):
        loads.append(version)
        return original(self, version)

    monkeypatch.setattr(type(store), "model", counted)
    info = store.update(
        batch[:10], batch_texts, evaluate_options={"word_benchmarks": False}, workers=1, seed=1
    )
    assert loads == [1]  # the model to update, and no second copy for the report
    section = store.report(info.number).section("exact_retention")
    assert section.verdict == "pass"
    model = store.model(1)
    assert section.metrics["word_vectors_identical"] == len(model.wv)
    assert section.metrics["document_vectors_identical"] == len(model.dv)


def test_chunk_proof_of_a_parent_stored_in_other_chunks_compares_its_rows(
    tmp_path, base, updated, monkeypatch
):
    objects = ObjectStore(tmp_path / "objects")
    monkeypatch.setattr(store_format, "CHUNK_BYTES", 4096)
    parent = write_model(base, objects)  # as a paravec with other chunk sizes stored it
    monkeypatch.setattr(store_format, "CHUNK_BYTES", 8192)
    manifest = write_model(updated, objects)
    by_chunks = chunk_retention(parent, manifest, updated, objects, keep_old_docs=True)
    assert by_chunks.verdict == "pass"
    assert by_chunks.metrics == exact_retention(base, updated, keep_old_docs=True).metrics
