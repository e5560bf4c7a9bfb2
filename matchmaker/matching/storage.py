"""The matching matrix as flat arrays: what its snapshot holds, and a matrix read back from
them without a Python object per project (pure: numpy, no Flask, no database).

`to_arrays(matrix)` gives the per-project columns the scorer reads (sector, region,
prefecture, amount and mode cells), the project texts and names as UTF-8 blobs with
offsets, the exact amounts sought as strings, each project's distinct text tokens as CSR
(offsets + sorted token ids) and the token table (sorted tokens with their ids); the small
vocabularies go in the metadata. `from_arrays` gives a `ProjectMatrix` whose `projects`,
`texts` and `token_ids` are read-only views over those arrays (a project's features are
made when a match needs its reasons), so a process that maps a snapshot holds no
per-project objects and shares the pages with every other worker. Text similarity on such
a matrix is counted over the token CSR (`TokenTexts.shared_counts`: the same number the
LCS of the encoded strings gives, as both are sorted distinct token ids).

A delta applied in place (`ProjectMatrix.apply`) to a matrix read this way writes the
cells it changes into the mapping itself (private copy-on-write pages: a changed row costs
this process the page it is on, never a copy of a column), new projects go into spare rows
the snapshot keeps at the end of every column (`spare_rows`), and the projects and texts it
changes or adds are kept in an overlay over these views. The candidate index (`CandidateIndex.to_arrays`:
`index_*` arrays, its size in the metadata) is stored too when it covers exactly the rows
written, so a worker started from a snapshot does not build it.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from matchmaker.matching.candidates import CandidateIndex
from matchmaker.matching.scorer import _TOKEN_BASE, NONE, ProjectFeatures, ProjectMatrix, SectorTree
from matchmaker.reference.glossary import Glossary
from matchmaker.snapshot import pack_strings, unpack_string

VERSION = 2  # 2: spare rows at the end of each column
COLUMNS = ("sector_idx", "region_idx", "prefecture_idx", "log_sought", "mode_idx", "mode_unstated")
PADDED = ("ids", *COLUMNS)  # the per-row columns stored with spare rows


def spare_rows(count: int) -> int:
    """Rows kept free at the end of each column for the projects deltas add (about 1.5 %:
    15,625 at a million, a few hundred KiB of the file)."""
    return max(1024, count // 64)


def glossary_fingerprint(glossary: Glossary | None) -> str | None:
    """Which glossary made the concept tokens (a snapshot made with another is not read)."""
    if glossary is None:
        return None
    return hashlib.sha256(repr(glossary.terms).encode()).hexdigest()[:32]


class ProjectRows(Sequence[ProjectFeatures]):
    """The projects of an array-backed matrix, each made on access from the columns."""

    def __init__(self, arrays: Mapping[str, np.ndarray], sector_vocab: list[str],
                 region_vocab: list[str], mode_vocab: list[str]) -> None:
        self.a = arrays
        self.sector_vocab, self.region_vocab, self.mode_vocab = sector_vocab, region_vocab, mode_vocab
        self.count = len(arrays["ids"])

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, position):  # type: ignore[override]
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(self.count))]
        if position < 0:
            position += self.count
        if not 0 <= position < self.count:
            raise IndexError(position)
        a = self.a
        sought = unpack_string(a["sought_blob"], a["sought_offsets"], position)
        region, prefecture = int(a["region_idx"][position]), int(a["prefecture_idx"][position])
        return ProjectFeatures(
            id=int(a["ids"][position]),
            name=unpack_string(a["name_blob"], a["name_offsets"], position),
            sectors=tuple(self.sector_vocab[i] for i in a["sector_idx"][position].tolist() if i != NONE),
            region_code=self.region_vocab[region] if region != NONE else None,
            prefecture_code=self.region_vocab[prefecture] if prefecture != NONE else None,
            investment_sought_yuan=Decimal(sought) if sought else None,
            modes=tuple(self.mode_vocab[i] for i in a["mode_idx"][position].tolist() if i != NONE),
            text=unpack_string(a["text_blob"], a["text_offsets"], position),
        )

    def __iter__(self) -> Iterator[ProjectFeatures]:
        return (self[i] for i in range(self.count))


class TokenTexts(Sequence[str]):
    """Each project's encoded token string (as `ProjectMatrix.texts` holds them), made on
    access from the token CSR; `shared_counts` counts shared tokens without making any."""

    def __init__(self, offsets: np.ndarray, tokens: np.ndarray) -> None:
        self.offsets, self.tokens = offsets, tokens

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, position):  # type: ignore[override]
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        ids = self.tokens[self.offsets[position] : self.offsets[position + 1]]
        return (ids.astype(np.uint32) + _TOKEN_BASE).tobytes().decode("utf-32-le")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))

    def shared_counts(self, wanted: Sequence[int], rows: Sequence[int] | None = None) -> np.ndarray:
        """How many of the token ids `wanted` each project (of `rows`, default all) holds."""
        wanted_ids = np.unique(np.asarray(list(wanted), dtype=np.int32))
        offsets = self.offsets
        if rows is None:
            starts, ends, flat = offsets[:-1], offsets[1:], self.tokens
            base = starts
        else:
            rows = np.asarray(rows, dtype=np.int64)
            starts, ends = offsets[rows], offsets[rows + 1]
            lengths = ends - starts
            segment = np.repeat(np.arange(len(rows)), lengths)
            within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            flat = self.tokens[starts[segment] + within] if len(segment) else self.tokens[:0]
            base = np.cumsum(lengths) - lengths
            ends = base + lengths
        if not len(wanted_ids) or not len(flat):
            return np.zeros(len(starts), dtype=np.int32)
        hit = np.isin(flat, wanted_ids)
        running = np.concatenate(([0], np.cumsum(hit, dtype=np.int64)))
        return (running[ends] - running[base]).astype(np.int32)


class TokenTable(MutableMapping[str, int]):
    """The token -> id table of an array-backed matrix: the snapshot's sorted tokens
    (binary search) plus, in a small dict, tokens a delta added."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, ids: np.ndarray) -> None:
        self.blob, self.offsets, self.ids = blob, offsets, ids
        self.added: dict[str, int] = {}

    def _key(self, index: int) -> bytes:
        return self.blob[self.offsets[index] : self.offsets[index + 1]].tobytes()

    class _Keys(Sequence[bytes]):
        def __init__(self, table: TokenTable) -> None:
            self.table = table

        def __len__(self) -> int:
            return len(self.table.ids)

        def __getitem__(self, index):  # type: ignore[override]
            return self.table._key(index)

    def __getitem__(self, token: str) -> int:
        found = self.added.get(token)
        if found is not None:
            return found
        key = token.encode()
        index = bisect.bisect_left(TokenTable._Keys(self), key)
        if index < len(self.ids) and self._key(index) == key:
            return int(self.ids[index])
        raise KeyError(token)

    def __setitem__(self, token: str, token_id: int) -> None:
        self.added[token] = token_id

    def __delitem__(self, token: str) -> None:
        raise TypeError("tokens are never removed")

    def __len__(self) -> int:
        return len(self.ids) + len(self.added)

    def __iter__(self) -> Iterator[str]:
        for index in range(len(self.ids)):
            yield self._key(index).decode()
        yield from self.added


def to_arrays(matrix: ProjectMatrix) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """(arrays, metadata) of the matrix, for `matchmaker.snapshot.write`."""
    positions = matrix.live_positions()  # rows removed by deltas left out, in id order
    projects = list(matrix.projects)
    columns: dict[str, np.ndarray] = {"ids": np.asarray([p.id for p in projects], dtype=np.int64)}
    for name in COLUMNS:
        columns[name] = np.asarray(getattr(matrix, name))[positions]
    arrays: dict[str, np.ndarray] = {}
    for name, column in columns.items():  # followed by spare rows (zeros) for new projects
        arrays[name] = np.zeros((len(column) + spare_rows(len(column)), *column.shape[1:]), dtype=column.dtype)
        arrays[name][: len(column)] = column
    for name, values in (("name", [p.name for p in projects]), ("text", [p.text for p in projects]),
                         ("sought", ["" if p.investment_sought_yuan is None else str(p.investment_sought_yuan)
                                     for p in projects])):
        arrays[f"{name}_blob"], arrays[f"{name}_offsets"] = pack_strings(values)
    texts = [matrix.texts[int(i)] for i in positions]
    token_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    if texts:
        np.cumsum(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)), out=token_offsets[1:])
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    arrays["token_offsets"], arrays["tokens"] = token_offsets, (codes - _TOKEN_BASE).astype(np.int32)
    vocabulary = sorted(matrix.token_ids.items(), key=lambda item: item[0].encode())
    arrays["token_blob"], arrays["token_key_offsets"] = pack_strings([token for token, _id in vocabulary])
    arrays["token_ids"] = np.asarray([token_id for _token, token_id in vocabulary], dtype=np.int32)
    index = matrix.__dict__.get("_index")
    if index is not None and not len(matrix._stale) and len(positions) == index.size == len(matrix.live):
        # the candidate index of these very rows (none removed, added or changed since)
        index_arrays, index_meta = index.to_arrays()
        arrays.update(index_arrays)
    else:
        index_meta = None  # a matrix read back builds it at first use
    meta = {"index": index_meta, "count": len(projects), "sector_vocab": list(matrix.sector_vocab),
            "region_vocab": list(matrix.region_vocab), "mode_vocab": list(matrix.mode_vocab),
            "prefecture_of": dict(matrix.prefecture_of), "glossary": glossary_fingerprint(matrix.glossary)}
    return arrays, meta


def from_arrays(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any], sector_tree: SectorTree,
                region_names: Mapping[str, tuple[str, str]], glossary: Glossary | None) -> ProjectMatrix:
    """A matrix over the arrays as they are (mapped pages), answering as the matrix they
    were made from. ValueError when they were made with another glossary."""
    if meta.get("glossary") != glossary_fingerprint(glossary):
        raise ValueError("the snapshot was made with another glossary")
    matrix = ProjectMatrix([], sector_tree, region_names, glossary)  # every attribute at its empty state
    matrix.sector_vocab, matrix.region_vocab = list(meta["sector_vocab"]), list(meta["region_vocab"])
    matrix.mode_vocab, matrix.prefecture_of = list(meta["mode_vocab"]), dict(meta["prefecture_of"])
    count = int(meta["count"])
    rows = {name: arrays[name][:count] for name in PADDED}  # the spare rows past them
    for name in COLUMNS:
        setattr(matrix, name, rows[name])
    matrix.ids = rows["ids"]
    # new projects go into the spare rows (`ProjectMatrix._grow` uses these as its buffers)
    live = np.ones(len(arrays["ids"]), dtype=bool)
    matrix.live = live[:count]
    matrix._buffers = {"_id_key": arrays["ids"], "live": live, **{name: arrays[name] for name in COLUMNS}}
    matrix.projects = ProjectRows({**arrays, **rows}, matrix.sector_vocab, matrix.region_vocab,
                                  matrix.mode_vocab)
    matrix.texts = TokenTexts(arrays["token_offsets"], arrays["tokens"])
    matrix.token_ids = TokenTable(arrays["token_blob"], arrays["token_key_offsets"], arrays["token_ids"])
    if meta.get("index"):
        matrix._index = CandidateIndex.from_arrays(arrays, meta["index"])
    return matrix
