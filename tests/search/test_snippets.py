"""paravec.search.snippets: the passage with most of a query's words as written, on the Lee corpus."""

from __future__ import annotations

import pytest

from paravec.search import ranking
from paravec.search.snippets import SNIPPET_CHARS, head, passage
from paravec.tokenizer import tokenize


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_passage_holds_the_words_as_whole_words_in_any_case(texts):
    for _tag, text in texts[:40]:
        words = tokenize(text)
        picked = dict.fromkeys(sorted(set(words), key=len)[-3:], 1.0)  # three long words of the article
        snippet, spans = passage(text, picked)
        assert snippet in _flat(text) and len(snippet) <= SNIPPET_CHARS
        assert spans, (picked, snippet)
        assert spans == sorted(spans)
        for a, b in spans:
            assert snippet[a:b].lower() in picked
            # A whole token: the tokenizer gives exactly that word back for the span.
            assert tokenize(snippet[max(0, a - 1) : b + 1]) == [snippet[a:b].lower()]
        # Every occurrence inside the passage is highlighted.
        assert len(spans) == sum(tokenize(snippet).count(w) for w in picked)


def test_the_passage_is_where_most_distinct_words_are(texts):
    # Two words of an article's end and one of its start: the passage is the end's.
    for _tag, text in texts[:40]:
        tokens = tokenize(text)
        if len(_flat(text)) < 4 * SNIPPET_CHARS:
            continue
        once = {w for w in tokens if tokens.count(w) == 1 and len(w) > 3}
        early = [w for w in tokens[:15] if w in once]
        late = [w for w in tokens[-15:] if w in once]
        if len(late) < 2 or not early:
            continue
        snippet, spans = passage(text, {early[0]: 1.0, late[0]: 1.0, late[1]: 1.0})
        assert {snippet[a:b].lower() for a, b in spans} == {late[0], late[1]}
        assert _flat(text).index(snippet) > len(_flat(text)) - 2 * SNIPPET_CHARS
        # A heavier early word wins over the two.
        snippet, spans = passage(text, {early[0]: 3.0, late[0]: 1.0, late[1]: 1.0})
        assert {snippet[a:b].lower() for a, b in spans} == {early[0]}
        assert _flat(text).index(snippet) < SNIPPET_CHARS
        break
    else:
        pytest.fail("no article long enough")


def test_parts_of_words_and_marks_do_not_match():
    text = "Relaunch: the launches and launched, then the launch. हिन्दी और हिन्द"
    snippet, spans = passage(text, {"launch": 1.0, "हिन्द": 1.0})
    assert [snippet[a:b] for a, b in spans] == ["launch", "हिन्द"]


def test_case_and_the_dotted_capital_i():
    snippet, spans = passage("Flights to İSTANBUL and to Istanbul, sir.", {"istanbul": 1.0})
    assert [snippet[a:b] for a, b in spans] == ["İSTANBUL", "Istanbul"]


def test_a_text_without_the_words_gives_its_start():
    text = "word " * 200
    assert passage(text, {"other": 1.0}) == (head(text), [])
    assert len(head(text)) <= SNIPPET_CHARS and head(text).endswith("word")
    assert passage("", {"a": 1.0}) == ("", [])


def test_document_mode_highlights_the_querys_heaviest_words_as_written(idx, new_texts, text_of):
    # The keyword side of document mode matches words as written, so its snippets highlight
    # them so: "fires" in the query marks "fires", not "fire" or "fired".
    view = idx.backend.view()
    highlighted = 0
    for _tag, text in new_texts[:10]:
        weights = ranking.document_terms(tokenize(text), view, ranking.MAX_DOCUMENT_TERMS)
        shown = set(list(weights)[: ranking._SNIPPET_TERMS])
        for hit in idx.search(text, mode="document", k=10):
            assert hit.snippet in _flat(text_of(hit.tag))
            words = [hit.snippet[a:b].lower() for a, b in hit.highlights]
            assert set(words) <= shown, set(words) - shown
            highlighted += len(words)
    assert highlighted >= 100


def test_the_one_pass_window_is_the_best_of_every_window():
    # The sliding window against trying every start, on random matches (overlapping, of words
    # longer than the window, ties).
    import random

    from paravec.search.snippets import _best_window

    def every_start(found, weight, limit):
        best, span = None, (0, 0)
        for first in range(len(found)):
            last = first
            while last < len(found) and found[last][1] - found[first][0] <= limit:
                last += 1
            words = {f[2] for f in found[first:last]}
            key = (round(sum(weight[w] for w in words), 9), last - first, -first)
            if best is None or key > best:
                best, span = key, (first, max(first, last - 1))
        return span

    rng = random.Random(0)
    for _ in range(3000):
        starts = sorted(rng.sample(range(400), rng.randint(1, 25)))
        found = [(s, s + rng.randint(1, 60), rng.choice("abcde")) for s in starts]
        weight = {w: rng.choice([0.3, 0.5, 1.0, 2.0]) for w in "abcde"}
        limit = rng.randint(20, 120)
        assert _best_window(found, weight, limit) == every_start(found, weight, limit)
