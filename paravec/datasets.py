"""The real text paravec's tests, demo and benchmarks read, with stable tags and no download.

gensim installs a small set of real corpora and evaluation files under ``gensim/test/test_data``
(found with `gensim.test.utils.datapath`); this module reads them into ``TaggedDocument``
lists:

- `wiki_documents` / `wiki_texts`: 106 English Wikipedia articles (~490k words),
  tag = article title.
- `lee_background_documents`: 300 news articles of the Lee corpus, tags ``"lee_bg:0"``...
- `lee_test_documents`: 50 Lee articles, tags ``"lee:0"``..., scored by humans in
  `lee_similarities` (a 50 x 50 matrix).
- `mini_newsgroup_documents`: 200 Usenet posts of two newsgroups, with their group labels.
- `wordsim353_path`, `simlex999_path`, `questions_words_path`: word-similarity
  and analogy files for ``model.wv.evaluate_word_pairs`` / ``evaluate_word_analogies``.
- `seed_documents`: the ten documents of the "retraining a doc2vec model" scenario, the one
  built-in batch that is not gensim's (the demo adds it to the Lee articles).

The Wikipedia extract is parsed with gensim's own `gensim.corpora.wikicorpus.WikiCorpus`
(the reader the usual pretrained Wikipedia ``Doc2Vec`` models were built with: main namespace only,
markup stripped, articles under 50 tokens dropped), with paravec's tokenizer instead of gensim's,
whose 2..15 character limit would drop long compounds. The mini newsgroup file is a zlib-compressed
Python 2 pickle of a scikit-learn ``Bunch``, read with an unpickler that admits only the globals
that pickle needs (dict, numpy arrays): scikit-learn is not required and the file cannot call
anything else. Nothing is written to disk.

Examples
--------
>>> from paravec import datasets
>>> docs = datasets.lee_background_documents()
>>> len(docs), docs[0].tags, docs[0].words[:3]
(300, ['lee_bg:0'], ['hundreds', 'of', 'people'])
>>> datasets.lee_similarities().shape
(50, 50)
>>> [doc.tags[0] for doc in datasets.seed_documents()][-2:]
['E8', 'E9']
"""

from __future__ import annotations

import copyreg
import io
import pickle
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
from gensim.corpora import wikicorpus
from gensim.models.doc2vec import TaggedDocument
from gensim.test.utils import datapath

from paravec.errors import CorpusError
from paravec.tokenizer import Tokenizer, tokenize

__all__ = [
    "SEED_TEXTS",
    "WIKI_FILE",
    "NewsgroupDocuments",
    "data_path",
    "lee_background_documents",
    "lee_similarities",
    "lee_test_documents",
    "mini_newsgroup_documents",
    "questions_words_path",
    "seed_documents",
    "simlex999_path",
    "wiki_documents",
    "wiki_texts",
    "wordsim353_path",
]

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
"""File name of the Wikipedia extract in gensim's test data."""

SEED_TEXTS: tuple[str, ...] = ("jav python ruby xxyfg",) * 9 + ("fotball keeper",)
"""The ten texts of the seed scenario (/work/shared/seed/retraining-a-doc2vec-model.md)."""


class NewsgroupDocuments(NamedTuple):
    """Mini newsgroup posts and, aligned with them, the newsgroup each was posted to."""

    documents: list[TaggedDocument]
    labels: list[str]


def data_path(name: str) -> Path:
    """Return the path of a file in gensim's test data, checking that it exists.

    Parameters
    ----------
    name : str
        File name inside ``gensim/test/test_data``, e.g. ``"lee_background.cor"``.

    Returns
    -------
    pathlib.Path
        Absolute path of the file.

    Raises
    ------
    CorpusError
        If the file is not there (a gensim install without its test data).
    """
    path = Path(datapath(name))
    if not path.exists():
        raise CorpusError(
            f"{path}: gensim's test data file {name!r} is missing; reinstall gensim "
            "(pip install --force-reinstall gensim) to get gensim/test/test_data back"
        )
    return path


# -- Wikipedia -----------------------------------------------------------------------------------


class _WikiTokenizer:
    """Adapt a ``text -> words`` tokenizer to WikiCorpus's 4-argument ``tokenizer_func``.

    WikiCorpus calls ``tokenizer_func(text, token_min_len, token_max_len, lower)`` in a worker
    process, so this is a module-level class (picklable whenever the wrapped tokenizer is). The
    length and case arguments are ignored: the wrapped tokenizer owns those rules.
    """

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str, token_min_len: int, token_max_len: int, lower: bool) -> list[str]:
        return list(self.tokenizer(text))


def _picklable(obj: object) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:  # any failure means it cannot go to a worker process
        return False
    return True


def _wiki_pages(tokenizer: Tokenizer) -> Iterator[tuple[str, str, list[str]]]:
    """Yield ``(title, plain_text, words)`` in this process, with WikiCorpus's filters.

    Same steps as ``WikiCorpus.get_texts`` (main namespace, ``filter_wiki``, drop articles under
    ``ARTICLE_MIN_WORDS`` tokens and titles in ignored namespaces), without a process pool.
    """
    import bz2

    with bz2.BZ2File(data_path(WIKI_FILE)) as handle:
        for title, raw, _pageid in wikicorpus.extract_pages(handle, ("0",)):
            text = wikicorpus.filter_wiki(raw)
            words = list(tokenizer(text))
            if len(words) < wikicorpus.ARTICLE_MIN_WORDS or any(
                title.startswith(prefix + ":") for prefix in wikicorpus.IGNORED_NAMESPACES
            ):
                continue
            yield title, text, words


def wiki_documents(tokenizer: Tokenizer = tokenize) -> list[TaggedDocument]:
    """Read the Wikipedia extract shipped with gensim as tagged documents.

    Parameters
    ----------
    tokenizer : callable, default `paravec.tokenize`
        Turns an article's plain text into words. A picklable tokenizer (a module-level function)
        runs through gensim's ``WikiCorpus``; others (lambdas, closures) run in this process
        through the same gensim parsing functions, with the same result.

    Returns
    -------
    list of TaggedDocument
        106 articles with the default tokenizer; ``tags=[title]``. Several are longer than the
        10,000 words gensim trains per document.

    Examples
    --------
    >>> docs = wiki_documents()
    >>> len(docs), docs[0].tags
    (106, ['Anarchism'])
    """
    if not _picklable(tokenizer):
        return [TaggedDocument(words, [title]) for title, _text, words in _wiki_pages(tokenizer)]
    corpus = wikicorpus.WikiCorpus(
        str(data_path(WIKI_FILE)),
        processes=1,
        dictionary={},  # anything but None skips WikiCorpus's vocabulary-building pass
        metadata=True,
        tokenizer_func=_WikiTokenizer(tokenizer),
        lower=True,
    )
    return [TaggedDocument(words, [title]) for words, (_pageid, title) in corpus.get_texts()]


def wiki_texts(tokenizer: Tokenizer = tokenize) -> Iterator[tuple[str, str]]:
    """Yield ``(title, plain_text)`` for the articles `wiki_documents` returns.

    The text is the article with wiki markup removed by gensim's ``filter_wiki`` (what the
    tokenizer sees), for keyword search and snippets.

    Parameters
    ----------
    tokenizer : callable, default `paravec.tokenize`
        Decides, as in `wiki_documents`, which articles are long enough to keep.

    Yields
    ------
    tuple of (str, str)
        Article title (the document's tag) and its plain text.
    """
    for title, text, _words in _wiki_pages(tokenizer):
        yield title, text


# -- Lee corpus ----------------------------------------------------------------------------------


def _line_documents(name: str, prefix: str, encoding: str, tokenizer: Tokenizer) -> list[TaggedDocument]:
    with open(data_path(name), encoding=encoding) as handle:
        return [TaggedDocument(list(tokenizer(line)), [f"{prefix}:{i}"]) for i, line in enumerate(handle)]


def lee_background_documents(tokenizer: Tokenizer = tokenize) -> list[TaggedDocument]:
    """Read ``lee_background.cor``: 300 Australian news articles, one per line.

    Parameters
    ----------
    tokenizer : callable, default `paravec.tokenize`

    Returns
    -------
    list of TaggedDocument
        Tags ``"lee_bg:0"`` to ``"lee_bg:299"`` (0-based line index).
    """
    return _line_documents("lee_background.cor", "lee_bg", "utf-8", tokenizer)


def lee_test_documents(tokenizer: Tokenizer = tokenize) -> list[TaggedDocument]:
    """Read ``lee.cor``: the 50 articles that `lee_similarities` scores.

    The file is Latin-1 (it holds a ``"£"`` byte that is not valid UTF-8) and is decoded as such.

    Parameters
    ----------
    tokenizer : callable, default `paravec.tokenize`

    Returns
    -------
    list of TaggedDocument
        Tags ``"lee:0"`` to ``"lee:49"``; ``"lee:i"`` is row and column ``i`` of
        `lee_similarities`.
    """
    return _line_documents("lee.cor", "lee", "latin-1", tokenizer)


def lee_similarities() -> np.ndarray:
    """Return the human similarity judgments of the 50 ``lee.cor`` articles.

    ``similarities0-1.txt`` stores the upper triangle only (zeros below the diagonal); the matrix
    returned is made symmetric from it.

    Returns
    -------
    numpy.ndarray
        Shape ``(50, 50)``, float64, symmetric, values in ``[0, 1]``, ones on the diagonal.
    """
    upper = np.triu(np.loadtxt(data_path("similarities0-1.txt"), dtype=np.float64))
    return upper + np.triu(upper, 1).T


# -- mini newsgroup ------------------------------------------------------------------------------


class _Bunch(dict[str, object]):
    """Stand-in for ``sklearn.datasets.base.Bunch`` (a dict) when unpickling."""


def _allowed_globals() -> dict[tuple[str, str], object]:
    # numpy's array reconstructor moved from numpy.core to numpy._core in numpy 2; take it from an
    # array's own __reduce__ so both numpy 1 and 2 resolve it without deprecated imports.
    reconstruct = np.zeros(1).__reduce__()[0]
    return {
        # Python 2's copy_reg._reconstructor rebuilds the Bunch; typeshed leaves the private name out.
        ("copy_reg", "_reconstructor"): copyreg._reconstructor,  # type: ignore[attr-defined]
        ("__builtin__", "dict"): dict,
        ("sklearn.datasets.base", "Bunch"): _Bunch,
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }


class _NewsgroupUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the globals the mini newsgroup pickle uses."""

    _allowed = _allowed_globals()

    def find_class(self, module: str, name: str) -> object:
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise CorpusError(
                f"mini_newsgroup: unexpected class {module}.{name} in the pickle; the file is not "
                "the one gensim ships, reinstall gensim"
            ) from None


def _strip_headers(post: str) -> str:
    """Drop the Usenet header block of a post, keeping its Subject line as the first line."""
    head, sep, body = post.partition("\n\n")
    if not sep:
        return post
    subject = ""
    for line in head.splitlines():
        if line.lower().startswith("subject:"):
            subject = line[len("subject:") :].strip()
            break
    return f"{subject}\n{body}" if subject else body


def mini_newsgroup_documents(
    tokenizer: Tokenizer = tokenize, *, strip_headers: bool = True
) -> NewsgroupDocuments:
    """Read gensim's ``mini_newsgroup``: 200 Usenet posts from ``alt.atheism`` and ``sci.space``.

    Parameters
    ----------
    tokenizer : callable, default `paravec.tokenize`
    strip_headers : bool, default True
        Drop each post's header block (Path, From, Message-ID, ...), which would otherwise let
        the group be read off the ``Newsgroups:`` line; the Subject is kept as the first line.

    Returns
    -------
    NewsgroupDocuments
        ``documents`` with tags like ``"alt.atheism/51251"`` (group / original file name) and
        ``labels``, the group of each document in the same order (100 of each group).

    Raises
    ------
    CorpusError
        If the file is not the pickle gensim ships.
    """
    raw = data_path("mini_newsgroup").read_bytes()
    try:
        bunch = _NewsgroupUnpickler(io.BytesIO(zlib.decompress(raw)), encoding="latin1").load()
        posts, targets = bunch["data"], bunch["target"]
        names, files = bunch["target_names"], bunch["filenames"]
    except (zlib.error, pickle.UnpicklingError, KeyError, TypeError, EOFError) as err:
        raise CorpusError(f"mini_newsgroup: cannot read gensim's file ({err}); reinstall gensim") from None
    documents: list[TaggedDocument] = []
    labels: list[str] = []
    for post, target, raw_name in zip(posts, targets, files, strict=True):
        group = names[int(target)]
        name = raw_name.decode("utf-8") if isinstance(raw_name, bytes) else str(raw_name)
        file_name = name.rsplit("/", 1)[-1]  # "../gensim/test/test_data/mini/sci.space/61316"
        text = _strip_headers(post) if strip_headers else post
        documents.append(TaggedDocument(list(tokenizer(text)), [f"{group}/{file_name}"]))
        labels.append(group)
    return NewsgroupDocuments(documents, labels)


# -- seed scenario and evaluation files ----------------------------------------------------------


def seed_documents(tokenizer: Tokenizer = tokenize) -> list[TaggedDocument]:
    """Return the ten documents of the seed scenario, tagged ``"E0"`` to ``"E9"``.

    Nine copies of ``"jav python ruby xxyfg"`` (``"xxyfg"`` is a word no pretrained model knows)
    and one ``"fotball keeper"``, as in /work/shared/seed/retraining-a-doc2vec-model.md.

    Parameters
    ----------
    tokenizer : callable, default `paravec.tokenize`

    Returns
    -------
    list of TaggedDocument
    """
    return [TaggedDocument(list(tokenizer(text)), [f"E{i}"]) for i, text in enumerate(SEED_TEXTS)]


def wordsim353_path() -> Path:
    """Path of ``wordsim353.tsv``: word pairs scored by humans, for ``wv.evaluate_word_pairs``."""
    return data_path("wordsim353.tsv")


def simlex999_path() -> Path:
    """Path of ``simlex999.txt``: word pairs scored by humans, for ``wv.evaluate_word_pairs``."""
    return data_path("simlex999.txt")


def questions_words_path() -> Path:
    """Path of ``questions-words.txt`` (Google analogies), for ``wv.evaluate_word_analogies``."""
    return data_path("questions-words.txt")
