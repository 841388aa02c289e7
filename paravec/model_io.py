"""Loading and saving gensim Doc2Vec models safely.

`load` opens a gensim ``Doc2Vec`` file (optionally memory-mapped, so a base with millions of
document vectors costs no RAM until rows are read) and turns every way a file can be wrong —
missing, truncated, corrupt, a ``Word2Vec``/``FastText``/``KeyedVectors`` file, a word2vec text
file — into a `paravec.errors.ModelFileError` that says what the file is and what to do.
`save` writes with gensim's own ``save`` (so plain gensim loads the result) into a temporary
folder next to the target and then moves the files into place, so an interrupted save never
leaves a half-written model under the target name. The main file records a digest of each array
gensim puts in a ``.npy`` side file (attribute ``paravec_side_files``); `load` compares them, so
a save stopped after the side files moved but before the main file did (old main file, new side
files) is refused instead of loading as a silent mix. Only the side files this model's
attributes can produce (``NAME.wv.vectors.npy``, ...) are treated as stale, never the files of
another model whose name starts with the same characters.

gensim models are Python pickles: loading one runs any code it carries. Load only files you
trust; `paravec.Store` keeps models in a pickle-free format.

Examples
--------
>>> import tempfile, os, paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> model = paravec.train([TaggedDocument(["a", "b", "c"], ["d0"])], vector_size=8, min_count=1, epochs=1)
>>> path = os.path.join(tempfile.mkdtemp(), "m.model")
>>> paravec.save(model, path)
>>> paravec.load(path).vector_size
8
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np
from gensim import utils as gensim_utils
from gensim.models import Doc2Vec

from paravec.errors import ModelFileError
from paravec.params import InstanceOf, OneOf, validate

__all__ = ["load", "save"]

# gensim's save puts arrays of at least this many values in side files (its default sep_limit).
_SEP_LIMIT = 10 * 1024**2
_TOKEN = "paravec_side_files"
_SAMPLED_ROWS = 1024


@validate(mmap=OneOf((None, "r", "c")))
def load(path: str | os.PathLike[str], *, mmap: Literal["r", "c"] | None = None) -> Doc2Vec:
    """Load a gensim ``Doc2Vec`` model.

    The file is a Python pickle: loading it runs any code it carries. Load only files you trust;
    `paravec.Store` keeps models in a pickle-free format.

    Parameters
    ----------
    path : str or path-like
        The file written by ``Doc2Vec.save`` (its ``.npy`` side files, if any, next to it).
    mmap : {None, "r", "c"}, default None
        Memory-map the large arrays stored in side files: ``"r"`` read-only, ``"c"``
        copy-on-write. Use it for big bases; `paravec.update` copies what it must change.

    Returns
    -------
    gensim.models.Doc2Vec

    Raises
    ------
    ModelFileError
        The file is missing, unreadable, or not a Doc2Vec model.
    ParameterError
        ``mmap`` is not one of the allowed values.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"model file not found: {path}")
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder; give the model file written by Doc2Vec.save")
    if path.stat().st_size == 0:
        raise ModelFileError(f"{path} is empty (0 bytes); the save that wrote it did not finish")
    if _looks_like_word2vec_format(path):
        raise ModelFileError(
            f"{path} is a word2vec-format vector file, not a Doc2Vec model; "
            "use it to start a base with `paravec train --pretrained-vectors`"
        )
    try:
        obj = gensim_utils.SaveLoad.load(str(path), mmap=mmap)
    except FileNotFoundError as err:
        raise ModelFileError(
            f"{path} refers to a missing side file ({Path(err.filename or '').name}); "
            "copy all files the model was saved with"
        ) from None
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        ImportError,
        IndexError,
        KeyError,
        OSError,
        zipfile.BadZipFile,
        UnicodeDecodeError,
        MemoryError,
        OverflowError,
    ) as err:
        raise ModelFileError(
            f"{path} is not a readable gensim model (truncated or corrupt?): {type(err).__name__}: {err}"
        ) from None
    if not isinstance(obj, Doc2Vec):
        kind = type(obj).__name__
        hint = {
            "Word2Vec": "it has word vectors only; train a Doc2Vec base with `paravec train`",
            "FastText": "it has word vectors only; train a Doc2Vec base with `paravec train`",
            "KeyedVectors": "it holds vectors without a trainable model; use it as --pretrained-vectors for `paravec train`",
        }.get(kind, "paravec needs a gensim Doc2Vec model")
        raise ModelFileError(f"{path} holds a gensim {kind}, not a Doc2Vec: {hint}")
    _check_side_files(obj, path)
    return obj


def _array_digest(array: np.ndarray) -> str:
    # Shape, dtype and evenly spaced rows: cheap on a memory-mapped array, and a side file of
    # another save (other rows, or retrained values) differs in at least one of them.
    digest = hashlib.blake2b(f"{array.shape}{array.dtype.str}".encode(), digest_size=16)
    rows = np.unique(np.linspace(0, max(len(array) - 1, 0), _SAMPLED_ROWS).astype(np.int64))
    if len(array):
        digest.update(np.ascontiguousarray(array[rows]).data)
    return digest.hexdigest()


def _side_arrays(model: Doc2Vec) -> dict[str, np.ndarray]:
    """The arrays gensim's save writes to side files, by their attribute path (``wv.vectors``)."""
    found: dict[str, np.ndarray] = {}
    for name, value in vars(model).items():
        if isinstance(value, np.ndarray) and value.size >= _SEP_LIMIT:
            found[name] = value
        elif hasattr(value, "_save_specials"):
            for sub, array in vars(value).items():
                if isinstance(array, np.ndarray) and array.size >= _SEP_LIMIT:
                    found[f"{name}.{sub}"] = array
    return found


def _side_file_paths(model: Doc2Vec) -> set[str]:
    """Every attribute path whose array this model's save could write to a side file."""
    paths = set()
    for name, value in vars(model).items():
        paths.add(name)
        if hasattr(value, "_save_specials"):
            paths.update(f"{name}.{sub}" for sub in vars(value))
    return paths


def _check_side_files(model: Doc2Vec, path: Path) -> None:
    recorded = model.__dict__.pop(_TOKEN, None)
    if not isinstance(recorded, dict):
        return  # saved by gensim itself or an older paravec: nothing to compare
    actual = {name: _array_digest(array) for name, array in _side_arrays(model).items()}
    if actual != recorded:
        changed = sorted(k for k in set(actual) | set(recorded) if actual.get(k) != recorded.get(k))
        raise ModelFileError(
            f"the side files of {path} ({', '.join(f'{path.name}.{k}.npy' for k in changed)}) do not belong to "
            "its main file: a save was interrupted between them. Restore the model from a copy or save it again"
        )


def _looks_like_word2vec_format(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(64)
    first = head.split(b"\n", 1)[0].split()
    return len(first) == 2 and all(p.isdigit() for p in first)


@validate(model=InstanceOf(Doc2Vec, "a gensim Doc2Vec"))
def save(model: Doc2Vec, path: str | os.PathLike[str]) -> None:
    """Save ``model`` with gensim's ``save`` atomically, replacing ``path`` and its side files.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
    path : str or path-like
        Target file. Its folder must exist. Large arrays go to ``path.<attr>.npy`` side files, as
        gensim does, so the model can later be loaded memory-mapped.

    Raises
    ------
    ModelFileError
        The folder does not exist or is not writable.
    ParameterError
        ``model`` is not a gensim ``Doc2Vec``.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ModelFileError(f"cannot save to {path}: folder {folder} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=folder))
    except OSError as err:
        raise ModelFileError(f"cannot save to {path}: {err.strerror}") from None
    try:
        setattr(model, _TOKEN, {name: _array_digest(array) for name, array in _side_arrays(model).items()})
        try:
            model.save(str(staging / path.name))
        finally:
            model.__dict__.pop(_TOKEN, None)
        written = sorted(p.name for p in staging.iterdir())
        # Only names this model's attributes could produce: a glob would also match the side
        # files of another model whose name starts with this one's (m.model -> m.model.v1.*.npy).
        own = {f"{path.name}.{attr}.npy" for attr in _side_file_paths(model)}
        stale = [folder / name for name in sorted(own) if name not in written and (folder / name).exists()]
        # Side files first, the main file last: the main file decides what a load reads.
        for name in written:
            if name != path.name:
                os.replace(staging / name, folder / name)
        os.replace(staging / path.name, path)
        for p in stale:
            p.unlink(missing_ok=True)
    except OSError as err:
        raise ModelFileError(f"cannot save to {path}: {err}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
