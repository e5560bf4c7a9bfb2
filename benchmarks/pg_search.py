"""A prototype of search inside PostgreSQL (issue 17, item 3, option b), for measurement only.

PostgreSQL maintains the index itself: one row per search document with the same tokens the
in-memory engine (`matchmaker.search.textindex.FieldIndex`) uses - the CJK character bigrams
and the Latin/digit words of the folded name and content - in `text[]` columns under GIN,
plus the filter cells the in-memory arrays hold (sector bits with their ancestors, county,
prefecture, modes, status, band, sought, created). A query is understood in Python exactly
as the product does it (`SearchIndex._parse`, concept labels, glossary translations, typo
correction) and answered by SQL: GIN containment for each term (`tokens @> bigrams`, then
`strpos` to confirm a longer term, as the engine confirms the substring), the same field
weights in a CASE, the same filters, the page in the same order and every facet, in one
statement (plus one EXISTS per query part, the engine's "does the exact form find
anything" test that decides whether the typo pass runs).

Not the product: the tables live only in the benchmark database (`bench_pg_search`,
`bench_pg_words`) and are filled from the in-memory index's own documents, so both engines
answer from identical inputs. The empty-result explanation (`explain`) is left out on both
sides when answers are compared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from matchmaker.search.core import (
    BAND_CODES,
    CONTENT,
    CONTENT_FUZZY,
    NAME,
    NAME_FUZZY,
    PHRASE_BONUS,
    REGION,
    REGION_FUZZY,
    SECTOR,
    SECTOR_FUZZY,
    STATUSES,
    SearchIndex,
    SearchRequest,
    SearchResult,
    validate,
)
from matchmaker.search.query import Part, prefix_root
from matchmaker.search.textindex import is_cjk_char, latin_words
from matchmaker.text import fold

TABLE = "bench_pg_search"
WORDS = "bench_pg_words"

DDL = f"""
DROP TABLE IF EXISTS {TABLE};
DROP TABLE IF EXISTS {WORDS};
CREATE TABLE {TABLE} (
    project_id integer PRIMARY KEY,
    visible boolean NOT NULL,
    name_text text NOT NULL,
    content_text text NOT NULL,
    name_tokens text[] NOT NULL,
    content_tokens text[] NOT NULL,
    sector_bits bigint NOT NULL,
    sector_list smallint[] NOT NULL,
    tags text[] NOT NULL,
    county integer NOT NULL,
    prefecture integer NOT NULL,
    modes smallint NOT NULL,
    mode_list smallint[] NOT NULL,
    status smallint NOT NULL,
    band smallint NOT NULL,
    sought bigint NOT NULL,
    created bigint NOT NULL
);
CREATE TABLE {WORDS} (word text COLLATE "C" PRIMARY KEY, in_names boolean NOT NULL);
"""
INDEXES = f"""
CREATE INDEX {TABLE}_name_tokens ON {TABLE} USING gin (name_tokens);
CREATE INDEX {TABLE}_content_tokens ON {TABLE} USING gin (content_tokens);
CREATE INDEX {TABLE}_tags ON {TABLE} USING gin (tags);
ANALYZE {TABLE};
ANALYZE {WORDS};
"""


def tokens(folded: str) -> list[str]:
    """The engine's tokens of one field: CJK bigrams (adjacent CJK characters) and Latin words."""
    found = set(latin_words(folded))
    for first, second in zip(folded, folded[1:], strict=False):
        if is_cjk_char(first) and is_cjk_char(second):
            found.add(first + second)
    return sorted(found)


def _bits(value: int, width: int) -> list[int]:
    return [bit for bit in range(width) if (value >> bit) & 1]


def build(raw_connection, index: SearchIndex) -> None:
    """Create and fill the prototype's tables from the in-memory index's documents (COPY)."""
    a = index._arrays()
    with raw_connection.cursor() as cursor:
        cursor.execute(DDL)
        vocabulary: dict[str, bool] = {}
        with cursor.copy(f"COPY {TABLE} FROM STDIN") as copy:
            for position, document in enumerate(index.documents):
                name_tokens, content_tokens = tokens(document.name), tokens(document.content)
                for word in latin_words(document.name):
                    vocabulary[word] = True
                for word in latin_words(document.content):
                    vocabulary.setdefault(word, False)
                sectors = int(a["sectors"][position])
                modes = int(a["modes"][position])
                sector_list = _bits(sectors, 64)
                tags = [f"s:{index.sector_codes[bit]}" for bit in sector_list]
                tags += [f"r:{index.region_codes[cell]}" for cell in {int(a["county"][position]),
                                                                       int(a["prefecture"][position])} if cell >= 0]
                copy.write_row((
                    document.project_id, bool(a["visible"][position]), document.name, document.content,
                    name_tokens, content_tokens, sectors - (1 << 64) if sectors >= 1 << 63 else sectors,
                    sector_list, tags, int(a["county"][position]), int(a["prefecture"][position]),
                    modes, _bits(modes, 8), int(a["status"][position]), int(a["band"][position]),
                    int(a["sought"][position]), int(a["created"][position]),
                ))
        with cursor.copy(f"COPY {WORDS} FROM STDIN") as copy:
            for word, in_names in vocabulary.items():
                copy.write_row((word, in_names))
        cursor.execute(INDEXES)
    raw_connection.commit()


class _Vocabulary:
    """Stands in for `FieldIndex.vocabulary()` in the typo correction: the names' words."""

    def __init__(self, words: list[str]) -> None:
        self.words = sorted(words)

    def vocabulary(self) -> list[str]:
        return self.words


@dataclass
class _Sql:
    params: dict

    def bind(self, value) -> str:
        key = f"p{len(self.params)}"
        self.params[key] = value
        return f"%({key})s"


class PgSearch:
    """Answers SearchRequests with SQL over the prototype's tables (same answers as the engine)."""

    def __init__(self, raw_connection, taxonomy, gazetteer, glossary) -> None:
        self.connection = raw_connection
        # Query understanding only (no documents): parse, labels, translations, correction.
        self.understanding = SearchIndex(taxonomy, gazetteer, glossary)
        with raw_connection.cursor() as cursor:
            cursor.execute(f"SELECT word FROM {WORDS} WHERE in_names")
            self.understanding.names = _Vocabulary([row[0] for row in cursor.fetchall()])
        raw_connection.commit()

    # ------------------------------------------------------------------ SQL pieces
    def _cjk(self, sql: _Sql, term: str, field: str) -> str:
        if len(term) == 1 or not all(is_cjk_char(c) for c in term):
            return f"strpos({field}_text, {sql.bind(term)}) > 0"
        pairs = sorted({term[i : i + 2] for i in range(len(term) - 1)})
        condition = f"{field}_tokens @> {sql.bind(pairs)}::text[]"
        if len(term) > 2:
            condition += f" AND strpos({field}_text, {sql.bind(term)}) > 0"
        return f"({condition})"

    def _typed(self, sql: _Sql, part: Part, field: str) -> str:
        if not part.latin:
            return self._cjk(sql, part.text, field)
        conditions = []
        for word in part.words:
            if len(word) >= 4 and not word.isdigit():
                root = prefix_root(word)
                upper = root[:-1] + chr(ord(root[-1]) + 1)
                conditions.append(
                    f"{field}_tokens && ARRAY(SELECT word FROM {WORDS} WHERE word >= {sql.bind(root)} "
                    f"AND word < {sql.bind(upper)})")
            else:
                conditions.append(f"{field}_tokens @> ARRAY[{sql.bind(word)}]::text[]")
        return "(" + " AND ".join(conditions) + ")" if conditions else "false"

    def _literal(self, sql: _Sql, part: Part, field: str, labels, english) -> str:
        alternatives = [self._typed(sql, part, field)]
        alternatives += [self._cjk(sql, label, field) for label in labels]
        alternatives += [self._typed(sql, other, field) for other in english]
        return "(" + " OR ".join(alternatives) + ")"

    def _concepts(self, sql: _Sql, part: Part) -> tuple[str | None, str | None]:
        """Sector and region conditions on the GIN-indexed tags (a sector's tags include its
        ancestors, a county's its prefecture, as the engine's bit masks and cells do)."""
        engine = self.understanding
        sector = region = None
        if part.sectors:
            wanted = [f"s:{code}" for code in part.sectors if code in engine.sector_bit]
            sector = f"tags && {sql.bind(wanted)}::text[]"
        if part.regions:
            wanted = [f"r:{code}" for code in part.regions if code in engine.region_index]
            region = f"tags && {sql.bind(wanted)}::text[]"
        return sector, region

    def _score(self, sql: _Sql, part: Part, *, fuzzy: bool = False) -> tuple[str, str]:
        """The CASE giving the part's score (the core's `_score_part`, field by field), and
        the condition that it is above zero, written so that the GIN indexes serve it."""
        engine = self.understanding
        weights = (NAME_FUZZY, SECTOR_FUZZY, REGION_FUZZY, CONTENT_FUZZY) if fuzzy else (NAME, SECTOR, REGION, CONTENT)
        chinese, english = engine._translations(part)
        candidates = engine._concept_labels(part) | chinese | ({part.text} if not part.latin else set())
        labels = sorted(label for label in candidates - {part.text}
                        if not any(other != label and other in label for other in candidates))[:40]
        sector, region = self._concepts(sql, part)
        conditions = [(self._literal(sql, part, "name", labels, english), weights[0])]
        if sector:
            conditions.append((sector, weights[1]))
        if region:
            conditions.append((region, weights[2]))
        conditions.append((self._literal(sql, part, "content", labels, english), weights[3]))
        case = "CASE " + " ".join(f"WHEN {c} THEN {w}" for c, w in conditions) + " ELSE 0 END"
        return case, "(" + " OR ".join(c for c, _w in conditions) + ")"

    def _exists(self, match: str, params: dict) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE visible AND {match})", params)
            return bool(cursor.fetchone()[0])

    def _part_score(self, sql: _Sql, part: Part, corrections: list) -> tuple[str, str]:
        """The core's `_match_parts` + `_fuzzy` for one part: exact, else corrected, else bigrams."""
        engine = self.understanding
        probe = _Sql({})
        _case, exact = self._score(probe, part)
        part.highlight = {part.text} if not part.latin else {prefix_root(w) if len(w) >= 4 else w for w in part.words}
        if self._exists(exact, probe.params):
            return self._score(sql, part)
        corrected = engine._correct(part)
        if corrected is not None:
            corrections.append((part.text, corrected.text))
            part.fuzzy, part.corrected = True, corrected.text
            part.sectors, part.regions = corrected.sectors, corrected.regions
            return self._score(sql, corrected, fuzzy=True)
        if not part.latin and len(part.text) >= 3:
            pairs = sorted({part.text[i : i + 2] for i in range(len(part.text) - 1)})
            need = max(2, math.ceil(len(pairs) * 2 / 3))
            bound = sql.bind(pairs)

            def most(field: str) -> str:
                return (f"({field}_tokens && {bound}::text[] AND (SELECT count(*) FROM unnest({bound}::text[]) p "
                        f"WHERE p = ANY({field}_tokens)) >= {need})")

            part.fuzzy = True
            return (f"CASE WHEN {most('name')} THEN {NAME_FUZZY} WHEN {most('content')} THEN {CONTENT_FUZZY} ELSE 0 END",
                    f"({most('name')} OR {most('content')})")
        return "0", "false"

    def _filters(self, sql: _Sql, request: SearchRequest) -> list[str]:
        engine = self.understanding
        where = ["visible"]
        if request.statuses:
            where.append(f"status = ANY({sql.bind([STATUSES.index(s) for s in request.statuses])}::smallint[])")
        else:
            where.append(f"status <> {STATUSES.index('withdrawn')}")
        if request.sectors:
            where.append(self._concepts(sql, Part("", False, (), tuple(request.sectors)))[0] or "false")
        if request.regions:
            where.append(self._concepts(sql, Part("", False, (), (), tuple(request.regions)))[1] or "false")
        if request.modes:
            bits = 0
            for mode in request.modes:
                bits |= 1 << engine.modes.index(mode)
            where.append(f"(modes & {bits}) <> 0")
        if request.bands:
            where.append(f"band = ANY({sql.bind([BAND_CODES.index(b) for b in request.bands])}::smallint[])")
        if request.min_sought_fen is not None:
            where.append(f"sought >= {sql.bind(request.min_sought_fen)}")
        if request.max_sought_fen is not None:
            where.append(f"sought <= {sql.bind(request.max_sought_fen)}")
        return where

    # ------------------------------------------------------------------ search
    def search(self, request: SearchRequest) -> SearchResult:
        engine = self.understanding
        validate(request, engine)
        parts = engine._parse(request.q)
        corrections: list = []
        sql = _Sql({})
        where = self._filters(sql, request)
        scores = []
        for part in parts:
            scores.append(self._part_score(sql, part, corrections))
            chinese, english = engine._translations(part)
            part.highlight |= engine._concept_labels(part) | chinese | {w for p in english for w in p.words}
        phrase = "".join(fold(request.q).split())
        if len(parts) > 1 and len(phrase) >= 2 and all(is_cjk_char(c) for c in phrase):
            bonus = f"CASE WHEN {self._cjk(sql, phrase, 'name')} THEN {PHRASE_BONUS} ELSE 0 END"
        else:
            bonus = "0"
        columns = "".join(f", {case} AS s{i}" for i, (case, _match) in enumerate(scores))
        where += [match for _case, match in scores]
        total = " + ".join([*(f"s{i}" for i in range(len(scores))), "bonus"])
        inner = (f"SELECT project_id, sector_list, prefecture, mode_list, status, band, sought, created"
                 f"{columns}, {bonus} AS bonus FROM {TABLE} WHERE {' AND '.join(where)}")
        order = {"sought_desc": "sought DESC, project_id", "sought_asc": "sought, project_id",
                 "newest": "created DESC, project_id DESC"}.get(request.sort, "score DESC, project_id")
        start = (request.page - 1) * request.per_page
        statement = f"""
            WITH hits AS MATERIALIZED (SELECT *, {total} AS score FROM ({inner}) filtered)
            SELECT 0 AS kind, project_id AS key, score AS value, ordinal FROM (
                SELECT project_id, score, row_number() OVER (ORDER BY {order}) AS ordinal FROM hits
                ORDER BY {order} LIMIT {int(request.per_page)} OFFSET {int(start)}) page
            UNION ALL SELECT 1, prefecture, count(*), 0 FROM hits GROUP BY prefecture
            UNION ALL SELECT 2, s, count(*), 0 FROM hits, unnest(sector_list) s GROUP BY s
            UNION ALL SELECT 3, m, count(*), 0 FROM hits, unnest(mode_list) m GROUP BY m
            UNION ALL SELECT 4, status, count(*), 0 FROM hits GROUP BY status
            UNION ALL SELECT 5, band, count(*), 0 FROM hits GROUP BY band
        """
        with self.connection.cursor() as cursor:
            cursor.execute(statement, sql.params)
            rows = cursor.fetchall()
        self.connection.commit()
        page = sorted((ordinal, key, value) for kind, key, value, ordinal in rows if kind == 0)
        counts = {kind: {} for kind in range(1, 6)}
        for kind, key, value, _ordinal in rows:
            if kind:
                counts[kind][int(key)] = int(value)
        prefecture = np.zeros(len(engine.region_codes) + 1, np.int64)
        for key, value in counts[1].items():
            prefecture[key + 1] = value
        sectors = np.zeros(64, np.int64)
        for key, value in counts[2].items():
            sectors[key] = value
        modes = np.zeros(8, np.int64)
        for key, value in counts[3].items():
            modes[key] = value
        statuses = np.zeros(len(STATUSES), np.int64)
        for key, value in counts[4].items():
            statuses[key] = value
        bands = np.zeros(len(BAND_CODES), np.int64)
        for key, value in counts[5].items():
            bands[key] = value
        from matchmaker.search.core import Hit

        hits = [Hit(int(key), int(value), ()) for _ordinal, key, value in page]
        return SearchResult(
            total=int(statuses.sum()), page=request.page, per_page=request.per_page, hits=hits,
            facets=engine.facets_from_counts(prefecture, sectors, modes, statuses, bands),
            parts=parts, corrections=corrections,
        )
