"""Keep the Chinese catalogue in step with the code.

    python scripts/translations.py update   # extract messages, merge into zh, compile
    python scripts/translations.py add FILE # merge 'English<TAB>Chinese' lines into zh, compile
                                            # ('context<TAB>English<TAB>Chinese' for enum labels)
    python scripts/translations.py missing  # list messages without a Chinese translation

English is the source language (msgids), so English needs no catalogue of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "matchmaker/translations/zh/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
POT = ROOT / "instance" / "messages.pot"
KEYWORDS = ["-k", "_l", "-k", "N_", "-k", "NP_:1c,2", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2"]


def extract() -> None:
    POT.parent.mkdir(exist_ok=True)
    subprocess.run(
        ["pybabel", "-q", "extract", "-F", "babel.cfg", *KEYWORDS, "--ignore-dirs", ".*", "--no-location", "--sort-output",
         "-o", str(POT), "."],
        cwd=ROOT, check=True,
    )


def compile_mo() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    with MO.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)


def update() -> None:
    extract()
    if not PO.exists():
        subprocess.run(["pybabel", "-q", "init", "-i", str(POT), "-d", "matchmaker/translations", "-l", "zh"], cwd=ROOT, check=True)
    else:
        subprocess.run(["pybabel", "-q", "update", "--no-fuzzy-matching", "--ignore-obsolete", "-i", str(POT),
                        "-d", "matchmaker/translations", "-l", "zh"], cwd=ROOT, check=True)
    compile_mo()


def add(path: str) -> None:
    pairs: dict[tuple[str, str | None], str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        columns = line.split("\t")
        if len(columns) == 2:
            context, (english, chinese) = None, columns
        elif len(columns) == 3:
            context, english, chinese = columns
        else:
            continue
        pairs[(english.replace("\\n", "\n"), context)] = chinese.replace("\\n", "\n")
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    for (english, context), chinese in pairs.items():
        existing = catalog.get(english, context=context)
        if existing is not None:
            existing.string = chinese
            existing.flags.discard("fuzzy")
        else:
            catalog.add(english, chinese, context=context)
    with PO.open("wb") as handle:
        # the wrapping `pybabel update` writes, so that either command leaves the file as the other would
        write_po(handle, catalog, sort_output=True, omit_header=False)
    compile_mo()


def missing() -> list[str]:
    extract()
    with POT.open("rb") as handle:
        template = read_po(handle)
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="zh")
    gaps = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or not translated.string or "fuzzy" in translated.flags:
            text = message.id if isinstance(message.id, str) else message.id[0]
            gaps.append(f"{message.context}\t{text}" if message.context else text)
    return gaps


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "update"
    if command == "update":
        update()
    elif command == "add":
        add(sys.argv[2])
    elif command == "missing":
        for item in missing():
            print(item)
    else:
        sys.exit(__doc__)
