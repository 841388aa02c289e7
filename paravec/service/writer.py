"""A write through the service, run in a child process at low CPU priority: ``store.update``.

Training and verifying a batch is CPU work of seconds; run in the service's own process it would
take the interpreter lock and both cores from the readers. So `run_update` starts
``python -m paravec.service.writer`` with the documents on its standard input. The child lowers
its priority (``nice`` 10), trains on one thread unless told otherwise, calls
`paravec.Store.update` (which takes the store's lock, so it waits for any other writer) and prints
what it published as one JSON line. It dies with the service (Linux ``PR_SET_PDEATHSIG``): a
kill -9 of the service also stops its write, and the store's own crash safety covers the rest.

Examples
--------
>>> from paravec.service.writer import DEFAULT_OPTIONS
>>> DEFAULT_OPTIONS
{'workers': 1}
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from paravec import errors

__all__ = ["DEFAULT_OPTIONS", "WriteResult", "run_update"]

#: Update options of a write through the service unless the service was given others: one
#: training thread leaves the other core to the readers.
DEFAULT_OPTIONS: dict[str, Any] = {"workers": 1}
_NICE = 10
_PR_SET_PDEATHSIG = 1


class WriteResult(dict[str, Any]):
    """What the child published: ``number``, ``current`` (bool), ``rejected_reason``."""


def run_update(
    store: Path, pairs: Sequence[tuple[str, str]], options: dict[str, Any], *, int_tags: bool = False
) -> WriteResult:
    """Add ``pairs`` to ``store`` in a child process; return what it published.

    Parameters
    ----------
    store : pathlib.Path
        The store folder.
    pairs : sequence of (str, str)
        ``(tag, text)`` of the documents, already checked.
    options : dict
        Passed to `paravec.Store.update` (JSON values only).
    int_tags : bool
        The model uses int tags: digit tags become ints, as `paravec.tags` reads them.

    Returns
    -------
    WriteResult

    Raises
    ------
    ParavecError
        The error the update raised in the child (same class and message).
    """
    job = json.dumps(
        {"store": str(store), "pairs": [list(p) for p in pairs], "options": options, "int_tags": int_tags}
    )
    done = subprocess.run(
        [sys.executable, "-m", "paravec.service.writer", str(os.getpid())],
        input=job,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    if "error" in answer:
        kind = getattr(errors, str(answer["error"]), errors.ParavecError)
        if not (isinstance(kind, type) and issubclass(kind, errors.ParavecError)):
            kind = errors.ParavecError
        raise kind(str(answer["message"]))
    if done.returncode != 0 or "number" not in answer:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise errors.IndexStateError(
            f"the write stopped before publishing (exit {done.returncode}: {' | '.join(tail)}); "
            "the store is unchanged, send the documents again"
        )
    return WriteResult(answer)


def _die_with_parent(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the write may outlive a killed service
        return
    if os.getppid() != parent:  # the service died before prctl: do not write for it
        os._exit(3)


def _main() -> int:
    _die_with_parent(int(sys.argv[1]))
    from gensim.models.doc2vec import TaggedDocument

    from paravec.store import Store
    from paravec.tokenizer import tokenize

    os.nice(_NICE)  # after the imports: a starved start would only delay the write

    job = json.loads(sys.stdin.read())
    try:
        store = Store.open(job["store"])
        pairs = [(str(tag), str(text)) for tag, text in job["pairs"]]
        int_tags = bool(job["int_tags"])
        documents = [
            TaggedDocument(tokenize(text), [int(tag) if int_tags and tag.isdigit() else tag])
            for tag, text in pairs
        ]
        info = store.update(documents, texts=dict(pairs), **job["options"])
    except errors.ParavecError as err:
        print(json.dumps({"error": type(err).__name__, "message": str(err)}))
        return 2
    print(
        json.dumps(
            {"number": info.number, "current": bool(info.current), "rejected_reason": info.rejected_reason}
        )
    )
    return 0


if __name__ == "__main__":
    code = _main()
    sys.stdout.flush()
    # The version is published and its files are in place; tearing down the interpreter's
    # objects at low priority would only keep the service waiting for this process to end.
    os._exit(code)
