"""The verification report of an update: sections of checks with verdicts, as Markdown, JSON and PNG.

`paravec.evaluate` measures; this module holds what it measured and renders it. A report is a
list of `Section` objects (placement of the new documents, the new words, what the pretrained
space kept, ...), each with named metrics, `Check` objects that turn one metric into a verdict
(``pass`` / ``warn`` / ``fail``, or ``skip`` when the data to judge is missing), tables for a human to
read, and notes. The report's verdict is the worst verdict of its sections.

Everything is plain data, so ``Report.to_json()`` is the full record and ``Report.from_dict`` reads it
back; ``Report.save(dir)`` writes ``report.md`` and ``report.json`` atomically (temporary file in the
same folder, then ``os.replace``; see `paravec.files`) and, when matplotlib is installed, ``map.png``: a 2-D PCA map of
the new documents among their nearest words and a sample of old documents.

Examples
--------
>>> from paravec.report import Check, Report, Section
>>> s = Section("placement", "Placement of new documents")
>>> _ = s.add_check(Check("self_top1", 0.97, "pass", ">= 0.80 pass, >= 0.50 warn"))
>>> r = Report(sections=[s])
>>> r.verdict
'pass'
>>> print(r.to_markdown().splitlines()[0])
# paravec update report: PASS
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from paravec.files import atomic_path, write_atomic

__all__ = ["VERDICTS", "Check", "Report", "Section", "Table", "worst_verdict"]

VERDICTS = ("pass", "warn", "fail", "skip")
_SEVERITY = {"skip": -1, "pass": 0, "warn": 1, "fail": 2}


def worst_verdict(verdicts: list[str]) -> str:
    """The most severe of ``verdicts`` (``fail`` > ``warn`` > ``pass``); ``skip`` if none was judged."""
    judged = [v for v in verdicts if v != "skip"]
    if not judged:
        return "skip"
    return max(judged, key=_SEVERITY.__getitem__)


@dataclass
class Check:
    """One metric judged against documented thresholds.

    Attributes
    ----------
    name : str
        The metric's key in the section's ``metrics``.
    value : float, int or None
        The measured value (``None`` when skipped).
    verdict : {"pass", "warn", "fail", "skip"}
    rule : str
        The thresholds, in words, e.g. ``">= 0.80 pass, >= 0.50 warn, else fail"``.
    note : str
        Why it was skipped, or what to look at.
    """

    name: str
    value: float | int | None
    verdict: str
    rule: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")


@dataclass
class Table:
    """A small table for humans (also kept in the JSON)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    """One part of the report: metrics, checks that judge them, tables and notes."""

    key: str
    title: str
    metrics: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def verdict(self) -> str:
        """The worst verdict of the section's checks; ``skip`` when nothing was judged."""
        return worst_verdict([c.verdict for c in self.checks])

    def add_check(self, check: Check) -> Check:
        """Append ``check`` to the section and return it."""
        self.checks.append(check)
        return check

    def add_table(self, title: str, columns: list[str], rows: list[list[Any]]) -> None:
        """Append a table (copies of ``columns`` and of each row)."""
        self.tables.append(Table(title, list(columns), [list(r) for r in rows]))

    def check(self, name: str) -> Check:
        """The check called ``name`` (``KeyError`` if there is none)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass
class Report:
    """A verification report: sections, an overall verdict and a short human summary.

    Attributes
    ----------
    sections : list of Section
    summary : str
        A few sentences for a human, with the numbers that decided the verdict.
    parameters : dict
        How the report was made (sample sizes, seed, epochs, model shapes).
    map_points : list of dict
        2-D coordinates (``x``, ``y``, ``kind``, ``label``) for `save_plots`.
    """

    sections: list[Section] = field(default_factory=list)
    summary: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    map_points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """The worst verdict over all sections."""
        return worst_verdict([s.verdict for s in self.sections])

    def section(self, key: str) -> Section:
        """The section called ``key`` (``KeyError`` if there is none)."""
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    # --- rendering ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-serialisable data (non-finite floats become ``None``)."""
        data = {
            "verdict": self.verdict,
            "summary": self.summary,
            "parameters": self.parameters,
            "sections": [{**asdict(s), "verdict": s.verdict} for s in self.sections],
            "map_points": self.map_points,
        }
        plain: dict[str, Any] = _jsonable(data)
        return plain

    def to_json(self, indent: int | None = 2) -> str:
        """The report as a JSON string (see `to_dict`)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Read back what `to_dict` produced."""
        sections = []
        for s in data.get("sections", []):
            sec = Section(
                s["key"],
                s["title"],
                dict(s.get("metrics", {})),
                [Check(**c) for c in s.get("checks", [])],
                [Table(**t) for t in s.get("tables", [])],
                list(s.get("notes", [])),
                s.get("summary", ""),
            )
            sections.append(sec)
        return cls(
            sections,
            data.get("summary", ""),
            dict(data.get("parameters", {})),
            list(data.get("map_points", [])),
        )

    def to_markdown(self) -> str:
        """The report as Markdown: verdict, summary, a verdict table, then one part per section."""
        out = [f"# paravec update report: {self.verdict.upper()}", ""]
        if self.summary:
            out += [self.summary, ""]
        out += ["| section | verdict | summary |", "| --- | --- | --- |"]
        for s in self.sections:
            out.append(f"| {s.title} | {_badge(s.verdict)} | {_cell(s.summary)} |")
        out.append("")
        for s in self.sections:
            out += [f"## {s.title}: {s.verdict}", ""]
            if s.summary:
                out += [s.summary, ""]
            if s.checks:
                out += ["| check | value | verdict | rule |", "| --- | --- | --- | --- |"]
                for c in s.checks:
                    note = f" ({c.note})" if c.note else ""
                    out.append(
                        f"| {c.name} | {_fmt(c.value)} | {_badge(c.verdict)}{_cell(note)} | {c.rule} |"
                    )
                out.append("")
            scalars = {k: v for k, v in s.metrics.items() if not isinstance(v, (list, dict))}
            if scalars:
                out += ["| metric | value |", "| --- | --- |"]
                out += [f"| {k} | {_fmt(v)} |" for k, v in scalars.items()]
                out.append("")
            for t in s.tables:
                out += [
                    f"**{t.title}**",
                    "",
                    "| " + " | ".join(t.columns) + " |",
                    "| " + " | ".join("---" for _ in t.columns) + " |",
                ]
                out += ["| " + " | ".join(_cell(_fmt(v)) for v in row) + " |" for row in t.rows]
                out.append("")
            for n in s.notes:
                out.append(f"- {n}")
            if s.notes:
                out.append("")
        if self.parameters:
            out += ["## Parameters", "", "| parameter | value |", "| --- | --- |"]
            out += [f"| {k} | {_cell(_fmt(v))} |" for k, v in self.parameters.items()]
            out.append("")
        return "\n".join(out)

    def save(self, directory: str | os.PathLike[str], *, plots: bool = True) -> dict[str, Path]:
        """Write ``report.md``, ``report.json`` (and ``map.png`` when possible) into ``directory``.

        Parameters
        ----------
        directory : path
            Created if missing. Each file is written atomically.
        plots : bool, default True
            Also draw ``map.png``; silently skipped when matplotlib is not installed.

        Returns
        -------
        dict
            ``{"markdown": path, "json": path[, "map": path]}``.
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        written = {
            "markdown": write_atomic(folder / "report.md", self.to_markdown() + "\n"),
            "json": write_atomic(folder / "report.json", self.to_json() + "\n"),
        }
        if plots:
            written.update(self.save_plots(folder))
        return written

    def save_plots(self, directory: str | os.PathLike[str]) -> dict[str, Path]:
        """Draw ``map.png`` from `map_points`; returns ``{}`` without matplotlib or points."""
        if not self.map_points:
            return {}
        plt = _pyplot()
        if plt is None:
            return {}
        path = Path(directory) / "map.png"
        fig = _draw_map(plt, self.map_points)
        _savefig_atomic(fig, path)
        plt.close(fig)
        return {"map": path}


#: Where a label may sit relative to its point (offset points), tried in this order.
_LABEL_OFFSETS = ((3, 3), (3, -9), (-3, 3), (-3, -9))


def _draw_map(plt: Any, points: list[dict[str, Any]]) -> Any:
    """The PCA map as a matplotlib figure: every point, and each word's label where it overlaps none.

    Labels are placed greedily, new words first: each tries four spots around its point and is left
    out when all four would cover a label already drawn (a readable map over a complete one).
    """
    fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
    styles = {
        "old_doc": dict(c="#bbbbbb", marker="o", s=14, label="old documents (sample)"),
        "new_doc": dict(c="#d62728", marker="^", s=26, label="new documents"),
        "word": dict(c="#1f77b4", marker=".", s=18, label="their nearest words"),
        "new_word": dict(c="#2ca02c", marker="*", s=40, label="new words"),
    }
    for kind, style in styles.items():
        pts = [p for p in points if p["kind"] == kind]
        if pts:
            ax.scatter([p["x"] for p in pts], [p["y"] for p in pts], **style)
    ax.set_title("New documents among their nearest words (PCA of unit vectors)")
    ax.legend(loc="best", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    renderer = fig.canvas.get_renderer()
    placed: list[Any] = []
    labelled = sorted(
        (p for p in points if p["kind"] in ("word", "new_word")), key=lambda p: p["kind"] != "new_word"
    )
    for p in labelled:
        for dx, dy in _LABEL_OFFSETS:
            text = ax.annotate(
                str(p["label"]),
                (p["x"], p["y"]),
                fontsize=6,
                alpha=0.8,
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx > 0 else "right",
            )
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()
    return fig


def _savefig_atomic(fig: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or ``None`` when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _jsonable(value: Any) -> Any:
    """Plain JSON data: numpy scalars to Python, non-finite floats to ``None``, tuples to lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, TypeError):
            value = value.tolist()
            return _jsonable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:.3f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_fmt(v) for v in value)
    if hasattr(value, "item"):
        return _fmt(value.item())
    return str(value)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _badge(verdict: str) -> str:
    return {"pass": "pass", "warn": "**warn**", "fail": "**FAIL**", "skip": "skip"}[verdict]
