"""The results file of ``search_latency.py --backend postgresql``: every size measured so far.

Each run adds its size's figures to ``search_latency_postgres.json`` (a run that measured one
backend keeps the other's figures from the earlier run of that size) and rewrites the Markdown
table from all of them. Kept apart from `_postgres` so each stays small.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _build_load(builds: dict[str, Any]) -> str:
    """The load average during the builds, as recorded (one pair, or one per backend)."""
    if "load_start" in builds:
        return f"{builds['load_start']:.1f} -> {builds['load_end']:.1f}"
    return ", ".join(
        f"{backend} {builds[backend + '_load'][0]:.1f} -> {builds[backend + '_load'][1]:.1f}"
        for backend in ("embedded", "postgresql")
        if backend + "_load" in builds
    )


def _build_cell(builds: dict[str, Any], backend: str) -> str:
    if backend not in builds:
        return "not measured"
    return f"{builds[backend]:.1f} s ({builds[backend + '_cpu']:.1f})"


def _merged(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """``new``, or, when it measured one backend (``--measure-backends``), ``new`` with the other
    backend's figures of ``old``: two runs of one size, each backend's rows from its own run."""
    measured = new.get("backends") or ["embedded", "postgresql"]
    if old is None or len(measured) == 2:
        return new
    mine = tuple(f"{backend} " for backend in measured)
    rows = [r for r in old["rows"] if not r[0].startswith(mine)] + new["rows"]
    modes = ["keyword", "vector", "hybrid", "document"]
    rows.sort(key=lambda r: (modes.index(r[0].split()[1].rstrip(",")), r[0].startswith("postgresql")))
    merged = {**old, **new, "rows": rows, "syncs": {**old["syncs"], **new["syncs"]}}
    merged["builds"] = {**old["builds"], **new["builds"]}
    merged["backends"] = sorted(set(old.get("backends") or ["embedded", "postgresql"]) | set(measured))
    merged["command"] = f"{old['command']}` and `{new['command']}"
    if "postgresql" not in measured:  # the PostgreSQL-only figures stay the earlier run's
        for key in ("recalls", "exact_p50", "scan", "default_ef", "load", "seconds", "settings"):
            merged[key] = old[key]
    if "embedded" not in measured and old.get("embedded_recall"):
        merged["embedded_recall"] = old["embedded_recall"]
    merged["runs"] = [*old.get("runs", []), *new.get("runs", [])]
    return merged


def write_sizes(out: Path, size: int, result: dict[str, Any]) -> None:
    """Add ``size``'s figures to the JSON beside ``out`` and write every size measured so far."""
    from _common import write_results

    store = out.with_suffix(".json")
    sizes = json.loads(store.read_text())["sizes"] if store.exists() else {}
    sizes[str(size)] = _merged(sizes.get(str(size)), result)
    sizes = dict(sorted(sizes.items(), key=lambda item: int(item[0])))
    lines = [
        "# Search latency: PostgreSQL beside the embedded backend",
        "",
        "Both backends over the same model, synthetic documents (50-250 words drawn from the "
        "Wikipedia-trained vocabulary by frequency) and queries (1-4 mid-frequency words; k=10, "
        "snippets included; vector and hybrid infer the query, 20 epochs), measured in one run per "
        "size, mode by mode, one backend right after the other, so both see the same load: read the "
        "ratios. The server runs on the same machine (Unix socket) and shares its 2 cores. Wall = "
        "per query; client CPU = the querying thread's; server CPU = the PostgreSQL process serving "
        "the read connection, mean per query (/proc, 10 ms ticks over all queries; its parallel "
        "workers, if any, not counted). Vector search is exact below 50,000 documents and HNSW from "
        "there (as the embedded backend switches to usearch). Document mode: whole indexed "
        "documents as queries.",
        "",
        "Per size: the command, the vector size of the model, the server settings and the load "
        "average (1 min) at the start and end of the queries.",
        "",
    ]
    for key, r in sizes.items():
        lines.append(
            f"- {int(key):,}: `{r['command']}`; {r['vector_size']} dimensions, text config "
            f"`{r['text_config']}`, {r['queries']} queries ({r['document_queries']} in document mode), "
            f"{r['machine']}; {r['settings']}; load {r['load'][0]:.1f} -> {r['load'][1]:.1f} "
            f"(builds: {_build_load(r['builds'])}); queries took "
            f"{r['seconds']:.0f} s"
        )
    lines += [
        "",
        "| documents | backend and mode | wall p50 (ms) | wall p95 (ms) | client CPU p50 (ms) | "
        "client CPU p95 (ms) | server CPU mean (ms) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, r in sizes.items():
        for label, w50, w95, c50, c95, server in r["rows"]:
            shown = "" if server is None else f"{server:.2f}"
            lines.append(
                f"| {int(key):,} | {label} | {w50:.2f} | {w95:.2f} | {c50:.2f} | {c95:.2f} | {shown} |"
            )
    lines += [
        "",
        "| documents | build, embedded / PostgreSQL (client CPU) | sync of 100 new, embedded / PostgreSQL | "
        "HNSW recall@10 vs exact, ef_search 40 / 100 / 200 | top-10 lookup p50, HNSW ef 40 / 100 / 200 / exact |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, r in sizes.items():
        b, rec = r["builds"], r["recalls"]
        lines.append(
            f"| {int(key):,} | {_build_cell(b, 'embedded')} / {_build_cell(b, 'postgresql')} | "
            + " / ".join(
                f"{r['syncs'][backend]:.2f} s" if backend in r["syncs"] else "-"
                for backend in ("embedded", "postgresql")
            )
            + " | "
            + " / ".join(f"{rec[ef][0]:.3f}" for ef in ("40", "100", "200"))
            + " | "
            + " / ".join(f"{rec[ef][1]:.2f}" for ef in ("40", "100", "200"))
            + f" / {r['exact_p50']:.2f} ms |"
        )
    usearch = [(key, r["embedded_recall"]) for key, r in sizes.items() if r.get("embedded_recall")]
    lines += _bullets(
        "The embedded backend's usearch graph against its own exact search (same queries):",
        [
            f"{int(key):,}: recall@10 **{u['recall']:.3f}**; top-10 lookup p50 {u['ann_p50']:.2f} ms "
            f"with the graph vs {u['exact_p50']:.2f} ms exact"
            for key, u in usearch
        ],
    )
    lines += _bullets(
        "Load average (1 min) at the start and end of each backend's queries, per run:",
        [
            f"{int(key):,}, {', '.join(run['backends'])}: {run['load'][0]:.1f} -> {run['load'][1]:.1f} "
            f"({run['seconds']:.0f} s)"
            for key, r in sizes.items()
            for run in r.get("runs", [])
        ],
    )
    scans = [(key, r["scan"]) for key, r in sizes.items() if r.get("scan", {}).get("queries")]
    if scans:
        lines += [
            "",
            "PostgreSQL document mode ranks by `ts_rank_cd` only the documents holding the query's "
            f"rarest words, about {scans[0][1]['keyword_scan']:,} (`pgview.KEYWORD_SCAN`); 'every "
            "match ranked' is the code before that limit, on the first queries. Agreement of the "
            "two top 10s (same queries):",
            "",
        ]
        lines += [
            f"- {int(key):,}: {s['queries']} queries, top-10 overlap {s['top10_agreement']:.2f}, "
            f"same first hit {s['top1_same']:.2f}"
            for key, s in scans
        ]
    lines += [
        "",
        f"Searches use ef_search = max({sizes[key]['default_ef']}, candidates) (hybrid: 100 candidates).",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    store.write_text(json.dumps({"sizes": sizes}, indent=1))
    write_results(out, "\n".join(lines))


def _bullets(title: str, items: list[str]) -> list[str]:
    """A titled list of bullets, or nothing when there are none."""
    return ["", title, "", *(f"- {item}" for item in items)] if items else []
