"""paravec/evaluation/map_points.py: the 2-D map of an update, on a model of the Lee background articles."""

from __future__ import annotations

from collections import Counter

import numpy as np

from paravec.evaluation.context import EvaluationContext
from paravec.evaluation.map_points import map_points_of, project_2d


def test_project_2d_of_three_orthogonal_vectors_is_an_equilateral_triangle():
    xy = project_2d(np.eye(3) * [1.0, 2.0, 5.0])  # lengths do not matter: rows are made unit first
    assert xy.shape == (3, 2)
    assert np.allclose(xy.mean(axis=0), 0.0, atol=1e-6)
    sides = [np.linalg.norm(xy[i] - xy[j]) for i, j in ((0, 1), (0, 2), (1, 2))]
    assert np.allclose(sides, np.sqrt(2.0), atol=1e-6)


def test_project_2d_keeps_the_two_main_directions(base):
    vectors = base.dv.vectors[:100]
    xy = project_2d(vectors)
    assert xy.shape == (100, 2)
    assert np.allclose(xy.mean(axis=0), 0.0, atol=1e-5)
    assert xy[:, 0].var() >= xy[:, 1].var()  # first principal component first
    assert np.allclose(project_2d(vectors * 3.0), xy, atol=1e-5)
    # a zero row becomes the origin before centring: it stays finite
    assert np.isfinite(project_2d(np.vstack([vectors[:5], np.zeros(32)]))).all()


def _placed(base, batch, olds, *, placed, words_per_doc=4):
    """A context as the placement section leaves it: ``placed`` tags, each with its nearest words."""
    ctx = EvaluationContext.build(base, None, batch, olds, sample=60, seed=0, epochs=None, topn=10)
    ctx.placed_tags = [d.tags[0] for d in batch[:placed]]
    for tag in ctx.placed_tags:
        ctx.nearest_words[tag] = [w for w, _ in base.wv.most_similar([base.dv[tag]], topn=words_per_doc)]
    return ctx


def test_no_placed_document_no_map(base, batch, olds):
    ctx = _placed(base, batch, olds, placed=0)
    assert map_points_of(ctx, ["afghanistan"]) == []


def test_points_with_old_documents_given(base, batch, olds):
    ctx = _placed(base, batch, olds, placed=60)
    points = map_points_of(ctx, ["afghanistan", "zzqqx", "the", "of"])
    kinds = [p["kind"] for p in points]
    # kinds come in blocks, in this order
    assert kinds == sorted(kinds, key=["new_doc", "word", "new_word", "old_doc"].index)
    labels = {
        k: [p["label"] for p in points if p["kind"] == k] for k in ("new_doc", "word", "new_word", "old_doc")
    }
    assert labels["new_doc"] == [f"bg{i}" for i in range(240, 290)]  # at most 50
    expected_words: list[str] = []
    for tag in labels["new_doc"]:
        expected_words += [w for w in ctx.nearest_words[tag][:3] if w not in expected_words]
    assert labels["word"] == expected_words
    # new words the model has, most frequent in the batch first, without the words already drawn
    assert not {"the", "of", "afghanistan"} & set(expected_words)
    assert labels["new_word"] == ["the", "of", "afghanistan"]
    assert labels["old_doc"] == [f"bg{i}" for i in range(50)]  # the olds, first 50
    vectors = (
        [base.dv[t] for t in labels["new_doc"]]
        + [base.wv[w] for w in labels["word"] + labels["new_word"]]
        + [base.dv[t] for t in labels["old_doc"]]
    )
    xy = project_2d(np.array(vectors))
    assert [(p["x"], p["y"]) for p in points] == [(float(x), float(y)) for x, y in xy]
    assert all(type(p["x"]) is float and type(p["label"]) is str for p in points)


def test_old_documents_sampled_from_the_model_when_olds_are_missing(base, batch):
    ctx = _placed(base, batch, None, placed=5)
    points = map_points_of(ctx, [])
    counts = Counter(p["kind"] for p in points)
    assert counts["new_doc"] == 5 and counts["new_word"] == 0 and counts["old_doc"] == 50
    old = [p["label"] for p in points if p["kind"] == "old_doc"]
    rows = [base.dv.get_index(t) for t in old]
    assert rows == sorted(set(rows))  # a sorted sample without repeats
    assert not set(old) & ctx.batch_tags  # none of the batch
    assert old == [p["label"] for p in map_points_of(ctx, []) if p["kind"] == "old_doc"]  # seeded


def test_olds_that_are_all_in_the_batch_fall_back_to_a_sample(base, batch):
    ctx = _placed(base, batch, batch[:10], placed=5)
    without = _placed(base, batch, None, placed=5)
    old = [p["label"] for p in map_points_of(ctx, []) if p["kind"] == "old_doc"]
    assert old == [p["label"] for p in map_points_of(without, []) if p["kind"] == "old_doc"]
    assert len(old) == 50


def test_the_map_of_an_evaluation(unchanged_report):
    counts = Counter(p["kind"] for p in unchanged_report.map_points)
    assert (counts["new_doc"], counts["new_word"], counts["old_doc"]) == (50, 0, 50)
    assert 0 < counts["word"] <= 150
    assert [p["label"] for p in unchanged_report.map_points if p["kind"] == "old_doc"] == [
        f"bg{i}" for i in range(50)
    ]


def test_map_labels_of_a_real_report_do_not_overlap(unchanged_report):
    import pytest

    pytest.importorskip("matplotlib")
    from paravec.report import _draw_map, _pyplot

    plt = _pyplot()
    points = unchanged_report.map_points
    words = [p for p in points if p["kind"] in ("word", "new_word")]
    assert len(words) >= 50  # dense enough that labels at one fixed offset would collide
    fig = _draw_map(plt, points)
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].texts]
    plt.close(fig)
    assert len(boxes) >= len(words) // 3  # most words keep a label
    overlapping = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []
    # the same labels all at one offset (how map.png was drawn before) do collide
    fig, ax = plt.subplots(figsize=(9, 7), dpi=110)
    ax.scatter([p["x"] for p in points], [p["y"] for p in points])
    fig.tight_layout()
    naive = [
        ax.annotate(p["label"], (p["x"], p["y"]), fontsize=6, xytext=(3, 3), textcoords="offset points")
        for p in words
    ]
    naive_boxes = [t.get_window_extent(fig.canvas.get_renderer()) for t in naive]
    plt.close(fig)
    assert any(naive_boxes[i].overlaps(naive_boxes[j]) for i in range(len(words)) for j in range(i))
