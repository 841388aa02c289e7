"""How many of a batch's words an update trains as the base grows: downsampling over everything seen.

An update computes every word's downsampling keep rate from the counts of everything the model has
seen, base and batch, as retraining on base + batch would (`paravec.vocab.refresh_sampling`,
gensim's formula). So the words a batch trains depend on the base: a word that makes up a smaller
share of everything seen is dropped less often. This script counts, without training, the words
one epoch of a steady batch like ``update_steady.py``'s (the Lee corpus 8 times) is expected to keep
(the sum of the keep rates of its occurrences) after the vocabulary step of an update of:

- half the Wikipedia extract (every other article), and the whole extract: the base doubled with
  more text of the same kind (documents doubled, vocabulary not);
- the whole extract, and the extract plus a renamed copy of every article (``update_steady.py``'s renamed
  doubling): documents, words and vocabulary doubled, every word's share of the text halved.

The models are built with gensim's ``build_vocab`` (``paravec.train``'s ``min_count=5`` and
``sample=1e-4``), then grown by paravec's own vocabulary step with the batch's counts. Beside each,
the keep rates retraining would use: gensim's own ``build_vocab`` over base + batch in one go
(its ``prepare_vocab``), compared word by word with the update's for the batch's words.

Run:  python benchmarks/downsampling_growth.py      (under a minute: counting only;
      ``--lee-repeats 23`` for the batch of update_steady.py's committed run)
Writes benchmarks/results/downsampling_growth.md and .json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt
from _common import RESULTS, write_results
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument
from update_steady import renamed_copy, repeated

from paravec.datasets import lee_background_documents, wiki_documents
from paravec.updating.vocabulary import grow_vocabulary
from paravec.vocab import refresh_sampling

OUT = RESULTS / "downsampling_growth.md"


def _keep_rates(
    model: Doc2Vec, batch_counts: Counter[str]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each batch word's keep rate in ``model`` (-1 if not in its vocabulary), and its count."""
    rate = model.wv.expandos["sample_int"].astype(np.float64) / (2**32 - 1)
    k2i = model.wv.key_to_index
    rows = np.fromiter((k2i.get(w, -1) for w in batch_counts), dtype=np.int64)
    return np.where(rows >= 0, rate[rows], -1.0), np.fromiter(batch_counts.values(), dtype=np.float64)


def expected_kept(
    base_docs: list[TaggedDocument], batch: list[TaggedDocument], batch_counts: Counter[str]
) -> dict[str, float]:
    """Words of the batch one epoch is expected to keep after an update's vocabulary step, and
    after retraining's (gensim's ``build_vocab`` of base + batch)."""
    model = Doc2Vec(vector_size=8, min_count=5, sample=1e-4, workers=1)
    model.build_vocab(base_docs)
    model.raw_vocab = {}
    grow_vocabulary(model, batch_counts, min_count=5, seed=0)
    refresh_sampling(model)
    rate, n = _keep_rates(model, batch_counts)
    retrained = Doc2Vec(vector_size=8, min_count=5, sample=1e-4, workers=1)
    retrained.build_vocab(base_docs + batch)
    theirs, _ = _keep_rates(retrained, batch_counts)
    known, both = rate >= 0, (rate >= 0) & (theirs >= 0)
    return {
        "base_documents": len(base_docs),
        "base_words": sum(len(d.words) for d in base_docs),
        "vocabulary": len(model.wv),
        "batch_words_in_vocabulary": float(n[known].sum()),
        "expected_kept": float((rate[known] * n[known]).sum()),
        "retraining_expected_kept": float((theirs[theirs >= 0] * n[theirs >= 0]).sum()),
        "batch_word_types_in_both": int(both.sum()),
        "batch_word_types_only_update": int((known & ~both).sum()),
        "batch_word_types_only_retraining": int((~known & (theirs >= 0)).sum()),
        "max_rate_difference": float(np.abs(rate[both] - theirs[both]).max()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lee-repeats", type=int, default=8, help="the batch: the Lee corpus this many times"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="the result file (.md; a .json beside it)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    wiki = wiki_documents()
    batch = repeated(lee_background_documents(), args.lee_repeats)
    counts = Counter(w for d in batch for w in d.words)
    bases = {
        "half": wiki[::2],
        "wiki": wiki,
        "renamed": wiki + renamed_copy(wiki),
    }
    got = {name: expected_kept(docs, batch, counts) for name, docs in bases.items()}
    natural = got["wiki"]["expected_kept"] / got["half"]["expected_kept"]
    renamed = got["renamed"]["expected_kept"] / got["wiki"]["expected_kept"]
    retrained = got["renamed"]["retraining_expected_kept"] / got["wiki"]["retraining_expected_kept"]
    rows = "\n".join(
        f"| {label} | {g['base_documents']:,} | {g['base_words']:,} | {g['vocabulary']:,} | {g['expected_kept']:,.0f} | "
        f"{g['retraining_expected_kept']:,.0f} | {g['batch_word_types_in_both']:,} | "
        f"{g['batch_word_types_only_update']:,} / {g['batch_word_types_only_retraining']:,} | "
        f"{g['max_rate_difference']:.2g} |"
        for label, g in (
            ("half the Wikipedia extract (every other article)", got["half"]),
            ("the Wikipedia extract", got["wiki"]),
            ("the extract + a renamed copy (update_steady's double base)", got["renamed"]),
        )
    )
    md = f"""# Words a batch trains as the base grows

Command: `python benchmarks/downsampling_growth.py{"".join(" " + a for a in (argv if argv is not None else sys.argv[1:]))}` ({time.perf_counter() - started:.0f} s; counting only, no
training). The batch: the Lee corpus {args.lee_repeats} times ({sum(counts.values()):,} words, like `update_steady.py`'s steady
batch); expected words kept by one epoch after the update's vocabulary step (`min_count=5`,
`sample=1e-4`; keep rates from the counts of base + batch), and after retraining's: gensim's own
`build_vocab` of base + batch in one go, its keep rates compared word by word with the update's.

| base | documents | words | vocabulary after the update | batch words kept per epoch | retraining: kept per epoch | batch word types in both vocabularies | only in the update's / only in retraining's | largest difference of a keep rate |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{rows}

- The base doubled with more text of the same kind (half extract → whole extract): the batch
  keeps **{natural:.3f}x** the words.
- The base doubled by a renamed copy (every word of the copy is new, so every word's share of the
  text halves): **{renamed:.3f}x**; with retraining's keep rates **{retrained:.3f}x**.
"""
    write_results(args.out, md, {"args": {"lee_repeats": args.lee_repeats}, "bases": got, "natural_doubling": natural, "renamed_doubling": renamed,
                            "renamed_doubling_retraining": retrained, "load": os.getloadavg()[0]})  # fmt: skip
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
