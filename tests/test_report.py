"""Tests of paravec.report: verdicts, rendering, the JSON round trip and atomic files."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from paravec.report import Check, Report, Section, worst_verdict


def _report() -> Report:
    placement = Section(
        "placement", "Placement of new documents", metrics={"self_top1": 0.9, "rank": np.int64(3)}
    )
    placement.add_check(Check("self_top1", 0.9, "pass", ">= 0.80 pass, >= 0.50 warn, else fail"))
    placement.add_table("Worst placed", ["tag", "rank"], [["d|1", 3]])
    drift = Section("word_neighbours", "Pretrained word neighbourhoods", metrics={"overlap": math.nan})
    drift.add_check(Check("flagged_share", 0.01, "warn", "none pass, <= 5% warn, else fail", "flagged: his"))
    drift.notes.append("a note")
    skipped = Section("new_words", "New words")
    skipped.add_check(Check("cooccur_share", None, "skip", "", "no list of new words"))
    return Report([placement, drift, skipped], "Verdict: WARN.", {"sample": 5})


def test_the_worst_judged_verdict_wins() -> None:
    assert worst_verdict(["pass", "skip", "warn"]) == "warn"
    assert worst_verdict(["warn", "fail", "pass"]) == "fail"
    assert worst_verdict(["skip", "skip"]) == "skip"
    assert worst_verdict([]) == "skip"
    r = _report()
    assert [s.verdict for s in r.sections] == ["pass", "warn", "skip"]
    assert r.verdict == "warn"


def test_a_check_refuses_an_unknown_verdict() -> None:
    with pytest.raises(ValueError, match="verdict must be one of"):
        Check("x", 1.0, "ok", "")


def test_sections_and_checks_are_found_by_name() -> None:
    r = _report()
    assert r.section("word_neighbours").check("flagged_share").note == "flagged: his"
    with pytest.raises(KeyError):
        r.section("nope")
    with pytest.raises(KeyError):
        r.section("placement").check("nope")


def test_json_is_plain_data_and_reads_back() -> None:
    r = _report()
    data = json.loads(r.to_json())
    assert data["verdict"] == "warn"
    assert data["sections"][1]["metrics"]["overlap"] is None  # NaN is not JSON
    assert data["sections"][0]["metrics"]["rank"] == 3  # a NumPy integer becomes a plain int
    again = Report.from_dict(data)
    assert again.verdict == "warn"
    assert again.section("placement").tables[0].rows == [["d|1", 3]]
    assert again.to_dict() == r.to_dict()


def test_markdown_has_a_verdict_table_and_escapes_cells() -> None:
    md = _report().to_markdown()
    assert md.splitlines()[0] == "# paravec update report: WARN"
    assert "| Pretrained word neighbourhoods | **warn** |" in md
    assert "| d\\|1 | 3 |" in md
    assert "- a note" in md
    assert "| sample | 5 |" in md


def test_save_writes_both_files_atomically_with_ordinary_permissions(tmp_path) -> None:
    r = _report()
    written = r.save(tmp_path / "new" / "folder", plots=False)
    assert sorted(written) == ["json", "markdown"]
    assert json.loads(written["json"].read_text())["verdict"] == "warn"
    assert written["markdown"].read_text().startswith("# paravec update report: WARN")
    umask = os.umask(0)
    os.umask(umask)
    assert written["json"].stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in written["json"].parent.iterdir()) == ["report.json", "report.md"]


def test_no_map_without_points(tmp_path) -> None:
    assert _report().save_plots(tmp_path) == {}
    assert list(tmp_path.iterdir()) == []


def test_map_is_drawn_from_points(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    r = _report()
    r.map_points = [
        {"x": 0.0, "y": 1.0, "kind": "new_doc", "label": "d1"},
        {"x": 1.0, "y": 0.0, "kind": "word", "label": "fire"},
    ]
    written = r.save_plots(tmp_path)
    assert written == {"map": tmp_path / "map.png"}
    assert written["map"].read_bytes()[:4] == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["map.png"]


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_map_gets_the_same_permissions_as_the_other_report_files(tmp_path, umask) -> None:
    pytest.importorskip("matplotlib")
    r = _report()
    r.map_points = [{"x": float(i), "y": float(i % 3), "kind": "word", "label": f"w{i}"} for i in range(20)]
    old = os.umask(umask)
    try:
        written = r.save(tmp_path, plots=True)
    finally:
        os.umask(old)
    modes = {name: path.stat().st_mode & 0o777 for name, path in written.items()}
    assert modes == {"markdown": 0o666 & ~umask, "json": 0o666 & ~umask, "map": 0o666 & ~umask}
