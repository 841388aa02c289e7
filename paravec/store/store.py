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
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.errors import ModelBrokenError, ParameterError, StoreError
from paravec.files import read_json, write_json
from paravec.params import InstanceOf, Integer, validate
from paravec.store.format import read_model
from paravec.store.layout import FORMAT, Layout, VersionInfo, now
from paravec.store.lock import StoreLock, clean_leftovers, has_leftovers, try_lock
from paravec.store.objects import ObjectStore
from paravec.store.texts import read_texts, text_objects
from paravec.store.verify import verify
from paravec.store.versions import batch_digest, software, write_version

__all__ = ["Store"]

_MODEL_OR_PATH = InstanceOf(
    (Doc2Vec, str, os.PathLike), "a gensim Doc2Vec or the path of a gensim model file"
)
_DEFAULT_EVALUATION: dict[str, Any] = {"map_points": False}


def _texts_of(documents: Sequence[TaggedDocument], texts: Any) -> dict[str, str]:
    """The text of every document of the batch: given, else the Corpus' own, else its words joined."""
    from paravec.search.validate import text_pairs

    given: dict[str, str] = {}
    if texts is not None:
        given = dict(text_pairs(texts))
    out: dict[str, str] = {}
    for doc in documents:
        for tag in doc.tags:
            key = str(tag)
            # A document given without its text is kept as its words, so it is searchable and an
            # index can be rebuilt from the store alone.
            out[key] = given.get(key, " ".join(doc.words))
    return out


class Store:
    """The versions of one model and its search index in a folder (see the module docstring).

    Create one with `create`, open one with `open`.

    Attributes
    ----------
    path : pathlib.Path
        The store folder.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._layout = Layout(path)
        self._objects = ObjectStore(self._layout.objects)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, current={self.current})"

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
        given = {} if texts is None else _given(texts)
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

    # -- reading -----------------------------------------------------------------------------------

    @property
    def current(self) -> int:
        """The current version number, read from the ``CURRENT`` pointer on every access.

        Other processes publish by replacing that small file atomically, so reading this property
        is the cheap way to notice a new current version.
        """
        return self._layout.read_pointer()

    def _number(self, version: int | None) -> int:
        if version is None:
            return self.current
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ParameterError(f"version must be a version number (int >= 1), got {version!r}")
        return version

    def info(self, version: int | None = None) -> VersionInfo:
        """The record of ``version`` (the current one by default)."""
        number = self._number(version)
        info = self._layout.read_version(number)
        info.current = number == self.current
        return info

    def versions(self) -> list[VersionInfo]:
        """Every version, oldest first, with ``current`` set on the current one."""
        current = self.current
        out = []
        for number in self._layout.numbers():
            info = self._layout.read_version(number)
            info.current = number == current
            out.append(info)
        return out

    def model(self, version: int | None = None) -> Doc2Vec:
        """The model of ``version`` (current by default), rebuilt from the pickle-free format.

        Each call returns a new, independent ``Doc2Vec``.
        """
        folder = self._layout.version_dir(self._number(version))
        self._layout.read_version(self._number(version))
        try:
            manifest = read_json(folder / "model.json")
        except (OSError, ValueError) as err:
            raise StoreError(f"{folder / 'model.json'} is unreadable ({err})") from None
        return read_model(manifest, self._objects)

    def index(self, version: int | None = None, *, model: Doc2Vec | None = None) -> Any:
        """The search index of ``version`` (current by default), searching with its model.

        Parameters
        ----------
        version : int, optional
        model : gensim.models.Doc2Vec, optional
            That version's model if already loaded (`model`), to save loading it again.

        Returns
        -------
        paravec.search.SearchIndex

        Raises
        ------
        StoreError
            The version has no index (it was created without texts).
        """
        from paravec.search import SearchIndex

        number = self._number(version)
        folder = self._layout.version_dir(number) / "index"
        if not folder.is_dir():
            self._layout.read_version(number)
            raise StoreError(
                f"version {number} of {self.path} has no search index (the store holds no texts)"
            )
        return SearchIndex.open(folder, model=self.model(number) if model is None else model)

    def texts(self, version: int | None = None) -> dict[str, str]:
        """The text of every document of ``version`` that has one, by tag."""
        number = self._number(version)
        folder = self._layout.version_dir(number)
        model = self.model(number)
        return read_texts(text_objects(folder), self._objects, set(map(str, model.dv.index_to_key)))

    def report(self, version: int | None = None) -> Any:
        """The verification report of ``version`` (`paravec.report.Report`), None if it has none."""
        from paravec.report import Report

        path = self._layout.version_dir(self._number(version)) / "report.json"
        return Report.from_dict(read_json(path)) if path.exists() else None

    def diff(self, a: int, b: int) -> dict[str, Any]:
        """What changed from version ``a`` to version ``b`` (`paravec.store.diff.diff_models`)."""
        from paravec.store.diff import diff_models

        return diff_models(self.model(self._number(a)), self.model(self._number(b)))

    def update_report(self, version: int | None = None) -> dict[str, Any] | None:
        """What `paravec.update` reported for ``version`` (`paravec.UpdateReport.to_dict`), None
        for a version that was not an update."""
        path = self._layout.version_dir(self._number(version)) / "update.json"
        if not path.exists():
            self._layout.read_version(self._number(version))
            return None
        data: dict[str, Any] = read_json(path)
        return data

    # -- changing ----------------------------------------------------------------------------------

    def update(
        self,
        documents: Iterable[TaggedDocument],
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str] | None = None,
        *,
        force: bool = False,
        evaluate: bool = True,
        evaluate_options: Mapping[str, Any] | None = None,
        wait: float = 60.0,
        **update_options: Any,
    ) -> VersionInfo:
        """Add a batch as a new version: update, check, verify, sync the index, publish.

        Parameters
        ----------
        documents : iterable of TaggedDocument
            The batch (e.g. a `paravec.corpus.Corpus`).
        texts : Corpus, mapping or iterable of (tag, text), optional
            The batch's texts; default the Corpus' own texts, else each document's words joined.
        force : bool, default False
            Publish even when the verification verdict is ``fail``.
        evaluate : bool, default True
            Run the verification report (`paravec.evaluate`); without it the verdict is
            ``"none"`` and the gate lets the version through.
        evaluate_options : mapping, optional
            Passed to `paravec.evaluate` (``sample``, ``word_benchmarks``, ``old_documents``...).
            With ``freeze="all"`` the retention sections are replaced by an exact proof that
            every pretrained row is bit-identical (`paravec.store.verify`); give
            ``before_sections=True`` to measure them anyway.
        wait : float, default 60
            Seconds to wait for another process changing the store before failing.
        **update_options
            Passed to `paravec.update` (``freeze``, ``keep_old_docs``, ``epochs``, ...).

        Returns
        -------
        VersionInfo
            The new version; ``current`` tells whether it was published.

        Raises
        ------
        StoreError
            Another process holds the store longer than ``wait``.
        ModelBrokenError
            The updated model fails `paravec.check` (nothing is stored).
        """
        import paravec

        if texts is None and hasattr(documents, "texts"):
            texts = list(documents.texts())  # a Corpus: its raw texts, before it becomes a list
        docs = list(documents)
        batch_texts = _texts_of(docs, texts)
        started = time.perf_counter()
        timings: dict[str, float] = {}
        with StoreLock(self._layout, "update", wait=wait):
            parent = self.current
            model = self.model(parent)
            before = self.model(parent) if evaluate else None
            timings["load"] = round(time.perf_counter() - started, 3)
            step = time.perf_counter()
            upd = paravec.update(model, docs, **update_options)
            timings["update"] = round(time.perf_counter() - step, 3)
            step = time.perf_counter()
            problems = paravec.check(model)
            timings["check"] = round(time.perf_counter() - step, 3)
            if problems:
                raise ModelBrokenError(
                    f"the updated model is broken ({problems[0]}); nothing was stored, version {parent} stays current"
                )
            report = None
            verdict, reason = "none", None
            if evaluate:
                step = time.perf_counter()
                options = {**_DEFAULT_EVALUATION, **(evaluate_options or {})}
                report = verify(model, before, docs, upd, options)
                timings["evaluate"] = round(time.perf_counter() - step, 3)
                verdict = report.verdict
                if verdict == "fail":
                    failing = [f"{s.title}: {s.summary}" for s in report.sections if s.verdict == "fail"]
                    reason = "verification failed: " + "; ".join(failing)
            del before
            accepted = verdict != "fail" or force
            info = VersionInfo(
                number=max(self._layout.numbers()) + 1,
                parent=parent,
                created=now(),
                kind="update",
                documents=len(model.dv.index_to_key),
                words=len(model.wv.index_to_key),
                new_tags=len(upd.new_tags),
                new_words=len(upd.new_words),
                removed_tags=int(upd.dropped_tags),
                verdict=verdict,
                accepted=accepted,
                rejected_reason=None if accepted else reason,
                forced=force and verdict == "fail",
                batch_sha256=batch_digest(docs, batch_texts),
                options={"update": _jsonable(update_options), "evaluate": _jsonable(evaluate_options or {})},
                figures=_figures(upd, report),
                software=software(),
            )
            info.timings.update(timings)
            self._write_and_publish(info, model, parent, batch_texts, report, upd.to_dict())
        return self.info(info.number)

    def delete(self, tags: Iterable[Hashable], *, wait: float = 60.0) -> VersionInfo:
        """A new current version without the documents ``tags``: vectors, texts and index entries gone.

        Older versions keep them (`rollback` brings them back until `gc` removes those versions).

        Raises
        ------
        NotFoundError
            A tag the current version does not have.
        """
        import paravec

        with StoreLock(self._layout, "delete", wait=wait):
            parent = self.current
            model = self.model(parent)
            removed = paravec.delete(model, list(tags))
            info = VersionInfo(
                number=max(self._layout.numbers()) + 1,
                parent=parent,
                created=now(),
                kind="delete",
                documents=len(model.dv.index_to_key),
                words=len(model.wv.index_to_key),
                removed_tags=len(removed),
                options={"delete": [str(t) for t in removed]},
                software=software(),
            )
            self._write_and_publish(info, model, parent, {}, None)
        return self.info(info.number)

    def _write_and_publish(
        self,
        info: VersionInfo,
        model: Doc2Vec,
        parent: int,
        new_texts: dict[str, str],
        report: Any,
        update_report: dict[str, Any] | None = None,
    ) -> None:
        parent_dir = self._layout.version_dir(parent)
        write_version(
            self._layout,
            info,
            model,
            batches=text_objects(parent_dir),
            new_texts=new_texts,
            parent_index=parent_dir / "index",
            index_options={},
            report=report,
            update_report=update_report,
        )
        if info.accepted:
            self._layout.write_pointer(info.number, info.kind, parent)

    @validate(to=Integer(min=1, none=True))
    def rollback(self, to: int | None = None, *, force: bool = False, wait: float = 60.0) -> VersionInfo:
        """Make ``to`` (default: the current version's parent) the current version.

        Parameters
        ----------
        to : int, optional
        force : bool, default False
            Allow making a rejected version current.
        wait : float, default 60
            Seconds to wait for another process changing the store.

        Raises
        ------
        StoreError
            No such version, the current version has no parent, or ``to`` was rejected.
        """
        with StoreLock(self._layout, "rollback", wait=wait):
            current = self.current
            if to is None:
                to = self._layout.read_version(current).parent
                if to is None:
                    raise StoreError(
                        f"version {current} is the base; there is nothing before it to roll back to"
                    )
            info = self._layout.read_version(to)
            if not info.accepted and not force:
                raise StoreError(
                    f"version {to} was rejected ({info.rejected_reason}); pass force=True (--force) to serve it anyway"
                )
            if to != current:
                self._layout.write_pointer(to, "rollback", current)
        return self.info(to)

    @validate(keep=Integer(min=1))
    def gc(self, keep: int = 5, *, wait: float = 60.0) -> list[int]:
        """Delete all but the ``keep`` newest versions (the current one is always kept).

        Returns
        -------
        list of int
            The versions deleted.
        """
        with StoreLock(self._layout, "gc", wait=wait):
            numbers = self._layout.numbers()
            kept = set(numbers[-keep:]) | {self.current}
            removed = [n for n in numbers if n not in kept]
            for number in removed:
                folder = self._layout.version_dir(number)
                trash = self._layout.versions / f".trash-{number:06d}"
                # One rename takes the version away; deleting its files may then be killed safely.
                os.replace(folder, trash)
                shutil.rmtree(trash, ignore_errors=True)
            clean_leftovers(self._layout)
        return removed

    def disk_usage(self) -> dict[str, int]:
        """Bytes on disk: ``total`` (each file once, hard links counted once), ``objects``, ``indexes``."""
        seen: set[tuple[int, int]] = set()
        sizes = {"objects": 0, "indexes": 0, "other": 0}
        for root, _dirs, files in os.walk(self.path):
            for name in files:
                st = os.stat(os.path.join(root, name))
                if (st.st_dev, st.st_ino) in seen:
                    continue
                seen.add((st.st_dev, st.st_ino))
                part = Path(root).relative_to(self.path).parts
                key = "objects" if part[:1] == ("objects",) else "indexes" if "index" in part else "other"
                sizes[key] += st.st_size
        sizes["total"] = sum(sizes.values())
        return sizes


def _given(texts: Iterable[tuple[Any, str]] | Mapping[Any, str]) -> dict[str, str]:
    from paravec.search.validate import text_pairs

    return dict(text_pairs(texts))


def _jsonable(options: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in options.items():
        if value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, str)) for v in value):
            out[key] = list(value)
        else:
            out[key] = (
                f"<{type(value).__name__}{'' if not hasattr(value, '__len__') else f' of {len(value)}'}>"
            )
    return out


def _figures(upd: Any, report: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "batch_documents": upd.documents,
        "batch_words": upd.words,
        "replaced_tags": len(upd.replaced_tags),
        "pending_words": upd.pending_words,
        "epochs": upd.epochs,
        "freeze": str(upd.freeze),
    }
    if report is not None:
        figures["sections"] = {s.key: s.verdict for s in report.sections}
        figures["summary"] = report.summary
    return figures
