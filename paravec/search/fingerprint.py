"""A cheap fingerprint of a gensim Doc2Vec model, so an index never mixes two model versions.

What it does
------------
`model_fingerprint` summarises a model in a small JSON-able dict: sizes, training counters,
hashes of the word and tag lists, and hashes of the weight arrays. A search index stores it in
its manifest; when the model on disk no longer matches, opening the index refuses (or syncs),
instead of ranking with vectors of one version and texts or ANN vectors of another.

Approach
--------
Arrays up to `FULL_HASH_BYTES` are hashed whole (SHA-256), so any change to any row of a
domain-sized model is seen. Larger arrays (a Wikipedia base: a million words, millions of
documents) are hashed on `SAMPLED_ROWS` evenly spaced rows plus the last one, which keeps
the cost to milliseconds while still seeing appended rows. Every `paravec.update` also
raises ``corpus_count`` and ``corpus_total_words``, which are part of the fingerprint, so an
update that changes only unsampled rows of a huge array is still noticed.

SHA-256 runs on the CPU's SHA instructions through OpenSSL, about twice as fast as BLAKE2b here,
and an index sync hashes the whole model. Fingerprints recorded before it (BLAKE2b, without a
``"hash"`` entry) stay valid: `model_fingerprint` with ``like=`` the recorded one hashes the way
it was hashed, so an index written by an earlier paravec still opens without a sync.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.search.fingerprint import model_fingerprint
>>> model = paravec.train([TaggedDocument(["a", "b", "c"], ["d0"])], vector_size=8, min_count=1, epochs=1)
>>> fp = model_fingerprint(model)
>>> fp["docs"], fp["words"], fp == model_fingerprint(model)
(1, 3, True)
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from gensim.models import Doc2Vec

__all__ = ["FULL_HASH_BYTES", "HASH", "SAMPLED_ROWS", "describe_difference", "model_fingerprint"]

FULL_HASH_BYTES = 64 * 1024 * 1024
"""Arrays up to this size are hashed whole; larger ones on sampled rows."""

SAMPLED_ROWS = 4096
"""Rows hashed of an array larger than `FULL_HASH_BYTES`."""


HASH = "sha256"
"""The hash of new fingerprints (recorded in them as ``"hash"``; absent means BLAKE2b)."""


def _hasher(algorithm: str) -> Any:
    # Digests are cut to 16 bytes either way: a fingerprint tells versions apart, it is no signature.
    return hashlib.sha256() if algorithm == "sha256" else hashlib.blake2b(digest_size=16)


def _hex(digest: Any) -> str:
    return str(digest.hexdigest()[:32])


def _hash_keys(keys: list[Any], algorithm: str) -> str:
    digest = _hasher(algorithm)
    # repr keeps int tag 1 and str tag "1" apart; one join is far faster than a loop of updates.
    digest.update("\x1f".join(map(repr, keys)).encode("utf-8", "surrogatepass"))
    return _hex(digest)


def _hash_array(arr: np.ndarray | None, algorithm: str) -> str:
    if arr is None:
        return "none"
    digest = _hasher(algorithm)
    digest.update(f"{arr.shape}{arr.dtype.str}".encode())
    if arr.nbytes <= FULL_HASH_BYTES or arr.ndim == 0 or len(arr) == 0:
        digest.update(np.ascontiguousarray(arr).data)
    else:
        rows = np.unique(np.linspace(0, len(arr) - 1, SAMPLED_ROWS).astype(np.int64))
        digest.update(np.ascontiguousarray(arr[rows]).data)
    return _hex(digest)


def model_fingerprint(model: Doc2Vec, *, like: dict[str, Any] | None = None) -> dict[str, Any]:
    """Summarise ``model`` so that any paravec update or retraining changes the result.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    like : dict, optional
        A recorded fingerprint to compare with: the result is hashed the way it was (an index
        written before fingerprints named their hash was hashed with BLAKE2b).

    Returns
    -------
    dict
        ``vector_size``, ``words``, ``docs``, ``corpus_count``, ``corpus_total_words``, the
        hashes ``word_keys``, ``doc_keys``, ``word_vectors``, ``doc_vectors``,
        ``output_weights``, and ``hash`` (`HASH`; absent for BLAKE2b). Equal dicts mean the same
        model version.
    """
    algorithm = HASH if like is None else str(like.get("hash", "blake2b"))
    output = getattr(model, "syn1neg", None)
    if output is None or not getattr(model, "negative", 0):
        output = getattr(model, "syn1", None)
    named = {"hash": algorithm} if algorithm != "blake2b" else {}
    return {
        **named,
        "vector_size": int(model.vector_size),
        "words": len(model.wv.index_to_key),
        "docs": len(model.dv.index_to_key),
        "corpus_count": int(getattr(model, "corpus_count", 0) or 0),
        "corpus_total_words": int(getattr(model, "corpus_total_words", 0) or 0),
        "word_keys": _hash_keys(model.wv.index_to_key, algorithm),
        "doc_keys": _hash_keys(model.dv.index_to_key, algorithm),
        "word_vectors": _hash_array(model.wv.vectors, algorithm),
        "doc_vectors": _hash_array(model.dv.vectors, algorithm),
        "output_weights": _hash_array(output, algorithm),
    }


def describe_difference(recorded: dict[str, Any], current: dict[str, Any]) -> str:
    """Say in a few words how two fingerprints differ (for error messages)."""
    parts = []
    for key, label in (("docs", "documents"), ("words", "words"), ("vector_size", "dimensions")):
        if recorded.get(key) != current.get(key):
            parts.append(f"{label}: index has {recorded.get(key)}, model has {current.get(key)}")
    if not parts:
        changed = [k for k in sorted(set(recorded) | set(current)) if recorded.get(k) != current.get(k)]
        parts.append("same sizes but changed " + ", ".join(k.replace("_", " ") for k in changed))
    return "; ".join(parts)
