"""paravec.updating.driver: the kernel's typed inputs built from a model, and training over threads."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import threading
import time

import numpy as np
import pytest
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec import ModelBrokenError, kernel
from paravec.kernel import Corpus, Locks
from paravec.updating.driver import CHUNK_WORDS, TrainingJob, _chunks, build_corpus, build_locks, train


@pytest.fixture(scope="module")
def small(lee_background):
    return paravec.train(lee_background[:80], vector_size=16, epochs=2, min_count=2, seed=4, workers=1)


class Keep:
    """A trainer that keeps the job it was given and trains it unchanged."""

    def __init__(self):
        self.job = None

    def __call__(self, model, job, progress):
        self.job = job
        return train(model, job, progress)


def test_corpus_holds_vocabulary_rows_and_document_rows(small):
    wv = small.wv
    docs = [
        TaggedDocument(["fire", "zzunknown", "\0", "the"], ["a"]),
        TaggedDocument(["zzunknown"], ["b", "c"]),
    ]
    corpus = build_corpus(small, docs, [[5], [6, 7]])
    assert isinstance(corpus, Corpus)
    assert corpus.word_ids.tolist() == [wv.get_index("fire"), wv.get_index("the")]
    assert corpus.doc_starts.tolist() == [0, 2, 2]
    assert corpus.tag_ids.tolist() == [5, 6, 7]
    assert corpus.tag_starts.tolist() == [0, 1, 3]
    dtypes = [a.dtype for a in corpus]
    assert dtypes == [np.int32, np.int64, np.int32, np.int64]


@pytest.mark.parametrize(
    ("factors", "word", "out"), [((0.0, 0.0), 0.0, 0.0), ((0.0, 1.0), 0.0, 1.0), ((0.5, 0.25), 0.5, 0.25)]
)
def test_locks_hold_pretrained_rows_at_their_factors(small, factors, word, out):
    n = len(small.wv)
    locks = build_locks(small, factors, n - 3, 0, [[2], [4]])
    assert isinstance(locks, Locks)
    assert locks.word.tolist() == [word] * (n - 3) + [1.0] * 3
    assert locks.out.tolist() == [out] * (n - 3) + [1.0] * 3
    assert np.flatnonzero(locks.doc).tolist() == [2, 4]
    assert len(locks.node) == 0
    assert {a.dtype for a in locks} == {np.dtype(np.float32)}


def test_locks_honour_the_users_own_word_locks(small):
    model = copy.deepcopy(small)
    own = np.linspace(0.0, 1.0, len(model.wv), dtype=np.float32)
    model.wv.vectors_lockf = own
    locks = build_locks(model, (0.5, 0.0), len(model.wv), 0, [[0]])
    np.testing.assert_array_equal(locks.word, own * np.float32(0.5))


def test_same_seed_one_thread_same_weights(small, lee_test):
    a, b, c = copy.deepcopy(small), copy.deepcopy(small), copy.deepcopy(small)
    for model, seed in ((a, 1), (b, 1), (c, 2)):
        paravec.update(model, lee_test[:10], freeze="none", epochs=2, seed=seed, workers=1)
    assert np.array_equal(a.wv.vectors, b.wv.vectors) and np.array_equal(a.syn1neg, b.syn1neg)
    assert np.array_equal(a.dv.vectors, b.dv.vectors)
    assert not np.array_equal(a.dv.vectors, c.dv.vectors)


def test_progress_is_reported_after_each_epoch(small, lee_test):
    calls = []
    paravec.update(
        copy.deepcopy(small), lee_test[:5], epochs=3, workers=2, progress=lambda *a: calls.append(a)
    )
    assert calls == [("train", 1, 3), ("train", 2, 3), ("train", 3, 3)]


def test_a_trainer_sees_the_job_and_may_change_it(small, lee_test):
    """The seam benchmarks use: scale the new rows' locks, train extra epochs, from a public hook."""
    model = copy.deepcopy(small)
    n_words = len(model.wv)
    batch = [TaggedDocument([*d.words, "zzneu", "zzneu"], d.tags) for d in lee_test[:5]]
    seen = {}

    def frozen_new_words(model, job, progress):
        assert (job.n_words_old, job.n_nodes_old) == (n_words, 0)
        assert (job.settings.epochs, job.settings.seed) == (2, 5)
        seen["start"] = model.wv.vectors[job.n_words_old :].copy()
        job.locks.word[job.n_words_old :] = 0.0
        first = train(model, job, progress)
        more = train(
            model, dataclasses.replace(job, settings=dataclasses.replace(job.settings, epochs=1)), progress
        )
        seen["trained"] = (first, more)
        return first + more

    report = paravec.update(model, batch, epochs=2, seed=5, min_count=1, trainer=frozen_new_words)
    assert report.new_words[0] == "zzneu"  # most frequent first
    np.testing.assert_array_equal(model.wv.vectors[n_words:], seen["start"])
    first, more = seen["trained"]
    assert first > 0 and more > 0 and report.words_trained == first + more


def test_job_corpus_puts_the_batch_before_the_rehearsal(small, lee_background, lee_test):
    keep = Keep()
    rehearsal = lee_background[:3]
    paravec.update(copy.deepcopy(small), lee_test[:4], rehearsal=rehearsal, epochs=1, trainer=keep)
    corpus = keep.job.corpus
    assert len(corpus.doc_starts) == 4 + 3 + 1
    assert corpus.tag_ids[4:].tolist() == [small.dv.get_index(d.tags[0]) for d in rehearsal]
    assert np.flatnonzero(keep.job.locks.doc).tolist() == corpus.tag_ids[:4].tolist()


def test_read_only_weights_are_copied_before_training(small, lee_test):
    model = copy.deepcopy(small)
    frozen = model.wv.vectors
    frozen.setflags(write=False)
    paravec.update(model, lee_test[:3], epochs=1)
    assert model.wv.vectors.flags.writeable and not frozen.flags.writeable


def test_a_model_that_disagrees_with_its_arrays_is_refused(small, lee_test):
    model = copy.deepcopy(small)
    keep = Keep()
    paravec.update(model, lee_test[:3], epochs=1, trainer=keep)
    before = model.dv.vectors.copy()
    model.vector_size = 17
    with pytest.raises(ModelBrokenError, match="refusing to train: vector widths differ"):
        train(model, keep.job)
    np.testing.assert_array_equal(model.dv.vectors, before)


def test_the_job_is_frozen(small, lee_test):
    keep = Keep()
    paravec.update(copy.deepcopy(small), lee_test[:2], epochs=1, trainer=keep)
    assert isinstance(keep.job, TrainingJob)
    with pytest.raises(dataclasses.FrozenInstanceError):
        keep.job.n_words_old = 0


def test_chunks_tile_the_documents_in_order():
    lengths = [3_000, 4_000, 25_000, 10, 0, 6_000, 9_000, 2_000, 1]
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    chunks = _chunks(starts, workers=2)
    assert [c[0] for c in chunks] == [0] + [c[1] for c in chunks[:-1]] and chunks[-1][1] == len(lengths)
    total = sum(lengths)
    for start, stop, before, share in chunks:
        assert before == pytest.approx(sum(lengths[:start]) / total)
        assert share == pytest.approx(sum(lengths[start:stop]) / total)
        # a chunk starts a new run of CHUNK_WORDS words: more than one document only below it
        assert stop - start == 1 or sum(lengths[start : stop - 1]) < CHUNK_WORDS
    assert (2, 3, pytest.approx(7_000 / total), pytest.approx(25_000 / total)) in chunks
    # a small batch still gives every thread something to take
    assert len(_chunks(np.array([0, 300, 600, 900, 1_200]), workers=2)) >= 2


def test_chunks_cover_every_epoch_once_in_schedule_order(small, lee_test, monkeypatch):
    """Each epoch trains every document once; the learning rate falls across chunks without a gap."""
    calls = []
    real = kernel.train_range

    def recording(job, start, stop, schedule, state):
        calls.append((schedule.progress_start, schedule.progress_span, start, stop, threading.get_ident()))
        time.sleep(0.02)  # long enough that the other thread takes the next chunk
        return real(job, start, stop, schedule, state)

    monkeypatch.setattr(kernel, "train_range", recording)
    monkeypatch.setattr("paravec.updating.driver.CHUNK_WORDS", 400)
    model = copy.deepcopy(small)
    report = paravec.update(model, lee_test[:12], epochs=3, workers=2)
    n_docs = report.documents
    calls.sort()
    assert calls[0][0] == 0.0 and calls[-1][0] + calls[-1][1] == pytest.approx(1.0)
    for (p, span, *_), (q, *_) in itertools.pairwise(calls):
        assert p + span == pytest.approx(q)
    per_epoch = len(calls) // 3
    assert per_epoch > 2 and len(calls) == 3 * per_epoch
    for epoch in range(3):
        ranges = [
            (start, stop) for _, _, start, stop, _ in calls[epoch * per_epoch : (epoch + 1) * per_epoch]
        ]
        assert ranges[0][0] == 0 and ranges[-1][1] == n_docs
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert len({thread for *_, thread in calls}) == 2
