"""Calibrate the catalogue parser's sector acceptance on labelled real labels.

    python -m benchmarks.calibrate_sectors [--json]

The labels (tests/data/catalogue/real/sector_labels.csv) are sector labels taken from real
published lists (Guizhou's project batches, the 2018 Eco Forum release, the AEI China
Global Investment Tracker's sector list, the seed articles); `expected` is the green
sector a provincial staff member would file them under, empty when none fits. Every third
label (by a stable hash) is held out: the grid search over (threshold, margin) sees only
the tuning part; both figures are printed. The objective is precision first: no label
may land in a wrong sector, then as many right ones as possible.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "data" / "catalogue" / "real" / "sector_labels.csv"


def load_labels() -> list[tuple[str, str | None]]:
    with LABELS.open(encoding="utf-8") as handle:
        return [(row["label"], row["expected"] or None) for row in csv.DictReader(handle)]


def held_out(label: str) -> bool:
    return int(hashlib.sha1(label.encode("utf-8")).hexdigest(), 16) % 3 == 0


def evaluate(taxonomy, labels, threshold: float, margin: float) -> dict[str, int]:
    from matchmaker.catalogue.parser import sector_for_label

    figures = {"labels": len(labels), "right": 0, "wrong_sector": 0, "forced": 0, "missed": 0, "refused_right": 0}
    for label, expected in labels:
        got = sector_for_label(taxonomy, label, threshold, margin)
        if got == expected:
            figures["right" if expected else "refused_right"] += 1
        elif got is None:
            figures["missed"] += 1  # a green label left for the person to fix
        elif expected is None:
            figures["forced"] += 1  # an off-taxonomy label forced into a green sector
        else:
            figures["wrong_sector"] += 1
    return figures


def calibrate() -> dict:
    from matchmaker.catalogue import parser
    from matchmaker.reference.taxonomy import Taxonomy

    taxonomy = Taxonomy.load(ROOT / "data" / "sectors.json")
    labels = load_labels()
    tuning = [item for item in labels if not held_out(item[0])]
    holdout = [item for item in labels if held_out(item[0])]
    best = None
    for threshold in range(60, 100):
        for margin in range(0, 21):
            figures = evaluate(taxonomy, tuning, threshold, margin)
            errors = figures["forced"] + figures["wrong_sector"]
            # precision first, then coverage, then the most conservative setting
            key = (errors, -figures["right"], -threshold, -margin)
            if best is None or key < best[0]:
                best = (key, threshold, margin, figures)
    _, threshold, margin, tuned = best
    return {
        "chosen": {"threshold": threshold, "margin": margin},
        "in_use": {"threshold": parser.SECTOR_ACCEPT_SCORE, "margin": parser.SECTOR_MARGIN},
        "tuning": tuned,
        "held_out_with_chosen": evaluate(taxonomy, holdout, threshold, margin),
        "tuning_with_in_use": evaluate(taxonomy, tuning, parser.SECTOR_ACCEPT_SCORE, parser.SECTOR_MARGIN),
        "held_out_with_in_use": evaluate(taxonomy, holdout, parser.SECTOR_ACCEPT_SCORE, parser.SECTOR_MARGIN),
        "sizes": {"tuning": len(tuning), "held_out": len(holdout)},
    }


def main(argv: list[str] | None = None) -> int:
    args_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args_parser.add_argument("--json", action="store_true")
    args = args_parser.parse_args(argv)
    result = calibrate()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
