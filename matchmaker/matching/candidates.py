"""The candidate index of a ProjectMatrix: which projects can reach a score, without
scoring the catalogue.

Pure (numpy only). Every array is a plain numpy array, so the index can be stored with the
matrix's own arrays (a snapshot) and read back as it is:

- `Postings` (CSR): `offsets` (int64, one more than the keys) and `rows` (int32 matrix
  positions, grouped by key); the rows of key k are `rows[offsets[k]:offsets[k + 1]]`.
  One per sector vocabulary index (`sector`), county and prefecture index (`region`,
  `prefecture`), cooperation mode index (`mode`), and token id (`token`, the keyword
  postings, read from the matrix's own token strings);
- `mode_unstated` (int32 positions), `amount_order` (int32 positions sorted by log10 of the
  amount sought, the projects stating none last) and `amount_sorted` (float64, the same
  values in that order), so a ticket band is one contiguous slice;
- `token_frequent` (bool per token id): tokens in more than `FREQUENT_SHARE` of the
  projects get no postings (they select little and would hold much of the memory); a bound
  counts them as present everywhere.

The index covers positions `0 .. size - 1` as they were when it was built; the matrix
tells the query which positions changed since (those are always candidates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

FREQUENT_SHARE = 0.2  # tokens in more projects than this share get no postings
_TOKEN_BASE = 0x10000  # as in the scorer: token id i is the code point _TOKEN_BASE + i


@dataclass(frozen=True)
class Postings:
    offsets: np.ndarray  # int64, len(keys) + 1
    rows: np.ndarray  # int32 positions grouped by key

    @classmethod
    def build(cls, keys: np.ndarray, rows: np.ndarray, key_count: int) -> Postings:
        """From parallel arrays (key, position); negative keys (no value) are left out."""
        keep = keys >= 0
        keys, rows = keys[keep], rows[keep]
        order = _group_order(keys)
        counts = np.bincount(keys, minlength=key_count)[:key_count] if len(keys) else np.zeros(key_count, np.int64)
        offsets = np.zeros(key_count + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(offsets, rows[order].astype(np.int32))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def size(self, keys: Iterable[int]) -> int:
        """How many entries the keys hold (the size of their union, or more)."""
        return sum(self.count(k) for k in keys)

    def count(self, key: int) -> int:
        return int(self.offsets[key + 1] - self.offsets[key]) if 0 <= key < len(self) else 0

    def of(self, key: int) -> np.ndarray:
        if not 0 <= key < len(self):
            return self.rows[:0]
        return self.rows[self.offsets[key] : self.offsets[key + 1]]

    @property
    def nbytes(self) -> int:
        return self.offsets.nbytes + self.rows.nbytes


def _group_order(keys: np.ndarray) -> np.ndarray:
    """A stable order grouping equal keys (two 16-bit radix passes: linear time)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    unsigned = keys.astype(np.uint32)
    order = np.argsort((unsigned & 0xFFFF).astype(np.uint16), kind="stable")
    if int(unsigned.max()) > 0xFFFF:
        order = order[np.argsort((unsigned[order] >> 16).astype(np.uint16), kind="stable")]
    return order


@dataclass(frozen=True)
class CandidateIndex:
    size: int
    sector: Postings
    region: Postings
    prefecture: Postings
    mode: Postings
    mode_unstated: np.ndarray
    amount_order: np.ndarray
    amount_sorted: np.ndarray
    token: Postings
    token_frequent: np.ndarray
    amount_known: int  # projects stating an amount (the first ones of amount_order)

    ARRAYS = ("sector", "region", "prefecture", "mode", "mode_unstated", "amount_order",
              "amount_sorted", "token", "token_frequent")

    @classmethod
    def build(
        cls,
        *,
        sector_idx: np.ndarray,
        sector_count: int,
        region_idx: np.ndarray,
        prefecture_idx: np.ndarray,
        region_count: int,
        mode_idx: np.ndarray,
        mode_count: int,
        mode_unstated: np.ndarray,
        log_sought: np.ndarray,
        texts: Sequence[str],
        token_count: int,
        token_csr: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> CandidateIndex:
        """`token_csr` (offsets, token ids), when the texts are stored that way already
        (a snapshot's), saves making every text string."""
        size = len(region_idx)
        positions = np.arange(size, dtype=np.int32)

        def per_cell(array: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return array.ravel(), np.repeat(positions, array.shape[1])

        amount_order = np.argsort(log_sought, kind="stable").astype(np.int32)  # NaN last
        if token_csr is not None:
            lengths = np.diff(token_csr[0]).astype(np.int64)
            tokens = token_csr[1][token_csr[0][0] : token_csr[0][-1]].astype(np.int64)
        else:
            lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=size)
            flat = "".join(texts).encode("utf-32-le")
            tokens = np.frombuffer(flat, dtype=np.uint32).astype(np.int64) - _TOKEN_BASE
        owners = np.repeat(positions, lengths)
        frequency = np.bincount(tokens, minlength=token_count)[:token_count] if len(tokens) else np.zeros(token_count, np.int64)
        frequent = frequency > max(FREQUENT_SHARE * size, 64)
        indexed = ~frequent[tokens] if len(tokens) else np.zeros(0, dtype=bool)
        return cls(
            size=size,
            sector=Postings.build(*per_cell(sector_idx), sector_count),
            region=Postings.build(region_idx, positions, region_count),
            prefecture=Postings.build(prefecture_idx, positions, region_count),
            mode=Postings.build(*per_cell(mode_idx), mode_count),
            mode_unstated=np.flatnonzero(mode_unstated).astype(np.int32),
            amount_order=amount_order,
            amount_sorted=log_sought[amount_order],
            token=Postings.build(tokens[indexed], owners[indexed], token_count),
            token_frequent=frequent,
            amount_known=int((~np.isnan(log_sought)).sum()),
        )

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self.ARRAYS)

    def to_arrays(self, prefix: str = "index_") -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """(arrays, metadata) to store with the matrix (a snapshot); `from_arrays` reads them."""
        arrays: dict[str, np.ndarray] = {}
        for name in self.ARRAYS:
            value = getattr(self, name)
            if isinstance(value, Postings):
                arrays[f"{prefix}{name}_offsets"], arrays[f"{prefix}{name}_rows"] = value.offsets, value.rows
            else:
                arrays[f"{prefix}{name}"] = value
        return arrays, {"size": self.size, "amount_known": self.amount_known}

    @classmethod
    def from_arrays(cls, arrays, meta: dict[str, int], prefix: str = "index_") -> CandidateIndex:
        fields: dict = {"size": int(meta["size"]), "amount_known": int(meta["amount_known"])}
        for name in cls.ARRAYS:
            if f"{prefix}{name}" in arrays:
                fields[name] = arrays[f"{prefix}{name}"]
            else:
                fields[name] = Postings(arrays[f"{prefix}{name}_offsets"], arrays[f"{prefix}{name}_rows"])
        return cls(**fields)

    # -- the sets a bound needs --

    def amount_slice(self, low: float, high: float) -> tuple[int, int]:
        """Positions into `amount_order` of the projects whose log10 amount is in [low, high]."""
        values = self.amount_sorted[: self.amount_known]
        return int(np.searchsorted(values, low, "left")), int(np.searchsorted(values, high, "right"))

    def amount_unknown(self) -> np.ndarray:
        return self.amount_order[self.amount_known :]


def union(parts: Sequence[np.ndarray], total: int, *, ordered: bool = False) -> np.ndarray:
    """Sorted distinct positions of these arrays (positions < total; `ordered`: each part
    is sorted and distinct already, as one key's postings are)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return np.zeros(0, dtype=np.int64)
    if len(parts) == 1:
        return parts[0].astype(np.int64) if ordered else np.sort(parts[0]).astype(np.int64)
    size = sum(len(p) for p in parts)
    if size * 16 < total:
        return np.unique(np.concatenate(parts)).astype(np.int64)
    mask = np.zeros(total, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask)
