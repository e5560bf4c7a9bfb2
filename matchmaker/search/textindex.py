"""An in-memory substring index for CJK and Latin text (pure: no Flask, no DB).

Chinese has no spaces and most useful words are two characters, so a field is indexed by
its CJK character bigrams (a sorted numpy table of (bigram, document) pairs) and by its
Latin/digit words (a dictionary). A query term of n >= 2 CJK characters is answered by
intersecting the postings of its bigrams and confirming the substring on the few
candidates; a single character or a Latin prefix falls back to cheaper structures.

Edits do not rebuild the tables: changed documents are masked out of them and kept in a
small "delta" set that is scanned directly, until the delta grows past a threshold.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import numpy as np

from matchmaker.text import CJK_CLASS, CJK_RANGES, is_cjk

_WORD_RE = re.compile(rf"[{CJK_CLASS}]+|[^\W_{CJK_CLASS}]+")
_LATIN_RE = re.compile(rf"[^\W_{CJK_CLASS}]+")
_DOC_BITS = 21  # up to 2,097,152 documents per table
_DOC_MASK = (1 << _DOC_BITS) - 1


def is_cjk_char(char: str) -> bool:
    return len(char) == 1 and is_cjk(char)


def words(folded: str) -> list[str]:
    """CJK runs and Latin/digit words of folded text, in order."""
    return _WORD_RE.findall(folded)


def latin_words(folded: str) -> list[str]:
    return _LATIN_RE.findall(folded)


def _cjk_mask(codes: np.ndarray) -> np.ndarray:
    mask = np.zeros(codes.shape, dtype=bool)
    for low, high in CJK_RANGES:
        mask |= (codes >= low) & (codes <= high)
    return mask


def _intersect(small: np.ndarray, large: np.ndarray) -> np.ndarray:
    """Sorted unique arrays: the elements of `small` also in `large` (a binary search of
    each, not a sort of both)."""
    if not len(small) or not len(large):
        return small[:0]
    found = np.searchsorted(large, small)
    found[found == len(large)] = 0
    return small[large[found] == small]


def _bigram_key(pair: str) -> int:
    return ((ord(pair[0]) << 21) | ord(pair[1])) << _DOC_BITS


class FieldIndex:
    """Substring search over one text field of every document (positions 0..n-1)."""

    REBUILD_AT = 2000

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self.texts: list[str] = list(texts)
        self._build()

    def __len__(self) -> int:
        return len(self.texts)

    # ------------------------------------------------------------------ upkeep
    def _build(self) -> None:
        texts = self.texts
        count = len(texts)
        if count > _DOC_MASK:
            raise ValueError("too many documents for one field index")
        self._base_count = count
        self._stale = np.zeros(count, dtype=bool)
        self._delta: set[int] = set()
        joined = "\x00".join(texts)
        self._joined = joined
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=count)
        self._offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if count else np.zeros(0, np.int64)
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        if len(codes) > 1:
            doc = np.repeat(np.arange(count, dtype=np.int64), lengths)[: len(codes)]
            cjk = _cjk_mask(codes)
            pair = cjk[:-1] & cjk[1:]
            first = codes[:-1][pair].astype(np.int64)
            second = codes[1:][pair].astype(np.int64)
            keys = (((first << 21) | second) << _DOC_BITS) | doc[:-1][pair]
            self._bigrams = np.unique(keys)
        else:
            self._bigrams = np.zeros(0, dtype=np.int64)
        postings: dict[str, list[int]] = {}
        for position, text in enumerate(texts):
            for word in set(latin_words(text)):
                postings.setdefault(word, []).append(position)
        self._latin = {w: np.asarray(p, dtype=np.int64) for w, p in postings.items()}
        self._vocab = sorted(self._latin)

    def set(self, position: int, text: str) -> None:
        """Replace (or append, at position == len) one document's text."""
        if position == len(self.texts):
            self.texts.append(text)
        else:
            self.texts[position] = text
        self._delta.add(position)
        if position < self._base_count:
            self._stale[position] = True
        if len(self._delta) > max(self.REBUILD_AT, self._base_count // 10):
            self._build()

    def vocabulary(self) -> list[str]:
        """Latin words of the base table (for typo correction)."""
        return self._vocab

    # ------------------------------------------------------------------ lookups
    def _fresh(self, positions: np.ndarray, delta_hits: Iterable[int]) -> np.ndarray:
        if len(positions) and self._delta:
            positions = positions[~self._stale[positions]]
        extra = sorted(delta_hits)
        if extra:
            positions = np.union1d(positions, np.asarray(extra, dtype=np.int64))
        return positions

    def _bigram_postings(self, pair: str) -> np.ndarray:
        key = _bigram_key(pair)
        low = np.searchsorted(self._bigrams, key)
        high = np.searchsorted(self._bigrams, key + (1 << _DOC_BITS))
        return self._bigrams[low:high] & _DOC_MASK

    def cjk(self, term: str) -> np.ndarray:
        """Sorted positions of documents whose text contains `term` (folded, no spaces)."""
        if not term:
            return np.zeros(0, dtype=np.int64)
        if len(term) == 1 or not all(is_cjk_char(c) for c in term):
            base = self._scan(term)
        else:
            pairs = sorted({term[i : i + 2] for i in range(len(term) - 1)})
            lists = sorted((self._bigram_postings(p) for p in pairs), key=len)
            base = lists[0]
            for other in lists[1:]:
                if not len(base):
                    break
                base = _intersect(base, other)
            if len(term) > 2 and len(base):
                base = self._confirmed(term, base)
        return self._fresh(base, (p for p in self._delta if term in self.texts[p]))

    CONFIRMED_CACHE = 2_000_000  # positions kept of confirmed longer terms (int32: 8 MB)

    def _confirmed(self, term: str, candidates: np.ndarray) -> np.ndarray:
        """The candidates (documents with every bigram of a term of 3+ characters) whose text
        has the term itself. Checking is a Python test per candidate, so the answer for the
        base table is kept per term until the table is rebuilt: the same labels come back in
        query after query (光伏 brings 农光互补, 太阳能 ...). Positions changed since the build
        are stale and dropped by `_fresh` whatever the cache holds."""
        if getattr(self, "_confirmed_of", None) is not self._bigrams:
            self._confirmed_terms: dict[str, np.ndarray] = {}
            self._confirmed_size, self._confirmed_of = 0, self._bigrams
        found = self._confirmed_terms.get(term)
        if found is None:
            texts = self.texts
            found = np.asarray([p for p in candidates.tolist() if term in texts[p]], dtype=np.int32)
            if self._confirmed_size + len(found) > self.CONFIRMED_CACHE:
                self._confirmed_terms.clear()
                self._confirmed_size = 0
            self._confirmed_terms[term] = found
            self._confirmed_size += len(found)
        return found.astype(np.int64)

    def _scan(self, term: str) -> np.ndarray:
        found = [m.start() for m in re.finditer(re.escape(term), self._joined)]
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.searchsorted(self._offsets, np.asarray(found), side="right") - 1)

    def bigram_counts(self, term: str) -> tuple[np.ndarray, np.ndarray, int]:
        """For typo tolerance: (positions, number of the term's bigrams each contains, bigrams)."""
        pairs = sorted({term[i : i + 2] for i in range(len(term) - 1)})
        parts = [self._fresh(self._bigram_postings(p), (q for q in self._delta if p in self.texts[q])) for p in pairs]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
        # each list is unique: a count per document (linear), not a sort of them all
        every = np.bincount(np.concatenate(parts), minlength=len(self.texts))
        positions = np.flatnonzero(every)
        return positions, every[positions], len(pairs)

    def latin(self, word: str, *, prefix: bool) -> np.ndarray:
        """Positions of documents with a Latin word equal to (or starting with) `word`."""
        if prefix:
            start = bisect.bisect_left(self._vocab, word)
            arrays = []
            for candidate in self._vocab[start:]:
                if not candidate.startswith(word):
                    break
                arrays.append(self._latin[candidate])
            if len(arrays) > 1:  # a mask, not a sort of every posting ('zuny': zunyi, zunyishi ...)
                mask = np.zeros(len(self), dtype=bool)
                for array in arrays:
                    mask[array] = True
                base = np.flatnonzero(mask)
            else:
                base = arrays[0] if arrays else np.zeros(0, np.int64)
        else:
            base = self._latin.get(word, np.zeros(0, np.int64))

        def hit(position: int) -> bool:
            found = latin_words(self.texts[position])
            return any(w.startswith(word) for w in found) if prefix else word in found

        return self._fresh(base, (p for p in self._delta if hit(p)))
