"""`Store`: the versions of one model and its search index in a folder; update, verify, publish, go back.

Each update becomes a version: the batch is added (`paravec.update`), the model checked
(`paravec.check`), verified (`paravec.evaluate`), its index synced, and the whole version
written next to the others and published by one atomic pointer switch (`paravec.store.layout`).
A version whose verdict is ``fail`` is kept as rejected and not made current unless forced;
`Store.rollback` moves the pointer back in one step. Versions are immutable and share unchanged
data (content-addressed chunks, hard-linked index files). One process changes a store at a time
(`paravec.store.lock`); a step killed half-way leaves nothing that a reader can see, and its
leftovers are removed when the store is next opened or locked.

Examples
--------
>>> import os, tempfile, paravec
>>> from paravec.datasets import lee_background_documents
>>> docs = lee_background_documents()
>>> base = paravec.train(docs[:40], vector_size=16, epochs=2, seed=1, workers=1)
>>> texts = {d.tags[0]: " ".join(d.words) for d in docs[:40]}
>>> store = paravec.Store.create(os.path.join(tempfile.mkdtemp(), "s"), base, texts)
>>> info = store.update(docs[40:50], force=True, evaluate_options={"word_benchmarks": False}, workers=1)
>>> info.number, info.parent, info.new_tags, store.current    # force: published whatever the verdict
(2, 1, 10, 2)
>>> len(store.index()), store.rollback().number, len(store.index())
(50, 1, 40)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from gensim.models import Doc2Vec

from paravec.errors import ModelBrokenError, StoreError
from paravec.files import read_json, write_json
from paravec.params import InstanceOf, validate
from paravec.store.changing import Changing, given_texts
from paravec.store.layout import FORMAT, Layout, VersionInfo, now
from paravec.store.lock import clean_leftovers, has_leftovers, try_lock
from paravec.store.versions import software, write_version

__all__ = ["Store"]

_MODEL_OR_PATH = InstanceOf(
    (Doc2Vec, str, os.PathLike), "a gensim Doc2Vec or the path of a gensim model file"
)


class Store(Changing):
    """The versions of one model and its search index in a folder (see the module docstring).

    Create one with `create`, open one with `open`. Reading: `current`, `versions`, `info`,
    `model`, `index`, `texts`, `report`, `update_report`, `diff`, `disk_usage`
    (`paravec.store.reading`); changing: `update`, `delete`, `rollback`, `gc`
    (`paravec.store.changing`); publishing to PostgreSQL: `publish_to`, `publish`,
    `publication` (`paravec.store.publishing`).

    Attributes
    ----------
    path : pathlib.Path
        The store folder.
    """

    # -- creating and opening ----------------------------------------------------------------------

    @classmethod
    @validate(model=_MODEL_OR_PATH)
    def create(
        cls,
        path: str | os.PathLike[str],
        model: Doc2Vec | str | os.PathLike[str],
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str] | None = None,
        **index_options: Any,
    ) -> Store:
        """Create a store at ``path`` whose version 1 (the base) is ``model``.

        Parameters
        ----------
        path : str or path-like
            A new folder (or an empty one).
        model : gensim.models.Doc2Vec or path
            The base model, or the path of a gensim model file. A file is loaded with gensim,
            which unpickles it: **loading a pickle runs any code it carries, so give only files
            you trust**. The store keeps it in the pickle-free format.
        texts : Corpus, mapping or iterable of (tag, text), optional
            The base documents' texts: kept in the store, and a search index is built over them.
        **index_options
            Passed to `paravec.search.SearchIndex.build` (``titles``, ``ann_threshold``).

        Returns
        -------
        Store

        Raises
        ------
        StoreError
            ``path`` exists and is not an empty folder.
        ModelFileError
            The model file cannot be loaded.
        ModelBrokenError
            The model fails `paravec.check`.
        """
        import paravec

        target = Path(path)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise StoreError(f"{target} exists and is not an empty folder; give a new path for the store")
        if not isinstance(model, Doc2Vec):
            model = paravec.load(model)
        problems = paravec.check(model)
        if problems:
            raise ModelBrokenError(f"the base model is broken ({problems[0]}); run `paravec check` on it")
        if texts is not None and hasattr(texts, "texts"):
            texts = texts.texts()
        given = {} if texts is None else given_texts(texts)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        layout = Layout(staging)
        try:
            layout.versions.mkdir(parents=True)
            write_json(layout.meta, {"format": FORMAT, "version": 1, "created": now()})
            info = VersionInfo(
                number=1,
                parent=None,
                created=now(),
                kind="base",
                documents=len(model.dv.index_to_key),
                words=len(model.wv.index_to_key),
                new_tags=len(model.dv.index_to_key),
                new_words=len(model.wv.index_to_key),
                software=software(),
                options={"index": {k: v for k, v in index_options.items() if k != "titles"}},
            )
            write_version(
                layout,
                info,
                model,
                batches=[],
                new_texts=given,
                parent_index=None,
                index_options=index_options,
            )
            layout.write_pointer(1, "create", None)
            if target.exists():
                target.rmdir()
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return cls(target)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Store:
        """Open the store at ``path``, removing what a killed step left behind (if no step runs).

        Raises
        ------
        StoreError
            Not a store, or a corrupt one.
        """
        root = Path(path)
        layout = Layout(root)
        try:
            if not root.is_dir():
                raise FileNotFoundError(root)
            meta = read_json(layout.meta)
        except FileNotFoundError:
            raise StoreError(
                f"{root} is not a paravec store; create one with `paravec store init STORE BASE_MODEL`"
            ) from None
        except (OSError, ValueError) as err:
            raise StoreError(f"{layout.meta} is corrupt ({err})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise StoreError(f"{root} is not a paravec store ({layout.meta.name} names another format)")
        if has_leftovers(layout):
            # A killed step: clean up now, unless a live process holds the lock (then it is working).
            try_lock(layout, lambda: clean_leftovers(layout))
        store = cls(root)
        layout.read_version(store.current)
        return store
