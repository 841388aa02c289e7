"""``paravec demo`` (paravec/cli/demo.py): the seed scenario end to end, on the Lee corpus."""

from __future__ import annotations

import numpy as np
from gensim.models import Doc2Vec

import paravec


def test_demo_quick(tmp_path, cli_invoke):
    out = tmp_path / "demo"
    result = cli_invoke("demo", "--quick", "--out", out)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # rich wraps table titles to the terminal width
    for heading in (
        "timings",
        "what the update added",
        "nearest words of new documents",
        "nearest words of new words",
        "documents nearest to paravec.infer",
        "check: consistent",
        "paravec store versions",
        "paravec search",
    ):
        assert heading in text, heading
    assert "xxyfg" in text and "E0" in text and "lee_bg:0" in text
    assert paravec.Store.open(out / "store").current == 2
    base, updated = Doc2Vec.load(str(out / "base.model")), Doc2Vec.load(str(out / "updated.model"))
    assert paravec.check(updated) == []
    assert len(updated.dv) == len(base.dv) + 310
    assert np.array_equal(updated.wv.vectors[: len(base.wv)], base.wv.vectors)
    # The nine "jav python ruby xxyfg" documents put xxyfg next to its companions, not at random.
    sims = updated.wv.cosine_similarities(updated.wv["xxyfg"], updated.wv.vectors[: len(base.wv)])
    assert updated.wv.similarity("xxyfg", "jav") > np.quantile(sims, 0.95)
    # The seed scenario's question: the text of E0..E8, inferred, lands among E0..E8.
    updated.random.seed(1)
    vector = updated.infer_vector(["jav", "python", "ruby", "xxyfg"])
    nearest = [tag for tag, _ in updated.dv.most_similar([vector], topn=12)]
    assert len({f"E{i}" for i in range(9)} & set(nearest)) >= 5, nearest


def test_the_full_demo_says_what_it_costs_and_that_quick_exists(tmp_path, cli_run_main):
    from unittest import mock

    from paravec.errors import ParavecError

    # Only what the command says before the work starts: the work itself is stopped at once.
    with mock.patch("paravec.demo.run_demo", side_effect=ParavecError("stopped by the test")):
        proc = cli_run_main("demo", "--out", tmp_path / "demo")
    err = " ".join(proc.stderr.split())
    assert "CPU-seconds" in err and "--quick" in err
    with mock.patch("paravec.demo.run_demo", side_effect=ParavecError("stopped by the test")):
        quick = cli_run_main("demo", "--quick", "--out", tmp_path / "demo")
    assert "CPU-seconds" not in quick.stderr
