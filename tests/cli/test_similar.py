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
    result = json.loads(cli_invoke("similar", out, "--word", "fire", "--topn", 5, "--json").stdout)
    model = Doc2Vec.load(str(out))
    pairs = RandomPairs.of(model.wv)
    assert result["random_pairs_mean"] == pytest.approx(pairs.mean, abs=1e-3)
    shares = [n["above_random_pairs"] for n in result["neighbours"]]
    assert shares == sorted(shares, reverse=True)  # same order as the cosines
    # a word's nearest words score above nearly every random pair, whatever the raw cosine
    # (multi-threaded training moves the exact share by a few tenths of a percent)
    assert shares[0] > 0.95 and all(0.0 <= s <= 1.0 for s in shares)
    # while "fire" and words drawn at random sit far below its neighbours among the random pairs
    rng = np.random.default_rng(0)
    drawn = rng.choice(len(model.wv), size=300, replace=False)
    middle = np.median(
        [pairs.percentile(float(model.wv.similarity("fire", model.wv.index_to_key[i]))) for i in drawn]
    )
    assert middle < 0.6 < shares[-1]
    table = cli_invoke("similar", out, "--word", "fire", "--topn", 3).stdout
    assert "above random pairs" in table and "a random pair of words scores" in table
