"""Add a batch of documents — new tags, new words — to a trained gensim Doc2Vec, in place.

The model learns the batch the way Le & Mikolov's paragraph vectors ("Distributed Representations
of Sentences and Documents", 2014) learn any document (PV-DBOW or PV-DM, negative sampling or
hierarchical softmax), while the pretrained weights are treated by the ``freeze`` mode:

``"all"`` (default)
    every pretrained weight — word vectors and the output weights of pretrained words or Huffman
    nodes — is locked while the batch trains, so it is bit-identical afterwards: old document
    vectors, old neighbourhoods and ``infer_vector`` on old text stay valid, and the new vectors are
    fitted to exactly the weights that are saved.
``"words"``
    pretrained word vectors are locked; output weights learn.
``"none"``
    everything learns (the pretrained space drifts towards the batch).
``(word_factor, output_factor)``
    learning-rate factors in [0, 1] for pretrained input word vectors and for pretrained output
    weights: ``(0, 0)`` is ``"all"``, ``(0, 1)`` is ``"words"``, ``(1, 1)`` is ``"none"``; values
    between let the pretrained space follow the batch a little.

``rehearsal`` documents — base documents whose tags the model already has, with their text — are
trained alongside the batch with their document vectors held fixed: they pull the shared weights
back towards what the pretrained documents need, which limits forgetting when weights may move
(`paravec.sample_rehearsal` draws them; ``benchmarks/README.md`` compares the strategies).

New words enter the vocabulary once their count over everything seen reaches ``min_count`` and the
batch uses them (`paravec.updating.vocabulary`). A tag that already exists is retrained as the
new version of that document; ``keep_old_docs=False`` drops every old document vector
(`paravec.updating.placement`). The result is a plain gensim ``Doc2Vec``: save it with
``model.save`` and load it with ``gensim.models.Doc2Vec.load`` anywhere, no paravec needed.

The package's modules, in the order an update runs them: `paravec.updating.settings`
(resolved, checked settings), `paravec.updating.inputs` (model, batch and rehearsal checks),
`paravec.updating.vocabulary`, `paravec.updating.placement`,
`paravec.updating.driver` (the compiled kernel over threads) and
`paravec.updating.report`; `paravec.updating.pipeline` runs them.

Examples
--------
>>> import paravec
>>> from gensim.models.doc2vec import TaggedDocument
>>> from gensim.test.utils import common_texts
>>> base = paravec.train([TaggedDocument(t, [f"c{i}"]) for i, t in enumerate(common_texts)],
...                      vector_size=16, min_count=1, epochs=5, seed=1)
>>> old = base.dv.vectors.copy()
>>> report = paravec.update(base, [TaggedDocument(["graph", "trees", "xxyfg"], ["E0"])], min_count=1)
>>> report.new_tags, report.new_words, bool((base.dv.vectors[: len(old)] == old).all())
(['E0'], ['xxyfg'], True)
"""

from paravec.updating.driver import Trainer, TrainingJob
from paravec.updating.pipeline import update
from paravec.updating.report import UpdateReport
from paravec.updating.settings import FREEZE_MODES, Freeze, UpdateSettings

__all__ = ["FREEZE_MODES", "Freeze", "Trainer", "TrainingJob", "UpdateReport", "UpdateSettings", "update"]
