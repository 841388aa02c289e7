"""Threads of batched inference (paravec.inference_threads): shares, thread counts, errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument

from paravec.inference import infer
from paravec.inference_threads import run_shares, shares


@pytest.fixture(scope="module")
def dbow(lee_background: list[TaggedDocument]) -> Doc2Vec:
    return Doc2Vec(lee_background, dm=0, vector_size=32, min_count=2, epochs=10, workers=1, seed=1)


def test_shares_cover_the_batch_with_equal_work() -> None:
    lengths = np.random.default_rng(0).integers(5, 1000, size=300)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    ranges = shares(starts, workers=2, epochs=20)
    assert len(ranges) == 8
    assert [lo for lo, _ in ranges[1:]] == [hi for _, hi in ranges[:-1]]
    assert ranges[0][0] == 0 and ranges[-1][1] == 300
    work = [int(starts[hi] - starts[lo]) + hi - lo for lo, hi in ranges]
    assert max(work) < 1.3 * min(work)


def test_small_batches_stay_on_one_thread() -> None:
    short = np.array([0, 12, 20, 31])  # three short documents: less work than a handoff repays
    assert shares(short, workers=2, epochs=20) == [(0, 3)]
    assert shares(short, workers=1, epochs=2000) == [(0, 3)]
    assert len(shares(short, workers=2, epochs=2000)) > 1  # more epochs: worth two threads
    assert shares(np.array([0]), workers=2, epochs=20) == []


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_call_uses_at_most_the_threads_asked_for(workers: int) -> None:
    def run(lo: int, hi: int) -> None:
        seen.append(threading.get_ident())
        time.sleep(0.002)  # long enough for every helper to take ranges

    counts = []
    for _ in range(3):
        seen: list[int] = []
        run_shares([(i, i + 1) for i in range(24)], run, workers)
        assert len(seen) == 24 and threading.get_ident() in seen
        assert len(set(seen)) <= workers  # the caller and at most workers - 1 helpers
        counts.append(threading.active_count())
    assert counts[2] == counts[0]  # helpers are kept between calls, not started anew


def test_an_error_in_a_range_reaches_the_caller() -> None:
    done: list[int] = []

    def run(lo: int, hi: int) -> None:
        if lo == 5:
            raise ValueError("range 5")
        done.append(lo)

    with pytest.raises(ValueError, match="range 5"):
        run_shares([(i, i + 1) for i in range(10)], run, 2)
    assert 5 not in done and {0, 1, 2, 3, 4} <= set(done)  # taken in order, until the error


def test_threads_give_the_vectors_of_one_thread(dbow: Doc2Vec, lee_background) -> None:
    docs = [d.words[:15] for d in lee_background[:200]]  # short documents, cut into shares
    assert len(shares(np.cumsum([0] + [len(d) for d in docs]), 2, dbow.epochs)) > 1
    one = infer(dbow, docs, workers=1)
    for workers in (2, 3):
        assert np.array_equal(infer(dbow, docs, workers=workers), one)
