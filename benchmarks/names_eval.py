"""Measuring company-name resolution (moved here from matchmaker/investors/names.py).

Two evaluation lists:
- tests/data/company_names.csv: 101 companies, 219 queries (short, English, typo and
  "no match" cases), hand-assembled from public company names;
- benchmarks/data/listed_companies.csv: 714 listed Chinese companies as the exchanges
  publish them (code, 证券简称 short name, registered name, English name), copied from a
  public A-share stock list (tushare `stock_basic` export stored in a public GitHub
  repository). 20 % of the companies (by a hash of the code) are left out of the known
  investors, so their names must get "no confident match"; the rest are split (by
  another hash) into a calibration part used to tune the resolver and a held-out part
  that was never looked at while tuning.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPANY_NAMES = ROOT / "tests" / "data" / "company_names.csv"
LISTED = Path(__file__).resolve().parent / "data" / "listed_companies.csv"
UNKNOWN_SHARE = 20  # % of listed companies not among the known investors
HELD_OUT_SHARE = 30  # % of the rest kept out of the tuning


@dataclass(frozen=True)
class NameCase:
    query: str
    expected: str | None  # registered name, or None when the right answer is "no match"
    kind: str = ""


def load_name_cases(path: object = COMPANY_NAMES, record_type=None):
    """Read tests/data/company_names.csv: rows with `registered_name` are known investors
    (id = row order); rows with `query` are cases whose `expected` is a registered name or
    `none`. Returns (records, cases)."""
    if record_type is None:
        from matchmaker.investors.names import InvestorName as record_type
    records, cases = [], []
    with open(str(path), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["registered_name"]:
                aliases = tuple(a for a in row["aliases"].split("|") if a)
                records.append(
                    record_type(len(records) + 1, row["registered_name"], row["name_en"] or None, aliases)
                )
            if row["query"]:
                expected = row["expected"]
                cases.append(NameCase(row["query"], None if expected == "none" else expected))
    return records, cases


def _bucket(code: str, salt: str) -> int:
    return int(hashlib.sha256(f"{salt}:{code}".encode()).hexdigest(), 16) % 100


def load_listed(path: object = LISTED) -> list[dict[str, str]]:
    with open(str(path), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class ListedSplit:
    known: list[dict[str, str]]  # imported as investors (registered name + English name)
    unknown: list[dict[str, str]]  # not imported: their names must not match
    held_out_codes: frozenset[str]

    def records(self, record_type=None) -> list:
        if record_type is None:
            from matchmaker.investors.names import InvestorName as record_type
        return [
            record_type(int(row["code"]), row["registered_name"], row["name_en"] or None, ())
            for row in self.known
        ]

    def cases(self, part: str) -> list[NameCase]:
        """'calibration' or 'held_out': short names and English names of known companies
        (expected: their registered name), and short, registered and English names of
        the unknown ones (expected: no match)."""
        held = part == "held_out"
        chosen = [r for r in self.known if (r["code"] in self.held_out_codes) == held]
        absent = [r for r in self.unknown if (r["code"] in self.held_out_codes) == held]
        cases = [NameCase(r["short_name"], r["registered_name"], "short") for r in chosen]
        cases += [NameCase(r["name_en"], r["registered_name"], "english") for r in chosen if r["name_en"]]
        for row in absent:
            cases.append(NameCase(row["short_name"], None, "short"))
            cases.append(NameCase(row["registered_name"], None, "registered"))
            if row["name_en"]:
                cases.append(NameCase(row["name_en"], None, "english"))
        return cases


def listed_split(rows: Sequence[dict[str, str]] | None = None) -> ListedSplit:
    rows = list(rows if rows is not None else load_listed())
    known = [r for r in rows if _bucket(r["code"], "known") >= UNKNOWN_SHARE]
    unknown = [r for r in rows if _bucket(r["code"], "known") < UNKNOWN_SHARE]
    held = frozenset(r["code"] for r in rows if _bucket(r["code"], "held-out") < HELD_OUT_SHARE)
    return ListedSplit(known, unknown, held)


@dataclass(frozen=True)
class Score:
    cases: int
    top1: float  # right answer (the company, or "no match" when it is not known)
    wrong: float  # a confident answer naming the wrong company (or one not on the list)
    no_match: float  # "no confident match" for a known company

    def as_dict(self) -> dict:
        return {"cases": self.cases, "top1": round(self.top1, 4), "wrong": round(self.wrong, 4),
                "no_match": round(self.no_match, 4)}


def evaluate(predict: Callable[[str], str | None], cases: Sequence[NameCase]) -> tuple[Score, list]:
    right = wrong = none = 0
    failures = []
    for case in cases:
        got = predict(case.query)
        if got == case.expected:
            right += 1
            continue
        failures.append((case, got))
        if got is None:
            none += 1
        else:
            wrong += 1
    n = len(cases) or 1
    return Score(len(cases), right / n, wrong / n, none / n), failures


def resolver_predict(resolver) -> Callable[[str], str | None]:
    def predict(query: str) -> str | None:
        match = resolver.resolve(query).match
        return match.name if match else None

    return predict


def top1_accuracy(predictions: Sequence[str | None], cases: Sequence[NameCase]) -> float:
    right = sum(p == c.expected for p, c in zip(predictions, cases, strict=True))
    return right / len(cases) if cases else 0.0


def resolver_predictions(resolver, cases: Sequence[NameCase]) -> list[str | None]:
    predict = resolver_predict(resolver)
    return [predict(case.query) for case in cases]


def wratio_baseline(records, cases: Sequence[NameCase]) -> tuple[float, float]:
    """Plain `process.extractOne(query, names, scorer=fuzz.WRatio)` over every known name,
    predicting "no match" below a threshold; returns (best accuracy, its threshold) - the
    threshold is tuned on the very cases it is scored on, which flatters the baseline."""
    from rapidfuzz import fuzz, process, utils

    choices: list[str] = []
    owners: list[str] = []
    for record in records:
        for text in (record.name, record.name_en, *record.aliases):
            if text:
                choices.append(text)
                owners.append(record.name)
    found = []
    for case in cases:
        best = process.extractOne(
            case.query, choices, scorer=fuzz.WRatio, processor=utils.default_process
        )
        found.append((owners[best[2]], best[1]) if best else (None, 0.0))
    best_accuracy, best_threshold = -1.0, 0.0
    for threshold in range(0, 101):
        predictions = [name if score >= threshold else None for name, score in found]
        accuracy = top1_accuracy(predictions, cases)
        if accuracy > best_accuracy:
            best_accuracy, best_threshold = accuracy, float(threshold)
    return best_accuracy, best_threshold
