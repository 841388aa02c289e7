"""``paravec check`` (paravec/cli/check.py): is a file a consistent gensim Doc2Vec model?"""

from __future__ import annotations

from pathlib import Path

from gensim.models import Doc2Vec, Word2Vec
from gensim.test.utils import datapath

from paravec.tokenizer import tokenize


def test_check_truncated_model(cli_files, tmp_path, cli_run_main, cli_error_line):
    broken = tmp_path / "broken.model"
    broken.write_bytes(cli_files["model"].read_bytes()[:300])
    proc = cli_run_main("check", broken, in_process=False)  # the real console script path, no traceback
    assert proc.returncode == 2
    assert "not a readable gensim model" in cli_error_line(proc)


def test_check_word2vec_file(tmp_path, cli_run_main, cli_error_line):
    sentences = [
        tokenize(line) for line in Path(datapath("lee_background.cor")).read_text().splitlines()[:50]
    ]
    path = tmp_path / "w2v.model"
    Word2Vec(sentences, vector_size=16, min_count=2, epochs=1).save(str(path))
    proc = cli_run_main("check", path)
    assert proc.returncode == 2
    assert "holds a gensim Word2Vec, not a Doc2Vec" in cli_error_line(proc)
    proc = cli_run_main("update", path, datapath("lee_background.cor"), "--out", tmp_path / "out.model")
    assert proc.returncode == 2 and "Word2Vec" in cli_error_line(proc)
    assert not (tmp_path / "out.model").exists()


def test_check_model_broken_by_plain_gensim_update(
    tmp_path, lee_background, lee_test, cli_run_main, cli_error_line
):
    model = Doc2Vec(lee_background[:80], vector_size=16, min_count=2, epochs=2, seed=1, workers=1)
    model.build_vocab(lee_test, update=True)  # gensim's own update: the model is now corrupt
    path = tmp_path / "gensim-updated.model"
    model.save(str(path))
    proc = cli_run_main("check", path)
    assert proc.returncode == 1, proc.stderr
    assert "is broken" in proc.stdout and "dv.vectors has 80 rows but dv has 50 keys" in proc.stdout
    assert "Traceback" not in proc.stderr
    # And update refuses to build on it, without writing anything.
    proc = cli_run_main("update", path, datapath("lee_background.cor"), "--out", tmp_path / "out.model")
    assert proc.returncode == 2 and "inconsistent" in cli_error_line(proc)
    assert not (tmp_path / "out.model").exists()


def test_check_imports_only_what_it_uses(cli_files):
    # `paravec check` must start fast (issue 14): it reads a model's recorded text analysis but
    # tokenizes nothing, and it trains nothing, so neither the tokenizer's Unicode tables nor numba
    # may be loaded. Its exit skips collecting what the imports made (gc.freeze at exit).
    import subprocess
    import sys

    probe = (
        "import atexit, gc, sys\n"
        "from paravec.cli import main\n"
        "def report():\n"
        "    loaded = [m for m in ('paravec.tokenizer', 'numba') if m in sys.modules]\n"
        "    print('loaded:', loaded, 'frozen:', gc.get_freeze_count() > 0)\n"
        "atexit.register(report)\n"
        f"sys.argv = ['paravec', 'check', {str(cli_files['model'])!r}]\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "ok"
    assert "loaded: [] frozen: True" in proc.stdout
