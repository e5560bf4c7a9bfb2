"""Query understanding (pure): words, sector aliases, regions (Chinese, English, pinyin).

A query becomes a list of `Part`s, all of which a project must satisfy. A part is the text
as typed plus the concepts it names: '锂电' -> sector nev.battery, 'zunyi' -> region 520300,
'data center' -> sector big_data.datacenter. Chinese runs are segmented by forward maximum
matching over the known sector and region names; Latin words are stemmed (batteries ->
battery) and multi-word aliases are matched longest first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from matchmaker.reference.pinyin import joined as pinyin_joined
from matchmaker.search.textindex import is_cjk_char, words
from matchmaker.text import fold

SPELLING = {"centre": "center", "centres": "centers", "utilisation": "utilization",
            "fibre": "fiber", "decarbonisation": "decarbonization", "aluminium": "aluminum",
            "refuelling": "refueling", "electrolyser": "electrolyzer", "colour": "color"}
STOPWORDS = frozenset(
    "a an and or of the in for with to at on by near project projects industry industries".split()
)
_TONED_PINYIN_RE = re.compile(r"^(?:[a-z]+[1-5])+[a-z]*$")
_ZH_REGION_SUFFIXES = ("苗族侗族自治州", "布依族苗族自治州", "自治州", "自治县", "新区", "特区", "市", "州", "区", "县")
_EN_REGION_SUFFIXES = ("new area", "autonomous prefecture", "autonomous county", "prefecture",
                       "special district", "county", "district", "city")
MAX_WORDS = 12
MAX_QUERY_CHARS = 200


def stem(word: str) -> str:
    """A light English stemmer: batteries -> battery, stations -> station, boxes -> box."""
    word = SPELLING.get(word, word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def prefix_root(word: str) -> str:
    """What a Latin word must start with in a document: battery -> batter (batteries too)."""
    root = stem(word)
    if len(root) > 4 and root.endswith("y"):
        root = root[:-1]
    return root


def latin_key(tokens: Iterable[str]) -> str:
    return " ".join(stem(t) for t in tokens)


@dataclass(frozen=True)
class Concept:
    kind: str  # 'sector' | 'region'
    code: str


@dataclass
class Part:
    """One thing the query asks for. `text` is what was typed (folded)."""

    text: str
    latin: bool
    words: tuple[str, ...] = ()  # Latin words to find in text fields
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    fuzzy: bool = False  # filled in when typo correction was needed
    corrected: str | None = None
    highlight: set[str] = field(default_factory=set)


class Vocabulary:
    """Keys of every sector label and region name, for segmenting and recognising queries."""

    def __init__(self, sectors: Iterable, regions: Iterable) -> None:
        self.cjk: dict[str, set[Concept]] = {}
        self.latin: dict[str, set[Concept]] = {}
        self.word_sectors: dict[str, set[str]] = {}
        self.labels: dict[Concept, list[str]] = {}
        for sector in sectors:
            concept = Concept("sector", sector.code)
            for label in (sector.name, sector.name_en, *sector.aliases):
                self._add(label, concept)
                if label and is_cjk_char(label[0]):
                    self._add(pinyin_joined(label), concept, pinyin=True)  # 'guangfu' is 光伏
            for label in (sector.name_en, *sector.aliases):
                for token in words(fold(label)):
                    if not is_cjk_char(token[0]) and token not in STOPWORDS and len(token) > 1:
                        self.word_sectors.setdefault(stem(token), set()).add(sector.code)
        for region in regions:
            concept = Concept("region", region.code)
            names = [region.name, region.short, region.pinyin, region.name_en, *region.aliases]
            zh = fold(region.name)
            for suffix in _ZH_REGION_SUFFIXES:
                if zh.endswith(suffix) and len(zh) - len(suffix) >= 2:
                    names.append(zh[: -len(suffix)])
                    break
            en = fold(region.name_en)
            for suffix in _EN_REGION_SUFFIXES:
                if en.endswith(" " + suffix):
                    names.append(en[: -len(suffix) - 1])
                    break
            if region.short and getattr(region, "level", "") == "prefecture":
                names += [region.short + "州", region.short + "市"]
            for label in names:
                self._add(label, concept, pinyin=True)
        self.max_cjk = max((len(k) for k in self.cjk), default=0)
        self.latin_words = sorted({w for k in self.latin for w in k.split()} | set(self.word_sectors))
        self.cjk_keys = sorted(self.cjk)

    def _add(self, label: str, concept: Concept, *, pinyin: bool = False) -> None:
        folded = fold(label)
        if not folded:
            return
        tokens = words(folded)
        if all(is_cjk_char(t[0]) for t in tokens):
            key = "".join(tokens)
            if len(key) >= 2:
                self.cjk.setdefault(key, set()).add(concept)
        else:
            self.latin.setdefault(latin_key(tokens), set()).add(concept)
            if pinyin:
                self.latin.setdefault("".join(tokens), set()).add(concept)
        self.labels.setdefault(concept, []).append(folded.replace(" ", "") if tokens and is_cjk_char(tokens[0][0]) else folded)

    def concepts_cjk(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        found = self.cjk.get(key, set())
        return _split(found)

    def concepts_latin(self, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return _split(self.latin.get(key, set()))


def _split(concepts: Iterable[Concept]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    sectors = tuple(sorted(c.code for c in concepts if c.kind == "sector"))
    regions = tuple(sorted(c.code for c in concepts if c.kind == "region"))
    return sectors, regions


def _untone(token: str) -> str:
    return re.sub(r"[1-5]", "", token) if _TONED_PINYIN_RE.match(token) else token


def parse(query: str, vocabulary: Vocabulary) -> list[Part]:
    """The parts of a query, in the order typed (at most MAX_WORDS)."""
    # single Latin letters ('<b>' -> 'b') say nothing
    tokens = [_untone(t) for t in words(fold(query)) if len(t) > 1 or not t.isascii() or t.isdigit()]
    tokens = tokens[: MAX_WORDS * 2]
    parts: list[Part] = []
    index = 0
    meaningful = [t for t in tokens if t not in STOPWORDS]
    while index < len(tokens):
        token = tokens[index]
        if is_cjk_char(token[0]):
            parts.extend(_segment_cjk(token, vocabulary))
            index += 1
            continue
        run = 1
        while index + run < len(tokens) and run < 4 and not is_cjk_char(tokens[index + run][0]):
            run += 1
        for size in range(run, 0, -1):
            chunk = tokens[index : index + size]
            sectors, regions = vocabulary.concepts_latin(latin_key(chunk))
            if not (sectors or regions) and size > 1:
                sectors, regions = vocabulary.concepts_latin("".join(chunk))
            if sectors or regions:
                parts.append(Part(" ".join(chunk), True, tuple(chunk), sectors, regions))
                index += size
                break
        else:
            index += 1
            if token in STOPWORDS and meaningful:
                continue
            sectors = tuple(sorted(vocabulary.word_sectors.get(stem(token), ())))
            parts.append(Part(token, True, (token,), sectors, ()))
    return parts[:MAX_WORDS]


def _segment_cjk(run: str, vocabulary: Vocabulary) -> list[Part]:
    """Forward maximum matching: '遵义光伏' -> 遵义 (region), 光伏 (sector)."""
    parts: list[Part] = []
    pending: list[str] = []
    leftovers: list[Part] = []

    def flush() -> None:
        if pending:
            leftovers.append(Part("".join(pending), False))
            parts.append(leftovers[-1])
            pending.clear()

    index = 0
    while index < len(run):
        for end in range(min(len(run), index + vocabulary.max_cjk), index + 1, -1):
            key = run[index:end]
            if key in vocabulary.cjk:
                flush()
                sectors, regions = vocabulary.concepts_cjk(key)
                parts.append(Part(key, False, (), sectors, regions))
                index = end
                break
        else:
            pending.append(run[index])
            index += 1
    flush()
    if len(parts) > 1:
        # a lone character left between known words ('光伏发电站' -> 站) is not a demand
        parts = [p for p in parts if not (p in leftovers and len(p.text) == 1)]
    return parts
