"""Frozen copy of matchmaker/investors/names.py as it was before issue 11: the baseline
that benchmarks/bench_names.py runs beside the current resolver. Not used by the app."""
# ruff: noqa
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq

from matchmaker.i18n import N_, Message
from matchmaker.text import compact, is_cjk, normalize

# A match needs this score ...
CONFIDENT_SCORE = 85.0
# ... and this lead over the best *other* investor; otherwise "no confident match".
# Tuned on tests/data/company_names.csv (see tests/investors/test_names.py).
MIN_MARGIN = 4.0

MAX_NAME_CHARS = 300  # longer input is truncated for matching (a name is never that long)
_RAW_LIMIT = 4 * MAX_NAME_CHARS
_RERANK = 40  # keys reranked exactly after the vectorised candidate stage

# --- legal forms, share classes, provinces -------------------------------------------

_CJK_LEGAL_SUFFIXES = tuple(
    sorted(
        (
            "集团股份有限公司",
            "集团有限责任公司",
            "集团有限公司",
            "股份有限公司",
            "有限责任公司",
            "股份公司",
            "有限公司",
            "责任公司",
            "集团公司",
            "控股集团",
            "集团",
            "控股",
            "股份",
            "公司",
        ),
        key=len,
        reverse=True,
    )
)
# Parenthesised legal or place words dropped wherever they stand: 贵州磷化（集团）有限责任公司.
_PAREN_WORDS_RE = re.compile(r"\((?:集团|控股|股份|中国|china|holdings?|group)\)")
_EN_LEGAL_WORDS = frozenset(
    "co company ltd limited inc incorporated corp corporation group holdings holding "
    "gmbh ag sa se plc llc nv bv spa kk pte pty ab as asa oy".split()
)
_EN_LEGAL_PAIRS = (("s", "a"), ("n", "v"), ("b", "v"), ("a", "s"), ("s", "e"))
_EN_STOPWORDS = frozenset({"the", "and", "of", "&"})
_ST_PREFIX_RE = re.compile(r"^\s*(?:\*\s*st|s\s*\*?\s*st|st)(?=[\s\-]|[^\x00-\x7f])\s*-?\s*")
_SHARE_CLASS_RE = re.compile(r"(?<=[\u3400-\u9fff])\s*(?:[abh]股?|-\s*(?:uw|wd|u|w))$")

# Full province names -> the one-character abbreviation (粤, 黔 ...), applied at the start
# of a key only, on both sides of a comparison, so 广东电力发展 and 粤电力 share 粤电力.
# Single characters are never expanded (新能源, 宁德, 青岛, 吉利 stay as they are); only
# the rarer second abbreviations (蜀, 秦, 陇) are folded into the usual one.
_PROVINCES = {
    "黑龙江": "黑",
    "内蒙古": "蒙",
    "广东": "粤",
    "贵州": "黔",
    "四川": "川",
    "云南": "滇",
    "湖南": "湘",
    "湖北": "鄂",
    "江苏": "苏",
    "浙江": "浙",
    "福建": "闽",
    "江西": "赣",
    "广西": "桂",
    "重庆": "渝",
    "上海": "沪",
    "北京": "京",
    "天津": "津",
    "河北": "冀",
    "山东": "鲁",
    "山西": "晋",
    "河南": "豫",
    "安徽": "皖",
    "陕西": "陕",
    "甘肃": "甘",
    "辽宁": "辽",
    "吉林": "吉",
    "新疆": "新",
    "西藏": "藏",
    "宁夏": "宁",
    "青海": "青",
    "海南": "琼",
    "香港": "港",
    "澳门": "澳",
}
_PROVINCE_RE = re.compile(
    "^(?:"
    + "|".join(sorted(_PROVINCES, key=len, reverse=True))
    + ")(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)?"
)
_ALT_ABBREVIATIONS = {"蜀": "川", "秦": "陕", "陇": "甘"}


def _strip_legal(text: str) -> str:
    """Strip legal forms and share classes from the end, repeatedly (normalised input)."""
    text = _PAREN_WORDS_RE.sub("", text)
    while True:
        before = text
        text = re.sub(r"[\s\W_]+$", "", text)
        text = _SHARE_CLASS_RE.sub("", text)
        for suffix in _CJK_LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                text = text[: -len(suffix)]
                break
        words = re.split(r"[\s.,/&()\-]+", text)
        words = [w for w in words if w]
        if len(words) >= 4 and words[-2] == "of" and words[-3] in _EN_LEGAL_WORDS:
            # "State Grid Corporation of China", "Gree Electric Appliances, Inc. of Zhuhai"
            text = text[: text.rfind(" of ")]
        elif len(words) >= 3 and tuple(words[-2:]) in _EN_LEGAL_PAIRS:
            text = text[: text.rfind(words[-2])]
        elif len(words) >= 2 and words[-1] in _EN_LEGAL_WORDS:
            text = text[: text.rfind(words[-1])]
        if text == before:
            return text


def _prepare(name: object) -> str:
    """normalize + truncation; emoji and other symbols disappear in `compact` later."""
    raw = str(name or "")[:_RAW_LIMIT]
    return normalize(raw)[:MAX_NAME_CHARS]


def company_key(name: object) -> str:
    """The comparison key of a company name ('' when nothing identifying is left).

    >>> company_key("珠海格力电器股份有限公司"), company_key("*ST 格力电器Ａ")
    ('珠海格力电器', '格力电器')
    >>> company_key("广东电力发展股份有限公司"), company_key("粤电力A")
    ('粤电力发展', '粤电力')
    """
    text = _prepare(name)
    text = _ST_PREFIX_RE.sub("", text)
    text = re.sub(r"^the\s+", "", text)
    text = _strip_legal(text)
    key = compact(text)
    key = _PROVINCE_RE.sub(lambda m: _PROVINCES[_province_of(m.group(0))], key, count=1)
    if key and key[0] in _ALT_ABBREVIATIONS:
        key = _ALT_ABBREVIATIONS[key[0]] + key[1:]
    return key


def _province_of(matched: str) -> str:
    for full in sorted(_PROVINCES, key=len, reverse=True):
        if matched.startswith(full):
            return full
    raise AssertionError(matched)  # pragma: no cover - the regex only matches these


def acronyms(name_en: object) -> set[str]:
    """Initials of an English name: 'State Power Investment Corporation' -> spic, spi."""
    words = [w for w in re.split(r"[^0-9a-z]+", _prepare(name_en)) if w]
    words = [w for w in words if w not in _EN_STOPWORDS]
    if len(words) < 2:
        return set()
    core = [w for w in words if w not in _EN_LEGAL_WORDS]
    without_co = [w for w in words if w not in ("co", "company")]
    without_form = [w for w in words if w not in ("co", "company", "ltd", "limited")]
    found = {
        "".join(w[0] for w in seq)
        for seq in (words, core, without_co, without_form)
        if len(seq) >= 2
    }
    return {a for a in found if 2 <= len(a) <= 6}


# --- records and answers ----------------------------------------------------------------


@dataclass(frozen=True)
class InvestorName:
    id: object
    name: str
    name_en: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    query: str
    match: InvestorName | None
    score: float
    runner_up: InvestorName | None
    runner_up_score: float
    candidates: list[tuple[InvestorName, float]] = field(default_factory=list)

    @property
    def message(self) -> Message:
        best = self.candidates[0][0] if self.candidates else None
        if self.match is not None:
            return Message(
                N_("Matched %(name)s (score %(score).0f)"),
                {"name": self.match.name, "score": self.score},
            )
        if best is None:
            return Message(N_("No known investor resembles “%(query)s”"), {"query": self.query})
        return Message(
            N_("No confident match for “%(query)s”; closest: %(name)s (score %(score).0f)"),
            {"query": self.query, "name": best.name, "score": self.candidates[0][1]},
        )


class NameInputError(ValueError):
    """Refused input; `.message` is a Message for people."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


def pair_score(query_key: str, key: str) -> float:
    """Score one query key against one known key (both from `company_key`)."""
    if not query_key or not key:
        return 0.0
    if query_key == key:
        return 100.0
    lq, lk = len(query_key), len(key)
    score = Indel.normalized_similarity(query_key, key) * 100
    latin = _is_ascii(query_key) and _is_ascii(key)
    min_len = 4 if latin else 2
    if lq < lk and lq >= min_len:
        blocks = _blocks(query_key, key)
        if blocks == 1:
            score = max(score, 78 + 20 * lq / lk)
        elif blocks > 1 and not latin:
            # Characters left out of the middle are often the brand (宁德新能源 is not
            # 宁德时代新能源): the block penalty decides, not the edit ratio.
            score = 78 + 20 * lq / lk - 10 * (blocks - 1)
    elif lk < lq and lk >= min_len and query_key.endswith(key):
        score = max(score, 78 + 20 * lk / lq)
    elif lk < lq and lk >= min_len and query_key.startswith(key):
        score = max(score, 65 + 15 * lk / lq)
    return score


def _blocks(short: str, long: str) -> int:
    """Number of contiguous pieces `short` is split into inside `long` (0: not a subsequence)."""
    if short in long:
        return 1
    opcodes = LCSseq.opcodes(short, long)
    equal = [op for op in opcodes if op.tag == "equal"]
    if sum(op.src_end - op.src_start for op in equal) != len(short):
        return 0
    return len(equal)


class NameResolver:
    """Index of known investors' names, built once; `resolve(query)` per lookup."""

    def __init__(self, records: Iterable[InvestorName]) -> None:
        self.records: list[InvestorName] = list(records)
        keys: list[str] = []
        owners: list[int] = []
        self._exact: dict[str, set[int]] = {}
        self._acronyms: dict[str, set[int]] = {}
        for index, record in enumerate(self.records):
            own: set[str] = set()
            for text in (record.name, record.name_en, *record.aliases):
                key = company_key(text) if text else ""
                if key and key not in own:
                    own.add(key)
                    keys.append(key)
                    owners.append(index)
                    self._exact.setdefault(key, set()).add(index)
            for acronym in acronyms(record.name_en):
                if acronym not in own:
                    self._acronyms.setdefault(acronym, set()).add(index)
        self._keys = keys
        self._owners = np.asarray(owners, dtype=np.int32)
        self._key_lengths = np.asarray([len(k) for k in keys], dtype=np.int32)

    def __len__(self) -> int:
        return len(self.records)

    def resolve(self, query: str, *, limit: int = 5) -> Resolution:
        """Best known investor for `query`; `match` is None unless confident.

        Raises NameInputError (a ValueError with a Message) for blank input or a name with
        nothing identifying left (only a legal form, emoji or punctuation).
        """
        if query is None or not str(query).strip():
            raise NameInputError(Message(N_("Enter a company name.")))
        qkey = company_key(query)
        if not any(ch.isalnum() or is_cjk(ch) for ch in qkey):
            raise NameInputError(
                Message(
                    N_("“%(query)s” has no letters or characters to match."),
                    {"query": str(query)[:50]},
                )
            )
        scores: dict[int, float] = {}

        def offer(owner: int, value: float) -> None:
            if value > scores.get(owner, -1.0):
                scores[owner] = value

        for owner in self._exact.get(qkey, ()):
            offer(owner, 100.0)
        for owner in self._acronyms.get(qkey, ()):
            offer(owner, 95.0)
        for index in self._candidate_keys(qkey):
            offer(int(self._owners[index]), pair_score(qkey, self._keys[index]))

        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        candidates = [(self.records[i], round(s, 1)) for i, s in ranked[: max(limit, 2)] if s > 0]
        best, best_score = candidates[0] if candidates else (None, 0.0)
        runner, runner_score = candidates[1] if len(candidates) > 1 else (None, 0.0)
        confident = (
            best is not None
            and best_score >= CONFIDENT_SCORE
            and (best_score - runner_score >= MIN_MARGIN)
        )
        return Resolution(
            query=str(query)[:MAX_NAME_CHARS],
            match=best if confident else None,
            score=best_score,
            runner_up=runner,
            runner_up_score=runner_score,
            candidates=candidates[:limit],
        )

    def _candidate_keys(self, qkey: str) -> Sequence[int]:
        """Indices of the keys worth an exact rerank (vectorised LCS over all keys)."""
        if not self._keys:
            return []
        lcs = process.cdist(
            [qkey], self._keys, scorer=LCSseq.similarity, dtype=np.int32, workers=1
        )[0]
        lq = len(qkey)
        lengths = self._key_lengths
        # Upper bounds of what pair_score can give: ratio, and coverage of the shorter side.
        ratio = 200.0 * lcs / (lq + lengths)
        cover = lcs / np.minimum(lq, lengths)
        rough = np.maximum(ratio, np.where(cover >= 0.999, 78 + 20 * cover, 0))
        count = min(_RERANK, len(rough))
        top = np.argpartition(-rough, count - 1)[:count]
        return [int(i) for i in top if rough[i] > 0]


def resolve_all(resolver: NameResolver, queries: Iterable[str]) -> list[Resolution]:
    """Resolve many names in order (the import and the CLI's --file)."""
    return [resolver.resolve(q) for q in queries]


