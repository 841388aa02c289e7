"""Read corpora from files and folders as gensim ``TaggedDocument`` streams.

`read_corpus` turns a file or a folder into a `Corpus`: a re-iterable sequence of
``TaggedDocument(words=[...], tags=[tag])`` for ``Doc2Vec.build_vocab``/``train`` and paravec's
update, checked in full before it is returned, so that a bad line fails at once with its file and
line number rather than inside gensim's training threads. `read_texts` gives the
``(tag, raw_text)`` pairs of the same documents under the same tags, for keyword search and
snippets. Input files are opened read-only and never modified.

Three formats, detected from the path (``format=`` overrides): one document per line (tag
``"{stem}:{line}"``), JSON Lines (tag = the ``id`` field) and a folder (tag = the file's relative
path). Everything wrong with the input raises `paravec.errors.CorpusError` with one line
naming the file, the line (or byte offset) and what to do.

Modules
-------
`paravec.corpus.reader`
    `Corpus`, `read_corpus`, `read_texts`: the validation pass, tokenizing,
    re-iteration.
`paravec.corpus.formats`
    Format detection and the record readers of the three formats.
`paravec.corpus.decoding`
    Bytes to text, with errors that give the byte offset and line of the first bad byte.

Examples
--------
>>> from gensim.test.utils import datapath
>>> from paravec.corpus import read_corpus, read_texts
>>> corpus = read_corpus(datapath("lee_background.cor"))
>>> len(corpus), corpus.format
(300, 'lines')
>>> first = next(iter(corpus))
>>> first.tags, first.words[:4]
(['lee_background:1'], ['hundreds', 'of', 'people', 'have'])
>>> tag, text = next(read_texts(datapath("lee_background.cor")))
>>> tag, text[:24]
('lee_background:1', 'Hundreds of people have ')
"""

from paravec.corpus.formats import FORMATS
from paravec.corpus.reader import MAX_DOCUMENT_WORDS, Corpus, read_corpus, read_texts

__all__ = ["FORMATS", "MAX_DOCUMENT_WORDS", "Corpus", "read_corpus", "read_texts"]
