"""Chinese/English text normalisation shared by import, search and matching.

Pure: no Flask, no database. Everything that compares text written by people goes
through `normalize` (or `compact`) first, so full-width forms, case and stray spaces
never decide a match.
"""

from __future__ import annotations

import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")


def normalize(text: object) -> str:
    """NFKC (full-width -> half-width, ideographic space -> space), casefold, one space."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = value.replace("\u3000", " ").casefold()
    return _SPACE_RE.sub(" ", value).strip()


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0xF900 <= code <= 0xFAFF
    )


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


def tokens(text: object) -> list[str]:
    """Latin/digit words plus CJK character bigrams (a lone CJK character stays itself).

    Chinese has no spaces and most useful words are two characters, so overlapping
    bigrams are the unit token scorers and indexes work with.
    """
    result: list[str] = []
    run: list[str] = []
    word: list[str] = []

    def flush_run() -> None:
        if len(run) == 1:
            result.append(run[0])
        else:
            result.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
        run.clear()

    def flush_word() -> None:
        if word:
            result.append("".join(word))
            word.clear()

    for ch in compact_keep_spaces(text):
        if is_cjk(ch):
            flush_word()
            run.append(ch)
        elif ch.isalnum():
            if run:
                flush_run()
            word.append(ch)
        else:
            flush_word()
            if run:
                flush_run()
    flush_word()
    if run:
        flush_run()
    return result


def compact_keep_spaces(text: object) -> str:
    """`normalize`, with punctuation and symbols turned into spaces (word boundaries kept)."""
    chars = [
        " " if unicodedata.category(ch)[0] in ("P", "S", "C") else ch for ch in normalize(text)
    ]
    return _SPACE_RE.sub(" ", "".join(chars)).strip()


def clean(text: object) -> str:
    """NFKC (full-width digits and punctuation -> half-width) and stripped; case kept.

    For storing what people wrote: '５０００万（约）' -> '5000万(约)'. Line breaks inside a
    cell survive (as '\\n'); other runs of spaces become one space.
    """
    if text is None:
        return ""
    value = text if text.__class__ is str else str(text)
    if not value.isascii() and not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in value or "\t" in value or "\n" in value:
        lines = (" ".join(line.split()) for line in value.split("\n"))
        value = "\n".join(line for line in lines if line)
    return value.strip()
