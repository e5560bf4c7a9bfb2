"""One bilingual vocabulary (zh ⇄ en) for search, matching and draft English names (pure:
no Flask, no database; `matchmaker.reference.loaders.glossary()` builds the app's one).

Its terms are the domain glossary in ``data/glossary.csv`` (products, materials,
technologies, facilities, capacities: "氢能 | hydrogen", "液冷数据中心 | liquid-cooled data
center") plus every sector of the taxonomy (its Chinese names and aliases on one side, its
English ones on the other). A term is a concept: all its variants, in both languages, mean
the same thing.

The bridge is used at query and keyword-expansion time:

- `concept_tokens(text)` - one token per term found in a text ('§12'): added to what a text
  is indexed with, so that a keyword and a text naming the same term in two languages
  share a token;
- `keyword_tokens(keywords)` - the keywords' tokens with each term they name replaced by
  its concept token (so "hydrogen" is one token that 氢能 in a project satisfies);
- `translations(text)` - the other language's variants of the terms in a text (search
  looks them up in names and descriptions);
- `bridges(keywords, text)` - the pairs that linked them, for a reason a person reads
  ("hydrogen ↔ 氢能").

Chinese variants are found as substrings (at least two characters), English ones word by
word with plurals and UK/US spellings folded ("data centres" is "data center"). Generic
words (kind ``word``) and units (``capacity``) serve draft names only: they would make
everything match everything.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matchmaker.text import is_cjk, nfkc, normalize, tokens

# Kinds that never bridge search and matching (too general), only name things.
NAMING_ONLY = frozenset({"word", "capacity"})
TOKEN_PREFIX = "§"  # tokens() never yields it: concept tokens cannot collide with words
MAX_TEXT_CHARS = 20_000  # longer texts are read up to here (a keyword field is 500)
_SPELLING = {"centre": "center", "centres": "centers", "utilisation": "utilization",
             "fibre": "fiber", "decarbonisation": "decarbonization", "aluminium": "aluminum",
             "refuelling": "refueling", "electrolyser": "electrolyzer", "colour": "color",
             "graphitisation": "graphitization", "valorisation": "valorization",
             "industrialisation": "industrialization", "commercialisation": "commercialization",
             "digitalisation": "digitalization", "decentralised": "decentralized",
             "sulphate": "sulfate", "metre": "meter", "metres": "meters", "flavour": "flavor",
             "chilli": "chili", "tonne": "ton", "tonnes": "tons"}
_WORD_RE = re.compile(r"[a-z0-9]+(?:[&+][a-z0-9]+)?")
_LATIN_RE = re.compile(r"[a-z]")


def _stem(word: str) -> str:
    """Light English stemming: batteries -> battery, plants -> plant, boxes -> box."""
    word = _SPELLING.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def english_words(text: str) -> list[tuple[str, int, int]]:
    """(stemmed word, start, end) of each Latin word in the casefolded text."""
    return [(_stem(m.group()), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def _folded(text: object) -> str:
    return normalize(text).casefold().replace("-", " ").replace("’", "'")


@dataclass(frozen=True)
class Term:
    id: int
    kind: str
    zh: tuple[str, ...]  # the first is the preferred
    en: tuple[str, ...]
    source: str = "glossary"  # or "sector:<code>"

    @property
    def token(self) -> str:
        return f"{TOKEN_PREFIX}{self.id}"

    @property
    def label(self) -> str:
        """'hydrogen ↔ 氢能' - how a reason names it."""
        return f"{self.en[0]} ↔ {self.zh[0]}"

    @property
    def bridges(self) -> bool:
        return self.kind not in NAMING_ONLY


@dataclass(frozen=True)
class Found:
    term: Term
    text: str  # the variant as it occurs
    start: int
    end: int
    chinese: bool


class GlossaryError(ValueError):
    """A glossary file that cannot be read (the message says which line and why)."""


class Glossary:
    """Terms and the indexes that find them in a text."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms: list[Term] = list(terms)
        self.by_id = {t.id: t for t in self.terms}
        self._zh_first: dict[str, list[tuple[str, Term]]] = {}  # first bigram -> variants
        self._zh_keys: dict[int, list[str]] = {}  # term id -> its folded Chinese variants
        self._en_first: dict[str, list[tuple[tuple[str, ...], Term]]] = {}  # first word
        for term in self.terms:
            for variant in term.zh:
                key = normalize(variant).casefold()
                if len(key) >= 2:
                    self._zh_first.setdefault(key[:2], []).append((key, term))
                    self._zh_keys.setdefault(term.id, []).append(key)
            for variant in term.en:
                words = tuple(w for w, _s, _e in english_words(_folded(variant)))
                if words:
                    self._en_first.setdefault(words[0], []).append((words, term))
        for entries in (*self._zh_first.values(), *self._en_first.values()):
            entries.sort(key=lambda item: -len(item[0]))  # longest first
        self.zh_bigrams = frozenset(self._zh_first)
        # one-character Chinese variants (draft names read them last); a later term wins
        self.single_chars: dict[str, Term] = {v: t for t in self.terms for v in t.zh if len(v) == 1}
        self._bridging_bigrams = frozenset(
            bigram for bigram, entries in self._zh_first.items() if any(t.bridges for _v, t in entries))

    def __len__(self) -> int:
        return len(self.terms)

    # -- reading -----------------------------------------------------------------------

    @classmethod
    def from_csv(cls, text: str, *, sectors: Iterable = (), start_id: int = 1) -> Glossary:
        """The glossary file's terms (see data/glossary.csv), then one term per sector."""
        terms: list[Term] = []
        seen: dict[str, int] = {}
        rows = csv.reader(io.StringIO(text))
        next_id = start_id
        for line_no, row in enumerate(rows, start=1):
            if not row or not row[0].strip() or row[0].startswith("#") or row[0] == "kind":
                continue
            if len(row) != 3:
                raise GlossaryError(f"line {line_no}: expected kind,zh,en - got {len(row)} cells")
            kind, zh_cell, en_cell = (cell.strip() for cell in row)
            zh = tuple(v.strip() for v in zh_cell.split("|") if v.strip())
            en = tuple(v.strip() for v in en_cell.split("|") if v.strip())
            if not zh or not en:
                raise GlossaryError(f"line {line_no}: a term needs a Chinese and an English side")
            for variant in zh:
                short = len(variant) < 2 and kind not in NAMING_ONLY  # units: 吨, 辆
                if short or not any(is_cjk(ch) for ch in variant):
                    raise GlossaryError(f"line {line_no}: “{variant}” is not a Chinese variant of two "
                                        "characters or more")
            for variant in (*zh, *en):
                key = _folded(variant)
                if key in seen and seen[key] != line_no:
                    raise GlossaryError(f"line {line_no}: “{variant}” is already on line {seen[key]}")
                seen[key] = line_no
            terms.append(Term(next_id, kind, zh, en))
            next_id += 1
        for sector in sectors:
            labels = [sector.name, sector.name_en, *sector.aliases]
            zh = tuple(v for v in labels if any(is_cjk(ch) for ch in v) and len(v) >= 2)
            en = tuple(v for v in labels if v and not any(is_cjk(ch) for ch in v))
            if zh and en:
                terms.append(Term(next_id, "sector", zh, en, source=f"sector:{sector.code}"))
                next_id += 1
        return cls(terms)

    @classmethod
    def load(cls, path: str | Path, *, sectors: Iterable = ()) -> Glossary:
        return cls.from_csv(Path(path).read_text(encoding="utf-8"), sectors=sectors)

    # -- finding -----------------------------------------------------------------------

    def find(self, text: object, *, bridging_only: bool = True, longest: bool = False,
             terms: Collection[int] | None = None) -> list[Found]:
        """The terms in `text`, in text order. `longest`: non-overlapping, the longest
        variant at each place (for keywords); otherwise every occurrence (for project texts,
        so that 光伏电站 is solar, power plant and solar power plant). `terms` (ids): only
        those terms are looked for (without `longest` the same occurrences of them as a
        full search finds)."""
        folded = _folded(text)[:MAX_TEXT_CHARS]
        found: list[Found] = []
        bigrams = self.zh_bigrams if terms is None else {
            key[:2] for term_id in terms for key in self._zh_keys.get(term_id, ())}
        # Chinese: only the bigrams that begin a variant are looked for, with str.find (the
        # hot path when 100,000 project texts are indexed).
        for bigram in bigrams.intersection(tokens(folded)) if bigrams else ():
            entries = self._zh_first[bigram]
            index = folded.find(bigram)
            while index >= 0:
                for variant, term in entries:
                    if terms is not None and term.id not in terms:
                        continue
                    if (not bridging_only or term.bridges) and folded.startswith(variant, index):
                        found.append(Found(term, variant, index, index + len(variant), True))
                        if longest:
                            break
                index = folded.find(bigram, index + 1)
        found.extend(self._find_english(folded, bridging_only=bridging_only, longest=longest, terms=terms))
        found.sort(key=lambda f: (f.start, -(f.end - f.start)))
        if not longest:
            return found
        kept: list[Found] = []
        end = -1
        for item in found:
            if item.start >= end:
                kept.append(item)
                end = item.end
        return kept

    def _find_english(self, folded: str, *, bridging_only: bool = True, longest: bool = False,
                      terms: Collection[int] | None = None) -> list[Found]:
        found: list[Found] = []
        words = english_words(folded) if _LATIN_RE.search(folded) else []
        for i, (word, start, _end) in enumerate(words):
            for variant_words, term in self._en_first.get(word, ()):
                if (bridging_only and not term.bridges) or (terms is not None and term.id not in terms):
                    continue
                n = len(variant_words)
                if tuple(w for w, _s, _e in words[i : i + n]) == variant_words:
                    found.append(Found(term, folded[start : words[i + n - 1][2]], start,
                                       words[i + n - 1][2], False))
                    if longest:
                        break
        return found

    def concept_tokens(self, text: object, text_tokens: Sequence[str] | None = None) -> list[str]:
        """One token per bridging term in `text` (for the text a project is indexed with).
        `text_tokens` (its `tokens()`, when the caller has them) skips texts with no
        Chinese candidate and no Latin word quickly."""
        if text_tokens is None:
            text_tokens = tokens(text)
        candidates = self._bridging_bigrams.intersection(text_tokens)
        latin = any(t.isascii() and not t.isdigit() for t in text_tokens)
        if not candidates and not latin:
            return []
        folded = _folded(text)[:MAX_TEXT_CHARS]
        found: dict[int, None] = {}
        # Set and substring tests only (no positions): the hot path of indexing 100,000
        # project texts.
        for bigram in candidates:
            for variant, term in self._zh_first[bigram]:
                if term.bridges and term.id not in found and (len(variant) == 2 or variant in folded):
                    found[term.id] = None
        if latin:
            for item in self._find_english(folded):
                found.setdefault(item.term.id, None)
        return [f"{TOKEN_PREFIX}{term_id}" for term_id in found]

    def keyword_tokens(self, keywords: object) -> list[str]:
        """The tokens of `keywords` with every term they name (longest first) replaced by
        its concept token: "hydrogen fuel cell" -> ['§1', '§5'], '氢能 储能' -> ['§1', '§30']."""
        folded = _folded(keywords)[:MAX_TEXT_CHARS]
        found = self.find(folded, longest=True)
        if not found:
            return tokens(folded)
        rest, last = [], 0
        for item in found:
            rest.append(folded[last : item.start])
            last = item.end
        rest.append(folded[last:])
        return [*tokens(" ".join(rest)), *dict.fromkeys(f.term.token for f in found)]

    def translations(self, text: object) -> list[tuple[Term, list[str]]]:
        """For each bridging term in `text`, its variants in the other language
        ('hydrogen' -> 氢能, 氢气, 制氢; '氢能' -> hydrogen, hydrogen energy, H2)."""
        result = []
        for item in self.find(text, longest=True):
            other = item.term.en if item.chinese else item.term.zh
            result.append((item.term, list(other)))
        return result

    def bridges(self, keywords: object, text: object, *,
                keyword_terms: Sequence[Found] | None = None) -> list[tuple[str, str]]:
        """(keyword as written, the other-language word in the text) for each term the
        keywords and the text share across languages: [('hydrogen', '氢能')].
        `keyword_terms`: `find(keywords, longest=True)` when the caller has it (one set of
        keywords against many texts); only those terms are looked for in the text."""
        mine = self.find(keywords, longest=True) if keyword_terms is None else keyword_terms
        if not mine:
            return []
        in_text: dict[int, Found] = {}
        for item in self.find(text, terms={item.term.id for item in mine}):
            in_text.setdefault(item.term.id, item)
        pairs = []
        for item in mine:
            other = in_text.get(item.term.id)
            if other is not None and other.chinese != item.chinese:
                pairs.append((item.text, other.text))
        return list(dict.fromkeys(pairs))

    def term_at(self, text: str, index: int, *, glossary_first: bool = False) -> tuple[Term, int] | None:
        """The longest term (of any kind) whose Chinese variant starts at `index`;
        `glossary_first`: the glossary's own terms before the sectors' (names want the
        product, not the sector it belongs to)."""
        entries = self._zh_first.get(text[index : index + 2].casefold(), ())
        for own in ((True, False) if glossary_first else (None,)):
            for variant, term in entries:
                if (own is None or (term.source == "glossary") == own) and text.startswith(variant, index):
                    return term, len(variant)
        return None

    def english_of(self, text: object) -> str | None:
        """The preferred English of a Chinese phrase that is exactly one term, else None."""
        key = normalize(text).casefold()
        for variant, term in self._zh_first.get(key[:2], ()):
            if variant == key:
                return term.en[0]
        return None


# --- draft English names ----------------------------------------------------------------

_PLACE_SUFFIXES = (" Autonomous Prefecture", " Autonomous County", " Special District", " County",
                   " District", " City", " (province-wide)")
_NUMBER = r"(\d+(?:\.\d+)?)"
# 年产8万吨, 年产20000套, 年产5亿平方米, 10万千瓦, 6GWh, 2×660MW, 20000架机柜, 200P
_CAPACITY_RE = re.compile(
    rf"^(?:年产{_NUMBER}(万|亿)?(吨|辆|套|架|平方米|立方米|GWh|GW|MWh|MW)"
    rf"|{_NUMBER}万千瓦|(\d+)[×xX*](\d+)\s*MW|{_NUMBER}\s*(GWh|GW|MWh|MW|P)(?![a-zA-Z])"
    rf"|{_NUMBER}(架)机柜)"
)
_UNIT_EN = {"吨": "t", "辆": "vehicles", "套": "sets", "架": "racks", "平方米": "m²", "立方米": "m³",
            "GWh": "GWh", "GW": "GW", "MWh": "MWh", "MW": "MW", "P": "PFLOPS"}
_KEEP_CASE = re.compile(r"^[A-Z0-9][A-Za-z0-9&+/²³-]*$")  # PV, GWh, LFP, AI, 5G


def _number(value: float) -> str:
    """'80,000', '1.5', '500 million' (English writes large round figures in words)."""
    if value >= 1_000_000 and (value / 1_000_000) == round(value / 1_000_000, 2):
        return f"{_number(value / 1_000_000)} million"
    return f"{int(value):,}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def _capacity(match: re.Match) -> str:
    g = match.groups()
    if g[0] is not None:  # 年产 N [万|亿] unit
        value = float(g[0]) * {None: 1, "万": 10_000, "亿": 100_000_000}[g[1]]
        return f"{_number(value)} {_UNIT_EN[g[2]]}/yr"
    if g[3] is not None:  # N万千瓦: tens of megawatts
        return f"{_number(float(g[3]) * 10)} MW"
    if g[4] is not None:
        return f"{g[4]}×{g[5]} MW"
    if g[6] is not None:
        return f"{_number(float(g[6]))} {_UNIT_EN[g[7]]}"
    return f"{_number(float(g[8]))}-rack"


def place_names(regions: Iterable) -> list[tuple[str, str]]:
    """(Chinese, English) place names for draft names, from the gazetteer's regions: the full
    name and its short form ('修文县' and '修文' -> 'Xiuwen'), longest first."""
    pairs: dict[str, str] = {}
    for region in regions:
        english = region.name_en or ""
        if " Autonomous " in english:  # 'Daozhen Gelao and Miao Autonomous County' -> 'Daozhen'
            english = english.split(" ")[0]
        for suffix in _PLACE_SUFFIXES:
            if english.endswith(suffix):
                english = english[: -len(suffix)]
                break
        if not english:
            continue
        for chinese in (region.name, region.short):
            if chinese and len(chinese) >= 2:
                pairs.setdefault(chinese, english)
    return sorted(pairs.items(), key=lambda item: -len(item[0]))


_SMALL_WORDS = frozenset({"and", "of", "to", "for", "the", "in", "on", "with"})


def _title(text: str) -> str:
    return " ".join(w if _KEEP_CASE.match(w) or w in _SMALL_WORDS else w[:1].upper() + w[1:]
                    for w in text.split())


def _joined(words: list[str]) -> str:
    """Words in order, a word the next one repeats said once: 'Commercial Vehicle' +
    'Vehicle Manufacturing' -> 'Commercial Vehicle Manufacturing'."""
    out: list[str] = []
    for phrase in words:
        tokens_ = phrase.split()
        for size in range(min(len(out), len(tokens_)), 0, -1):
            if [t.casefold() for t in out[-size:]] == [t.casefold() for t in tokens_[:size]]:
                tokens_ = tokens_[size:]
                break
        out.extend(tokens_)
    return " ".join(out)


class PlaceNames:
    """`place_names` indexed by first character (longest first within each), so a draft
    name looks only at the places that can start where it reads."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        self._by_first: dict[str, list[tuple[str, str]]] = {}
        for zh, en in self.pairs:
            self._by_first.setdefault(zh[0], []).append((zh, en))

    def at(self, text: str, index: int) -> tuple[str, str] | None:
        """The first (longest) place of `pairs` written at `index`, else None."""
        for zh, en in self._by_first.get(text[index], ()):
            if text.startswith(zh, index):
                return zh, en
        return None


def draft_english_name(name: str, glossary: Glossary,
                       places: PlaceNames | Sequence[tuple[str, str]]) -> str | None:
    """A draft English name built from the place, capacity, products and facility a Chinese
    name is made of: '修文10万千瓦农光互补光伏发电项目' -> 'Xiuwen 100 MW Agrivoltaic Solar
    Project'. None when any part of the name is not in the glossary or the gazetteer (a
    draft with holes is not shown). Always a draft: it is shown labelled as one."""
    text = " ".join(nfkc(name).split())  # not normalize(): it lowercases GWh and MW
    if not text or not any(is_cjk(ch) for ch in text):
        return None
    project = text.endswith("项目")
    if project:
        text = text[:-2]
    if not isinstance(places, PlaceNames):
        places = PlaceNames(places)
    words: list[str] = []
    single = glossary.single_chars
    index = 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        place = places.at(text, index)
        if place is not None:
            words.append(place[1])
            index += len(place[0])
            continue
        # a capacity starts with 年 (年产…) or a digit (what the pattern's \d reads)
        capacity = _CAPACITY_RE.match(text[index:]) if text[index] == "年" or text[index].isdecimal() else None
        if capacity:
            words.append(_capacity(capacity))
            index += capacity.end()
            continue
        term = glossary.term_at(text, index, glossary_first=True)
        if term is not None:
            found, length = term
            words.append(_title(found.en[0]))
            index += length
            continue
        if text[index] in single:
            words.append(single[text[index]].en[0])
            index += 1
            continue
        return None
    if not words:
        return None
    if project:
        words.append("Project")
    return _joined(words)
