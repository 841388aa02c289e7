"""A pickle-free file format for gensim Doc2Vec models: arrays as raw chunks, everything else JSON.

gensim saves models as Python pickles, and loading a pickle runs whatever code it names. A store
keeps models in this format instead, and `read_model` rebuilds a plain gensim ``Doc2Vec`` from
it without unpickling anything: only JSON is parsed and only raw bytes of known dtypes (never
``object``) are read, so a file dropped into a store cannot run code.

What is kept: every attribute of the model and of its two ``KeyedVectors`` (``wv``, ``dv``) --
arrays (vectors, ``syn1neg`` / ``syn1``, ``cum_table``, ``vectors_lockf``, the ``count``,
``sample_int``, ``word_count``, ``doc_count`` attributes, the Huffman ``code`` and ``point`` of
hierarchical softmax as flat arrays plus lengths), the word and tag lists, ``raw_vocab`` (the
counts paravec keeps of words below ``min_count``), the state of ``model.random``, every
hyperparameter and any other JSON-serialisable attribute (``lifecycle_events``, ``comment``,
``paravec_analysis``, ...). Attributes that are neither (an arbitrary Python object) cannot be
kept without pickle: they are left out and their names listed under ``"dropped"``. The rebuilt
model is equal to the original: every array equal, and ``infer_vector`` gives the same vector
for the same seed.

Arrays are cut into chunks of whole rows of about `CHUNK_BYTES` (aligned at row 0), each
stored as a content-addressed object (`paravec.store.objects`): an update that appends rows
and leaves old ones alone (``freeze="all"``) rewrites only the last chunk of each array, so
versions share the rest. Lists of keys are chunked the same way.

Examples
--------
>>> import tempfile, numpy as np, paravec
>>> from pathlib import Path
>>> from gensim.models.doc2vec import TaggedDocument
>>> from paravec.store.format import read_model, write_model
>>> from paravec.store.objects import ObjectStore
>>> model = paravec.train([TaggedDocument(["a", "b", "c"], ["d0"])], vector_size=8, min_count=1, epochs=1)
>>> objects = ObjectStore(Path(tempfile.mkdtemp()))
>>> manifest = write_model(model, objects)
>>> copy = read_model(manifest, objects)
>>> bool((copy.dv.vectors == model.dv.vectors).all()), copy.wv.index_to_key == model.wv.index_to_key
(True, True)
"""

from __future__ import annotations

import json
import math
import weakref
from typing import Any

import numpy as np
import numpy.typing as npt
from gensim.models import Doc2Vec
from gensim.models.keyedvectors import KeyedVectors
from gensim.utils import call_on_class_only

from paravec.errors import StoreError
from paravec.store.objects import ObjectStore

__all__ = ["CHUNK_BYTES", "FORMAT", "read_array", "read_model", "referenced_objects", "write_model"]

FORMAT = "paravec-model"
_VERSION = 1
CHUNK_BYTES = 1024 * 1024
"""Target size of one chunk of array rows (whole rows; at least one row)."""
# An update appends keys (new words, new tags), so it re-encodes the last chunk of each key list:
# small chunks keep that to a few thousand keys however large the vocabulary and the tag list.
_KEYS_PER_CHUNK = 8_192
# Plain numeric dtypes only: an "object" dtype would need pickle.
_KeyChunk = tuple[str, list[Any]]
# The key chunks each model was read from or last written as (by list name), so that writing it
# again after an update re-encodes only the chunks that changed. Weak: it goes with the model.
_KNOWN_KEYS: weakref.WeakKeyDictionary[Any, dict[str, list[_KeyChunk]]] = weakref.WeakKeyDictionary()
_DTYPES = {"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"}


# -- arrays --------------------------------------------------------------------------------------


def _put_array(array: npt.NDArray[Any], objects: ObjectStore) -> dict[str, Any]:
    array = np.ascontiguousarray(array)
    if array.dtype.str[1:] not in _DTYPES:
        raise StoreError(f"cannot store an array of dtype {array.dtype} without pickle")
    row_bytes = max(1, array.itemsize * math.prod(array.shape[1:])) if array.ndim else array.itemsize
    rows = max(1, CHUNK_BYTES // row_bytes)
    flat = array.reshape(array.shape[0], math.prod(array.shape[1:])) if array.ndim else array.reshape(1)
    chunks = [objects.put(flat[i : i + rows].data.cast("B")) for i in range(0, len(flat), rows)]
    return {"dtype": array.dtype.str, "shape": list(array.shape), "rows": rows, "chunks": chunks}


def read_array(entry: dict[str, Any], objects: ObjectStore) -> npt.NDArray[Any]:
    """The array a manifest entry of `write_model` names (its ``"$array"`` value), read from ``objects``."""
    return _get_array(entry, objects)


def _get_array(entry: dict[str, Any], objects: ObjectStore) -> npt.NDArray[Any]:
    dtype = np.dtype(str(entry["dtype"]))
    if dtype.str[1:] not in _DTYPES:
        raise StoreError(f"the model manifest names dtype {entry['dtype']!r}; only numeric arrays are read")
    shape = tuple(int(n) for n in entry["shape"])
    array = np.empty(shape, dtype=dtype)
    flat = array.reshape(array.shape[0], math.prod(array.shape[1:])) if array.ndim else array.reshape(1)
    rows = int(entry["rows"])
    chunks = entry["chunks"]
    if len(chunks) != -(-len(flat) // rows):
        raise StoreError(
            "the model manifest's chunk list does not fit the array's shape; the store is corrupt"
        )
    for i, digest in enumerate(chunks):
        objects.read_into(digest, flat[i * rows : (i + 1) * rows].data.cast("B"))
    return array


def _put_ragged(arrays: npt.NDArray[Any], objects: ObjectStore) -> dict[str, Any]:
    # Huffman codes and points: one small array per word; stored flat plus lengths.
    parts = [np.asarray(a) for a in arrays]
    dtype = parts[0].dtype if parts else np.dtype(np.uint8)
    flat = np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    return {"ragged": True, "values": _put_array(flat, objects), "lengths": _put_array(lengths, objects)}


def _get_ragged(entry: dict[str, Any], objects: ObjectStore) -> npt.NDArray[Any]:
    flat = _get_array(entry["values"], objects)
    lengths = _get_array(entry["lengths"], objects)
    if int(lengths.sum()) != len(flat):
        raise StoreError("a ragged array's lengths do not fit its values; the store is corrupt")
    out = np.empty(len(lengths), dtype=object)
    out[:] = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
    return out


def _put_value_array(value: npt.NDArray[Any], objects: ObjectStore) -> dict[str, Any] | None:
    if value.dtype == object:
        if all(isinstance(v, np.ndarray) and v.dtype != object and v.ndim == 1 for v in value):
            return _put_ragged(value, objects)
        return None
    return _put_array(value, objects)


def _get_value_array(entry: dict[str, Any], objects: ObjectStore) -> npt.NDArray[Any]:
    return _get_ragged(entry, objects) if entry.get("ragged") else _get_array(entry, objects)


# -- keys and JSON values ------------------------------------------------------------------------


def _put_keys(keys: list[Any], objects: ObjectStore, known: list[_KeyChunk] | None = None) -> list[_KeyChunk]:
    """Store ``keys`` in chunks; return ``(digest, keys of the chunk)`` of each.

    A chunk equal to the same chunk of ``known`` (what this model was read from or last written
    as) is that object again: neither encoded nor hashed, so an update costs its new keys only.
    """
    known = known or []
    chunks: list[_KeyChunk] = []
    for n, i in enumerate(range(0, len(keys), _KEYS_PER_CHUNK)):
        part = keys[i : i + _KEYS_PER_CHUNK]
        if n < len(known) and known[n][1] == part and objects.path(known[n][0]).exists():
            chunks.append(known[n])
            continue
        if not all(type(key) is str for key in part):  # exactly str: the common case, checked fast
            for key in part:
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise StoreError(
                        f"cannot store key {key!r} of type {type(key).__name__}; keys are str or int"
                    )
            part = [k if isinstance(k, str) else int(k) for k in part]
        digest = objects.put(json.dumps(part, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        chunks.append((digest, part))
    return chunks


def _get_keys(chunks: list[str], objects: ObjectStore, known: list[_KeyChunk] | None = None) -> list[Any]:
    """The keys stored in ``chunks``; each chunk is also appended to ``known`` (see `_put_keys`)."""
    keys: list[Any] = []
    for digest in chunks:
        part = json.loads(objects.get(digest).decode("utf-8", "surrogatepass"))
        if not isinstance(part, list):
            raise StoreError("a key list of the store is corrupt")
        keys.extend(part)
        if known is not None:
            known.append((digest, part))
    return keys


def _put_raw_vocab_keys(
    keys: list[Any], objects: ObjectStore, known: dict[str, list[_KeyChunk]]
) -> list[_KeyChunk]:
    known["raw_vocab"] = _put_keys(keys, objects, known.get("raw_vocab"))
    return known["raw_vocab"]


def _digests(chunks: list[_KeyChunk]) -> list[str]:
    return [digest for digest, _ in chunks]


_MISSING = object()


def _to_json(value: Any) -> Any:
    """``value`` as JSON with tagged tuples and numpy scalars, or `_MISSING` if it cannot be."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic) and value.dtype.str[1:] in _DTYPES:
        return {"$scalar": value.dtype.str, "value": value.item()}
    if isinstance(value, (list, tuple)):
        items = [_to_json(v) for v in value]
        if any(i is _MISSING for i in items):
            return _MISSING
        return {"$tuple": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or any(k.startswith("$") for k in value):
            return _MISSING
        out = {k: _to_json(v) for k, v in value.items()}
        return _MISSING if any(v is _MISSING for v in out.values()) else out
    return _MISSING


def _from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        if "$tuple" in value:
            return tuple(_from_json(v) for v in value["$tuple"])
        if "$scalar" in value:
            dtype = np.dtype(str(value["$scalar"]))
            if dtype.str[1:] not in _DTYPES:
                raise StoreError(f"the model manifest names dtype {dtype}; only numeric scalars are read")
            return dtype.type(value["value"])
        return {k: _from_json(v) for k, v in value.items()}
    return value


# -- objects with attributes -----------------------------------------------------------------------


def _put_attributes(
    obj: Any, objects: ObjectStore, special: dict[str, Any], dropped: list[str], prefix: str
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if name in special:
            continue
        if isinstance(value, np.ndarray):
            entry = _put_value_array(value, objects)
            if entry is not None:
                attrs[name] = {"$array": entry}
                continue
        else:
            encoded = _to_json(value)
            if encoded is not _MISSING:
                attrs[name] = {"$json": encoded}
                continue
        dropped.append(prefix + name)
    return attrs


def _get_attributes(target: Any, attrs: dict[str, Any], objects: ObjectStore) -> None:
    for name, entry in attrs.items():
        if "$array" in entry:
            setattr(target, name, _get_value_array(entry["$array"], objects))
        elif "$json" in entry:
            setattr(target, name, _from_json(entry["$json"]))
        else:
            raise StoreError(f"attribute {name!r} of the model manifest is neither an array nor JSON")


def _put_keyed(
    kv: KeyedVectors, objects: ObjectStore, dropped: list[str], prefix: str, known: dict[str, list[_KeyChunk]]
) -> dict[str, Any]:
    special = {"index_to_key": 1, "key_to_index": 1, "expandos": 1, "norms": 1}
    expandos = {}
    for name, value in getattr(kv, "expandos", {}).items():
        entry = _put_value_array(np.asarray(value), objects)
        if entry is None:
            dropped.append(f"{prefix}expandos.{name}")
        else:
            expandos[name] = entry
    name = prefix.rstrip(".")
    known[name] = _put_keys(list(kv.index_to_key), objects, known.get(name))
    return {
        "keys": _digests(known[name]),
        "expandos": expandos,
        "attributes": _put_attributes(kv, objects, special, dropped, prefix),
    }


def _get_keyed(entry: dict[str, Any], objects: ObjectStore, known: list[_KeyChunk]) -> KeyedVectors:
    kv = KeyedVectors.__new__(KeyedVectors)
    _get_attributes(kv, entry["attributes"], objects)
    kv.index_to_key = _get_keys(entry["keys"], objects, known)
    kv.key_to_index = {key: i for i, key in enumerate(kv.index_to_key)}
    kv.expandos = {name: _get_value_array(e, objects) for name, e in entry["expandos"].items()}
    kv.norms = None  # a cache gensim fills on demand
    return kv


def write_model(model: Doc2Vec, objects: ObjectStore) -> dict[str, Any]:
    """Store ``model``'s arrays as objects and return the JSON manifest that rebuilds it.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    objects : ObjectStore
        Where the chunks go (chunks already there are not written again).

    Returns
    -------
    dict
        JSON-serialisable; `read_model` turns it back into the model. ``"dropped"`` lists the
        attributes that could not be kept without pickle.
    """
    dropped: list[str] = []
    known = _KNOWN_KEYS.get(model, {})
    special = {"wv": 1, "dv": 1, "random": 1, "raw_vocab": 1, "hashfxn": 1, "load": 1}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": _VERSION,
        "class": "gensim.models.doc2vec.Doc2Vec",
        "attributes": _put_attributes(model, objects, special, dropped, ""),
        "wv": _put_keyed(model.wv, objects, dropped, "wv.", known),
        "dv": _put_keyed(model.dv, objects, dropped, "dv.", known),
    }
    raw_vocab = getattr(model, "raw_vocab", None)
    if raw_vocab is not None:
        manifest["raw_vocab"] = {
            "keys": _digests(_put_raw_vocab_keys(list(raw_vocab), objects, known)),
            "counts": _put_array(
                np.fromiter(raw_vocab.values(), dtype=np.int64, count=len(raw_vocab)), objects
            ),
        }
    random = getattr(model, "random", None)
    if isinstance(random, np.random.RandomState):
        name, keys, pos, has_gauss, cached = random.get_state(legacy=True)
        manifest["random"] = {
            "name": str(name),
            "keys": [int(k) for k in keys],
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        }
    elif random is not None:
        dropped.append("random")
    hashfxn = getattr(model, "hashfxn", hash)
    if hashfxn is not hash:
        dropped.append("hashfxn")
    manifest["dropped"] = dropped
    _KNOWN_KEYS[model] = known
    return manifest


def read_model(manifest: dict[str, Any], objects: ObjectStore) -> Doc2Vec:
    """Rebuild the ``Doc2Vec`` that `write_model` stored, without unpickling anything.

    Raises
    ------
    StoreError
        The manifest is not a paravec model manifest, or an object is missing or corrupt.
    """
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise StoreError("not a paravec model manifest")
    if manifest.get("version") != _VERSION:
        raise StoreError(f"model format version {manifest.get('version')} is not readable by this paravec")
    try:
        model = Doc2Vec.__new__(Doc2Vec)
        _get_attributes(model, manifest["attributes"], objects)
        known: dict[str, list[_KeyChunk]] = {"wv": [], "dv": [], "raw_vocab": []}
        model.wv = _get_keyed(manifest["wv"], objects, known["wv"])
        model.dv = _get_keyed(manifest["dv"], objects, known["dv"])
        if "raw_vocab" in manifest:
            keys = _get_keys(manifest["raw_vocab"]["keys"], objects, known["raw_vocab"])
            counts = _get_array(manifest["raw_vocab"]["counts"], objects)
            model.raw_vocab = dict(zip(keys, counts.tolist(), strict=True))
        if "random" in manifest:
            r = manifest["random"]
            model.random = np.random.RandomState()
            model.random.set_state(
                (
                    r["name"],
                    np.asarray(r["keys"], dtype=np.uint32),
                    r["pos"],
                    r["has_gauss"],
                    r["cached_gaussian"],
                )
            )
        model.hashfxn = hash
        model.load = call_on_class_only
        _KNOWN_KEYS[model] = known
    except (KeyError, TypeError, ValueError) as err:
        raise StoreError(f"the model manifest is corrupt ({type(err).__name__}: {err})") from None
    return model


def referenced_objects(manifest: dict[str, Any]) -> set[str]:
    """Every object digest a model manifest names."""
    found: set[str] = set()

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "$json":  # attribute values, never digests
                    walk(v, k)
        elif isinstance(node, list):
            if key in ("chunks", "keys"):
                found.update(x for x in node if isinstance(x, str))
            else:
                for v in node:
                    walk(v)

    walk({k: v for k, v in manifest.items() if k != "random"})
    return found
