"""``paravec similar`` (paravec/cli/similar.py): nearest words or documents of a word, tag or text."""

from __future__ import annotations

import json

import numpy as np
import pytest


def test_similar_word_tag_and_text(cli_updated, cli_invoke):
    out, _ = cli_updated
    word = json.loads(cli_invoke("similar", out, "--word", "xxyfg", "--json").stdout)
    keys = [n["key"] for n in word["neighbours"]]
    assert len(keys) == 10 and "xxyfg" not in keys
    # xxyfg only ever occurs with jav, python and ruby (lines 151-159 of new.txt).
    assert len({"jav", "python", "ruby"} & set(keys[:5])) >= 2, keys
    seed_tags = {f"new:{151 + i}" for i in range(9)}
    tag = json.loads(cli_invoke("similar", out, "--tag", "new:152", "--topn", 5, "--json").stdout)
    tag_keys = [n["key"] for n in tag["neighbours"]]
    assert tag["to"] == "docs" and "new:152" not in tag_keys
    assert len(seed_tags & set(tag_keys)) >= 4, tag_keys
    text = json.loads(
        cli_invoke("similar", out, "--text", "Jav python RUBY xxyfg", "--topn", 20, "--json").stdout
    )
    assert seed_tags & {n["key"] for n in text["neighbours"]}, text
    words = cli_invoke("similar", out, "--tag", "new:1", "--to", "words", "--topn", 3)
    assert words.exit_code == 0 and "words nearest to document 'new:1'" in words.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--word", "notawordatall"), "not in the model's vocabulary"),
        (("--tag", "nosuchtag"), "not in the model"),
        # a text file's tags are '<file stem>:<line>' with lines from 1: the message names the real one
        (("--tag", "new.txt:0"), "did you mean 'new:1'?"),
        (("--text", "zzzqqq wwwxxx"), "none of the words"),
        (("--word", "fire", "--tag", "new:1"), "exactly one of"),
    ],
)
def test_similar_bad_queries(cli_updated, cli_run_main, cli_error_line, args, message):
    proc = cli_run_main("similar", cli_updated[0], *args)
    assert proc.returncode == 2 and message in cli_error_line(proc)


def test_similarities_are_shown_against_random_pairs(cli_updated, cli_invoke):
    from gensim.models import Doc2Vec

    from paravec.scores import RandomPairs

    out, _ = cli_updated
    model = Doc2Vec.load(str(out))
    tag = str(model.dv.index_to_key[0])
    result = json.loads(cli_invoke("similar", out, "--tag", tag, "--topn", 5, "--json").stdout)
    pairs = RandomPairs.of(model.dv)
    assert result["random_pairs_mean"] == pytest.approx(pairs.mean, abs=1e-3)
    shares = [n["above_random_pairs"] for n in result["neighbours"]]
    assert shares == sorted(shares, reverse=True)  # same order as the cosines
    # a document's nearest documents score above most random pairs, whatever the raw cosine
    assert shares[0] > 0.9 and all(0.0 <= s <= 1.0 for s in shares)
    # while the document and documents drawn at random sit far below its neighbours
    rng = np.random.default_rng(0)
    drawn = rng.choice(len(model.dv), size=min(300, len(model.dv)), replace=False)
    middle = np.median(
        [pairs.percentile(float(model.dv.similarity(tag, model.dv.index_to_key[i]))) for i in drawn]
    )
    assert middle < 0.6 < shares[-1]
    table = cli_invoke("similar", out, "--tag", tag, "--topn", 3).stdout
    assert "above random pairs" in table and "a random pair of documents scores" in table


def test_word_scores_are_the_word_rankings_not_cosines(cli_updated, cli_invoke):
    from gensim.models import Doc2Vec

    from paravec.word_ranking import words_near_word

    out, _ = cli_updated
    result = json.loads(cli_invoke("similar", out, "--word", "fire", "--topn", 5, "--json").stdout)
    expected = words_near_word(Doc2Vec.load(str(out)), "fire", 5)
    assert [n["key"] for n in result["neighbours"]] == [w for w, _ in expected]
    assert all("above_random_pairs" not in n for n in result["neighbours"])
    table = cli_invoke("similar", out, "--word", "fire", "--topn", 3).stdout
    assert "standard deviations above the vocabulary's mean" in table
