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
``sample=1e-4``), then grown by paravec's own vocabulary step with the batch's counts.

Run:  python benchmarks/downsampling_growth.py      (under a minute: counting only)
Writes benchmarks/results/downsampling_growth.md and .json.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import numpy as np
from _common import RESULTS, write_results
from gensim.models import Doc2Vec
from gensim.models.doc2vec import TaggedDocument
from update_steady import renamed_copy, repeated

from paravec.datasets import lee_background_documents, wiki_documents
from paravec.updating.vocabulary import grow_vocabulary
from paravec.vocab import refresh_sampling

OUT = RESULTS / "downsampling_growth.md"


def expected_kept(base_docs: list[TaggedDocument], batch_counts: Counter[str]) -> dict[str, float]:
    """Words of the batch one epoch is expected to keep after an update's vocabulary step."""
    model = Doc2Vec(vector_size=8, min_count=5, sample=1e-4, workers=1)
    model.build_vocab(base_docs)
    model.raw_vocab = {}
    grow_vocabulary(model, batch_counts, min_count=5, seed=0)
    refresh_sampling(model)
    rate = model.wv.expandos["sample_int"].astype(np.float64) / (2**32 - 1)
    k2i = model.wv.key_to_index
    rows = np.fromiter((k2i.get(w, -1) for w in batch_counts), dtype=np.int64)
    n = np.fromiter(batch_counts.values(), dtype=np.float64)
    known = rows >= 0
    return {
        "base_documents": len(base_docs),
        "base_words": sum(len(d.words) for d in base_docs),
        "vocabulary": len(k2i),
        "batch_words_in_vocabulary": float(n[known].sum()),
        "expected_kept": float((rate[rows[known]] * n[known]).sum()),
    }


def main() -> int:
    started = time.perf_counter()
    wiki = wiki_documents()
    batch = repeated(lee_background_documents(), 8)
    counts = Counter(w for d in batch for w in d.words)
    bases = {
        "half": wiki[::2],
        "wiki": wiki,
        "renamed": wiki + renamed_copy(wiki),
    }
    got = {name: expected_kept(docs, counts) for name, docs in bases.items()}
    natural = got["wiki"]["expected_kept"] / got["half"]["expected_kept"]
    renamed = got["renamed"]["expected_kept"] / got["wiki"]["expected_kept"]
    rows = "\n".join(
        f"| {label} | {g['base_documents']:,} | {g['base_words']:,} | {g['vocabulary']:,} | {g['expected_kept']:,.0f} |"
        for label, g in (
            ("half the Wikipedia extract (every other article)", got["half"]),
            ("the Wikipedia extract", got["wiki"]),
            ("the extract + a renamed copy (update_steady's double base)", got["renamed"]),
        )
    )
    md = f"""# Words a batch trains as the base grows

Command: `python benchmarks/downsampling_growth.py` ({time.perf_counter() - started:.0f} s; counting only, no
training). The batch: the Lee corpus 8 times ({sum(counts.values()):,} words, `update_steady.py`'s steady
batch); expected words kept by one epoch after the update's vocabulary step (`min_count=5`,
`sample=1e-4`; keep rates from the counts of base + batch, as retraining on both would use).

| base | documents | words | vocabulary after the update | batch words kept per epoch |
|---|---:|---:|---:|---:|
{rows}

- The base doubled with more text of the same kind (half extract → whole extract): the batch
  keeps **{natural:.3f}x** the words.
- The base doubled by a renamed copy (every word of the copy is new, so every word's share of the
  text halves): **{renamed:.3f}x**.
"""
    write_results(OUT, md, {"bases": got, "natural_doubling": natural, "renamed_doubling": renamed,
                            "load": os.getloadavg()[0]})  # fmt: skip
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
