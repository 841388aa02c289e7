"""paravec.search.backend and paravec.search.types: the storage seam's contract, met by the embedded
backend on the Lee corpus (atomic apply, changes that touch exactly the named documents), and the
result types."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paravec.errors import NotFoundError as ErrorsNotFoundError
from paravec.linalg import unit_rows
from paravec.search import SearchIndex
from paravec.search.backend import Changes, IndexBackend, IndexedText, IndexView
from paravec.search.embedded import EmbeddedBackend, EmbeddedView
from paravec.search.syncing import digest
from paravec.search.types import Hit, Neighbor, NotFoundError, SyncReport


def _members(protocol: type) -> set[str]:
    return {
        name
        for name in vars(protocol)
        if not name.startswith("_") or name == "__len__"
        if name not in {"_is_protocol", "_is_runtime_protocol"}
    }


def test_the_embedded_backend_has_every_member_of_the_protocols():
    view_members = _members(IndexView)
    assert view_members == {
        "__len__",
        "tags",
        "slot",
        "tag",
        "digests",
        "keyword_candidates",
        "vector_candidates",
        "unit_vectors",
        "document_frequencies",
        "texts",
        "snippets",
        "document",
    }
    assert all(callable(getattr(EmbeddedView, name)) for name in view_members)
    backend_members = _members(IndexBackend)
    assert backend_members == {
        "location",
        "fingerprint",
        "dimensions",
        "uses_ann",
        "recorded_model_path",
        "view",
        "apply",
    }
    for name in ("location", "fingerprint", "dimensions", "uses_ann"):
        assert isinstance(vars(EmbeddedBackend)[name], property), name
    assert all(callable(getattr(EmbeddedBackend, name)) for name in ("recorded_model_path", "view", "apply"))


def test_the_search_index_answers_through_the_seam(idx, texts):
    view = idx.backend.view()
    assert idx.backend.location == str(idx.path)
    assert (idx.backend.dimensions, idx.backend.uses_ann) == (50, False)
    assert len(view) == 300 and view.tags() == [tag for tag, _ in texts]
    assert (view.slot("bg17"), view.tag(17), view.slot("lee0"), view.tag(300), view.tag(-1)) == (
        17,
        "bg17",
        None,
        None,
        None,
    )
    assert view.digests()["bg17"] == digest(texts[17][1])


def _build(folder: Path, model, texts, n: int) -> EmbeddedBackend:
    (folder / "m.model").write_bytes(b"")
    documents = [(IndexedText(tag, "", body, digest(body)), row) for row, (tag, body) in enumerate(texts[:n])]
    return EmbeddedBackend.create(
        folder / "idx", documents, model.dv.vectors, fingerprint={"v": 1}, model_path=folder / "m.model"
    )


@pytest.fixture
def applied(tmp_path, model, texts, new_texts):
    """Twenty Lee articles, then one apply: bg20..bg22 added, bg5 given a new text, bg3 removed."""
    backend = _build(tmp_path, model, texts, 20)
    before = backend.view()
    old_units = before.unit_vectors(list(range(20)))
    replacement = new_texts[7][1]
    changes = Changes(
        texts=[
            IndexedText("bg20", "", texts[20][1], digest(texts[20][1])),
            IndexedText("bg5", "A new text", replacement, digest(replacement)),
            IndexedText("bg21", "", texts[21][1], digest(texts[21][1])),
            IndexedText("bg22", "", texts[22][1], digest(texts[22][1])),
        ],
        vectors={tag: model.dv[tag] for tag in ("bg20", "bg21", "bg22")},
        removed=["bg3"],
        fingerprint={"v": 2},
        model_path=tmp_path / "m.model",
    )
    steps: list[tuple[str, int, int]] = []
    backend.apply(changes, progress=lambda step, done, total: steps.append((step, done, total)))
    return backend, before, old_units, steps


def test_apply_adds_replaces_and_removes_exactly_the_documents_named(applied, model, texts, new_texts):
    backend, _before, old_units, steps = applied
    after = backend.view()
    expected_tags = [f"bg{i}" for i in range(23) if i != 3]
    assert after.tags() == expected_tags and len(after) == 22
    assert (after.slot("bg3"), after.tag(3), after.slot("bg20"), after.slot("bg22")) == (None, None, 20, 22)
    assert after.digests()["bg5"] == digest(new_texts[7][1])
    assert {t: d for t, d in after.digests().items() if t != "bg5"} == {
        tag: digest(body) for tag, body in texts[:23] if tag not in ("bg3", "bg5")
    }
    assert after.document("bg5") == {"tag": "bg5", "title": "A new text", "text": new_texts[7][1]}
    assert after.document("bg3") is None
    assert after.document("bg21") == {"tag": "bg21", "title": "", "text": texts[21][1]}
    # untouched documents keep their vectors bit for bit; bg5 kept its vector (none was given)
    kept = [s for s in range(20) if s != 3]
    assert np.array_equal(after.unit_vectors(kept), old_units[kept])
    assert np.array_equal(after.unit_vectors([20, 21, 22]), unit_rows(model.dv.vectors[20:23]))
    assert after.vector_candidates(model.dv["bg21"], 1)[0][0] == 21
    assert 3 not in [slot for slot, _ in after.vector_candidates(model.dv["bg3"], 22, exact=True)]
    assert steps == [("text", 0, 4), ("text", 4, 4), ("vectors", 0, 1), ("vectors", 1, 1)]
    assert backend.fingerprint == {"v": 2}


def test_apply_writes_the_next_generation_and_reopens_the_same(applied, tmp_path):
    backend, _before, _units, _steps = applied
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["generation"] == 1 and manifest["documents"] == 22
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == [
        "docs-1.json",
        "live-1.npy",
        "manifest.json",
        "text",
        "vectors-1.npy",
    ]
    reopened = EmbeddedBackend.open(tmp_path / "idx")
    assert reopened.view().tags() == backend.view().tags()
    assert reopened.view().digests() == backend.view().digests()
    assert reopened.fingerprint == {"v": 2}
    assert reopened.recorded_model_path() == (tmp_path / "m.model").resolve()


def test_a_view_taken_before_apply_keeps_its_documents_and_vectors(applied, model, texts):
    _backend, before, old_units, _steps = applied
    assert before.tags() == [f"bg{i}" for i in range(20)] and len(before) == 20
    assert (before.slot("bg3"), before.slot("bg20")) == (3, None)
    assert before.digests() == {tag: digest(body) for tag, body in texts[:20]}
    assert np.array_equal(before.unit_vectors(list(range(20))), old_units)
    assert [slot for slot, _ in before.vector_candidates(model.dv["bg21"], 20, exact=True)] == sorted(
        range(20),
        key=lambda s: -float(unit_rows(model.dv.vectors[[s]])[0] @ unit_rows(model.dv.vectors[[21]])[0]),
    )
    # text of a document added after the view was taken: not a candidate of the old view
    assert before.keyword_candidates(["elkhart"], {}, 10) == []


def test_a_view_taken_before_apply_keeps_its_texts(applied, texts, new_texts):
    _backend, before, _units, _steps = applied
    assert before.document("bg3") == {"tag": "bg3", "title": "", "text": texts[3][1]}
    assert before.texts(["bg5"]) == {"bg5": texts[5][1]}
    assert "nidal" in new_texts[7][1].lower() and "nidal" not in texts[5][1].lower()
    assert 5 not in [slot for slot, _ in before.keyword_candidates(["nidal"], {}, 300)]


def test_changes_default_to_no_fingerprint_and_no_model_path_each_their_own():
    a = Changes(texts=[], vectors={}, removed=[])
    b = Changes(texts=[], vectors={}, removed=[])
    assert (a.fingerprint, a.model_path) == ({}, None)
    a.fingerprint["x"] = 1
    assert b.fingerprint == {}


def test_sync_report_fields_summary_and_dict():
    empty = SyncReport()
    assert empty.to_dict() == {
        "added": [],
        "removed": [],
        "replaced": [],
        "skipped": [],
        "unchanged": 0,
        "unindexed": 0,
        "seconds": 0.0,
    }
    assert not empty.changed
    assert empty.summary() == "0 added, 0 replaced, 0 removed, 0 unchanged"
    report = SyncReport(added=["lee0", "lee1"], replaced=["bg0"], skipped=["x"], unchanged=299, unindexed=3)
    assert report.changed and SyncReport(removed=["bg1"]).changed and SyncReport(replaced=["bg1"]).changed
    assert (
        report.summary()
        == "2 added, 1 replaced, 0 removed, 299 unchanged, 1 texts skipped (tag not in the model)"
    )
    assert report.to_dict()["unindexed"] == 3
    assert SyncReport().added is not SyncReport().added


def test_hit_and_neighbor_are_plain_data():
    hit = Hit("bg33", "bg33", "Bushfires near Sydney", [(0, 9)], 0.5, 1, None, "keyword")
    assert hit.to_dict() == {
        "tag": "bg33",
        "title": "bg33",
        "snippet": "Bushfires near Sydney",
        "highlights": [[0, 9]],
        "score": 0.5,
        "keyword_rank": 1,
        "vector_rank": None,
        "why": "keyword",
    }
    assert json.loads(json.dumps(hit.to_dict())) == hit.to_dict()
    assert Neighbor("fire", 0.71).to_dict() == {"key": "fire", "score": 0.71}
    with pytest.raises(AttributeError):
        hit.score = 1.0  # type: ignore[misc]
    assert NotFoundError is ErrorsNotFoundError


def test_search_results_are_hits(idx):
    hits = idx.search("bushfires", mode="keyword", k=2)
    # bg33 says "bushfires", bg9 "bushfire": the English stemmer finds both.
    assert [type(h) for h in hits] == [Hit, Hit] and {h.tag for h in hits} == {"bg9", "bg33"}
    assert {h.why for h in hits} == {"keyword"}
    assert isinstance(idx, SearchIndex)
