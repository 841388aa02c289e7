"""Running a store step at a lower CPU priority, so that a batch job does not starve serving.

A store update is a batch job: training, the verification report and the index sync take both
cores of a small machine for seconds, and a search service on the same machine then answers
fewer requests (measured by ``benchmarks/service_load.py``). `at_priority` runs a step in a new thread whose ``nice``
value is raised: on Linux the nice value belongs to each thread and the threads a thread starts
inherit it, so the training threads run at that priority too, while the calling thread (and a
Python session or service that calls the library) keeps its own. A raised nice value costs
nothing on an idle machine: it only decides who runs first when the cores are taken. Elsewhere
than Linux the step runs in the calling thread at its own priority.

Examples
--------
>>> import os
>>> from paravec.store.priority import at_priority
>>> at_priority(5, lambda: 2 + 2)
4
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["at_priority", "thread_nice"]

T = TypeVar("T")


def thread_nice() -> int | None:
    """The calling thread's nice value (None where threads have none of their own)."""
    if not sys.platform.startswith("linux"):
        return None
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def at_priority(nice: int | None, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Return ``function(*args, **kwargs)`` run in a thread of nice value at least ``nice``.

    ``None`` (or a platform without per-thread priorities) calls ``function`` directly. The nice
    value is only ever raised (an unprivileged process cannot lower it again); a thread already
    nicer keeps its value. The calling thread waits; an exception of ``function`` is raised in
    it. An interrupt (Ctrl-C) ends the wait at once: the step's thread is a daemon, so the
    process can exit, and the store treats the step as killed (`paravec.store.lock`).
    """
    if nice is None or not sys.platform.startswith("linux"):
        return function(*args, **kwargs)
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            current = thread_nice()
            if current is not None and nice > current:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(nice, 19))
            outcome["value"] = function(*args, **kwargs)
        except BaseException as err:  # handed to the calling thread
            outcome["error"] = err
        finally:
            done.set()

    threading.Thread(target=run, name="paravec-store-step", daemon=True).start()
    while not done.wait(0.5):  # a timed wait, so that Ctrl-C reaches the calling thread
        pass
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value
