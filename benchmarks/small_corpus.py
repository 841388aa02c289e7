"""What `paravec train` should do on a small corpus: vector size and epochs for 300 Lee articles.

Issue 16, item 1: trained with the old command-line defaults (300 dimensions, 20 epochs) on the 300
articles of ``lee_background.cor`` (61k words), neighbours scored 0.98-0.999 and vector search ranked
an air-travel article first for "bushfires near sydney". This script trains PV-DBOW with word
training (`paravec.train`, everything else at its defaults) on half of Lee, all of Lee, and the
Wikipedia extract, for a grid of vector sizes and epochs, and measures for each model:

- spread: mean and 5th / 95th percentile of the cosine of 20,000 random pairs of document vectors
  and of word vectors (a space where every pair scores 0.98 cannot rank anything);
- Lee r: Pearson correlation of the cosines of the 50 inferred ``lee.cor`` articles with the human
  judgments of ``similarities0-1.txt`` (upper triangle);
- self@1: share of the 300 articles whose inferred vector finds the article's own vector first;
- queries P@5: vector search (infer the query, nearest document vectors) for eight short topical
  queries; share of the top 5 whose text contains the topic's word stem;
- neighbour percentile: where the cosine of each document's nearest other document falls among the
  random pairs (median over documents): what `paravec similar` now shows beside the cosine.

Writes benchmarks/results/small_corpus.md and .json.

Run:  python benchmarks/small_corpus.py            (about 10 minutes on 2 idle cores)
      python benchmarks/small_corpus.py --quick    (two models, a smoke run)
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from _common import INFER_EPOCHS, RESULTS, cosines, infer, progress_log, write_results
from scipy.stats import pearsonr

import paravec
from paravec import datasets
from paravec.scores import RandomPairs

# Short topical queries a user of a news corpus would type, and the word stem a relevant article
# holds (checked on the raw lower-cased text, so inflections count).
QUERIES = {
    "bushfires near sydney": "bushfire",
    "taliban fighters in afghanistan": "taliban",
    "israeli and palestinian violence": "palestin",
    "cricket test match": "cricket",
    "interest rates reserve bank": "interest rate",
    "qantas airline workers strike": "qantas",
    "asylum seekers boat": "asylum",
    "space shuttle astronauts": "space",
}


def measure(model: Any, docs: list[Any], texts: list[str] | None, lee: dict[str, Any]) -> dict[str, float]:
    """Spread, Lee r, self@1, query P@5 (when ``texts`` are given) and neighbour percentile of one model."""
    doc_pairs, word_pairs = RandomPairs.of(model.dv, seed=0), RandomPairs.of(model.wv, seed=0)
    sims = cosines(infer(model, lee["docs"], epochs=INFER_EPOCHS))
    human = lee["human"]
    iu = np.triu_indices(len(human), 1)
    inferred = infer(model, docs)
    dv = np.vstack([model.dv[d.tags[0]] for d in docs])
    self_sims = cosines(np.vstack([inferred, dv]))[: len(docs), len(docs) :]
    out = {
        "doc_cos_mean": doc_pairs.mean,
        "doc_cos_p5": doc_pairs.quantile(0.05),
        "doc_cos_p95": doc_pairs.quantile(0.95),
        "word_cos_mean": word_pairs.mean,
        "word_cos_p5": word_pairs.quantile(0.05),
        "word_cos_p95": word_pairs.quantile(0.95),
        "lee_r": float(pearsonr(sims[iu], human[iu])[0]),
        "self_at_1": float(np.mean(np.argmax(self_sims, axis=1) == np.arange(len(docs)))),
        "query_p5": float("nan"),
    }
    if texts is not None:
        hits = []
        for query, stem in QUERIES.items():
            top = model.dv.most_similar([model.infer_vector(paravec.tokenize(query))], topn=5)
            hits.append(np.mean([stem in texts[model.dv.get_index(tag)].lower() for tag, _ in top]))
        out["query_p5"] = float(np.mean(hits))
    among = cosines(dv)
    np.fill_diagonal(among, -np.inf)
    nearest = among.max(axis=1)
    out["nearest_cos_median"] = float(np.median(nearest))
    out["nearest_percentile_median"] = float(np.median([doc_pairs.percentile(c) for c in nearest]))
    return out


def _corpora(quick: bool) -> dict[str, tuple[list[Any], list[str] | None, list[tuple[int, int]], list[int]]]:
    """Corpus name -> (documents, their raw texts or None, (vector size, epochs) grid, seeds)."""
    with open(datasets.data_path("lee_background.cor"), encoding="utf-8") as handle:
        texts = handle.read().splitlines()
    lee = datasets.lee_background_documents()
    if quick:
        return {"lee-300": (lee, texts, [(300, 20), (100, 40)], [0])}
    grid = [(s, e) for s in (300, 100, 50) for e in (20, 40)]
    return {
        "lee-150": (lee[:150], texts[:150], grid, [0, 1]),
        "lee-300": (lee, texts, [*grid, (100, 100)], [0, 1]),
        "wiki-106": (datasets.wiki_documents(), None, [(300, 20), (100, 40)], [0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="two models only")
    args = parser.parse_args()
    log = progress_log()
    lee = {"docs": datasets.lee_test_documents(), "human": datasets.lee_similarities()}
    rows = []
    for name, (docs, texts, grid, seeds) in _corpora(args.quick).items():
        words = sum(len(d.words) for d in docs)
        for size, epochs in grid:
            runs = []
            for seed in seeds:
                started = time.perf_counter()
                model = paravec.train(docs, vector_size=size, epochs=epochs, seed=seed, workers=2)
                seconds = time.perf_counter() - started
                runs.append({"train_s": seconds, **measure(model, docs, texts, lee)})
            row = {
                "corpus": name,
                "documents": len(docs),
                "words": words,
                "vector_size": size,
                "epochs": epochs,
                "seeds": len(seeds),
                **{key: float(np.mean([r[key] for r in runs])) for key in runs[0]},
                "lee_r_range": float(np.ptp([r["lee_r"] for r in runs])),
                "runs": runs,
            }
            rows.append(row)
            log(
                f"{name} {size:>3}d {epochs:>3}ep: doc cos {row['doc_cos_mean']:.3f} "
                f"[{row['doc_cos_p5']:.3f}, {row['doc_cos_p95']:.3f}], word cos {row['word_cos_mean']:.3f}, "
                f"Lee r {row['lee_r']:.3f}, self@1 {row['self_at_1']:.2f}, P@5 {row['query_p5']:.2f}"
            )
    header = (
        "| corpus (docs, words) | vector size | epochs | doc cosine mean [p5, p95] | word cosine mean [p5, p95] "
        "| Lee r (range over seeds) | self@1 | queries P@5 | nearest doc: cosine / percentile | train s |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r['corpus']} ({r['documents']}, {r['words'] / 1000:.0f}k) | {r['vector_size']} | {r['epochs']} | "
        f"{r['doc_cos_mean']:.3f} [{r['doc_cos_p5']:.3f}, {r['doc_cos_p95']:.3f}] | "
        f"{r['word_cos_mean']:.3f} [{r['word_cos_p5']:.3f}, {r['word_cos_p95']:.3f}] | "
        f"{r['lee_r']:.3f} ({r['lee_r_range']:.3f}) | {r['self_at_1']:.2f} | "
        + ("–" if np.isnan(r["query_p5"]) else f"{r['query_p5']:.2f}")
        + f" | {r['nearest_cos_median']:.3f} / {100 * r['nearest_percentile_median']:.1f}% | "
        f"{r['train_s']:.1f} |"
        for r in rows
    ]
    markdown = (
        "# Small corpus: vector size and epochs for the corpus size\n\n"
        "`python benchmarks/small_corpus.py`: `paravec.train` (PV-DBOW + word training, min_count 2, "
        "window 8, 2 workers; figures are means over the seeds given) on the first 150 and all 300 "
        "articles of lee_background.cor and on gensim's Wikipedia extract. "
        f"Lee r infers the 50 lee.cor articles with {INFER_EPOCHS} epochs; self@1 infers each "
        "training document with the model's epochs; queries P@5 over "
        f"{len(QUERIES)} topical queries (Lee corpora only). Percentile: share of 20,000 random "
        "document pairs with a lower cosine (median over the documents' nearest neighbours). "
        "Training times come from a shared machine: compare within a run only.\n\n"
        + header
        + "\n".join(lines)
        + "\n"
    )
    write_results(RESULTS / "small_corpus.md", markdown, {"rows": rows, "queries": QUERIES})


if __name__ == "__main__":
    main()
