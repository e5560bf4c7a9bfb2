"""Calibrate when the name resolver answers "match" rather than "no confident match".

Run: python benchmarks/calibrate_names.py [--max-wrong 0.006] [--folds 5]

The resolver scores every known investor (matchmaker/investors/names.py); an `Acceptance`
turns the best candidate into a confident answer when its score and its lead over the
next investor pass one of three rules (any likeness, a short form from the start of the
name, a part from inside it). This script resolves the *tuning* cases once - the
calibration part of benchmarks/data/listed_companies.csv (short, English and registered
names, with the unknown companies' names that must get "no match") and
tests/data/company_names.csv - and searches the rule's figures: the most right answers
such that at most `--max-wrong` of the listed cases, and of their short names alone, get a
wrong company (and none of company_names.csv). Among equally good figures it keeps the strictest (a larger lead asked
generalises better). The held-out parts are never read here.

It prints the figures to copy into `Acceptance`'s defaults; `bench_names.py` then reports
the held-out figures. `--folds N` estimates, within the tuning cases, how well figures
found this way carry over to names they were not searched on (N-fold cross-validation).
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script
    sys.path.insert(0, str(ROOT))

from benchmarks import names_eval as ev  # noqa: E402
from matchmaker.investors import names  # noqa: E402

KINDS = {"short": 0, "inner": 1, "other": 2}
GRID = {
    "score": (84.0, 85.0, 86.0, 87.0),
    "margin": (3.0, 4.0, 5.0, 6.0),
    "short_score": tuple(float(x) for x in range(74, 86)),
    "short_margin": tuple(float(x) for x in range(4, 21, 2)),
    "inner_score": tuple(float(x) for x in range(70, 86)),
    "inner_margin": tuple(float(x) for x in range(6, 41, 2)),
}


def tuning_cases() -> tuple[list, list]:
    """(listed calibration cases with their resolver, company_names cases with theirs)."""
    split = ev.listed_split()
    listed = names.NameResolver(split.records())
    records, name_cases = ev.load_name_cases()
    return ([(listed, c) for c in split.cases("calibration")],
            [(names.NameResolver(records), c) for c in name_cases])


def _features(pairs) -> dict[str, np.ndarray]:
    top, runner, kind, right_if_answered, expected_none, short = [], [], [], [], [], []
    for resolver, case in pairs:
        resolution = resolver.resolve(case.query, acceptance=names.Acceptance(
            score=1e9, short_score=1e9, inner_score=1e9))
        best = resolution.candidates[0] if resolution.candidates else None
        top.append(best.score if best else 0.0)
        runner.append(resolution.runner_up_score)
        kind.append(KINDS["short"] if best and best.kind in names._SHORT_FORMS
                    else KINDS["inner"] if best and best.kind == "inner" else KINDS["other"])
        right_if_answered.append(best is not None and best.record.name == case.expected)
        expected_none.append(case.expected is None)
        short.append(case.kind == "short")
    return {"top": np.array(top), "lead": np.array(top) - np.array(runner),
            "kind": np.array(kind), "right": np.array(right_if_answered),
            "none": np.array(expected_none), "short": np.array(short)}


def _outcome(f: dict[str, np.ndarray], a: names.Acceptance) -> tuple[int, int, int]:
    """(right answers, wrong companies, wrong companies for short names) under `a`."""
    answered = (f["top"] >= a.score) & (f["lead"] >= a.margin)
    answered |= (f["kind"] == 0) & (f["top"] >= a.short_score) & (f["lead"] >= a.short_margin)
    answered |= (f["kind"] == 1) & (f["top"] >= a.inner_score) & (f["lead"] >= a.inner_margin)
    right = int(np.sum(answered & f["right"]) + np.sum(~answered & f["none"]))
    wrong = answered & ~f["right"]
    return right, int(np.sum(wrong)), int(np.sum(wrong & f["short"]))


def _subset(f: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {name: values[mask] for name, values in f.items()}


def _search(listed: dict[str, np.ndarray], named: dict[str, np.ndarray], max_wrong: float,
            slack: int = 0):
    """The best figures under the wrong-answer budget (widened by `slack` answers when no
    figures meet it, as on a small fold)."""
    allowed = int(max_wrong * len(listed["top"])) + slack
    allowed_short = int(max_wrong * int(np.sum(listed["short"]))) + slack
    best_key, best = None, None
    for values in itertools.product(*GRID.values()):
        a = names.Acceptance(**dict(zip(GRID, values, strict=True)))
        right_l, wrong_l, wrong_short = _outcome(listed, a)
        if wrong_l > allowed or wrong_short > allowed_short:
            continue
        right_n, wrong_n, _ = _outcome(named, a)
        if wrong_n:
            continue
        # most right answers; then the strictest figures (larger leads first)
        key = (right_l + right_n, a.inner_margin, a.short_margin, a.margin, a.inner_score,
               a.short_score, a.score)
        if best_key is None or key > best_key:
            best_key, best = key, (a, right_l, wrong_l, right_n)
    return best if best is not None else _search(listed, named, max_wrong, slack + 1)


def cross_validate(folds: int = 5, max_wrong: float = 0.006) -> dict:
    """How well the search generalises: calibrate on all folds of the tuning cases but one,
    score the one left out (short names), for each fold in turn."""
    listed_pairs, named_pairs = tuning_cases()
    listed, named = _features(listed_pairs), _features(named_pairs)
    fold_of = np.array([ev._bucket(case.query, "fold") % folds for _r, case in listed_pairs])
    right = wrong = none = cases = 0
    for fold in range(folds):
        a = _search(_subset(listed, fold_of != fold), named, max_wrong)[0]
        part = _subset(listed, (fold_of == fold) & listed["short"])
        r, w, _ = _outcome(part, a)
        right, wrong, cases = right + r, wrong + w, cases + len(part["top"])
        none += len(part["top"]) - r - w
    return {"folds": folds, "short_cases": cases, "top1": round(right / cases, 4),
            "wrong": round(wrong / cases, 4), "no_match": round(none / cases, 4)}


def calibrate(max_wrong: float = 0.006) -> dict:
    listed_pairs, named_pairs = tuning_cases()
    listed, named = _features(listed_pairs), _features(named_pairs)
    a, right_l, wrong_l, right_n = _search(listed, named, max_wrong)
    return {
        "acceptance": asdict(a),
        "listed_calibration": {"cases": len(listed_pairs), "top1": round(right_l / len(listed_pairs), 4),
                               "wrong": round(wrong_l / len(listed_pairs), 4)},
        "company_names": {"cases": len(named_pairs), "top1": round(right_n / len(named_pairs), 4)},
        "current": {"listed": _outcome(listed, names.ACCEPTANCE), "company_names":
                    _outcome(named, names.ACCEPTANCE)},
    }


if __name__ == "__main__":
    limit = 0.006
    if "--max-wrong" in sys.argv:
        limit = float(sys.argv[sys.argv.index("--max-wrong") + 1])
    if "--folds" in sys.argv:
        result = cross_validate(int(sys.argv[sys.argv.index("--folds") + 1]), limit)
    else:
        result = calibrate(limit)
    print(json.dumps(result, ensure_ascii=False, indent=1))
