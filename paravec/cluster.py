"""Inferring document vectors on a Dask cluster: many documents, many cores, many machines.

`infer_on_cluster` cuts the documents into partitions and runs `paravec.infer` on each
partition on a worker of a Dask cluster (Rocklin, "Dask: Parallel Computation with Blocked
algorithms and Task Scheduling", SciPy 2015): a `dask.distributed.LocalCluster` with one
single-threaded worker process per core by default, or the scheduler at ``scheduler``
(``tcp://host:8786``) of a real cluster. Each worker process loads the model once, memory-mapped
(read-only, so the workers of one machine share its pages), from a path every worker can read.
Partition ``p`` starting at document ``start`` is inferred with ``start=start``, and
`paravec.infer` seeds document ``i`` from ``(seed, start + i)``: the vectors are bit for bit those
of one `paravec.infer` call over all documents, whatever the partitioning or the number of
workers. Partitions are yielded as they finish, at most a few per worker in flight, so a caller
streams them into an index (`paravec.search.SearchIndex.build` with ``infer_missing``) or a file
without holding all documents' vectors twice.

Examples
--------
The cluster is started on demand; without Dask's scheduler there is a one-line error:

>>> from paravec.cluster import dask_client
>>> with dask_client("tcp://127.0.0.1:9"):  # doctest: +ELLIPSIS
...     pass
Traceback (most recent call last):
...
paravec.errors.ClusterError: no Dask scheduler answers at tcp://127.0.0.1:9 ...
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.errors import ClusterError
from paravec.params import Integer, validate

__all__ = ["DEFAULT_PARTITION", "dask_client", "infer_on_cluster"]

DEFAULT_PARTITION = 1_000
"""Documents per partition: a few seconds of work per task, so scheduling costs little."""

# Partitions in flight per worker: enough to keep it busy while results travel back.
_IN_FLIGHT = 2
_CONNECT_TIMEOUT = "10s"

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def _worker_model(path: str) -> Any:
    """The model at ``path``, loaded once per worker process (memory-mapped, read-only)."""
    with _models_lock:
        if path not in _models:
            import paravec

            _models[path] = paravec.load(path, mmap="r")
        return _models[path]


def _infer_partition(
    path: str, words: list[list[str]], start: int, epochs: int | None, seed: int
) -> tuple[int, npt.NDArray[np.float32]]:
    import paravec

    model = _worker_model(path)
    vectors = paravec.infer(model, words, epochs=epochs, seed=seed, workers=1, start=start)
    return start, np.asarray(vectors, dtype=np.float32)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A Dask client of the scheduler at ``scheduler``, or of a new local cluster (closed after).

    Parameters
    ----------
    scheduler : str, optional
        ``tcp://host:8786`` of a running ``dask scheduler``; None starts a `LocalCluster`.
    workers : int, optional
        Worker processes of the local cluster (default: one per core); ignored with ``scheduler``.

    Raises
    ------
    ClusterError
        Dask is not installed, or no scheduler answers at ``scheduler``.
    """
    try:
        from distributed import Client, LocalCluster
    except ModuleNotFoundError as err:
        raise ClusterError(
            f"running on a Dask cluster needs the optional package {err.name!r}; "
            "install it with: pip install 'paravec[dask]'"
        ) from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError):
            raise ClusterError(
                f"no Dask scheduler answers at {scheduler} (waited {_CONNECT_TIMEOUT}); start one with "
                "`dask scheduler` and workers with `dask worker SCHEDULER`, or leave out --scheduler to "
                "run on this machine"
            ) from None
        with client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client


@validate(partition_size=Integer(min=1), seed=Integer(min=0), workers=Integer(min=1, none=True))
def infer_on_cluster(
    model_path: str | os.PathLike[str],
    documents: Sequence[Sequence[str]],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    partition_size: int = DEFAULT_PARTITION,
    epochs: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[int, npt.NDArray[np.float32]]]:
    """Yield ``(start, vectors)`` of each partition of ``documents`` as a worker finishes it.

    Parameters
    ----------
    model_path : str or path-like
        The model file (`paravec.save`); every worker must be able to read it at this path.
    documents : sequence of list of str
        The documents' words (`paravec.tokenize`), in order.
    scheduler, workers
        Where to run: see `dask_client`. Ignored when ``client`` is given.
    client : distributed.Client, optional
        A client already connected (reused across calls).
    partition_size : int, default 1,000
        Documents per task.
    epochs : int, optional
        Epochs of inference (default: the model's).
    seed : int, default 0
        Document ``i`` is seeded from ``(seed, i)``, as `paravec.infer` does.
    progress : callable, optional
        Called as ``progress(done, total)`` with the number of documents done.

    Yields
    ------
    (int, numpy.ndarray)
        The partition's first document and its vectors (one float32 row per document); in the
        order partitions finish, not in document order.

    Raises
    ------
    ClusterError
        No scheduler, or a worker failed (the worker's error is named).
    ModelFileError
        The model file is missing.
    """
    path = Path(model_path).resolve()
    if not path.is_file():
        from paravec.errors import ModelFileError

        raise ModelFileError(f"model file not found: {path}; the workers load the model from this path")
    if client is None:
        with dask_client(scheduler, workers) as own:
            yield from infer_on_cluster(
                path,
                documents,
                client=own,
                partition_size=partition_size,
                epochs=epochs,
                seed=seed,
                progress=progress,
            )
        return
    from distributed import as_completed

    total = len(documents)
    starts = iter(range(0, total, partition_size))
    slots = max(1, len(client.scheduler_info().get("workers", {})) * _IN_FLIGHT)

    def submit(start: int) -> Any:
        words = [list(doc) for doc in documents[start : start + partition_size]]
        return client.submit(_infer_partition, str(path), words, start, epochs, seed, pure=False)

    pending = as_completed([submit(start) for start in itertools.islice(starts, slots)])
    done = 0
    for future in pending:
        try:
            start, vectors = future.result()
        except Exception as err:
            raise ClusterError(
                f"a Dask worker failed on a partition ({type(err).__name__}: {' '.join(str(err).split())[:160]})"
            ) from err
        future.release()
        following = next(starts, None)
        if following is not None:
            pending.add(submit(following))
        done += len(vectors)
        if progress is not None:
            progress(done, total)
        yield start, vectors
