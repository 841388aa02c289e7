"""paravec.cluster, `paravec infer` and `index --infer-missing`: inference on a real Dask LocalCluster of
two worker processes gives the single-process `paravec.infer` vectors bit for bit; a scheduler that
is not there is one clear line."""

from __future__ import annotations

import numpy as np
import pytest

import paravec
from paravec.cluster import dask_client, infer_on_cluster
from paravec.errors import ClusterError
from paravec.linalg import unit_rows


@pytest.fixture(scope="module")
def small_model(lee_background, tmp_path_factory):
    model = paravec.train(lee_background, vector_size=24, epochs=5, min_count=2, seed=1, workers=2)
    path = tmp_path_factory.mktemp("cluster") / "lee.model"
    paravec.save(model, path)
    return path, model


def test_two_workers_give_the_single_process_vectors_bit_for_bit(small_model, lee_test, dask_scheduler):
    path, model = small_model
    words = [doc.words for doc in lee_test]
    single = paravec.infer(model, words, seed=5)
    parts = {}
    with dask_client(dask_scheduler) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        for start, vectors in infer_on_cluster(path, words, client=client, partition_size=7, seed=5):
            parts[start] = vectors
    assert sorted(parts) == list(range(0, 50, 7))
    assembled = np.vstack([parts[start] for start in sorted(parts)])
    assert assembled.dtype == np.float32 and assembled.shape == single.shape
    assert np.array_equal(assembled, single)
    # Another seed gives other vectors: the equality above is not vacuous.
    assert not np.array_equal(paravec.infer(model, words[:3], seed=6), single[:3])


def test_index_infer_missing_stores_inferred_vectors(
    small_model, lee_background, lee_test, dask_scheduler, tmp_path
):
    from paravec.search import SearchIndex

    path, model = small_model
    known = [(doc.tags[0], " ".join(doc.words)) for doc in lee_background[:30]]
    unknown = [(f"x{i}", " ".join(doc.words)) for i, doc in enumerate(lee_test[:12])]
    idx = SearchIndex.build(
        path, known + unknown, tmp_path / "i", infer_missing=True, scheduler=dask_scheduler
    )
    assert len(idx) == 42
    view = idx.backend.view()
    stored = view.unit_vectors([view.slot(tag) for tag, _ in unknown])
    inferred = paravec.infer(model, [paravec.tokenize(text) for _, text in unknown])
    assert np.allclose(stored, unit_rows(inferred), atol=1e-6)
    trained = view.unit_vectors([view.slot("bg3")])
    assert np.allclose(trained, unit_rows(model.dv["bg3"]), atol=1e-6)
    assert idx.document("x4")["text"] == unknown[4][1]


def test_a_scheduler_that_is_not_there_is_one_line(small_model):
    path, _model = small_model
    with pytest.raises(ClusterError, match=r"no Dask scheduler answers at tcp://127\.0\.0\.1:9") as err:
        list(infer_on_cluster(path, [["a"]], scheduler="tcp://127.0.0.1:9"))
    assert "\n" not in str(err.value)


def test_a_missing_scheduler_leaves_the_served_postgresql_index_intact(
    small_model, lee_background, lee_test, pg_target
):
    from paravec.search import SearchIndex

    path, _model = small_model
    known = [(doc.tags[0], " ".join(doc.words)) for doc in lee_background[:20]]
    dsn = pg_target()
    served = SearchIndex.build(path, known, dsn)
    before = [(h.tag, h.score) for h in served.search("police said", k=5)]
    unknown = [(f"x{i}", " ".join(doc.words)) for i, doc in enumerate(lee_test[:5])]
    with pytest.raises(ClusterError, match="no Dask scheduler"):
        SearchIndex.build(
            path, known + unknown, dsn, overwrite=True, infer_missing=True, scheduler="tcp://127.0.0.1:9"
        )
    # The rebuild ran in one transaction in a staging schema: rolled back, the served index unchanged.
    assert len(served) == 20 and [(h.tag, h.score) for h in served.search("police said", k=5)] == before
    assert len(SearchIndex.open(dsn)) == 20
