"""Chinese/English text normalisation shared by import, search and matching.

Pure: no Flask, no database. Everything that compares text written by people goes
through `normalize` (or `compact`) first, so full-width forms, case and stray spaces
never decide a match; search folds further (`fold`: accents and punctuation gone).

The one table of what counts as a CJK character (`CJK_RANGES`) and of the full-width
forms folded to ASCII lives here; tokenising, search indexing and name keys derive
their character classes from it.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")
# CJK Unified Ideographs, Extension A, Extension B and the compatibility ideographs.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0xF900, 0xFAFF),
)
# The same ranges as a regular-expression character class body: f"[{CJK_CLASS}]".
CJK_CLASS = "".join(f"{chr(low)}-{chr(high)}" for low, high in CJK_RANGES)
# Full-width ASCII and the ideographic space: the compatibility characters Chinese text
# is full of. Mapping them first leaves most strings already NFKC-normal, and the
# quick check is far cheaper than a full normalisation.
_FULL_WIDTH = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = " "


def nfkc(value: str) -> str:
    """unicodedata.normalize("NFKC", value), several times faster on typical Chinese text."""
    if value.isascii() or unicodedata.is_normalized("NFKC", value):
        return value
    value = value.translate(_FULL_WIDTH)
    if unicodedata.is_normalized("NFKC", value):
        return value
    return unicodedata.normalize("NFKC", value)


def normalize(text: object) -> str:
    """NFKC (full-width -> half-width, ideographic space -> space), casefold, one space."""
    if text is None:
        return ""
    return " ".join(nfkc(str(text)).casefold().split())


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in CJK_RANGES)


def compact(text: object) -> str:
    """`normalize`, then drop spaces, punctuation and symbols: the key for equality tests."""
    value = normalize(text)
    if value.isalnum():  # the common case (a plain name), checked in C
        return value
    return "".join(
        ch
        for ch in value
        if not ch.isspace() and unicodedata.category(ch)[0] not in ("P", "S", "C")
    )


# A run of CJK characters, or a run of other letters/digits (a Latin word, a number).
_TOKEN_RUN_RE = re.compile(f"([{CJK_CLASS}]+)|((?:(?![{CJK_CLASS}])[^\\W_])+)")


def tokens(text: object) -> list[str]:
    """Latin/digit words plus CJK character bigrams (a lone CJK character stays itself).

    Chinese has no spaces and most useful words are two characters, so overlapping
    bigrams are the unit token scorers and indexes work with. One regular expression
    finds the runs (this is on the hot path of indexing 100,000 projects).
    """
    result: list[str] = []
    for cjk, word in _TOKEN_RUN_RE.findall(normalize(text)):
        if word:
            result.append(word)
        elif len(cjk) == 1:
            result.append(cjk)
        else:
            result.extend([cjk[i : i + 2] for i in range(len(cjk) - 1)])
    return result


_MARKS_RE = re.compile(r"[\u0300-\u036f]")
_NONWORD_RE = re.compile(r"[\W_]+")


def fold(text: object) -> str:
    """The searchable form: full-width -> half-width, accents (pinyin tones) and case gone,
    apostrophes dropped (gui'an -> guian), any other punctuation or symbol -> one space."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKD", str(text))
    value = _MARKS_RE.sub("", value).casefold().replace("'", "").replace("\u2019", "")
    return _NONWORD_RE.sub(" ", value).strip()


def fold_char(char: str) -> str:
    """`fold` for one character, keeping its length meaningful for highlighting."""
    value = _MARKS_RE.sub("", unicodedata.normalize("NFKD", char)).casefold()
    if value in ("'", "\u2019"):
        return ""
    return "".join(c if (c.isalnum()) else " " for c in value)


def clean(text: object) -> str:
    """NFKC (full-width digits and punctuation -> half-width) and stripped; case kept.

    For storing what people wrote: '５０００万（约）' -> '5000万(约)'. Line breaks inside a
    cell survive (as '\\n'); other runs of spaces become one space.
    """
    if text is None:
        return ""
    value = text if text.__class__ is str else str(text)
    value = nfkc(value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in value or "\t" in value or "\n" in value:
        lines = (" ".join(line.split()) for line in value.split("\n"))
        value = "\n".join(line for line in lines if line)
    return value.strip()
