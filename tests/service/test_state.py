"""paravec.service.state: the served versions, the settings, and the dependencies giving them out."""

from __future__ import annotations

import threading
import time
from typing import Annotated

import numpy as np
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from paravec.search import SearchIndex
from paravec.service.state import (
    ServedIndex,
    ServiceSettings,
    get_index,
    get_served,
    get_settings,
    install_state,
)
from paravec.service.versions import FolderSource, ServedVersion, Written

WOMBAT = ("new/wombat", "Wombats dig burrows with strong claws; the wombat is a marsupial of Australia.")


def test_settings_defaults_and_writable():
    settings = ServiceSettings()
    assert (settings.token, settings.max_body_bytes, settings.max_url_bytes) == (None, 1_048_576, 8_192)
    assert not settings.writable
    assert ServiceSettings(token="x" * 16).writable


def test_a_version_reads_its_index_and_titles(lee_index, lee, lee_title):
    version = ServedIndex(lee_index).current
    assert version.version == 1
    assert version.read(lambda ix: ix.document("lee/001"))["tag"] == "lee/001"
    assert version.title("lee/001") == lee_title(lee[1]["lee/001"])
    assert version.title("no/such/doc") == ""


def test_reads_do_not_wait_for_a_write_and_keep_their_version(writable_index_dir):
    """While a write trains the next version, readers are answered from the current one; a
    version taken before the write still answers without the new document after it."""
    served = ServedIndex(SearchIndex.open(writable_index_dir))
    before = served.current
    writing, written = threading.Event(), threading.Event()
    source = served.source
    real_write = source.write

    def slow_write(texts, titles, served) -> Written:
        writing.set()
        time.sleep(1.0)  # a write that takes a while, so reads happen while it runs
        result = real_write(texts, titles, served)
        written.set()
        return result

    source.write = slow_write  # type: ignore[method-assign]
    writer = threading.Thread(target=served.write, args=([WOMBAT], {}))
    writer.start()
    assert writing.wait(10)
    read_during: list[tuple[int, bool]] = []
    while not written.is_set():
        version = served.current
        hits = version.read(lambda ix: ix.search("wombat burrows", mode="keyword", k=3))
        read_during.append((version.version, any(h.tag == WOMBAT[0] for h in hits)))
    writer.join()
    # reads went on during the write, all from version 1, which does not have the new document
    assert len(read_during) >= 5 and set(read_during) == {(1, False)}
    after = served.current
    assert after.version == 2
    assert after.read(lambda ix: ix.search("wombat burrows", mode="keyword", k=3))[0].tag == WOMBAT[0]
    # the version a request took before the write still answers as it did
    assert all(
        h.tag != WOMBAT[0] for h in before.read(lambda ix: ix.search("wombat burrows", mode="keyword", k=3))
    )
    assert before.read(lambda ix: ix.document("lee/001"))["tag"] == "lee/001"


def test_a_written_version_is_warmed_before_it_serves(writable_index_dir):
    """Document mode's per-version measurements (the collection metric and the calibration) are
    made before the switch: the first document query on the new version waits for neither."""
    served = ServedIndex(SearchIndex.open(writable_index_dir))
    served.write([WOMBAT], {})
    after = served.current
    assert after.version == 2
    view = after.index.backend.view()
    # document mode's default similarity is second-order: its calibration is keyed True
    assert after.index._calibrations._cached[True][0] is view
    assert after.index._metrics._cached is not None and after.index._metrics._cached[0] is view
    hits = after.read(lambda ix: ix.search(WOMBAT[1], mode="document", k=3))
    assert hits[0].tag == WOMBAT[0]


def _warmed(version: ServedVersion) -> int:
    """How many of ``version``'s documents have their row and soft norm cached."""
    index = version.index
    cache = index._documents.get(index.backend.view(), index.model.wv, index._encoder.analysis)
    return int(np.count_nonzero(~np.isnan(cache.candidates(range(len(index))).norms)))


def test_a_written_version_warms_its_documents_beside_serving(writable_index_dir):
    """The writer is answered once the version serves; its documents' rows and soft norms are
    computed on a thread of their own, and the service's first version's too."""
    served = ServedIndex(SearchIndex.open(writable_index_dir))
    served.write([WOMBAT], {})
    for thread in threading.enumerate():
        if thread.name in ("paravec-warm-1", "paravec-warm-2"):
            thread.join(timeout=120)
    assert _warmed(served.current) == len(served.current.index) > 100


def test_a_served_version_keeps_the_indexs_ranking_settings(writable_index_dir):
    index = SearchIndex.open(writable_index_dir)
    tuned = {name: getattr(index, name) for name in SearchIndex.SETTINGS}
    index.document_candidates, index.candidates, index.rrf_k = 70, 120, 20.0
    served = FolderSource(index).load().index
    assert served is not index
    assert {name: getattr(served, name) for name in SearchIndex.SETTINGS} == {
        **tuned,
        "document_candidates": 70,
        "candidates": 120,
        "rrf_k": 20.0,
    }


def test_switch_ignores_the_version_already_served(lee_index):
    served = ServedIndex(FolderSource(lee_index))
    same = ServedVersion(1, lee_index, "again")
    assert not served.switch(same) and served.current.name == "lee.index"
    assert served.switch(ServedVersion(7, lee_index, "seven")) and served.current.version == 7
    assert served.switch(ServedVersion(3, lee_index, "rolled back")) and served.current.version == 3
    assert not served.refresh()  # an index folder has no other writer to follow


def test_dependencies_give_what_install_state_keeps(lee_index):
    app = FastAPI()
    served, settings = ServedIndex(lee_index), ServiceSettings(max_body_bytes=10)
    install_state(app, served, settings)

    @app.get("/state")
    def state(
        index: Annotated[ServedVersion, Depends(get_index)],
        holder: Annotated[ServedIndex, Depends(get_served)],
        got: Annotated[ServiceSettings, Depends(get_settings)],
    ) -> list[bool]:
        return [index is served.current, holder is served, got is settings]

    assert TestClient(app).get("/state").json() == [True, True, True]
