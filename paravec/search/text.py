"""Keyword ranking and stored texts of a search index, with tantivy.

What it does
------------
`TextStore` keeps the documents' tag, title and text in a tantivy index inside the search
index folder, ranks documents for a list of query words with tantivy's BM25, returns snippets with
the matched words' character spans, and adds or deletes single documents (so a sync touches only
what changed).

Approach
--------
BM25 (Robertson & Zaragoza, 2009) as implemented by tantivy, over text fields analysed by the
index's `paravec.search.analyzer.KeywordAnalyzer` (the tokens of `paravec.tokenizer.tokenize`,
lowercased, stemmed, compounds split). Query words go through the same analyzer and become term
queries directly, never through tantivy's query language, so quotes, colons or brackets in user
input cannot cause a syntax error or an unintended field query.
Expansion words enter with a lower boost. Each document also carries an integer ``slot`` (a fast
field), the row of its vector in the vector store, so fusion needs no stored-document reads.

Examples
--------
>>> import tempfile
>>> from paravec.search.analyzer import KeywordAnalyzer
>>> from paravec.search.text import TextStore
>>> english = KeywordAnalyzer({"stemmer": "english", "stop_words": False, "compounds": False})
>>> store = TextStore.create(tempfile.mkdtemp(), english)
>>> store.add([(0, "a", "", "The shuttle launch was delayed."), (1, "b", "", "Apples and pears.")])
>>> [slot for slot, _score in store.search(["launches"], {}, 10)]
[0]
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import tantivy
from tantivy import Document, Occur, Query, SnippetGenerator

from paravec.errors import IndexStateError
from paravec.search.analyzer import LEGACY, KeywordAnalyzer
from paravec.search.compounds import Decompounder
from paravec.search.snippets import SNIPPET_CHARS, head, passages

__all__ = ["EXACT_BOOST", "PARTS_BOOST", "TITLE_BOOST", "TextStore", "clean_text"]

TITLE_BOOST = 2.0
"""Weight of a match in the title relative to one in the text."""

EXACT_BOOST = 1.0
"""Weight of a match of the word as written (besides its stem's match) relative to a stem's match."""

PARTS_BOOST = 0.5
"""Weight of a match in a part of a compound (``brann`` in ``skogbrannen``) relative to a whole word."""

_ANALYZER = "paravec"
_PLAIN = "paravec-plain"
# A writer's memory budget (used as filled): 100k documents of 50-250 words fit in one segment.
_WRITER_HEAP = 256_000_000
_SURROGATES = re.compile("[\ud800-\udfff]")


def _schema(parts: bool, exact: bool) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    if exact:
        builder.add_text_field("exact", stored=False, tokenizer_name=_PLAIN)
    if parts:
        # The parts of the compounds of title and text (paravec.search.compounds), searched only.
        builder.add_text_field("parts", stored=False, tokenizer_name=_ANALYZER)
    builder.add_text_field("tag", stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("slot", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name=_ANALYZER)
    builder.add_text_field("text", stored=True, tokenizer_name=_ANALYZER)
    return builder.build()


def clean_text(text: str) -> str:
    """Return ``text`` ready for tantivy: NFC-normalised, lone surrogates replaced by U+FFFD.

    NFC makes the indexed words equal to the query words `paravec.tokenizer.tokenize` makes;
    a lone surrogate (possible in a Python str, invalid in UTF-8) would make tantivy refuse the
    document.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _SURROGATES.sub("\ufffd", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text


def _char_spans(fragment: str, byte_spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Turn tantivy's byte offsets in a UTF-8 fragment into character offsets."""
    if fragment.isascii():
        return [(start, end) for start, end in byte_spans]
    raw = fragment.encode("utf-8")
    return [
        (len(raw[:start].decode("utf-8", "ignore")), len(raw[:end].decode("utf-8", "ignore")))
        for start, end in byte_spans
    ]


class TextStore:
    """The tantivy part of a search index: texts, BM25 ranking, snippets."""

    def __init__(
        self,
        index: tantivy.Index,
        path: Path,
        analyzer: KeywordAnalyzer | None = None,
        decompounder: Decompounder | None = None,
    ) -> None:
        self._index = index
        self.analyzer = analyzer or KeywordAnalyzer(LEGACY)
        self._decompounder = decompounder
        self._fields = [("text", 1.0), ("title", TITLE_BOOST)]
        if self.analyzer.settings.get("compounds") == "parts":
            self._fields.append(("parts", PARTS_BOOST))
        # Words as written (lowercased) beside the stems: a document with the query's own form
        # ranks above one with another inflection of it.
        self._plain = KeywordAnalyzer(LEGACY) if self.analyzer.settings.get("exact_forms") else None
        self._index.register_tokenizer(_ANALYZER, self.analyzer.analyzer)
        if self._plain is not None:
            self._index.register_tokenizer(_PLAIN, self._plain.analyzer)
        self._schema = index.schema
        self.path = path

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        analyzer: KeywordAnalyzer | None = None,
        decompounder: Decompounder | None = None,
    ) -> TextStore:
        """Create an empty store in the folder ``path`` (made if missing); default analyzer `LEGACY`.

        An analyzer whose ``compounds`` setting is ``"parts"`` needs the ``decompounder``.
        """
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        settings = {} if analyzer is None else analyzer.settings
        schema = _schema(settings.get("compounds") == "parts", bool(settings.get("exact_forms")))
        return cls(tantivy.Index(schema, path=str(folder), reuse=False), folder, analyzer, decompounder)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        analyzer: KeywordAnalyzer | None = None,
        decompounder: Decompounder | None = None,
    ) -> TextStore:
        """Open the store in ``path`` (built with ``analyzer``); `IndexStateError` if it is missing or unreadable."""
        folder = Path(path)
        try:
            if not tantivy.Index.exists(str(folder)):
                raise IndexStateError(f"{folder}: no text index there; rebuild with `paravec index`")
            return cls(tantivy.Index.open(str(folder)), folder, analyzer, decompounder)
        except ValueError as err:
            raise IndexStateError(
                f"{folder}: the text index cannot be opened ({err}); rebuild it with `paravec index`"
            ) from None

    def __len__(self) -> int:
        return self._index.searcher().num_docs

    @property
    def exact_forms(self) -> bool:
        """Whether the store indexes the words as written (the ``exact`` field) beside their stems."""
        return self._plain is not None

    def searcher(self) -> tantivy.Searcher:
        """A reader of the store as it is now; later commits do not change what it sees.

        Every reading method takes one, so that a caller holding it (an index view) reads one
        generation of the texts however many syncs commit meanwhile.
        """
        return self._index.searcher()

    # -- writing ---------------------------------------------------------------------------------

    def add(self, rows: Iterable[tuple[int, str, str, str]], *, delete_first: Sequence[str] = ()) -> None:
        """Delete the documents tagged ``delete_first``, add ``(slot, tag, title, text)`` rows, commit.

        All of it is one tantivy commit: a reader sees the old or the new state, never a mix.
        One indexing thread (beside the caller's, which makes the documents, the slower part):
        each thread writes its own segment, and a query pays per segment for each of its words.
        """
        writer = self._index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        try:
            # delete_documents_by_term is the name since tantivy-py 0.25; older ones call it delete_documents.
            delete = getattr(writer, "delete_documents_by_term", None) or writer.delete_documents
            for tag in delete_first:
                delete("tag", tag)
            for slot, tag, title, text in rows:
                doc = Document()
                doc.add_text("tag", tag)
                doc.add_unsigned("slot", int(slot))
                doc.add_text("title", title)
                doc.add_text("text", text)
                if self._plain is not None:
                    doc.add_text("exact", f"{title} {text}")
                if len(self._fields) > 2:
                    if self._decompounder is None:
                        raise IndexStateError(f"{self.path}: the index splits compounds but has no splitter")
                    doc.add_text("parts", self._decompounder.text(f"{title} {text}"))
                writer.add_document(doc)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            # Ends the writer and releases tantivy's lock file, so the next sync can write.
            writer.wait_merging_threads()
        self._index.reload()

    # -- reading ---------------------------------------------------------------------------------

    def _weighted_terms(
        self, words: Sequence[str], expansions: dict[str, float], analyzer: KeywordAnalyzer | None = None
    ) -> dict[str, float]:
        """Each indexed term of the words with its weight (the highest when two words share it)."""
        weights: dict[str, float] = {}
        for word, weight in [(w, 1.0) for w in words] + list(expansions.items()):
            for term in (analyzer or self.analyzer).terms(word):
                weights[term] = max(weight, weights.get(term, 0.0))
        return weights

    def _query(self, words: Sequence[str], expansions: dict[str, float]) -> tantivy.Query:
        clauses = []
        for word, weight in self._weighted_terms(words, expansions).items():
            for field, boost in self._fields:
                query = Query.term_query(self._schema, field, word)
                if boost * weight != 1.0:
                    query = Query.boost_query(query, boost * weight)
                clauses.append((Occur.Should, query))
        if self._plain is not None:
            for word, weight in self._weighted_terms(words, expansions, self._plain).items():
                query = Query.term_query(self._schema, "exact", word)
                boost = EXACT_BOOST * weight
                clauses.append((Occur.Should, query if boost == 1.0 else Query.boost_query(query, boost)))
        return Query.boolean_query(clauses)

    def search(
        self,
        words: Sequence[str],
        expansions: dict[str, float],
        n: int,
        searcher: tantivy.Searcher | None = None,
    ) -> list[tuple[int, float]]:
        """Return up to ``n`` ``(slot, bm25_score)``, best first, for documents with any of ``words``."""
        if not self._weighted_terms(words, expansions):
            return []  # no words, or stop words only
        return self._hits(self._query(words, expansions), n, searcher or self._index.searcher())

    def _hits(self, query: tantivy.Query, n: int, searcher: tantivy.Searcher) -> list[tuple[int, float]]:
        hits = searcher.search(query, limit=n, count=False).hits
        if not hits:
            return []
        addresses = [address for _score, address in hits]
        if hasattr(searcher, "fast_field_values"):
            slots = searcher.fast_field_values("slot", addresses)
        else:  # tantivy-py < 0.26: read the stored value instead of the fast field
            slots = [searcher.doc(address).get_first("slot") for address in addresses]
        return [(int(slot or 0), float(score)) for (score, _address), slot in zip(hits, slots, strict=True)]

    def search_weighted(
        self, weights: Mapping[str, float], n: int, searcher: tantivy.Searcher | None = None
    ) -> list[tuple[int, float]]:
        """Up to ``n`` ``(slot, score)``, best first: BM25 of each word, times its weight, summed.

        The words count as written where the index keeps that form (the ``exact`` field; else
        their stems in the text): the words document mode's TF-IDF weighs. One field, so a long
        query costs one posting list per word (`search` reads three: text, title, exact).
        """
        field, analyzer = ("exact", self._plain) if self._plain is not None else ("text", self.analyzer)
        boosts: dict[str, float] = {}
        for word, weight in weights.items():
            for term in analyzer.terms(word):
                boosts[term] = max(weight, boosts.get(term, 0.0))
        clauses = []
        for term, weight in boosts.items():
            if weight > 0:
                query = Query.term_query(self._schema, field, term)
                clauses.append((Occur.Should, query if weight == 1.0 else Query.boost_query(query, weight)))
        if not clauses:
            return []
        return self._hits(Query.boolean_query(clauses), n, searcher or self._index.searcher())

    def doc_freqs(
        self, words: Iterable[str], searcher: tantivy.Searcher | None = None
    ) -> tuple[dict[str, int], int]:
        """Number of documents whose text has each word, and the number of documents.

        Document mode weighs the model's words by these counts, so a word counts as written
        (the ``exact`` field) where the index keeps that form beside its stems: "bushfires" and
        "bushfire" are two words of the model, as they are two words in PostgreSQL's counts. An
        index without it looks a word up by its indexed terms: a stop word counts as in every
        document, a split compound as often as its rarest part.
        """
        searcher = searcher or self._index.searcher()
        n = searcher.num_docs
        field, analyzer = ("exact", self._plain) if self._plain is not None else ("text", self.analyzer)
        freqs = {}
        for word in set(words):
            terms = analyzer.terms(word)
            freqs[word] = min((searcher.doc_freq(field, t) for t in terms), default=n)
        return freqs, n

    def texts(self, tags: Sequence[str], searcher: tantivy.Searcher | None = None) -> dict[str, str]:
        """The stored text of each of ``tags`` that the store has."""
        found = self._find_many(searcher or self._index.searcher(), tags)
        return {tag: doc.get_first("text") or "" for tag, doc in found.items()}

    def _find(self, searcher: tantivy.Searcher, tag: str) -> tantivy.Document | None:
        hits = searcher.search(Query.term_query(self._schema, "tag", tag), limit=1, count=False).hits
        return searcher.doc(hits[0][1]) if hits else None

    def _find_many(self, searcher: tantivy.Searcher, tags: Sequence[str]) -> dict[str, tantivy.Document]:
        # One search instead of one per tag: each search has a fixed cost. A disjunction of term
        # queries, scored as constant: a quarter of a term-set query's time for 10 tags (it walks
        # the tags' dictionary with an automaton), two thirds for 200.
        if not tags:
            return {}
        terms = [(Occur.Should, Query.term_query(self._schema, "tag", tag)) for tag in dict.fromkeys(tags)]
        query = Query.const_score_query(Query.boolean_query(terms), 1.0)
        hits = searcher.search(query, limit=len(tags), count=False).hits
        docs = (searcher.doc(address) for _score, address in hits)
        return {str(doc.get_first("tag")): doc for doc in docs}

    def document(self, tag: str, searcher: tantivy.Searcher | None = None) -> dict[str, str] | None:
        """Return ``{"tag", "title", "text"}`` of the document tagged ``tag``, or None."""
        doc = self._find(searcher or self._index.searcher(), tag)
        if doc is None:
            return None
        return {"tag": tag, "title": doc.get_first("title") or "", "text": doc.get_first("text") or ""}

    def snippets(
        self,
        tags: Sequence[str],
        words: Sequence[str],
        expansions: dict[str, float],
        searcher: tantivy.Searcher | None = None,
        *,
        as_written: bool = False,
    ) -> list[tuple[str, str, list[tuple[int, int]]]]:
        """Return ``(title, snippet, highlights)`` for each tag (in order).

        The snippet is the passage tantivy finds with most query words, whose stems it matches;
        with ``as_written``, the passage with most of the words as written
        (`paravec.search.snippets.passage`). A document without any (a vector-only hit) gets
        the start of its text and no highlights.
        """
        searcher = searcher or self._index.searcher()
        found = self._find_many(searcher, tags)
        if as_written:
            texts = {
                tag: (doc.get_first("title") or "", doc.get_first("text") or "") for tag, doc in found.items()
            }
            return passages(texts, tags, words, expansions)
        generator = None
        weighted = self._weighted_terms(words, expansions)
        if weighted:
            # The generator highlights the text field's terms only: a query of those alone gives
            # the same snippet as the ranking's query over every field, for a third of the terms.
            clauses = [
                (Occur.Should, Query.boost_query(Query.term_query(self._schema, "text", term), weight))
                for term, weight in weighted.items()
            ]
            generator = SnippetGenerator.create(searcher, Query.boolean_query(clauses), self._schema, "text")
            generator.set_max_num_chars(SNIPPET_CHARS)
        out: list[tuple[str, str, list[tuple[int, int]]]] = []
        for tag in tags:
            doc = found.get(tag)
            if doc is None:
                out.append(("", "", []))
                continue
            title = doc.get_first("title") or ""
            fragment, spans = "", []
            if generator is not None:
                snippet = generator.snippet_from_doc(doc)
                fragment = snippet.fragment()
                spans = _char_spans(fragment, ((r.start, r.end) for r in snippet.highlighted()))
            if not fragment:
                fragment = head(doc.get_first("text") or "", SNIPPET_CHARS)
                spans = []
            out.append((title, fragment, spans))
        return out
