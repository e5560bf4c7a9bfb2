"""The search service's pure core: an in-memory index of projects, ranking, facets,
similar projects, highlighting and the explanation of an empty result.

No Flask, no database: `SearchIndex` is fed `Document`s (see `matchmaker.search.index`
for the database adapter) and answers `SearchRequest`s with `SearchResult`s.

Ranking, per query part (the best field wins; the parts add up):
    name 100 > sector 60 = region 60 > content 30  (exact)
    name 25 > sector 20 = region 20 > content 10   (typo-tolerant, only when exact finds nothing)
plus 20 when the whole Chinese query appears in the name. Ties: project id ascending.
Every exact field score is above every fuzzy one, so an exact hit outranks a fuzzy one.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from matchmaker.i18n import N_, Message
from matchmaker.reference.glossary import Glossary
from matchmaker.reference.vocabulary import CooperationMode, InvestmentBand
from matchmaker.search.query import (
    MAX_QUERY_CHARS,
    STOPWORDS,
    Concept,
    Part,
    Vocabulary,
    parse,
    prefix_root,
    stem,
)
from matchmaker.search.textindex import FieldIndex, is_cjk_char
from matchmaker.text import fold, fold_char

NAME, SECTOR, REGION, CONTENT = 100, 60, 60, 30
NAME_FUZZY, SECTOR_FUZZY, REGION_FUZZY, CONTENT_FUZZY = 25, 20, 20, 10
PHRASE_BONUS = 20
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20
SORTS = ("relevance", "sought_desc", "sought_asc", "newest")
STATUSES = ("open", "negotiating", "signed", "withdrawn")
FEN_PER_YI = 10_000_000_000
BANDS: tuple[InvestmentBand, ...] = tuple(InvestmentBand)
BAND_CODES = tuple(b.value for b in BANDS)
MODES: tuple[CooperationMode, ...] = tuple(CooperationMode)


class SearchError(ValueError):
    """A request the service refuses (the API answers 400); `message` is translatable."""

    def __init__(self, message: Message, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Document:
    project_id: int
    visible: bool  # its catalogue is published (and the project exists)
    name: str  # folded name and English name
    content: str  # folded construction content, location, outlook, owner, code ...
    sector_codes: tuple[str, ...]
    region_code: str | None
    sought_fen: int
    modes: tuple[str, ...]
    status: str
    created_key: int  # sortable creation time


@dataclass
class SearchRequest:
    q: str = ""
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    min_sought_fen: int | None = None
    max_sought_fen: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def filters_active(self) -> bool:
        return bool(self.sectors or self.regions or self.modes or self.statuses or self.bands
                    or self.min_sought_fen is not None or self.max_sought_fen is not None)


@dataclass(frozen=True)
class Hit:
    project_id: int
    score: int
    fields: tuple[str, ...]  # which fields matched: name, sector, region, content


@dataclass(frozen=True)
class Suggestion:
    message: Message
    changes: dict  # URL parameters to set (None removes one)
    count: int


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict
    parts: list[Part]
    corrections: list[tuple[str, str]] = field(default_factory=list)
    explanation: list[Message] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    def highlight_terms(self) -> list[str]:
        terms: set[str] = set()
        for part in self.parts:
            terms |= part.highlight
        return sorted(terms, key=len, reverse=True)


def fen(yuan: Decimal) -> int:
    return int((Decimal(yuan) * 100).to_integral_value())


class SearchIndex:
    """Every project's searchable form, held in memory by one process."""

    def __init__(self, taxonomy, gazetteer, glossary: Glossary | None = None) -> None:
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer
        # The bilingual bridge (reference.glossary): a part naming a term also finds the
        # term's words in the other language ('hydrogen' finds 氢能, '数据中心' data center).
        self.glossary = glossary
        self._terms: dict[int, frozenset[str]] = {}  # glossary terms of a row's name (similar)
        self.vocabulary = Vocabulary(taxonomy, gazetteer)
        self.sector_codes = [s.code for s in _walk_sectors(taxonomy)]
        self.sector_bit = {code: i for i, code in enumerate(self.sector_codes)}
        if len(self.sector_codes) > 63:
            raise ValueError("the sector taxonomy has more than 63 nodes")
        self.prefectures = [r.code for r in gazetteer.prefectures()]
        self.region_codes = [r.code for r in gazetteer]
        self.region_index = {code: i for i, code in enumerate(self.region_codes)}
        self.modes = MODES
        self._lookup: tuple | None = None
        self.names = FieldIndex()
        self.contents = FieldIndex()
        self._masks: dict[tuple, np.ndarray] = {}
        self._masks_of: dict | None = None  # the arrays the cached masks were computed on
        self._choices_for: tuple | None = None  # (names vocabulary, with digits, without)
        self._use_columns(self._columns([]), 0)
        self.token: str | None = None
        self.generation: int = 0
        self.snapshot_token: tuple | None = None  # (file, token) of the snapshot written or read

    # ------------------------------------------------------------------ upkeep
    # Storage: one numpy column per attribute (`_COLUMNS`, plus the band and the facet cell),
    # `capacity` rows of which the first `size` are documents and the rest free (invisible)
    # headroom for new ones; a row's position never changes. No Python object per document:
    # the columns, the facet cells' table and the two FieldIndex tables are all a snapshot
    # holds (`to_arrays` / `from_arrays`), and a delta writes its rows in place (into the
    # headroom for new documents).
    def load(self, documents: Iterable[Document]) -> None:
        """Replace everything (a full load)."""
        docs = list(documents)
        self.names = FieldIndex(d.name for d in docs)
        self.contents = FieldIndex(d.content for d in docs)
        self._use_columns(self._columns(docs), len(docs))

    def update(self, documents: Iterable[Document]) -> None:
        """Add or replace some documents (an incremental load)."""
        rows: list[int] = []
        cells = []
        for document in documents:
            position = self.position_of(document.project_id)
            if position is None:
                position = self.size
                self.size += 1
                self._appended[document.project_id] = position
            rows.append(position)
            cells.append(self._cells(document))
            self.names.set(position, document.name)
            self.contents.set(position, document.content)
            self._terms.pop(position, None)
        if not rows:
            return
        if self.size > self.capacity:
            self._grow(self.size)
        a = self._a
        for column, (name, _dtype) in enumerate(self._COLUMNS):
            a[name][rows] = [c[column] for c in cells]
        a["band"][rows] = self._bands(a["sought"][rows])
        a["cell"][rows] = self._cells_of(a, np.asarray(rows, dtype=np.int64))
        self._masks_of = None  # patched in place: the cached masks are stale

    @staticmethod
    def _headroom(size: int) -> int:
        return max(1024, size // 64)

    def _columns(self, docs: list[Document]) -> dict[str, np.ndarray]:
        capacity = len(docs) + self._headroom(len(docs))
        cells = [self._cells(doc) for doc in docs]
        a = {}
        for column, (name, dtype) in enumerate(self._COLUMNS):
            a[name] = np.zeros(capacity, dtype=dtype)
            if docs:
                a[name][: len(docs)] = np.asarray([c[column] for c in cells], dtype=dtype)
        a["band"] = self._bands(a["sought"])
        a["cell"], self._cell_table = _facet_cells(a)
        self._cell_index = None
        return a

    def _use_columns(self, columns: dict[str, np.ndarray], size: int,
                     order: np.ndarray | None = None, sorted_ids: np.ndarray | None = None) -> None:
        self._a = columns
        self.size = size
        ids = columns["ids"][:size]
        if order is None:
            order = (np.arange(size, dtype=np.int64) if size < 2 or bool(np.all(ids[1:] > ids[:-1]))
                     else np.argsort(ids, kind="stable"))
        self._order = order  # positions in project id order
        self._sorted_ids = ids[order] if sorted_ids is None else sorted_ids
        self._appended: dict[int, int] = {}  # project id -> position, for rows added since
        self._terms = {}
        self._masks_of = None

    def _grow(self, needed: int) -> None:
        """More headroom: the columns copied into larger ones (rare: a big import)."""
        capacity = needed + self._headroom(needed)
        for name, array in self._a.items():
            larger = np.zeros(capacity, dtype=array.dtype)
            larger[: len(array)] = array
            self._a[name] = larger
        self._sorted_ids = self._a["ids"][: len(self._order)][self._order]
        self._masks_of = None

    @property
    def capacity(self) -> int:
        return len(self._a["ids"])

    @property
    def rows(self) -> int:
        """The length of every per-row array (documents and headroom)."""
        return self.capacity

    def position_of(self, project_id: int) -> int | None:
        position = self._appended.get(project_id)
        if position is not None:
            return position
        found = int(np.searchsorted(self._sorted_ids, project_id))
        if found < len(self._sorted_ids) and self._sorted_ids[found] == project_id:
            return int(self._order[found])
        return None

    def fingerprint(self) -> str:
        """What the columns' codes mean (sectors, regions, modes, statuses, bands): a
        snapshot made under another taxonomy or gazetteer cannot be read."""
        described = json.dumps([self.sector_codes, self.region_codes, [str(m) for m in self.modes],
                                STATUSES, BAND_CODES, [str(b.high_yi) for b in BANDS], self._COLUMNS_KEY])
        return hashlib.sha256(described.encode()).hexdigest()[:32]

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict]:
        """(arrays, metadata) of the whole index, for `matchmaker.snapshot.write`."""
        size = self.size
        order = np.argsort(self._a["ids"][:size], kind="stable")
        arrays = {f"col_{name}": array for name, array in self._a.items()}
        arrays.update({f"cells_{name}": array for name, array in self._cell_table.items()})
        arrays["order"] = order
        arrays["sorted_ids"] = self._a["ids"][:size][order]
        for prefix, field_index in (("name_", self.names), ("content_", self.contents)):
            arrays.update({prefix + name: array for name, array in field_index.to_arrays().items()})
        return arrays, {"size": size, "fingerprint": self.fingerprint()}

    def from_arrays(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        """Take the index from a snapshot (arrays are used as they are: mapped pages)."""
        if meta.get("fingerprint") != self.fingerprint():
            raise ValueError("the snapshot was made with other reference data (sectors, regions)")
        names = self._COLUMNS_KEY + ("band", "cell")
        columns = {name: arrays[f"col_{name}"] for name in names}
        self._cell_table = {name: arrays[f"cells_{name}"] for name in _CELL_FIELDS}
        self._cell_index = None
        self.names = FieldIndex.from_arrays({k[5:]: v for k, v in arrays.items() if k.startswith("name_")})
        self.contents = FieldIndex.from_arrays(
            {k[8:]: v for k, v in arrays.items() if k.startswith("content_")})
        self._use_columns(columns, int(meta["size"]), arrays["order"], arrays["sorted_ids"])

    def __len__(self) -> int:
        return int(self._arrays()["visible"].sum())

    def _tables(self) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
        """Per-code lookups of the array cells (they depend on the taxonomy only)."""
        if self._lookup is None:
            ancestors: dict[str, int] = {}
            for code in self.sector_codes:
                bits = 1 << self.sector_bit[code]
                for ancestor in self.taxonomy.ancestors(code):
                    bits |= 1 << self.sector_bit[ancestor.code]
                ancestors[code] = bits
            prefecture_of = {}
            for code in self.region_codes:
                parent = self.gazetteer.prefecture_of(code)
                prefecture_of[code] = self.region_index[parent.code] if parent else -1
            mode_index = {m: i for i, m in enumerate(self.modes)}
            status_index = {s: i for i, s in enumerate(STATUSES)}
            self._lookup = (ancestors, prefecture_of, mode_index, status_index)
        return self._lookup

    def _cells(self, doc: Document) -> tuple[int, int, int, int, int, int, int, int, bool]:
        """(sectors, county, prefecture, modes, status, sought, created, id, visible)."""
        ancestors, prefecture_of, mode_index, status_index = self._tables()
        bits = 0
        for code in doc.sector_codes:
            bits |= ancestors.get(code, 0)
        county = prefecture = -1
        if doc.region_code in self.region_index:
            county = self.region_index[doc.region_code]
            prefecture = prefecture_of[doc.region_code]
        mbits = 0
        for mode in doc.modes:
            mbits |= 1 << mode_index.get(mode, MODES.index(CooperationMode.OTHER))
        return (bits, county, prefecture, mbits, status_index.get(doc.status, 0), doc.sought_fen,
                doc.created_key, doc.project_id, doc.visible)

    _COLUMNS = (("sectors", np.uint64), ("county", np.int32), ("prefecture", np.int32),
                ("modes", np.uint8), ("status", np.int8), ("sought", np.int64), ("created", np.int64),
                ("ids", np.int64), ("visible", bool))
    _COLUMNS_KEY = tuple(name for name, _dtype in _COLUMNS)

    @staticmethod
    def _bands(sought: np.ndarray) -> np.ndarray:
        edges = np.asarray([0] + [int(b.high_yi) * FEN_PER_YI for b in BANDS[:-1]], dtype=np.int64)
        return (np.searchsorted(edges[1:], sought, side="left")).astype(np.int8)

    def _arrays(self) -> dict[str, np.ndarray]:
        return self._a

    # ------------------------------------------------------------------ matching
    MASK_CACHE_BYTES = 64 << 20  # cached filter masks: 64 of them at a million rows

    def _ids_ascending(self) -> bool:
        """Whether project ids grow with the position (rows loaded in id order, the usual
        case): then any rows' ids grow with their position too (once per build)."""
        a = self._arrays()
        if self._masks_of is not a:
            self._masks, self._masks_of = {}, a
        flag = self._masks.get(("ids-ascending",))
        if flag is None:
            ids = a["ids"][: self.size]
            flag = self._masks[("ids-ascending",)] = bool(np.all(ids[1:] > ids[:-1]))
        return flag

    def _cached_mask(self, key: tuple, compute) -> np.ndarray:
        """A filter mask computed once per build of the arrays (read-only: callers combine
        it into their own arrays, never write into it)."""
        a = self._arrays()
        if self._masks_of is not a:
            self._masks, self._masks_of = {}, a
        mask = self._masks.get(key)
        if mask is None:
            if len(self._masks) >= max(16, self.MASK_CACHE_BYTES // max(self.rows, 1)):
                self._masks.clear()
            mask = self._masks[key] = compute(a)
            mask.flags.writeable = False
        return mask

    def _cells_of(self, a: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
        """The facet cells of these (changed) rows: the cell of the same values when there
        is one, else a new cell appended to the table (the table only grows until a full
        load; an unused cell counts zero)."""
        if self._cell_index is None:
            self._cell_index = {key: i for i, key in enumerate(zip(*(self._cell_table[f].tolist() for f in _CELL_FIELDS), strict=True))}
        found = []
        added: list[tuple] = []
        for key in zip(*(a[f][rows].tolist() for f in _CELL_FIELDS), strict=True):
            cell = self._cell_index.get(key)
            if cell is None:
                cell = self._cell_index[key] = len(self._cell_index)
                added.append(key)
            found.append(cell)
        if added:
            self._cell_table = {f: np.concatenate([self._cell_table[f], np.asarray(values, dtype=self._cell_table[f].dtype)])
                                for f, values in zip(_CELL_FIELDS, zip(*added, strict=True), strict=True)}
        return np.asarray(found, dtype=np.int32)

    def _cell_sector_bits(self) -> np.ndarray:
        """Each facet cell's 64 sector bits (cells x 64), computed again when cells are added."""
        sectors = self._cell_table["sectors"]
        cached = getattr(self, "_cell_bits", None)
        if cached is None or cached[0] is not sectors:
            bits = np.unpackbits(sectors.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little").astype(np.int64)
            self._cell_bits = cached = (sectors, bits)
        return cached[1]

    def _region_hits(self, codes: Sequence[str]) -> np.ndarray:
        def compute(a):
            wanted = np.zeros(len(self.region_codes) + 1, dtype=bool)  # by cell + 1 (0: none)
            wanted[[self.region_index[c] + 1 for c in codes if c in self.region_index]] = True
            return wanted[a["county"] + 1] | wanted[a["prefecture"] + 1]

        return self._cached_mask(("region", *sorted(codes)), compute)

    def _sector_hits(self, codes: Sequence[str]) -> np.ndarray:
        bits = 0
        for code in codes:
            if code in self.sector_bit:
                bits |= 1 << self.sector_bit[code]
        return self._cached_mask(("sector", bits), lambda a: (a["sectors"] & np.uint64(bits)) != 0)

    def _literal(self, part: Part, field_index: FieldIndex, labels: Sequence[str] = (),
                 english: Sequence[Part] = ()) -> np.ndarray:
        """A mask of the documents whose field has the part's text, or a Chinese label of its
        concepts ('lithium battery' finds 锂电池 in a name), or an English word of its
        glossary terms. (A mask, not a union of position lists: at a million documents
        forty sorted unions cost seconds.)"""
        found = np.zeros(self.rows, dtype=bool)
        found[self._typed(part, field_index)] = True
        for label in labels:
            found[field_index.cjk(label)] = True
        for other in english:
            found[self._typed(other, field_index)] = True
        return found

    def _translations(self, part: Part) -> tuple[set[str], list[Part]]:
        """The glossary's other-language words for the part: Chinese labels for a Latin
        part, English word parts for a Chinese one."""
        if self.glossary is None:
            return set(), []
        chinese: set[str] = set()
        english: list[Part] = []
        for _term, variants in self.glossary.translations(part.text):
            for variant in variants:
                if part.latin:
                    chinese.add(fold(variant).replace(" ", ""))
                else:
                    tokens_ = tuple(w for w in fold(variant).split() if w not in STOPWORDS)
                    if tokens_:
                        english.append(Part(" ".join(tokens_), True, tokens_))
        return chinese, english

    def _parse(self, q: str) -> list[Part]:
        """`parse`, then adjacent parts that together are exactly one glossary term ('liquid
        cooling', 'fuel cell', 光伏+组件) kept together as one part: the term, more specific
        than its pieces (so without the pieces' sectors)."""
        parts = parse(q, self.vocabulary)
        if self.glossary is None or len(parts) < 2:
            return parts
        merged: list[Part] = []
        index = 0
        while index < len(parts):
            for size in range(min(4, len(parts) - index), 1, -1):
                run = parts[index : index + size]
                latin = run[0].latin
                if any(p.latin != latin or p.regions for p in run):
                    continue
                text = (" " if latin else "").join(p.text for p in run)
                found = self.glossary.find(text, longest=True)
                if len(found) == 1 and found[0].start == 0 and found[0].end == len(text):
                    merged.append(Part(text, latin, tuple(w for p in run for w in p.words)))
                    index += size
                    break
            else:
                merged.append(parts[index])
                index += 1
        return merged

    def _typed(self, part: Part, field_index: FieldIndex) -> np.ndarray:
        if not part.latin:
            return field_index.cjk(part.text)
        result: np.ndarray | None = None
        for word in part.words:
            prefix = len(word) >= 4 and not word.isdigit()
            found = field_index.latin(prefix_root(word) if prefix else word, prefix=prefix)
            result = found if result is None else np.intersect1d(result, found, assume_unique=True)
            if not len(result):
                break
        return result if result is not None else np.zeros(0, np.int64)

    def _score_part(self, part: Part, translations: tuple[set[str], list[Part]] | None = None, *,
                    fuzzy: bool = False) -> tuple[list[tuple[int, np.ndarray]], dict[str, np.ndarray], np.ndarray]:
        """The part's score layers (a document's part score is the highest weight among the
        layers whose mask has it), the mask of documents hit per field, and the mask of
        documents hit at all. Scores are read only for the documents kept at the end
        (`_totals`): no per-document score array per part."""
        weights = (NAME_FUZZY, SECTOR_FUZZY, REGION_FUZZY, CONTENT_FUZZY) if fuzzy else (NAME, SECTOR, REGION, CONTENT)
        hits: dict[str, np.ndarray] = {}
        # a label containing a shorter one adds nothing ('光伏电站' when '光伏' is searched)
        chinese, english = translations if translations is not None else self._translations(part)
        candidates = self._concept_labels(part) | chinese | ({part.text} if not part.latin else set())
        labels = sorted(label for label in candidates - {part.text}
                        if not any(other != label and other in label for other in candidates))[:40]
        content = self._literal(part, self.contents, labels, english)
        name = self._literal(part, self.names, labels, english)
        hits["content"] = content
        layers = [(weights[3], content)]
        hit = content | name
        if part.regions:
            region = self._region_hits(part.regions)
            layers.append((weights[2], region))
            hits["region"] = region
            hit |= region
        if part.sectors:
            sector = self._sector_hits(part.sectors)
            layers.append((weights[1], sector))
            hits["sector"] = sector
            hit |= sector
        layers.append((weights[0], name))
        hits["name"] = name
        return layers, hits, hit

    def _choices(self, with_digits: bool) -> list[str]:
        """Words a Latin typo may be corrected to (cached per names vocabulary). A word of
        digits only shares no character with a word without digits (fuzz.ratio 0), so such
        a word is compared with the list without them: a million project numbers are not."""
        vocabulary = self.names.vocabulary()
        if self._choices_for is None or self._choices_for[0] is not vocabulary:
            choices = self.vocabulary.latin_words + [w for w in vocabulary if len(w) >= 4]
            self._choices_for = (vocabulary, choices, [w for w in choices if not w.isdigit()])
        return self._choices_for[1] if with_digits else self._choices_for[2]

    def _correct(self, part: Part) -> Part | None:
        """The nearest known word for a part with no exact hit, or None."""
        vocab = self.vocabulary
        if part.latin:
            if len(part.words) != 1 or len(part.text) < 4:
                return None
            word = stem(part.text)
            best = process.extractOne(word, self._choices(any(c.isdigit() for c in word)),
                                      scorer=fuzz.ratio, score_cutoff=80)
            if best is None:
                return None
            corrected = best[0]
            sectors, regions = vocab.concepts_latin(corrected)
            sectors = tuple(sorted(set(sectors) | vocab.word_sectors.get(corrected, set())))
            return Part(corrected, True, (corrected,), sectors, regions, fuzzy=True, corrected=corrected)
        if len(part.text) < 2:
            return None
        candidates = [k for k in vocab.cjk_keys if len(k) == len(part.text)]
        limit = 1 if len(part.text) <= 4 else 2
        best = process.extractOne(part.text, candidates, scorer=Levenshtein.distance, score_cutoff=limit)
        if best is None:
            return None
        corrected = best[0]
        sectors, regions = vocab.concepts_cjk(corrected)
        return Part(corrected, False, (), sectors, regions, fuzzy=True, corrected=corrected)

    def _match_parts(self, parts: list[Part], corrections: list[tuple[str, str]], keep: np.ndarray):
        """Narrow `keep` (in place) to the documents matching every part; each part's score
        layers and hits per field (see `_score_part`)."""
        visible = self._arrays()["visible"]
        all_layers, all_hits = [], []
        for part in parts:
            translations = self._translations(part)
            layers, hits, hit = self._score_part(part, translations)
            part.highlight = {part.text} if not part.latin else {prefix_root(w) if len(w) >= 4 else w for w in part.words}
            if not np.logical_and(hit, visible).any():
                layers, hits, hit = self._fuzzy(part, corrections)
            chinese, english = translations
            part.highlight |= self._concept_labels(part) | chinese | {w for p in english for w in p.words}
            all_layers.append(layers)
            all_hits.append(hits)
            keep &= hit
        return all_layers, all_hits

    @staticmethod
    def _totals(all_layers: list[list[tuple[int, np.ndarray]]], positions: np.ndarray) -> np.ndarray:
        """The total score of the documents at `positions`: per part the highest weight of
        the layers having the document, added up over the parts."""
        total = np.zeros(len(positions), dtype=np.int32)
        for layers in all_layers:
            score = np.zeros(len(positions), dtype=np.uint8)
            for weight, mask in layers:
                np.maximum(score, mask[positions] * np.uint8(weight), out=score)
            total += score
        return total

    def _fuzzy(self, part: Part, corrections: list[tuple[str, str]]):
        corrected = self._correct(part)
        if corrected is not None:
            layers, hits, hit = self._score_part(corrected, fuzzy=True)
            corrections.append((part.text, corrected.text))
            part.fuzzy, part.corrected = True, corrected.text
            part.sectors, part.regions = corrected.sectors, corrected.regions
            part.highlight = {corrected.text if not corrected.latin else prefix_root(corrected.text)}
            return layers, hits, hit
        hit = np.zeros(self.rows, dtype=bool)
        hits: dict[str, np.ndarray] = {"name": np.zeros(0, np.int64), "content": np.zeros(0, np.int64)}
        layers: list[tuple[int, np.ndarray]] = []
        if not part.latin and len(part.text) >= 3:
            # most of the term's bigrams present: one wrong or extra character tolerated
            for key, field_index, weight in (("content", self.contents, CONTENT_FUZZY), ("name", self.names, NAME_FUZZY)):
                positions, counts, pairs = field_index.bigram_counts(part.text)
                need = max(2, math.ceil(pairs * 2 / 3))
                found = np.zeros(self.rows, dtype=bool)
                found[positions[counts >= need]] = True
                layers.append((weight, found))
                hits[key] = found
                hit |= found
            if hit.any():
                part.fuzzy = True
                part.highlight = {part.text[i : i + 2] for i in range(len(part.text) - 1)}
        return layers, hits, hit

    def _concept_labels(self, part: Part) -> set[str]:
        """Chinese labels of the part's sectors and regions, to highlight in names."""

        labels: set[str] = set()
        for kind, codes in (("sector", part.sectors), ("region", part.regions)):
            for code in codes:
                for label in self.vocabulary.labels.get(Concept(kind, code), []):
                    if label and is_cjk_char(label[0]) and len(label) >= 2:
                        labels.add(label)
        return labels

    def _filter(self, request: SearchRequest) -> np.ndarray:
        """The mask of the documents the filters keep (a fresh array the caller may change);
        the masks of statuses, sectors, regions, modes and bands are cached."""
        a = self._arrays()
        statuses = tuple(sorted(request.statuses))

        def visible_with_status(a):
            if statuses:
                wanted = np.zeros(len(STATUSES), dtype=bool)
                wanted[[STATUSES.index(s) for s in statuses]] = True
                return a["visible"] & wanted[a["status"]]
            return a["visible"] & (a["status"] != STATUSES.index("withdrawn"))

        keep = self._cached_mask(("status", statuses), visible_with_status).copy()
        if request.sectors:
            keep &= self._sector_hits(request.sectors)
        if request.regions:
            keep &= self._region_hits(request.regions)
        if request.modes:
            bits = 0
            for mode in request.modes:
                bits |= 1 << self.modes.index(mode)
            keep &= self._cached_mask(("modes", bits), lambda a: (a["modes"] & np.uint8(bits)) != 0)
        if request.bands:
            wanted = np.zeros(len(BAND_CODES), dtype=bool)
            wanted[[BAND_CODES.index(b) for b in request.bands]] = True
            keep &= self._cached_mask(("bands", *sorted(request.bands)), lambda a: wanted[a["band"]])
        if request.min_sought_fen is not None:
            keep &= a["sought"] >= request.min_sought_fen
        if request.max_sought_fen is not None:
            keep &= a["sought"] <= request.max_sought_fen
        return keep

    # ------------------------------------------------------------------ search
    def _select(self, request: SearchRequest):
        """(parts, corrections, the mask of the documents answering, score layers per part,
        hits per part) for a validated request."""
        parts = self._parse(request.q)
        corrections: list[tuple[str, str]] = []
        keep = self._filter(request)
        layers, part_hits = self._match_parts(parts, corrections, keep) if parts else ([], [])
        return parts, corrections, keep, layers, part_hits

    def search(self, request: SearchRequest, *, explain: bool = True) -> SearchResult:
        validate(request, self)
        parts, corrections, keep, layers, part_hits = self._select(request)
        a = self._arrays()
        positions = np.flatnonzero(keep)
        total = self._totals(layers, positions)
        phrase = "".join(fold(request.q).split())
        if len(parts) > 1 and len(phrase) >= 2 and all(is_cjk_char(c) for c in phrase):
            total[_members(positions, self.names.cjk(phrase))] += PHRASE_BONUS
        start = (request.page - 1) * request.per_page
        if start < len(positions):
            # rows loaded in id order (the usual case): ties on the sort key are cut by position
            monotone = 1 if self._ids_ascending() else 0
            if request.sort == "sought_desc":
                primary = -a["sought"][positions]
            elif request.sort == "sought_asc":
                primary = a["sought"][positions]
            elif request.sort == "newest":
                primary = -a["created"][positions]
            else:
                primary = -total
            newest = request.sort == "newest"
            order = _first(primary, start + request.per_page,
                           (lambda i: -a["ids"][positions[i]]) if newest else (lambda i: a["ids"][positions[i]]),
                           monotone=-monotone if newest else monotone)
            page = order[start : start + request.per_page]
        else:
            page = np.zeros(0, dtype=np.int64)
        hits = []
        for index in page:
            position = positions[index]
            fields = [name for name in ("name", "sector", "region", "content")
                      if any(name in h and _contains(h[name], position) for h in part_hits)]
            hits.append(Hit(int(a["ids"][position]), int(total[index]), tuple(fields)))
        result = SearchResult(
            total=int(len(positions)), page=request.page, per_page=request.per_page, hits=hits,
            facets=self.facets(keep, positions), parts=parts, corrections=corrections,
        )
        if explain and result.total == 0:
            self._explain_empty(request, result)
        return result

    def count(self, request: SearchRequest) -> int:
        """How many documents answer the request (no page, no facets)."""
        request = SearchRequest(**{**request.__dict__, "page": 1, "per_page": 1})
        validate(request, self)
        return int(np.count_nonzero(self._select(request)[2]))

    # ------------------------------------------------------------------ facets
    def facets(self, keep: np.ndarray, positions: np.ndarray | None = None) -> dict:
        """The facets of these documents: they are counted per facet cell (the distinct
        combinations of prefecture, sector set, modes, status and band: thousands among a
        million rows) with one bincount, then the cells' values are counted."""
        a = self._arrays()
        if positions is None:
            positions = np.flatnonzero(keep)
        table = self._cell_table
        counts = np.bincount(a["cell"][positions], minlength=len(table["band"]))

        def per(values: np.ndarray, length: int) -> np.ndarray:
            return np.bincount(values, weights=counts, minlength=length).astype(np.int64)

        prefecture_counts = per(table["prefecture"] + 1, len(self.region_codes) + 1)
        sector_counts = counts @ self._cell_sector_bits()
        mode_counts = per(table["modes"], 256) @ _BYTE_BITS
        status_counts = per(table["status"], len(STATUSES))
        band_counts = per(table["band"], len(BANDS))
        return self.facets_from_counts(prefecture_counts, sector_counts, mode_counts, status_counts, band_counts)

    def facets_from_counts(self, prefecture_counts, sector_counts, mode_counts, status_counts, band_counts) -> dict:
        """The facets from counts per prefecture (index + 1, 0: none), sector bit, mode bit,
        status and band (also used by engines that count elsewhere)."""
        region = []
        for code in self.prefectures:
            n = int(prefecture_counts[self.region_index[code] + 1])
            if n:
                r = self.gazetteer.get(code)
                region.append({"code": code, "name": r.name, "name_en": r.name_en, "count": n})
        if prefecture_counts[0]:
            region.append({"code": None, "name": "未注明地区", "name_en": "Region not stated",
                           "count": int(prefecture_counts[0])})

        def node(sector) -> dict | None:
            n = int(sector_counts[self.sector_bit[sector.code]])
            if not n:
                return None
            children = [c for c in (node(child) for child in self.taxonomy.children(sector.code)) if c]
            return {"code": sector.code, "name": sector.name, "name_en": sector.name_en, "count": n,
                    "children": children}

        sector = [n for n in (node(root) for root in self.taxonomy.roots()) if n]
        # Modes, statuses and bands by code: their labels are added at the door
        # (`operations.labelled_facets`), in the reader's language.
        mode = [{"code": m.value, "count": int(mode_counts[i])}
                for i, m in enumerate(self.modes) if mode_counts[i]]
        status = [{"code": s, "count": int(status_counts[i])}
                  for i, s in enumerate(STATUSES) if status_counts[i]]
        bands = [{"code": b.value, "count": int(band_counts[i]), "min_yi": int(b.low_yi),
                  "max_yi": int(b.high_yi) if b.high_yi is not None else None}
                 for i, b in enumerate(BANDS) if band_counts[i]]
        return {"region": region, "sector": sector, "mode": mode, "status": status, "sought_band": bands}

    # ------------------------------------------------------------------ similar
    def similar(self, project_id: int, limit: int = 5) -> list[int]:
        """Projects sharing sectors (most specific first), then glossary terms in their names
        (锂电池 and lithium battery alike, at most 3), then region; ties: closest amount, id."""
        position = self.position_of(project_id)
        if position is None:
            return []
        a = self._arrays()
        own = a["sectors"][position]
        shared = np.unpackbits((a["sectors"] & own).view(np.uint8).reshape(-1, 8), axis=1).sum(axis=1).astype(np.int32)
        score = shared * 2
        if a["prefecture"][position] >= 0:
            score += (a["prefecture"] == a["prefecture"][position]).astype(np.int32)
        keep = a["visible"] & (a["status"] != STATUSES.index("withdrawn")) & (shared > 0)
        keep[position] = False
        positions = np.flatnonzero(keep)
        if self.glossary is not None and len(positions):
            own_terms = self._terms_of(position)
            if own_terms:
                score = score.copy()
                score[positions] += np.fromiter(
                    (min(len(own_terms & self._terms_of(int(p))), 3) for p in positions),
                    dtype=np.int32, count=len(positions))
        distance = np.abs(a["sought"][positions] - a["sought"][position])
        order = np.lexsort((a["ids"][positions], distance, -score[positions]))[:limit]
        return [int(a["ids"][p]) for p in positions[order]]

    def _terms_of(self, position: int) -> frozenset[str]:
        """The glossary terms a document's name names (cached until it changes)."""
        cached = self._terms.get(position)
        if cached is None:
            cached = self._terms[position] = frozenset(self.glossary.concept_tokens(self.names.text(position)))
        return cached

    # ------------------------------------------------------------------ empty results
    def _explain_empty(self, request: SearchRequest, result: SearchResult) -> None:
        parts = result.parts
        if request.filters_active():
            loose = SearchRequest(q=request.q, sort=request.sort)
            n = self.count(loose)
            result.explanation.append(Message(N_("No project matches the search together with the filters.")))
            if n:
                result.suggestions.append(Suggestion(
                    Message(N_("Without the filters: %(count)d projects"), {"count": n}),
                    {"sector": None, "region": None, "mode": None, "status": None, "band": None,
                     "min_sought": None, "max_sought": None}, n))
        if len(parts) > 1:
            for part in parts:
                n = self.count(SearchRequest(q=part.text, sort=request.sort))
                result.explanation.append(Message(
                    N_("'%(term)s' alone matches %(count)d projects."), {"term": part.text, "count": n}))
            result.explanation.insert(0, Message(N_("No project matches all of the words together.")))
            # the nearest sector for the query's region, and the nearest region for its sector
            for part in parts:
                others = " ".join(p.text for p in parts if p is not part)
                n = self.count(SearchRequest(q=others, sort=request.sort))
                if n and (part.regions or part.sectors):
                    result.suggestions.append(Suggestion(
                        Message(N_("'%(query)s' without '%(term)s': %(count)d projects"),
                                {"query": others, "term": part.text, "count": n}),
                        {"q": others}, n))
        elif parts:
            result.explanation.append(Message(N_("No project mentions '%(term)s'."), {"term": request.q.strip()}))
        for kind in ("region", "sector"):
            best = self._nearest(request, kind)
            if best is not None:
                code, name, n = best
                result.suggestions.append(Suggestion(
                    Message(N_("Nearest region with results: %(name)s (%(count)d projects)")
                            if kind == "region" else
                            N_("Nearest sector with results: %(name)s (%(count)d projects)"),
                            {"name": name, "count": n}),
                    {"region" if kind == "region" else "sector": code, **self._drop(kind, request, parts)}, n))
        if not parts and not request.filters_active():
            result.explanation.append(Message(N_("The catalogue has no published projects yet.")))

    def _drop(self, kind: str, request: SearchRequest, parts: list[Part]) -> dict:
        """URL changes that remove the query words naming a region (or a sector)."""
        if kind == "region":
            kept = [p.text for p in parts if not p.regions]
        else:
            kept = [p.text for p in parts if not p.sectors]
        return {"q": " ".join(kept)} if len(kept) != len(parts) else {}

    def _nearest(self, request: SearchRequest, kind: str) -> tuple[str, str, int] | None:
        """Drop the region (or sector) constraint; the region (sector) with most results."""
        parts = self._parse(request.q)
        named = [p for p in parts if (p.regions if kind == "region" else p.sectors)]
        if not named and not (request.regions if kind == "region" else request.sectors):
            return None
        q = " ".join(p.text for p in parts if p not in named)
        loose = SearchRequest(**{**request.__dict__, "q": q, "page": 1, "per_page": 1,
                                 "regions" if kind == "region" else "sectors": ()})
        result = self.search(loose, explain=False)
        facet = result.facets["region" if kind == "region" else "sector"]
        items = [i for i in facet if i["code"]]
        if kind == "sector":
            items = [c for i in items for c in (i["children"] or [i])]
        if not items:
            return None
        best = sorted(items, key=lambda i: (-i["count"], i["code"]))[0]
        return best["code"], best["name"], best["count"]


# what a facet cell is: the values the facets count, one combination per cell
_CELL_FIELDS = ("prefecture", "sectors", "modes", "status", "band")


def _facet_cells(a: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Every row's facet cell (an index into the distinct combinations of the facets'
    values) and the cells' values, for a full load."""
    sets, set_of_row = np.unique(a["sectors"], return_inverse=True)
    key = ((set_of_row.reshape(-1).astype(np.int64) << 32) | ((a["prefecture"].astype(np.int64) + 1) << 16)
           | (a["modes"].astype(np.int64) << 8) | (a["status"].astype(np.int64) << 4) | a["band"].astype(np.int64))
    keys, cell_of_row = np.unique(key, return_inverse=True)
    table = {"prefecture": ((keys >> 16) & 0xFFFF).astype(np.int32) - 1, "sectors": sets[keys >> 32],
             "modes": ((keys >> 8) & 0xFF).astype(np.uint8), "status": ((keys >> 4) & 0xF).astype(np.int8),
             "band": (keys & 0xF).astype(np.int8)}
    return cell_of_row.reshape(-1).astype(np.int32), table


# _BYTE_BITS[v, b]: bit b (little-endian) of the byte value v
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8).reshape(-1, 1), axis=1, bitorder="little").astype(np.int64)


def _first(primary: np.ndarray, k: int, secondary, *, monotone: int = 0) -> np.ndarray:
    """The indexes of the k first elements in (primary, secondary) order, in that order -
    the same as np.lexsort((secondary, primary))[:k] (secondary is unique), without sorting
    everything: a partition finds the k-th primary value, ties on it are cut by secondary.
    `secondary(indexes)` gives the secondary values of some elements (only the few that
    need them are asked); `monotone` 1 (-1) says they grow (shrink) with the index, so
    ties are cut by index."""
    count = len(primary)
    if k >= count:
        every = np.arange(count)
        return np.lexsort((secondary(every), primary))
    threshold = np.partition(primary, k - 1)[k - 1]
    below = np.flatnonzero(primary < threshold)
    tied = np.flatnonzero(primary == threshold)
    need = k - len(below)
    if need < len(tied):
        if monotone > 0:
            tied = tied[:need]
        elif monotone < 0:
            tied = tied[len(tied) - need :]
        else:
            tied = tied[np.argpartition(secondary(tied), need - 1)[:need]]
    chosen = np.concatenate([below, tied])
    return chosen[np.lexsort((secondary(chosen), primary[chosen]))]


def _members(positions: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The indexes in `positions` (sorted, unique) of those among `values` (unique)."""
    if not len(positions) or not len(values):
        return np.zeros(0, dtype=np.int64)
    found = np.searchsorted(positions, values)
    inside = found < len(positions)
    found, values = found[inside], values[inside]
    return found[positions[found] == values]


def _contains(sorted_positions: np.ndarray, position: int) -> bool:
    """A position in a mask or a sorted array of positions."""
    if sorted_positions.dtype == bool:
        return bool(sorted_positions[position])
    index = np.searchsorted(sorted_positions, position)
    return bool(index < len(sorted_positions) and sorted_positions[index] == position)


def _walk_sectors(taxonomy) -> list:
    result = []

    def walk(sector) -> None:
        result.append(sector)
        for child in taxonomy.children(sector.code):
            walk(child)

    for root in taxonomy.roots():
        walk(root)
    return result


def validate(request: SearchRequest, index: SearchIndex) -> None:
    """Refuse (SearchError, a 400) what cannot be answered; never a 500."""
    if len(request.q) > MAX_QUERY_CHARS:
        raise SearchError(Message(N_("The search text is too long (at most %(max)d characters)."),
                                  {"max": MAX_QUERY_CHARS}), "q")
    for code in request.sectors:
        if code not in index.sector_bit:
            raise SearchError(Message(N_("Unknown sector code: %(code)s"), {"code": code[:40]}), "sector")
    for code in request.regions:
        if code not in index.region_index:
            raise SearchError(Message(N_("Unknown region code: %(code)s"), {"code": code[:40]}), "region")
    for mode in request.modes:
        if mode not in index.modes:
            raise SearchError(Message(N_("Unknown cooperation mode: %(code)s"), {"code": mode[:40]}), "mode")
    for status in request.statuses:
        if status not in STATUSES:
            raise SearchError(Message(N_("Unknown status: %(code)s"), {"code": status[:40]}), "status")
    for band in request.bands:
        if band not in BAND_CODES:
            raise SearchError(Message(N_("Unknown investment band: %(code)s"), {"code": band[:40]}), "band")
    if request.sort not in SORTS:
        raise SearchError(Message(N_("Unknown sort order: %(code)s"), {"code": request.sort[:40]}), "sort")
    if request.page < 1 or request.page > 10**9:
        raise SearchError(Message(N_("The page must be a number from 1 to 1000000000.")), "page")
    if request.per_page < 1:
        raise SearchError(Message(N_("per_page must be at least 1.")), "per_page")
    request.per_page = min(request.per_page, MAX_PER_PAGE)


def highlight(text: str | None, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """Split `text` into (segment, matched) pairs where folded `terms` occur."""
    if not text:
        return []
    folded: list[str] = []
    back: list[int] = []
    for i, char in enumerate(text):
        for c in fold_char(char):
            folded.append(c)
            back.append(i)
    flat = "".join(folded)
    marked = [False] * len(text)
    for term in terms:
        term = term.replace(" ", "")
        if len(term) < 2 and not (term and is_cjk_char(term[0])):
            continue
        start = flat.find(term)
        while start != -1:
            for k in range(start, start + len(term)):
                marked[back[k]] = True
            start = flat.find(term, start + len(term))
    segments: list[tuple[str, bool]] = []
    for char, flag in zip(text, marked, strict=True):
        if segments and segments[-1][1] == flag:
            segments[-1] = (segments[-1][0] + char, flag)
        else:
            segments.append((char, flag))
    return segments
