"""The frame of a report: its first section (what the update did) and its closing summary.

The ``update`` section shows the `paravec.updating.UpdateReport` that
`paravec.update` returned -- sizes, settings and timings -- and warns when some new documents
had no word the model knows (their vectors stay random). The summary is a few sentences for a
human: the verdict, then each section's own summary with the checks that did not pass.

Examples
--------
>>> from paravec.evaluation.overview import update_section
>>> from paravec.updating import UpdateReport
>>> sec = update_section(UpdateReport(new_tags=["E0"], untrained_tags=["E0"], documents=1))
>>> sec.check("untrained_tags").verdict, sec.summary
('warn', '1 new and 0 replaced documents, 0 new words, freeze=all')
"""

from __future__ import annotations

from paravec.report import Check, Report, Section
from paravec.updating import UpdateReport

__all__ = ["summary_of", "update_section"]


def update_section(upd: UpdateReport) -> Section:
    """The report's first section: what `paravec.update` did, from its report."""
    sec = Section("update", "Update")
    total = upd.seconds.get("total")
    sec.metrics = {
        "documents": upd.documents,
        "new_tags": len(upd.new_tags),
        "replaced_tags": len(upd.replaced_tags),
        "dropped_tags": upd.dropped_tags,
        "new_words": len(upd.new_words),
        "pending_words": upd.pending_words,
        "freeze": upd.freeze,
        "epochs": upd.epochs,
        "keep_old_docs": upd.keep_old_docs,
        "seconds": total,
        "words_per_second": upd.words_per_second,
    }
    untrained = list(upd.untrained_tags)
    sec.add_check(
        Check(
            "untrained_tags",
            len(untrained),
            "pass" if not untrained else "warn",
            "0 pass, else warn",
            ""
            if not untrained
            else "documents with no known word keep random vectors: " + ", ".join(map(str, untrained[:5])),
        )
    )
    sec.summary = (
        f"{len(upd.new_tags)} new and {len(upd.replaced_tags)} replaced documents, "
        f"{len(upd.new_words)} new words, freeze={upd.freeze}"
        + (f", {total:.1f} s" if total is not None else "")
    )
    return sec


def summary_of(report: Report) -> str:
    """A few sentences: the verdict, then each judged section's summary and the checks that did not pass."""
    lines = [f"Verdict: {report.verdict.upper()}."]
    for s in report.sections:
        if s.key == "update" or not s.summary:
            continue
        bad = [c for c in s.checks if c.verdict in ("warn", "fail")]
        tail = " (" + "; ".join(f"{c.name} {c.verdict}" for c in bad) + ")" if bad else ""
        lines.append(f"{s.title}: {s.summary}{tail}.")
    return " ".join(lines)
