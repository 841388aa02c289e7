"""Keyword recall for inflected forms and compound parts: the index's text analysis, measured.

The keyword side of a search index (tantivy BM25, `paravec.search.text.TextStore`) is built over
the same texts with each analyzer variant, side by side in one run, and asked the same queries:

English, on the 300 Lee background articles (``lee_background.cor``):
  * ``inflected``: one query per article that has one: a telling word of the article (in at most
    3 articles, 4+ letters) put in another inflection that the article does not contain but the
    corpus does (plural/singular ``s``/``es``/``ies``, ``ed``/``d``, ``ing``; chosen by these
    suffix rules, not by the stemmer, so the stemmer is judged, not assumed);
  * ``mixed``: that inflected word plus another telling word of the article as written;
  * ``exact``: the telling word as written (control: what stemming may cost).
Norwegian, on the bokmål and nynorsk paragraphs written for the tests (``tests/data``):
  * the hand-written queries of ``tests/data/norwegian_queries.jsonl`` (a form or a compound part
    the target paragraph does not contain as a word), by kind ``inflection`` and ``compound``;
  * ``exact``: every word found in exactly one paragraph (5+ letters), as written (control).

A query hits when its target document is among the first k (recall@1, recall@3 for the 14
paragraphs, recall@10 for the 300 articles); MRR is the mean of 1/rank (0 when not in the top 10).
Writes benchmarks/results/analysis_recall.md and .json.

Run:  python benchmarks/analysis_recall.py        (about a minute; simplemma loads its dictionaries)
"""

from __future__ import annotations

import json
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import RESULTS, write_results
from gensim.test.utils import datapath

import paravec
from paravec.analysis import Analysis, lemmatizer, lexicon
from paravec.search import text
from paravec.search.analyzer import LEGACY, KeywordAnalyzer, compound_dictionary
from paravec.search.compounds import Decompounder
from paravec.search.text import TextStore
from paravec.tokenizer import tokenize

OUT = RESULTS / "analysis_recall.md"
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
_SUFFIXES = ("s", "es", "ed", "d", "ing")


def _inflections(word: str, vocabulary: set[str]) -> list[str]:
    """Forms of ``word`` in ``vocabulary`` that differ from it by an English inflectional suffix."""
    bases = {word}
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            bases.add(word[: -len(suffix)])
    if word.endswith("ies"):
        bases.add(word[:-3] + "y")
    forms = set()
    for base in bases:
        forms.update(base + suffix for suffix in _SUFFIXES)
        forms.add(base)
        if base.endswith("e"):
            forms.add(base[:-1] + "ing")
        if base.endswith("y"):
            forms.add(base[:-1] + "ies")
    return sorted(f for f in forms if f != word and f in vocabulary)


def english_queries() -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    with open(datapath("lee_background.cor"), encoding="utf-8") as fh:
        texts = [(f"bg{i}", line) for i, line in enumerate(fh.read().splitlines()) if line.strip()]
    words = {tag: tokenize(text) for tag, text in texts}
    df = Counter(w for ws in words.values() for w in set(ws))
    vocabulary = set(df)
    queries: dict[str, list[tuple[str, str]]] = {"inflected": [], "mixed": [], "exact": []}
    for tag, ws in words.items():
        present = set(ws)
        telling = sorted(
            {w for w in present if df[w] <= 3 and len(w) >= 4 and w.isalpha()}, key=lambda w: (df[w], w)
        )
        for word in telling:
            variants = [v for v in _inflections(word, vocabulary) if v not in present]
            if not variants:
                continue
            other = next((w for w in telling if w != word and w not in variants), None)
            queries["inflected"].append((variants[0], tag))
            queries["exact"].append((word, tag))
            if other is not None:
                queries["mixed"].append((f"{variants[0]} {other}", tag))
            break
    return texts, queries


def norwegian_queries() -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]], list[str]]:
    with open(DATA / "norwegian.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    texts = [(row["id"], row["text"]) for row in rows]
    queries: dict[str, list[tuple[str, str]]] = {"inflection": [], "compound": [], "exact": []}
    with open(DATA / "norwegian_queries.jsonl", encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            queries[row["kind"]].append((row["query"], row["target"]))
    words = {tag: set(tokenize(text)) for tag, text in texts}
    df = Counter(w for ws in words.values() for w in ws)
    for tag, ws in words.items():
        queries["exact"] += [(w, tag) for w in sorted(ws) if df[w] == 1 and len(w) >= 5 and w.isalpha()]
    # The model's vocabulary: the paragraphs' words lemmatized as `paravec train --lemmatize` would.
    vocabulary = sorted(
        {w for row in rows for w in Analysis(language=row["language"], lemmatize=True)(row["text"])}
    )
    return texts, queries, vocabulary


def measure(
    texts: list[tuple[str, str]],
    queries: dict[str, list[tuple[str, str]]],
    analyzer: KeywordAnalyzer,
    decompounder: Decompounder | None,
    ks: tuple[int, ...],
) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as folder:
        store = TextStore.create(folder, analyzer, decompounder)
        store.add((slot, tag, "", text) for slot, (tag, text) in enumerate(texts))
        tags = [tag for tag, _text in texts]
        result = {}
        for kind, pairs in queries.items():
            ranks = []
            for query, target in pairs:
                found = [tags[slot] for slot, _score in store.search(tokenize(query), {}, 10)]
                ranks.append(found.index(target) + 1 if target in found else None)
            row = {f"recall@{k}": sum(r is not None and r <= k for r in ranks) / len(ranks) for k in ks}
            row["mrr"] = sum(1 / r for r in ranks if r is not None) / len(ranks)
            row["queries"] = len(ranks)
            result[kind] = row
    return result


def _table(title: str, results: dict[str, dict[str, dict[str, float]]], ks: tuple[int, ...]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| analyzer | queries | n | " + " | ".join(f"recall@{k}" for k in ks) + " | MRR |",
    ]
    lines.append("|---|---|---|" + "---|" * (len(ks) + 1))
    for name, by_kind in results.items():
        for kind, row in by_kind.items():
            cells = " | ".join(f"{row[f'recall@{k}']:.2f}" for k in ks)
            lines.append(f"| {name} | {kind} | {int(row['queries'])} | {cells} | {row['mrr']:.3f} |")
    return [*lines, ""]


def main() -> None:
    started = time.perf_counter()
    en_texts, en_queries = english_queries()
    english = {"stemmer": "english", "stop_words": False, "compounds": False}
    en_results = {
        "plain (before: lowercased words)": measure(
            en_texts, en_queries, KeywordAnalyzer(LEGACY), None, (1, 10)
        ),
        "Snowball english": measure(en_texts, en_queries, KeywordAnalyzer(english), None, (1, 10)),
        "Snowball english + stop words": measure(
            en_texts, en_queries, KeywordAnalyzer({**english, "stop_words": True}), None, (1, 10)
        ),
        "Snowball english + exact forms (default)": measure(
            en_texts, en_queries, KeywordAnalyzer({**english, "exact_forms": True}), None, (1, 10)
        ),
        "Snowball english + exact forms + 2 stemming passes": measure(
            en_texts,
            en_queries,
            KeywordAnalyzer({**english, "exact_forms": True, "stem_passes": 2}),
            None,
            (1, 10),
        ),
    }
    for boost in (0.25, 0.5):  # the weight of a match as written, beside the stem's (default 1)
        text.EXACT_BOOST = boost
        en_results[f"Snowball english + exact forms, weight {boost}"] = measure(
            en_texts, en_queries, KeywordAnalyzer({**english, "exact_forms": True}), None, (1, 10)
        )
    text.EXACT_BOOST = 1.0

    nb_texts, nb_queries, vocabulary = norwegian_queries()
    stem = {"language": "nb", "stemmer": "norwegian", "stop_words": True, "compounds": False}
    words = lexicon("nb")
    parts = Decompounder(words, lemmatizer("nb"))
    nb_results = {
        "plain (before: lowercased words)": measure(
            nb_texts, nb_queries, KeywordAnalyzer(LEGACY), None, (1, 3)
        ),
        "Snowball norwegian + stop words": measure(nb_texts, nb_queries, KeywordAnalyzer(stem), None, (1, 3)),
        "+ tantivy splitter, model vocabulary": measure(
            nb_texts,
            nb_queries,
            KeywordAnalyzer({**stem, "compounds": "split"}, compound_dictionary(vocabulary, "norwegian")),
            None,
            (1, 3),
        ),
        "+ tantivy splitter, simplemma lexicon": measure(
            nb_texts,
            nb_queries,
            KeywordAnalyzer({**stem, "compounds": "split"}, compound_dictionary(sorted(words), "norwegian")),
            None,
            (1, 3),
        ),
        "+ parts field, simplemma lexicon": measure(
            nb_texts, nb_queries, KeywordAnalyzer({**stem, "compounds": "parts"}), parts, (1, 3)
        ),
        "+ parts field + exact forms": measure(
            nb_texts,
            nb_queries,
            KeywordAnalyzer({**stem, "compounds": "parts", "exact_forms": True}),
            parts,
            (1, 3),
        ),
        "+ parts field + exact forms + 2 stemming passes (default)": measure(
            nb_texts,
            nb_queries,
            KeywordAnalyzer({**stem, "compounds": "parts", "exact_forms": True, "stem_passes": 2}),
            parts,
            (1, 3),
        ),
    }
    splits = {tag: {w: parts.parts(w) for w in tokenize(text) if parts.parts(w)} for tag, text in nb_texts}
    seconds = time.perf_counter() - started

    lines = [
        "# Keyword recall for inflected forms and compound parts",
        "",
        f"`python benchmarks/analysis_recall.py` — paravec {paravec.__version__}, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}, {seconds:.0f} s. Every analyzer indexes the "
        "same texts in the same run; queries as the script's docstring says.",
        "",
        *_table("English: Lee background (300 articles)", en_results, (1, 10)),
        *_table("Norwegian: the 14 bokmål and nynorsk test paragraphs", nb_results, (1, 3)),
        "### Compound parts the default splitter found in the test paragraphs",
        "",
        *(
            f"- {tag}: " + ", ".join(f"{w} = {'+'.join(p)}" for w, p in found.items())
            for tag, found in splits.items()
            if found
        ),
        "",
    ]
    payload: dict[str, Any] = {
        "english": en_results,
        "norwegian": nb_results,
        "english_queries": en_queries,
        "norwegian_splits": splits,
        "seconds": seconds,
        "python": sys.version,
    }
    write_results(OUT, "\n".join(lines), payload)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
