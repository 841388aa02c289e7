"""``paravec train --language/--lemmatize`` records the text analysis; ``update`` reads batches with it."""

from __future__ import annotations

import json
from pathlib import Path

from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument

import paravec
from paravec.analysis import Analysis, of_model

DATA = Path(__file__).parent.parent / "data"


def _corpus(tmp_path: Path, prefix: str) -> Path:
    """The Norwegian test paragraphs, one a line, as a user's corpus file."""
    with open(DATA / "norwegian.jsonl", encoding="utf-8") as fh:
        lines = [json.loads(line)["text"] for line in fh]
    path = tmp_path / f"{prefix}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_records_the_language_and_lemmatizer(tmp_path, cli_run_main):
    out = tmp_path / "nb.model"
    proc = cli_run_main(
        "train",
        _corpus(tmp_path, "nb"),
        "--out",
        out,
        "--vector-size",
        8,
        "--epochs",
        2,
        "--min-count",
        1,
        "--language",
        "nb",
        "--lemmatize",
    )
    assert proc.returncode == 0, proc.stderr
    assert "text analysis: nb, lowercased, lemmatized (simplemma)" in proc.stdout
    model = Doc2Vec.load(str(out))
    assert of_model(model) == Analysis(language="nb", lemmatize=True)
    assert "sau" in model.wv.key_to_index and "sauene" not in model.wv.key_to_index
    assert paravec.check(model) == []


def test_train_refuses_an_unknown_language_in_one_line(tmp_path, cli_run_main, cli_error_line):
    proc = cli_run_main("train", _corpus(tmp_path, "x"), "--out", tmp_path / "x.model", "--language", "norsk")
    assert proc.returncode == 2
    assert "language must be one of" in cli_error_line(proc) and "'norsk'" in cli_error_line(proc)


def test_update_reads_the_batch_with_the_bases_pipeline(tmp_path, cli_run_main):
    base = tmp_path / "nb.model"
    args = ("--vector-size", 8, "--epochs", 2, "--min-count", 1, "--language", "nb", "--lemmatize")
    assert cli_run_main("train", _corpus(tmp_path, "base"), "--out", base, *args).returncode == 0
    proc = cli_run_main("update", base, _corpus(tmp_path, "batch"), "--out", tmp_path / "up.model", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["warnings"] == [] and "sauene" not in report["new_words"]


def test_update_warns_when_the_base_looks_lemmatized_but_records_nothing(tmp_path, cli_run_main):
    nb = Analysis(language="nb", lemmatize=True)
    corpus = _corpus(tmp_path, "base")
    docs = [
        TaggedDocument(nb(line), [f"b{i}"]) for i, line in enumerate(corpus.read_text("utf-8").splitlines())
    ]
    paravec.save(
        paravec.train(docs, vector_size=8, min_count=1, epochs=2, workers=1), tmp_path / "base.model"
    )
    proc = cli_run_main(
        "update", tmp_path / "base.model", _corpus(tmp_path, "batch"), "--out", tmp_path / "up.model"
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning: the batch looks not lemmatized like the base" in " ".join(proc.stderr.split())
    assert "nb lemmas" in " ".join(proc.stderr.split())


def test_info_shows_the_recorded_text_analysis(tmp_path, cli_run_main):
    out = tmp_path / "nn.model"
    args = ("--vector-size", 8, "--epochs", 1, "--min-count", 1, "--language", "nn", "--lemmatize")
    assert cli_run_main("train", _corpus(tmp_path, "nn"), "--out", out, *args).returncode == 0
    proc = cli_run_main("info", out, "--json")
    assert json.loads(proc.stdout)["text_analysis"] == "nn, lowercased, lemmatized (simplemma)"
