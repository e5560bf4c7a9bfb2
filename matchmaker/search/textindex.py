"""An in-memory substring index for CJK and Latin text (pure: no Flask, no DB).

Chinese has no spaces and most useful words are two characters, so a field is indexed by
its CJK character bigrams (a sorted numpy table of (bigram, document) pairs) and by its
Latin/digit words (a dictionary). A query term of n >= 2 CJK characters is answered by
intersecting the postings of its bigrams and confirming the substring on the few
candidates; a single character or a Latin prefix falls back to cheaper structures.

Storage is flat numpy arrays only (no Python object per document), so that a snapshot
(`matchmaker.snapshot`) can hold them and many processes can map the same pages:
- texts: one UTF-8 blob, each text followed by NUL, and the offset of each text;
- CJK bigrams: a sorted table of bigram codes, CSR offsets, and the sorted positions of
  the documents containing each bigram;
- Latin words: the sorted words as one UTF-8 blob with offsets, CSR offsets and positions.

Edits do not rebuild the tables: changed documents are masked out of them and their new
texts kept in a small overlay that is scanned directly, until it grows past a threshold.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import numpy as np

from matchmaker.snapshot import pack_strings, unpack_strings
from matchmaker.text import CJK_CLASS, CJK_RANGES, is_cjk

_WORD_RE = re.compile(rf"[{CJK_CLASS}]+|[^\W_{CJK_CLASS}]+")
_LATIN_RE = re.compile(rf"[^\W_{CJK_CLASS}]+")
_CHAR_BITS = 18  # every CJK code point (CJK_RANGES) is below 2 ** 18
_DOC_BITS = 27  # the sort key while building: up to 134 million documents
_DOC_MASK = (1 << _DOC_BITS) - 1
ARRAYS = ("text_blob", "text_offsets", "bigram_keys", "bigram_offsets", "bigram_docs",
          "word_blob", "word_offsets", "word_post_offsets", "word_docs")
_EMPTY = np.zeros(0, dtype=np.int32)


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


def _bigram_code(pair: str) -> int:
    return (ord(pair[0]) << _CHAR_BITS) | ord(pair[1])


def _csr(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys, offsets, values) from key-sorted (key, value) pairs."""
    if not len(keys):
        return np.zeros(0, keys.dtype), np.zeros(1, np.int64), values
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    offsets = np.append(starts, len(keys)).astype(np.int64)
    return keys[starts], offsets, values


def build_arrays(texts: list[str]) -> dict[str, np.ndarray]:
    """The tables of one field over these texts (position = list index)."""
    count = len(texts)
    if count > _DOC_MASK:
        raise ValueError("too many documents for one field index")
    encoded = [t.encode() for t in texts]
    text_offsets = np.zeros(count + 1, dtype=np.int64)
    if count:
        np.cumsum(np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=count), out=text_offsets[1:])
    text_blob = np.frombuffer(b"".join(e + b"\x00" for e in encoded), dtype=np.uint8).copy()
    del encoded
    # CJK bigrams, from the code points of all texts joined by NUL
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=count)
    codes = np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32)
    if len(codes) > 1:
        doc = np.repeat(np.arange(count, dtype=np.int64), lengths)[: len(codes)]
        cjk = _cjk_mask(codes)
        pair = cjk[:-1] & cjk[1:]
        first = codes[:-1][pair].astype(np.int64)
        second = codes[1:][pair].astype(np.int64)
        keys = np.unique((((first << _CHAR_BITS) | second) << _DOC_BITS) | doc[:-1][pair])
        bigram_keys, bigram_offsets, bigram_docs = _csr(keys >> _DOC_BITS, (keys & _DOC_MASK).astype(np.int32))
    else:
        bigram_keys, bigram_offsets, bigram_docs = np.zeros(0, np.int64), np.zeros(1, np.int64), _EMPTY
    # Latin words
    postings: dict[str, list[int]] = {}
    for position, text in enumerate(texts):
        for word in set(latin_words(text)):
            postings.setdefault(word, []).append(position)
    vocabulary = sorted(postings, key=str.encode)  # byte order: what the lookups bisect
    word_blob, word_offsets = pack_strings(vocabulary)
    word_post_offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    if vocabulary:
        np.cumsum([len(postings[w]) for w in vocabulary], out=word_post_offsets[1:])
    word_docs = (np.fromiter((p for w in vocabulary for p in postings[w]), dtype=np.int32,
                             count=int(word_post_offsets[-1])) if vocabulary else _EMPTY)
    return {"text_blob": text_blob, "text_offsets": text_offsets, "bigram_keys": bigram_keys.astype(np.int64),
            "bigram_offsets": bigram_offsets, "bigram_docs": bigram_docs, "word_blob": word_blob,
            "word_offsets": word_offsets, "word_post_offsets": word_post_offsets, "word_docs": word_docs}


class _Words:
    """The sorted vocabulary as a sequence of UTF-8 bytes (for bisect), decoded on access."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self.blob, self.offsets = blob, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> bytes:
        return self.blob[self.offsets[index] : self.offsets[index + 1]].tobytes()


class FieldIndex:
    """Substring search over one text field of every document (positions 0..n-1)."""

    REBUILD_AT = 2000

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._use(build_arrays(list(texts)))

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> FieldIndex:
        """An index over tables made by `build_arrays` (or read from a snapshot)."""
        index = cls.__new__(cls)
        index._use({name: arrays[name] for name in ARRAYS})
        return index

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The tables, the overlay folded in."""
        if self._delta:
            self._rebuild()
        return dict(self._t)

    def __len__(self) -> int:
        return self._size

    # ------------------------------------------------------------------ upkeep
    def _use(self, tables: dict[str, np.ndarray]) -> None:
        self._t = tables
        self._base_count = len(tables["text_offsets"]) - 1
        self._size = self._base_count
        self._delta: dict[int, str] = {}  # position -> its text now (changed or appended)
        self._stale = _EMPTY  # sorted positions of the base tables that the overlay replaces
        self._text_view = memoryview(tables["text_blob"])
        self._words = _Words(tables["word_blob"], tables["word_offsets"])
        self._vocab: list[str] | None = None

    def _rebuild(self) -> None:
        self._use(build_arrays([self.text(p) for p in range(self._size)]))

    def text(self, position: int) -> str:
        """One document's text now."""
        if position in self._delta:
            return self._delta[position]
        if position >= self._base_count:
            return ""
        offsets = self._t["text_offsets"]
        return self._t["text_blob"][offsets[position] : offsets[position + 1] - 1].tobytes().decode()

    def set(self, position: int, text: str) -> None:
        """Replace (or add, at any position past the end) one document's text."""
        self._delta[position] = text
        self._size = max(self._size, position + 1)
        if position < self._base_count:
            self._stale = np.union1d(self._stale, np.asarray([position], dtype=np.int32))
        if len(self._delta) > max(self.REBUILD_AT, self._base_count // 10):
            self._rebuild()

    def vocabulary(self) -> list[str]:
        """Latin words of the base table (for typo correction), decoded once."""
        if self._vocab is None:
            self._vocab = unpack_strings(self._t["word_blob"], self._t["word_offsets"])
        return self._vocab

    # ------------------------------------------------------------------ lookups
    def _fresh(self, positions: np.ndarray, delta_hits: Iterable[int]) -> np.ndarray:
        """The base table's sorted positions less those the overlay replaces, plus the
        overlay's hits. Both sides are sorted and the overlay small: merged by binary search
        (one pass over the postings), not by sorting them again - after a delta a broad
        term's postings (a fifth of a million rows) would be re-sorted on every query."""
        if len(positions) and len(self._stale):
            at = np.searchsorted(positions, self._stale)
            inside = at < len(positions)
            at = at[inside][positions[at[inside]] == self._stale[inside]]
            if len(at):
                positions = np.delete(positions, at)
        extra = np.asarray(sorted(set(delta_hits)), dtype=np.int64)
        if len(extra):
            positions = positions.astype(np.int64, copy=False)
            at = np.searchsorted(positions, extra)
            inside = at < len(positions)
            present = np.zeros(len(extra), dtype=bool)
            present[inside] = positions[at[inside]] == extra[inside]
            positions = np.insert(positions, at[~present], extra[~present])
        return positions

    def _bigram_postings(self, pair: str) -> np.ndarray:
        if ord(pair[0]) >> _CHAR_BITS or ord(pair[1]) >> _CHAR_BITS:
            return _EMPTY
        code = _bigram_code(pair)
        keys = self._t["bigram_keys"]
        found = int(np.searchsorted(keys, code))
        if found == len(keys) or keys[found] != code:
            return _EMPTY
        offsets = self._t["bigram_offsets"]
        return self._t["bigram_docs"][offsets[found] : offsets[found + 1]]

    def _contains(self, position: int, pattern: re.Pattern) -> bool:
        """Whether the base table's text at `position` contains the pattern (no decoding)."""
        offsets = self._t["text_offsets"]
        return pattern.search(self._text_view, int(offsets[position]), int(offsets[position + 1])) is not None

    def cjk(self, term: str) -> np.ndarray:
        """Sorted positions of documents whose text contains `term` (folded, no spaces)."""
        if not term:
            return np.zeros(0, dtype=np.int64)
        if len(term) == 1 or not all(is_cjk_char(c) for c in term):
            base = self._scan(term)
        elif len(term) == 2:
            base = self._bigram_postings(term)
        else:
            base = self._confirmed(term)
        return self._fresh(base, (p for p, text in self._delta.items() if term in text))

    CONFIRMED_CACHE = 2_000_000  # positions kept of confirmed longer terms (int32: 8 MB)

    def _confirmed(self, term: str) -> np.ndarray:
        """The base table's documents whose text has a term of 3+ characters: the candidates
        with every bigram of it (intersected postings), then the term itself checked in each
        candidate's text. Checking is a Python test per candidate, so the answer is kept per
        term until the table is rebuilt: the same labels come back in query after query
        (光伏 brings 农光互补, 太阳能 ...), and a kept answer needs no intersection either.
        Positions changed since the build are stale and dropped by `_fresh` whatever the
        cache holds."""
        if getattr(self, "_confirmed_of", None) is not self._t:
            self._confirmed_terms: dict[str, np.ndarray] = {}
            self._confirmed_size, self._confirmed_of = 0, self._t
        found = self._confirmed_terms.get(term)
        if found is None:
            pairs = sorted({term[i : i + 2] for i in range(len(term) - 1)})
            lists = sorted((self._bigram_postings(p) for p in pairs), key=len)
            candidates = lists[0]
            for other in lists[1:]:
                if not len(candidates):
                    break
                candidates = _intersect(candidates, other)
            pattern = re.compile(re.escape(term.encode()))
            found = np.asarray([p for p in candidates.tolist() if self._contains(p, pattern)], dtype=np.int32)
            if self._confirmed_size + len(found) > self.CONFIRMED_CACHE:
                self._confirmed_terms.clear()
                self._confirmed_size = 0
            self._confirmed_terms[term] = found
            self._confirmed_size += len(found)
            found.flags.writeable = False
        return found

    def _scan(self, term: str) -> np.ndarray:
        pattern = re.compile(re.escape(term.encode()))
        found = [m.start() for m in pattern.finditer(self._text_view)]
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.searchsorted(self._t["text_offsets"], np.asarray(found), side="right") - 1)

    def bigram_counts(self, term: str) -> tuple[np.ndarray, np.ndarray, int]:
        """For typo tolerance: (positions, number of the term's bigrams each contains, bigrams)."""
        pairs = sorted({term[i : i + 2] for i in range(len(term) - 1)})
        parts = [self._fresh(self._bigram_postings(p), (q for q, text in self._delta.items() if p in text))
                 for p in pairs]
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
        # each list is unique: a count per document (linear), not a sort of them all
        every = np.bincount(np.concatenate(parts), minlength=len(self))
        positions = np.flatnonzero(every)
        return positions, every[positions], len(pairs)

    def _word_postings(self, index: int) -> np.ndarray:
        offsets = self._t["word_post_offsets"]
        return self._t["word_docs"][offsets[index] : offsets[index + 1]]

    def latin(self, word: str, *, prefix: bool) -> np.ndarray:
        """Positions of documents with a Latin word equal to (or starting with) `word`."""
        key = word.encode()
        start = bisect.bisect_left(self._words, key)
        if prefix:
            arrays = []
            for index in range(start, len(self._words)):
                if not self._words[index].startswith(key):
                    break
                arrays.append(self._word_postings(index))
            if len(arrays) > 1:  # a mask, not a sort of every posting ('zuny': zunyi, zunyishi ...)
                mask = np.zeros(len(self), dtype=bool)
                for array in arrays:
                    mask[array] = True
                base = np.flatnonzero(mask)
            else:
                base = arrays[0] if arrays else np.zeros(0, np.int64)
        elif start < len(self._words) and self._words[start] == key:
            base = self._word_postings(start)
        else:
            base = np.zeros(0, np.int64)

        def hit(text: str) -> bool:
            found = latin_words(text)
            return any(w.startswith(word) for w in found) if prefix else word in found

        return self._fresh(base, (p for p, text in self._delta.items() if hit(text)))
