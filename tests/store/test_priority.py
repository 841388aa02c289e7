"""A store update runs at a lower CPU priority when asked (the CLI's default), the caller keeps its own."""

from __future__ import annotations

import sys
import threading

import pytest

import paravec
from paravec.errors import ParameterError
from paravec.store.priority import thread_nice

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def test_update_trains_at_the_given_nice_value_and_the_caller_keeps_its_own(
    store, batch, batch_texts, monkeypatch
):
    seen: dict[str, int | None] = {}
    real_update = paravec.update

    def watched(model, documents, **options):
        seen["step"] = thread_nice()
        child = threading.Thread(target=lambda: seen.__setitem__("thread", thread_nice()))
        child.start()  # as gensim starts its training threads
        child.join()
        return real_update(model, documents, **options)

    monkeypatch.setattr(paravec, "update", watched)
    caller = thread_nice()
    wanted = min(caller + 7, 19)
    info = store.update(batch[:3], batch_texts, nice=wanted, evaluate=False, workers=1)
    assert seen == {"step": wanted, "thread": wanted}
    assert thread_nice() == caller
    assert info.options["nice"] == wanted and info.current and info.new_tags == 3


def test_a_nice_value_out_of_range_is_refused_before_anything_runs(store, batch):
    with pytest.raises(ParameterError, match="nice"):
        store.update(batch[:3], nice=25)
    assert store.current == 1
