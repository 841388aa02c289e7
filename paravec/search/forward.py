"""The words of each indexed document as the model analyses them, kept with the index.

Document mode (`paravec.search.document_cache`) compares a query with its candidates word by
word, so it needs each candidate's words as the model's analysis (`paravec.analysis`) gives them.
Analysing a stored text (tokenizing, counting and sorting a few hundred words) is most of what a
query costs the first time it meets a candidate. A build therefore analyses every text once and
keeps, for each slot, the ids of its distinct words and their counts: a forward index (the
per-document term lists of Zobel & Moffat, "Inverted files for text search engines", 2006),
three memory-mapped arrays and the word list. Words are numbered in the order of their strings,
so a document's ids, ascending, list its words in the order `paravec.search.similarity` sums them.

What is kept depends only on a document's text and the analysis, not on the rest of the
collection (document frequencies) or on the model's vectors, so it stays true across syncs for
every document whose text is unchanged, and a sync writes nothing. A document added or
re-texted after the build, whose digest differs from the one recorded, is analysed from its text
as before, and so is every document when the model's analysis is not the one recorded.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import numpy as np
>>> from paravec.analysis import Analysis
>>> from paravec.search.forward import ForwardIndex
>>> texts = [("The cat sat on the cat.", "d0"), ("A dog.", "d1")]
>>> forward = ForwardIndex.build(texts, Analysis())
>>> folder = Path(tempfile.mkdtemp())
>>> forward = ForwardIndex.load(folder, forward.save(folder, 0))
>>> ids, counts, sizes = forward.gather(np.array([0]))
>>> [(forward.terms[i], int(c)) for i, c in zip(ids, counts)]
[('cat', 2), ('on', 1), ('sat', 1), ('the', 2)]
>>> forward.matches(1, "d1"), forward.matches(1, "changed"), forward.matches(2, "d2")
(True, False, False)
>>> ids, counts, sizes = forward.gather(np.array([1, 0]))
>>> [forward.terms[i] for i in ids], sizes.tolist()
(['a', 'dog', 'cat', 'on', 'sat', 'the'], [2, 4])
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from paravec.analysis import Analysis
from paravec.errors import IndexStateError
from paravec.files import atomic_path, write_json
from paravec.search.store import read_index_json

__all__ = ["KEYS", "ForwardBuilder", "ForwardIndex"]

KEYS = ("forward", "forward.offsets", "forward.ids", "forward.counts", "forward.digests")
"""The manifest's ``files`` keys of a forward index (a sync carries them over unchanged)."""


def digest_key(digest: str) -> int:
    """A 64-bit key of a text's digest, whatever the digest's format."""
    return int.from_bytes(hashlib.blake2b(digest.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class ForwardIndex:
    """Each slot's distinct words (``ids`` into ``terms``, ascending) and their counts.

    ``offsets[s]:offsets[s + 1]`` are slot ``s``'s entries of ``ids`` and ``counts``;
    ``digests[s]`` is `digest_key` of the text analysed for slot ``s``; ``analysis`` the
    pipeline's `paravec.analysis.Analysis.to_dict`.
    """

    terms: list[str]
    offsets: npt.NDArray[np.int64]
    ids: npt.NDArray[np.int32]
    counts: npt.NDArray[np.int32] | npt.NDArray[np.uint16]
    digests: npt.NDArray[np.uint64]
    analysis: dict[str, Any]

    def __len__(self) -> int:
        return len(self.digests)

    def matches(self, slot: int, digest: str | None) -> bool:
        """Whether slot ``slot``'s kept words are those of the text whose digest is ``digest``."""
        return digest is not None and 0 <= slot < len(self) and int(self.digests[slot]) == digest_key(digest)

    def gather(
        self, slots: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any], npt.NDArray[np.int64]]:
        """The word ids and counts of ``slots``, one after another, and how many each has."""
        first, after = self.offsets[slots], self.offsets[slots + 1]
        sizes = after - first
        ends = np.cumsum(sizes)
        at = np.repeat(first - ends + sizes, sizes) + np.arange(int(ends[-1]) if len(ends) else 0)
        return self.ids[at], self.counts[at], sizes

    def serves(self, analysis: object) -> bool:
        """Whether the kept words are what ``analysis`` makes of the texts."""
        return isinstance(analysis, Analysis) and analysis.to_dict() == self.analysis

    @classmethod
    def build(cls, texts: Iterable[tuple[str, str]], analysis: Analysis) -> ForwardIndex:
        """Analyse ``(text, digest)`` pairs, one per slot in slot order."""
        builder = ForwardBuilder(analysis)
        for text, digest in texts:
            builder.add(text, digest)
        return builder.finish()

    def save(self, folder: Path, generation: int) -> dict[str, str]:
        """Write the files of generation ``generation`` into ``folder``; return the manifest's names."""
        files = [f"forward-{generation}.json"] + [f"forward-{generation}-{k}.npy" for k in range(1, 5)]
        names = dict(zip(KEYS, files, strict=True))
        write_json(folder / names["forward"], {"analysis": self.analysis, "terms": self.terms}, indent=None)
        for key, values in zip(KEYS[1:], (self.offsets, self.ids, self.counts, self.digests), strict=True):
            with atomic_path(folder / names[key]) as tmp:
                np.save(tmp, np.ascontiguousarray(values))
        return names

    @classmethod
    def load(cls, folder: Path, names: dict[str, Any]) -> ForwardIndex | None:
        """The forward index the manifest's ``names`` hold (None if it names none)."""
        if not names.get("forward"):
            return None
        try:
            raw = read_index_json(folder / names["forward"])
            arrays = [np.load(folder / names[key], mmap_mode="r") for key in KEYS[1:]]
        except (OSError, ValueError, KeyError) as err:
            raise IndexStateError(
                f"{folder}: the kept document words are missing or corrupt ({err}); "
                "rebuild the index with `paravec index`"
            ) from None
        # Plain views of the memory maps: indexing a np.memmap makes a memmap object per call.
        offsets, ids, counts, digests = (np.asarray(a) for a in arrays)
        terms, analysis = raw.get("terms"), raw.get("analysis")
        fits = (
            isinstance(terms, list)
            and isinstance(analysis, dict)
            and offsets.dtype == np.int64
            and ids.dtype == np.int32
            and counts.dtype in (np.int32, np.uint16)
            and digests.dtype == np.uint64
            and offsets.shape == (len(digests) + 1,)
            and ids.shape == counts.shape == (int(offsets[-1]) if len(offsets) else -1,)
            and (not len(ids) or (int(ids.min()) >= 0 and int(ids.max()) < len(terms)))
        )
        if not fits:
            raise IndexStateError(
                f"{folder}: the kept document words do not fit together; rebuild with `paravec index`"
            )
        return cls(terms, offsets, ids, counts, digests, analysis)


class ForwardBuilder:
    """Builds a `ForwardIndex` one text at a time (4 bytes of ids and 4 of counts per entry:
    no per-document objects are held while a large collection streams through)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._number: dict[str, int] = {}  # words in the order first seen
        self._ids = array("i")
        self._counts = array("i")
        self._sizes = array("q")
        self._keys: list[int] = []

    def add(self, text: str, digest: str) -> None:
        """Analyse the next slot's text."""
        words = Counter(self.analysis(text))
        number = self._number
        for word in words:
            if word not in number:
                number[word] = len(number)
        self._ids.extend(number[word] for word in words)
        self._counts.extend(words.values())
        self._sizes.append(len(words))
        self._keys.append(digest_key(digest))

    def finish(self) -> ForwardIndex:
        """The forward index of the texts added, words renumbered in the order of their strings."""
        seen = list(self._number)
        order = sorted(range(len(seen)), key=seen.__getitem__)
        rank = np.empty(len(seen), dtype=np.int32)
        rank[order] = np.arange(len(seen), dtype=np.int32)
        ids = rank[np.array(self._ids, dtype=np.int64)]
        counts = np.array(self._counts, dtype=np.int32)
        if not len(counts) or counts.max() <= np.iinfo(np.uint16).max:
            counts = counts.astype(np.uint16)  # half the disk; a word 65,536 times in one text keeps int32
        sizes = np.array(self._sizes, dtype=np.int64)
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        # Each slot's entries by ascending id: one stable sort by (slot, id) for all of them.
        by = np.lexsort((ids, np.repeat(np.arange(len(sizes)), sizes)))
        return ForwardIndex(
            [seen[i] for i in order],
            offsets,
            ids[by].astype(np.int32),
            counts[by],
            np.array(self._keys, dtype=np.uint64),
            self.analysis.to_dict(),
        )
