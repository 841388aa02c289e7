"""Word-space metrics that compare models on the same items: neighbour overlap and word benchmarks.

Each function takes several models (before and after an update) and measures them on exactly the
same words, pairs or questions, so that a difference between the numbers is a difference between
the models and not between the items that each happened to know:

* `neighbour_overlap` -- how many of a word's nearest pretrained words are still its nearest
  after the update, and how many new words pushed in;
* `word_pair_spearman` -- Spearman correlation of cosine similarity with human similarity
  scores, as ``KeyedVectors.evaluate_word_pairs``, on WordSim-353 (Finkelstein et al. 2002,
  "Placing search in context") or SimLex-999 (Hill et al. 2015, "SimLex-999: evaluating semantic
  models with (genuine) similarity estimation");
* `analogy_accuracy` -- "a is to b as c is to ?" answered by 3CosAdd, as
  ``KeyedVectors.evaluate_word_analogies``, on the questions-words set of Mikolov et al. 2013
  ("Efficient estimation of word representations in vector space").

Examples
--------
>>> from gensim.models import Word2Vec
>>> from gensim.test.utils import common_texts
>>> from paravec.evaluation.metrics import neighbour_overlap
>>> wv = Word2Vec(common_texts, vector_size=8, min_count=1, seed=1, workers=1).wv
>>> neighbour_overlap(wv, wv, ["graph", "user"], topn=3)["overlap"]
[1.0, 1.0]
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from paravec.evaluation.similarity import cosine_scan, row_cosines
from paravec.linalg import unit_rows
from paravec.params import Integer, validate

__all__ = ["analogy_accuracy", "neighbour_overlap", "word_pair_spearman"]


@validate(topn=Integer(min=1))
def neighbour_overlap(before: Any, after: Any, words: Sequence[str], *, topn: int = 10) -> dict[str, Any]:
    """Overlap of the ``topn`` nearest pretrained words of each word, before vs after.

    Neighbours are searched among the words ``before`` knows (and ``after`` still has), so new words
    do not count as drift; how many new words enter each word's full top ``topn`` in ``after`` is
    returned as ``intrusions``.

    Parameters
    ----------
    before, after : Doc2Vec or KeyedVectors
        The models (or their ``wv``) before and after the update.
    words : sequence of str
        The words to compare; words not known to both are left out.
    topn : int, default 10
        Size of the neighbour lists.

    Returns
    -------
    dict
        ``words`` (those compared), ``overlap`` (per word, 0..1), ``cosine`` (per word, its vector
        before vs after), ``intrusions`` (per word, new words in after's top ``topn``),
        ``before``/``after`` (the neighbour lists).

    Raises
    ------
    ParameterError
        ``topn`` is not a positive integer.
    """
    bkv = getattr(before, "wv", before)
    akv = getattr(after, "wv", after)
    shared = [w for w in bkv.index_to_key if w in akv.key_to_index]
    b_rows = np.array([bkv.get_index(w) for w in shared], dtype=np.int64)
    a_rows = np.array([akv.get_index(w) for w in shared], dtype=np.int64)
    pos_of = {w: i for i, w in enumerate(shared)}
    words = [w for w in words if w in pos_of]
    if not words:
        return {"words": [], "overlap": [], "cosine": [], "intrusions": [], "before": [], "after": []}
    q_pos = np.array([pos_of[w] for w in words], dtype=np.int64)
    bq = np.asarray(bkv.vectors[b_rows[q_pos]], dtype=np.float32)
    aq = np.asarray(akv.vectors[a_rows[q_pos]], dtype=np.float32)
    # before's shared words are usually its first rows: scan them in place, without a gather
    contiguous = np.array_equal(b_rows, np.arange(len(b_rows)))
    _, near_before, _ = cosine_scan(
        bkv.vectors, bq, k=topn, rows=None if contiguous else b_rows, exclude=q_pos
    )
    _, near_after, _ = cosine_scan(akv.vectors, aq, k=topn, rows=a_rows, exclude=q_pos)
    a_self = np.array([akv.get_index(w) for w in words], dtype=np.int64)
    _, full, _ = cosine_scan(akv.vectors, aq, k=topn, exclude=a_self)
    before_known = bkv.key_to_index
    return {
        "words": list(words),
        "overlap": [
            len(set(x) & set(y)) / topn
            for x, y in zip(near_before.tolist(), near_after.tolist(), strict=True)
        ],
        "cosine": row_cosines(bq, aq).tolist(),
        "intrusions": [sum(1 for p in row if akv.index_to_key[p] not in before_known) for row in full],
        "before": [[shared[p] for p in row] for row in near_before],
        "after": [[shared[p] for p in row] for row in near_after],
    }


def _case_map(kv: Any, limit: int | None = None) -> dict[str, int]:
    """Lower-cased word -> row of its most frequent spelling (gensim's ``case_insensitive``)."""
    keys = kv.index_to_key if limit is None else kv.index_to_key[:limit]
    out: dict[str, int] = {}
    for i, key in enumerate(keys):
        if isinstance(key, str):
            out.setdefault(key.lower(), i)
    return out


@validate(restrict_vocab=Integer(min=1))
def word_pair_spearman(
    models: Sequence[Any],
    path: str | os.PathLike[str],
    *,
    restrict_vocab: int = 300000,
    delimiter: str = "\t",
) -> dict[str, Any]:
    """Spearman correlation of cosine similarity with human scores, on the same pairs for all models.

    Like ``KeyedVectors.evaluate_word_pairs(path, restrict_vocab=..., case_insensitive=True,
    dummy4unknown=False)``, but a pair is used only if every model knows both words among the
    first model's ``restrict_vocab`` most frequent words, so before/after numbers are comparable.

    Parameters
    ----------
    models : sequence of Doc2Vec or KeyedVectors
        The first one decides the vocabulary (the model before the update).
    path : path
        A file of ``word1<delimiter>word2<delimiter>score`` lines; ``#`` starts a comment.
    restrict_vocab : int, default 300000
        Only the first model's that many most frequent words count as known.
    delimiter : str, default tab

    Returns
    -------
    dict
        ``spearman`` (one per model; ``None`` when fewer than 3 pairs are known or the correlation
        is undefined), ``pairs`` (used), ``total`` (in the file).

    Raises
    ------
    ParameterError
        ``restrict_vocab`` is not a positive integer.
    """
    from scipy.stats import spearmanr

    kvs = [getattr(m, "wv", m) for m in models]
    ref = _case_map(kvs[0], restrict_vocab)
    maps = [_case_map(kv) for kv in kvs[1:]]
    pairs: list[tuple[str, str, float]] = []
    total = 0
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split(delimiter)
            if len(parts) < 3:
                continue
            total += 1
            a, b = parts[0].lower(), parts[1].lower()
            try:
                score = float(parts[2])
            except ValueError:
                continue
            if a in ref and b in ref and all(a in m and b in m for m in maps):
                pairs.append((a, b, score))
    out: dict[str, Any] = {"pairs": len(pairs), "total": total, "spearman": []}
    if len(pairs) < 3:
        out["spearman"] = [None] * len(kvs)
        return out
    human = [p[2] for p in pairs]
    for kv, cmap in zip(kvs, [ref, *maps], strict=True):
        sims = row_cosines(kv.vectors[[cmap[p[0]] for p in pairs]], kv.vectors[[cmap[p[1]] for p in pairs]])
        rho = spearmanr(sims, human).statistic
        out["spearman"].append(float(rho) if np.isfinite(rho) else None)
    return out


@validate(
    restrict_vocab=Integer(min=1),
    max_questions=Integer(min=1, none=True),
    seed=Integer(min=0),
    batch=Integer(min=1),
)
def analogy_accuracy(
    models: Sequence[Any],
    path: str | os.PathLike[str],
    *,
    restrict_vocab: int = 30000,
    max_questions: int | None = 5000,
    seed: int = 0,
    batch: int = 512,
) -> dict[str, Any]:
    """3CosAdd analogy accuracy on the same questions and candidate words for all models.

    As ``KeyedVectors.evaluate_word_analogies`` (case-insensitive; the answer is the nearest
    candidate to ``b - a + c`` over unit vectors, ``a``, ``b``, ``c`` excluded), with candidates the
    first model's ``restrict_vocab`` most frequent words that every model knows and questions those
    whose four words are candidates, vectorised.

    Parameters
    ----------
    models : sequence of Doc2Vec or KeyedVectors
        The first one decides the candidates (the model before the update).
    path : path
        A questions-words file: ``: section`` lines, then ``a b c d`` lines.
    restrict_vocab : int, default 30000
        Candidates are among the first model's that many most frequent words.
    max_questions : int or None, default 5000
        Answer at most that many questions (a seeded sample); ``None`` answers all.
    seed : int, default 0
        Seed of the sample of questions.
    batch : int, default 512
        Questions scored per matrix product.

    Returns
    -------
    dict
        ``accuracy`` (one per model; ``None`` without questions), ``questions`` (used),
        ``candidates``, ``total`` (questions in the file).

    Raises
    ------
    ParameterError
        A count is not a positive integer, or ``seed`` is negative.
    """
    kvs = [getattr(m, "wv", m) for m in models]
    ref = _case_map(kvs[0], restrict_vocab)
    maps = [_case_map(kv) for kv in kvs[1:]]
    cand = [w for w in sorted(ref, key=ref.__getitem__) if all(w in m for m in maps)]
    pos = {w: i for i, w in enumerate(cand)}
    questions: list[list[int]] = []
    total = 0
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if line.startswith(":") or not line.strip():
                continue
            total += 1
            ws = line.lower().split()
            if len(ws) == 4 and all(w in pos for w in ws):
                questions.append([pos[w] for w in ws])
    q = np.array(questions, dtype=np.int64).reshape(-1, 4)
    if max_questions is not None and len(q) > max_questions:
        q = q[np.sort(np.random.default_rng(seed).choice(len(q), size=max_questions, replace=False))]
    out: dict[str, Any] = {"questions": len(q), "total": total, "candidates": len(cand), "accuracy": []}
    if len(q) == 0:
        out["accuracy"] = [None] * len(kvs)
        return out
    for kv, cmap in zip(kvs, [ref, *maps], strict=True):
        c = unit_rows(kv.vectors[[cmap[w] for w in cand]])
        correct = 0
        for s in range(0, len(q), batch):
            qq = q[s : s + batch]
            sims = unit_rows(c[qq[:, 1]] - c[qq[:, 0]] + c[qq[:, 2]]) @ c.T
            r = np.arange(len(qq))
            for col in (0, 1, 2):
                sims[r, qq[:, col]] = -np.inf
            correct += int(np.sum(np.argmax(sims, axis=1) == qq[:, 3]))
        out["accuracy"].append(correct / len(q))
    return out
