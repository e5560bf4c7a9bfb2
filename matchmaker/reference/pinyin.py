"""Pinyin of Chinese names, for search (pure: no Flask, no database).

Readings come from pypinyin's dictionaries: a two-character word it knows is read as a
word (重庆 chongqing, 行业 hangye), other characters by their most common reading. Whole
names are not run through `pypinyin.lazy_pinyin`: at 0.09 ms a name that costs 9 s per
100,000 projects on every full reindex; this reads the same dictionaries with two dict
lookups per character.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict

from matchmaker.text import CJK_CLASS

MAX_SYLLABLES = 4  # a pinyin "word" indexed from each syllable: guangfudianzhan
_RUN_RE = re.compile(f"[{CJK_CLASS}]+")


def _plain(syllable: str) -> str:
    """'chóng' -> 'chong', 'lǜ' -> 'lu'."""
    return "".join(c for c in unicodedata.normalize("NFKD", syllable) if c.isascii() and c.isalpha())


@functools.lru_cache(maxsize=20_000)
def _char(char: str) -> str:
    readings = pinyin_dict.get(ord(char))
    return _plain(readings.split(",")[0]) if readings else ""


def syllables(text: object) -> list[list[str]]:
    """The syllables of each run of Chinese characters: '六盘水 光伏' -> [[liu, pan, shui], [guang, fu]]."""
    phrases = phrases_dict
    result = []
    for run in _RUN_RE.findall(str(text or "")):
        out: list[str] = []
        index = 0
        while index < len(run):
            pair = phrases.get(run[index : index + 2]) if index + 1 < len(run) else None
            if pair and len(pair) == 2:
                out += [_plain(pair[0][0]), _plain(pair[1][0])]
                index += 2
            else:
                out.append(_char(run[index]))
                index += 1
        result.append([s for s in out if s])
    return result


def joined(text: object) -> str:
    """'光伏电站' -> 'guangfudianzhan' (a query or a label written in pinyin)."""
    return "".join("".join(run) for run in syllables(text))


def pinyin_words(text: object) -> str:
    """Words to index a Chinese name under, so that pinyin finds it: from each syllable the
    next `MAX_SYLLABLES` joined ('光伏电站' -> 'guangfudianzhan fudianzhan dianzhan'),
    so a search for guangfu, dianzhan or fudian (prefixes) finds it."""
    words = []
    for run in syllables(text):
        for start in range(len(run)):
            piece = run[start : start + MAX_SYLLABLES]
            if len(piece) >= 2 or len(run) == 1:  # a lone syllable ('an', 'pan') is an English word too
                words.append("".join(piece))
    return " ".join(dict.fromkeys(words))
