"""Is the batch analysed like the base? A check of its frequent words against the base's vocabulary.

A batch whose text went through another analysis than the base's corpus (not lemmatized while the
base is, other tokenization or casing) mostly misses the base's vocabulary: an update then learns
new words for forms the base already knows, and the new documents land far from the old ones. The
sign is in the batch's most frequent words, which in any text of the same language are mostly
known: here many are unknown while the form the base's pipeline would give them is known.

`analysis_warnings` looks at the `FREQUENT` most frequent words of the batch. When more than
`SHARE` of their occurrences are unknown words whose lemma is known (the base's lemmatizer, or,
when the base records no pipeline, simplemma's dictionaries of the languages tried), or more than
`TOKEN_SHARE` are words that the base's own tokenizer and case rule would have written otherwise
(a word its tokenizer made never changes when tokenized again, so a small share is already a
sign), it returns a warning naming the likely cause, with examples.

Examples
--------
>>> from collections import Counter
>>> from gensim.models.doc2vec import TaggedDocument
>>> import paravec
>>> from paravec.analysis import Analysis
>>> nb = Analysis(language="nb", lemmatize=True)
>>> text = "Jentene leste bøkene og guttene spilte fotball i parken mens lærerne drakk kaffe på trappene ved skolene"
>>> base = paravec.train([TaggedDocument(nb(text), ["b0"])], vector_size=8, min_count=1, epochs=1,
...                      analysis=nb)
>>> batch = Counter(paravec.tokenize(text))
>>> [warning] = analysis_warnings(base, batch)
>>> warning[:45], "10 of its 17 most frequent words" in warning, "'guttene' -> 'gutt'" in warning
('the batch looks not lemmatized like the base ', True, True)
>>> analysis_warnings(base, Counter(nb(text)))
[]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from gensim.models import Doc2Vec

from paravec.analysis import Analysis, of_model
from paravec.tokenizer import tokenize

__all__ = ["FREQUENT", "SHARE", "TOKEN_SHARE", "analysis_warnings"]

FREQUENT = 200
"""Most frequent words of the batch that the check looks at."""

SHARE = 0.2
"""Share of those words' occurrences that, unknown but with a known lemma, triggers a warning."""

TOKEN_SHARE = 0.05
"""Share of those words' occurrences that, unknown but known once re-tokenized, triggers a warning."""

# Languages tried when the base records no pipeline (the team's languages first).
_GUESSES = ("nb", "nn", "en")
_EXAMPLES = 4
# A lemma mismatch shows in many distinct words; a handful of new names is not one.
_MIN_WORDS = 10


def _mismatched(
    frequent: list[tuple[str, int]], vocab: dict[str, int], analyse: Callable[[str], list[str]]
) -> list[tuple[str, str, int]]:
    """``(word, re-analysed form, count)`` of unknown words whose re-analysed form is all known."""
    found = []
    for word, count in frequent:
        if word in vocab:
            continue
        words = analyse(word)
        if words and words != [word] and all(w in vocab for w in words):
            found.append((word, " ".join(words), count))
    return found


def _message(cause: str, found: list[tuple[str, str, int]], frequent: int, share: float, fix: str) -> str:
    examples = ", ".join(f"{w!r} -> {form!r}" for w, form, _c in found[:_EXAMPLES])
    return (
        f"the batch looks {cause}: {len(found)} of its {frequent} most frequent words are unknown to "
        f"the base while their {'lemmas' if 'lemmatized' in cause else 'forms'} are known ({examples}; "
        f"{share:.0%} of those words' occurrences); {fix}, or the update learns new words for forms the "
        "base already knows"
    )


def analysis_warnings(model: Doc2Vec, batch_counts: Counter[str]) -> list[str]:
    """Warnings when the batch (its word counts) looks analysed unlike ``model``'s corpus.

    Parameters
    ----------
    model : gensim.models.Doc2Vec
        The base, before the batch's words are added.
    batch_counts : collections.Counter
        Occurrences of each word in the batch.

    Returns
    -------
    list of str
        Empty when the batch looks analysed like the base; else one message naming the likely
        cause (tokenization or case, or lemmatization) with examples.
    """
    vocab = model.wv.key_to_index
    frequent = batch_counts.most_common(FREQUENT)
    total = sum(c for _w, c in frequent)
    unknown = sum(c for w, c in frequent if w not in vocab) / total if total else 0.0
    if unknown < TOKEN_SHARE:
        return []
    analysis = of_model(model)
    recorded = analysis.describe() if hasattr(model, "paravec_analysis") else None

    def retokenize(word: str) -> list[str]:
        return tokenize(word, lowercase=analysis.lowercase)

    found = _mismatched(frequent, vocab, retokenize)
    share = sum(c for _w, _f, c in found) / total
    if share >= TOKEN_SHARE:
        fix = "read the batch with the base's pipeline: paravec.read_corpus(path, tokenizer=paravec.analysis.of_model(base))"
        return [_message("tokenized or cased unlike the base", found, len(frequent), share, fix)]

    if unknown < SHARE or sum(w not in vocab for w, _c in frequent) < _MIN_WORDS:
        return []  # too few unknown words for a lemma mismatch: spare loading dictionaries
    if analysis.lemmatize:
        candidates = [analysis]
    elif recorded is None:
        candidates = [Analysis(language=code, lemmatize=True) for code in _GUESSES if _has_simplemma()]
    else:
        return []  # the base records that it is not lemmatized: nothing to compare with
    for candidate in candidates:

        def lemmatize(word: str, candidate: Analysis = candidate) -> list[str]:
            return [candidate.lemma(t) for t in retokenize(word)]

        found = _mismatched(frequent, vocab, lemmatize)
        share = sum(c for _w, _f, c in found) / total
        if share < SHARE:
            continue
        if recorded is not None:
            cause = f"not lemmatized like the base (the base records: {recorded})"
            fix = "read the batch with the base's pipeline: paravec.read_corpus(path, tokenizer=paravec.analysis.of_model(base))"
        else:
            cause = (
                f"not lemmatized like the base (the base records no text analysis, but its words look "
                f"like {candidate.language} lemmas)"
            )
            fix = (
                f"read the batch with Analysis(language={candidate.language!r}, lemmatize=True) and record it in "
                "the base with paravec.analysis.record"
            )
        return [_message(cause, found, len(frequent), share, fix)]
    return []


def _has_simplemma() -> bool:
    try:
        import simplemma  # noqa: F401
    except ImportError:
        return False
    return True
