"""Loading and saving gensim Doc2Vec models safely.

`load` opens a gensim ``Doc2Vec`` file (optionally memory-mapped, so a base with millions of
document vectors costs no RAM until rows are read) and turns every way a file can be wrong —
missing, truncated, corrupt, a ``Word2Vec``/``FastText``/``KeyedVectors`` file, a word2vec text
file — into a `paravec.errors.ModelFileError` that says what the file is and what to do.
`save` writes with gensim's own ``save`` (so plain gensim loads the result) into a temporary
folder next to the target and then moves the files into place, so an interrupted save never
leaves a half-written model under the target name.

gensim models are Python pickles: load only files you trust.

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

import os
import pickle
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

from gensim import utils as gensim_utils
from gensim.models import Doc2Vec

from paravec.errors import ModelFileError
from paravec.params import InstanceOf, OneOf, validate

__all__ = ["load", "save"]


@validate(mmap=OneOf((None, "r", "c")))
def load(path: str | os.PathLike[str], *, mmap: Literal["r", "c"] | None = None) -> Doc2Vec:
    """Load a gensim ``Doc2Vec`` model.

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
    return obj


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
        model.save(str(staging / path.name))
        written = sorted(p.name for p in staging.iterdir())
        stale = [p for p in folder.glob(f"{path.name}.*.npy") if p.name not in written]
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
