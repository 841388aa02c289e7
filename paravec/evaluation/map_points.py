"""The 2-D map of an update: new documents among their nearest words, new words and old documents.

A picture a human can check at a glance: the new documents, the words nearest to them, the most
frequent new words and a sample of old documents, projected together onto the first two principal
components of their (centred) unit vectors. `paravec.report.Report.save` draws the points as
``map.png``; here they are computed, as plain data that the JSON report keeps.

Examples
--------
>>> import numpy as np
>>> from paravec.evaluation.map_points import project_2d
>>> xy = project_2d(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
>>> xy.shape
(3, 2)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.evaluation.context import EvaluationContext
from paravec.evaluation.inference import sample_indices
from paravec.linalg import unit_rows
from paravec.tags import has_tag

__all__ = ["map_points_of", "project_2d"]

_MAX_DOCS = 50  # new and old documents each
_WORDS_PER_DOC = 3
_MAX_NEW_WORDS = 15


def project_2d(vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Rows of ``vectors`` as unit vectors, centred, on their first two principal components."""
    m = unit_rows(vectors)
    m = np.nan_to_num(m - m.mean(axis=0))
    _, _, vt = np.linalg.svd(m, full_matrices=False)
    xy: npt.NDArray[np.float32] = m @ vt[:2].T
    return xy


def map_points_of(ctx: EvaluationContext, new_words: Sequence[str]) -> list[dict[str, Any]]:
    """The points of the map: ``x``, ``y``, ``kind`` (``new_doc``, ``word``, ``new_word``, ``old_doc``), ``label``.

    Uses the documents the placement section placed (and their nearest words), so it runs after it.
    """
    model = ctx.model
    new_tags = ctx.placed_tags[:_MAX_DOCS]
    if not new_tags:
        return []
    words: list[str] = []
    for t in new_tags:
        for w in ctx.nearest_words.get(t, [])[:_WORDS_PER_DOC]:
            if w not in words:
                words.append(w)
    nw = [
        w
        for w in sorted(new_words, key=lambda w: (-ctx.batch_counts.get(w, 0), w))
        if w in model.wv.key_to_index and w not in words
    ][:_MAX_NEW_WORDS]
    batch_tags = ctx.batch_tags
    old_tags: list[Hashable] = []
    if ctx.olds is not None:
        old_tags = [
            d.tags[0] for d in ctx.olds if has_tag(model.dv, d.tags[0]) and d.tags[0] not in batch_tags
        ][:_MAX_DOCS]
    if not old_tags:
        others = [
            i
            for i in sample_indices(len(model.dv), 200, ctx.seed + 3)
            if model.dv.index_to_key[i] not in batch_tags
        ]
        old_tags = [model.dv.index_to_key[i] for i in others[:_MAX_DOCS]]
    items = (
        [("new_doc", t, model.dv[t]) for t in new_tags]
        + [("word", w, model.wv[w]) for w in words]
        + [("new_word", w, model.wv[w]) for w in nw]
        + [("old_doc", t, model.dv[t]) for t in old_tags]
    )
    xy = project_2d(np.array([v for _, _, v in items], dtype=np.float32))
    return [
        {"x": float(x), "y": float(y), "kind": k, "label": str(lab)}
        for (k, lab, _), (x, y) in zip(items, xy, strict=True)
    ]
