"""Changing a store: add a batch as a version, delete documents, roll back, collect old versions.

`Changing` is the writing half of `paravec.Store` (`paravec.store.store`). Every method holds
the store lock (`paravec.store.lock`) for its whole run, builds the new version beside the others
(`paravec.store.versions`) and publishes it by replacing ``CURRENT``; an update passes the gate
of `paravec.store.verify` first.

Examples
--------
>>> from paravec.store.changing import Changing
>>> sorted(name for name in vars(Changing) if not name.startswith("_"))
['delete', 'gc', 'rollback', 'update']
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

from paravec.errors import ModelBrokenError, StoreError
from paravec.files import read_json
from paravec.params import Integer, validate
from paravec.store.layout import VersionInfo, now
from paravec.store.lock import StoreLock, clean_leftovers
from paravec.store.objects import ObjectStore
from paravec.store.priority import at_priority, thread_nice
from paravec.store.publishing import Publishing
from paravec.store.texts import text_objects
from paravec.store.verify import add_section, chunk_retention, proven_by_chunks, verification
from paravec.store.versions import batch_digest, finish_version, software, stage_version

__all__ = ["Changing", "given_texts"]

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


class Changing(Publishing):
    """The writing methods of `paravec.Store` (see the module docstring)."""

    # -- changing ----------------------------------------------------------------------------------

    @validate(nice=Integer(min=0, max=19, none=True))
    def update(
        self,
        documents: Iterable[TaggedDocument],
        texts: Iterable[tuple[Any, str]] | Mapping[Any, str] | None = None,
        *,
        force: bool = False,
        evaluate: bool = True,
        evaluate_options: Mapping[str, Any] | None = None,
        wait: float = 60.0,
        nice: int | None = None,
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
        nice : int, optional
            Run the step (training, report, index sync) at this CPU priority (``nice`` value,
            0-19; Linux), so that a service on the same machine keeps the cores it needs
            (`paravec.store.priority`); the calling thread keeps its own. ``paravec store
            update`` uses 10 unless told otherwise. Default: the caller's priority.
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

        if nice is not None:
            return at_priority(
                nice,
                self.update,
                documents,
                texts,
                force=force,
                evaluate=evaluate,
                evaluate_options=evaluate_options,
                wait=wait,
                **update_options,
            )
        if texts is None and hasattr(documents, "texts"):
            texts = list(documents.texts())  # a Corpus: its raw texts, before it becomes a list
        docs = list(documents)
        batch_texts = _texts_of(docs, texts)
        started = time.perf_counter()
        timings: dict[str, float] = {}
        with StoreLock(self._layout, "update", wait=wait):
            parent = self.current
            model = self.model(parent)
            timings["load"] = round(time.perf_counter() - started, 3)
            step = time.perf_counter()
            upd = paravec.update(model, docs, **update_options)
            timings["update"] = round(time.perf_counter() - step, 3)
            options = {**_DEFAULT_EVALUATION, **(evaluate_options or {})}
            # With freeze="all" the parent's stored chunks prove retention (`chunk_retention`);
            # only a report that measures how the pretrained space moved needs the parent loaded.
            proven = evaluate and proven_by_chunks(upd, options)
            before = self.model(parent) if evaluate and not proven else None
            step = time.perf_counter()
            problems = paravec.check(model)
            timings["check"] = round(time.perf_counter() - step, 3)
            if problems:
                raise ModelBrokenError(
                    f"the updated model is broken ({problems[0]}); nothing was stored, version {parent} stays current"
                )
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
                batch_sha256=batch_digest(docs, batch_texts),
                options={
                    "update": _jsonable(update_options),
                    "evaluate": _jsonable(evaluate_options or {}),
                    "nice": thread_nice(),
                },
                software=software(),
            )
            info.timings.update(timings)
            # The report only reads the model: it runs beside writing the model and syncing the
            # index (numpy, tantivy and hashing release the interpreter lock), not before them.
            with verification(model, before, docs, upd, options, run=evaluate) as report_of:
                staging = self._stage(info, model, parent, batch_texts)
                report, seconds = report_of()
            del before
            if report is not None and proven:
                add_section(report, self._chunk_retention(parent, staging, model, bool(upd.keep_old_docs)))
            verdict, reason = "none", None
            if report is not None:
                info.timings["evaluate"] = seconds
                verdict = report.verdict
                if verdict == "fail":
                    failing = [f"{s.title}: {s.summary}" for s in report.sections if s.verdict == "fail"]
                    reason = "verification failed: " + "; ".join(failing)
            info.verdict = verdict
            info.accepted = verdict != "fail" or force
            info.rejected_reason = None if info.accepted else reason
            info.forced = force and verdict == "fail"
            info.figures = _figures(upd, report)
            info.timings["total"] = round(time.perf_counter() - started, 3)
            finish_version(self._layout, staging, info, report=report, update_report=upd.to_dict())
            self._publish(info, parent)
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
            finish_version(self._layout, self._stage(info, model, parent, {}), info)
            self._publish(info, parent)
        return self.info(info.number)

    def _stage(self, info: VersionInfo, model: Doc2Vec, parent: int, new_texts: dict[str, str]) -> Any:
        parent_dir = self._layout.version_dir(parent)
        return stage_version(
            self._layout,
            info,
            model,
            batches=text_objects(parent_dir),
            new_texts=new_texts,
            parent_index=parent_dir / "index",
            index_options={},
        )

    def _chunk_retention(self, parent: int, staging: Any, model: Doc2Vec, keep_old_docs: bool) -> Any:
        before, after = (read_json(d / "model.json") for d in (self._layout.version_dir(parent), staging))
        objects = ObjectStore(self._layout.objects)
        return chunk_retention(before, after, model, objects, keep_old_docs=keep_old_docs)

    def _publish(self, info: VersionInfo, parent: int) -> None:
        if info.accepted:
            self._layout.write_pointer(info.number, info.kind, parent)
            self._publish_current()  # to PostgreSQL, when the store publishes there

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
                self._publish_current()
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
            # PostgreSQL's replicas load the model of the version it holds: kept too.
            kept = set(numbers[-keep:]) | {self.current} | self._published_versions()
            removed = [n for n in numbers if n not in kept]
            for number in removed:
                folder = self._layout.version_dir(number)
                trash = self._layout.versions / f".trash-{number:06d}"
                # One rename takes the version away; deleting its files may then be killed safely.
                os.replace(folder, trash)
                shutil.rmtree(trash, ignore_errors=True)
            clean_leftovers(self._layout)
        return removed


def given_texts(texts: Iterable[tuple[Any, str]] | Mapping[Any, str]) -> dict[str, str]:
    """The checked ``(tag, text)`` pairs as a dict (`paravec.search.validate.text_pairs`)."""
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
