"""Company identity: name-resolution quality on real lists, and investor import speed.

Run: python -m benchmarks --only names   (or python benchmarks/bench_names.py [--json]
     [--accuracy] [--speed] [--against main]: --against also measures names.py as it is at
     that git revision, in the same run; --accuracy skips the import timings; --speed times
     one resolution against that revision's, alternating, in the same run)

1. Accuracy, today's resolver (benchmarks/legacy_names.py, the code before issue 11) and
   the current one in the same run, on
   - benchmarks/data/listed_companies.csv (714 listed companies from a public A-share list:
     exchange short name, registered name, English name), split into a calibration part
     (tuned on) and a held-out part (never looked at while tuning), plus 20 % of the
     companies left unknown (their names must get "no confident match");
   - tests/data/company_names.csv (219 hand-assembled queries, must not regress);
   - benchmarks/data/sse_quotes_2012.csv (62 other Shanghai-listed companies from a public
     2012 quote feed: an independent check, wholly held out; see names_eval.py).
   The figures the resolver accepts a match at are calibrated on the calibration part and
   company_names.csv only (benchmarks/calibrate_names.py).
   top-1 = right answer (the company, or "no match" for an unknown one); wrong = a
   confident answer naming the wrong company; no_match = "no confident match" for a known
   company.
2. Import speed at 2,880 and 10,000 rows (the 714 real companies with English names, the
   rest synthetic, each row a distinct company): the import as it runs now (one
   transaction, resolver built once and updated per row) on a temporary SQLite database,
   median of 3; against today's algorithm - a resolver rebuilt after every created row -
   run in memory (no database, so the baseline is flattered) for at most 60 s and
   extrapolated quadratically to the full list (the rebuild makes it O(n^2)).
"""

from __future__ import annotations

import csv
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script
    sys.path.insert(0, str(ROOT))

from benchmarks import legacy_names  # noqa: E402
from benchmarks import names_eval as ev  # noqa: E402
from benchmarks.harness import Row, Timing, temp_app, time_runs  # noqa: E402
from matchmaker.investors import names  # noqa: E402

BASELINE_BUDGET_S = 60.0


def resolver_at(ref: str):
    """matchmaker/investors/names.py as it is at git revision `ref` (e.g. main), loaded as a
    module of its own, so that two resolvers are measured in one run."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(["git", "show", f"{ref}:matchmaker/investors/names.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    folder = Path(tempfile.mkdtemp(prefix="names-"))
    path = folder / f"names_at_{ref.replace('/', '_')}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def accuracy_rows(against: tuple[str, ...] = ()) -> list[Row]:
    split = ev.listed_split()
    rows: list[Row] = []
    modules = [("today", legacy_names), *((ref, resolver_at(ref)) for ref in against),
               ("now", names)]
    for label, module in modules:
        resolver = module.NameResolver(split.records(module.InvestorName))
        for part in ("calibration", "held_out"):
            cases = split.cases(part)
            for kind in ("short", "english", "registered"):
                chosen = [c for c in cases if c.kind == kind]
                started = time.perf_counter()
                score, _failures = ev.evaluate(ev.resolver_predict(resolver), chosen)
                elapsed = (time.perf_counter() - started) * 1000 / max(len(chosen), 1)
                rows.append(Row(
                    name=f"names {label}: listed {part} {kind}", size=len(chosen),
                    median_ms=round(elapsed, 3), extra=score.as_dict()))
        records, cases = ev.load_name_cases(record_type=module.InvestorName)
        score, _failures = ev.evaluate(ev.resolver_predict(module.NameResolver(records)), cases)
        rows.append(Row(name=f"names {label}: company_names.csv", size=len(cases),
                        median_ms=0.0, extra=score.as_dict()))
        records, cases = ev.independent_set(module.InvestorName)
        resolver = module.NameResolver(records)
        for kind in ("short", "registered"):
            chosen = [c for c in cases if c.kind == kind]
            score, _failures = ev.evaluate(ev.resolver_predict(resolver), chosen)
            rows.append(Row(name=f"names {label}: independent SSE 2012 {kind}", size=len(chosen),
                            median_ms=0.0, extra=score.as_dict()))
    return rows


def _accuracy(size: int) -> list[Row]:
    return accuracy_rows()


def speed_rows(against: str = "main", rounds: int = 5) -> list[Row]:
    """Time per name of the resolver at git revision `against` (the baseline) and of the
    current one, in the same run, against every known company of `names_eval.full_split()`:
    each round resolves the tuning part's short, English and registered names once with each
    resolver, the two alternating so that load on the machine hits both alike; medians and
    p95 over the rounds, per name."""
    import os

    split = ev.full_split()
    queries = [c.query for c in split.cases(ev.TUNING_PARTS)]
    modules = [(against, resolver_at(against)), ("now", names)]
    resolvers = {label: module.NameResolver(split.records(module.InvestorName))
                 for label, module in modules}
    samples: dict[str, list[float]] = {label: [] for label in resolvers}
    for _round in range(rounds):
        for label, resolver in resolvers.items():
            started = time.perf_counter()
            for query in queries:
                resolver.resolve(query)
            samples[label].append((time.perf_counter() - started) * 1000 / len(queries))
    base = Timing(samples[against])
    ours = Timing(samples["now"])
    return [Row(name="names: resolve one name", size=len(split.known),
                median_ms=round(ours.median, 3), p95_ms=round(ours.p95, 3), runs=rounds,
                baseline=against, baseline_ms=round(base.median, 3),
                ratio=round(base.median / ours.median, 2),
                extra={"queries": len(queries), "load": [round(x, 2) for x in os.getloadavg()]})]


# --- import speed ---------------------------------------------------------------------------


def import_rows(size: int, seed: int = 11) -> list[tuple[str, str]]:
    """(registered name, English name): the real list first, then distinct synthetic ones."""
    real = [(r["registered_name"], r["name_en"]) for r in ev.load_listed()]
    rng = random.Random(seed)
    places = ["贵州", "广东", "四川", "云南", "湖南", "浙江", "江苏", "遵义", "六盘水", "", "", ""]
    chars = "华信达通远宏泰盛鑫源恒丰瑞祥安康嘉利德隆兴天海金汇融创新中联合博黔筑桐梓湄潭仁怀赤水"
    trades = ["能源", "新材料", "科技", "环保", "电力", "化工", "锂电", "光伏", "数据", "农业", "物流",
              "建设", "矿业", "食品", "医药"]
    latin = {"能源": "Energy", "新材料": "New Materials", "科技": "Technology", "环保": "Environmental",
             "电力": "Power", "化工": "Chemical", "锂电": "Lithium", "光伏": "Solar", "数据": "Data",
             "农业": "Agriculture", "物流": "Logistics", "建设": "Construction", "矿业": "Mining",
             "食品": "Food", "医药": "Pharmaceutical"}
    seen = {names.company_key(n) for n, _ in real}
    rows = list(real[:size])
    while len(rows) < size:
        brand = "".join(rng.sample(chars, 3))
        trade = rng.choice(trades)
        name = f"{rng.choice(places)}{brand}{trade}{rng.choice(['股份有限公司', '有限公司', '集团有限公司'])}"
        english = f"{brand} {latin[trade]} Co., Ltd."
        key, english_key = names.company_key(name), names.company_key(english)
        if key in seen or english_key in seen:  # each row a distinct company
            continue
        seen.update((key, english_key))
        rows.append((name, english))
    return rows


def _csv(rows: list[tuple[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["名称", "英文名称"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def legacy_per_row_rebuild(rows: list[tuple[str, str]], budget_s: float) -> tuple[int, float]:
    """Today's import algorithm in memory: rebuild the resolver after every created row.
    Returns (rows done, seconds) when the budget runs out or the list is done."""
    records: list = []
    started = time.perf_counter()
    resolver = legacy_names.NameResolver(records)
    for done, (name, name_en) in enumerate(rows, start=1):
        resolution = resolver.resolve(name)
        if resolution.match is None:
            records.append(legacy_names.InvestorName(len(records) + 1, name, name_en or None))
            resolver = legacy_names.NameResolver(records)  # what `invalidate()` caused per row
        elapsed = time.perf_counter() - started
        if elapsed > budget_s:
            return done, elapsed
    return len(rows), time.perf_counter() - started


def _import(size: int) -> list[Row]:
    from matchmaker.extensions import db
    from matchmaker.investors.operations import import_investors

    rows = import_rows(size)
    data = _csv(rows)
    report_holder = {}
    with temp_app("names") as _app:
        def run() -> None:
            report = import_investors(data, "list.csv", user=None)
            report_holder["report"] = report
            db.session.rollback()

        ours = time_runs(run, runs=3, warmup=0)
    report = report_holder["report"]
    done, seconds = legacy_per_row_rebuild(rows, BASELINE_BUDGET_S)
    estimated_ms = seconds * 1000 * (len(rows) / done) ** 2
    baseline = Timing([estimated_ms])
    return [Row.of(
        "investor import (resolver built once)", size, ours, baseline,
        "per-row rebuild (extrapolated)" if done < len(rows) else "per-row rebuild",
        created=len(report.created), merged=len(report.merged),
        possible_duplicates=len(report.duplicates),
        baseline_rows_measured=done, baseline_seconds_measured=round(seconds, 1),
    )]


def register(registry) -> None:
    registry.add("names: accuracy on real lists", _accuracy, sizes=(714,))
    registry.add("names: investor import", _import, sizes=(2_880, 10_000))


if __name__ == "__main__":
    import json

    from benchmarks.__main__ import format_table

    against = tuple(sys.argv[sys.argv.index("--against") + 1].split(",")) if "--against" in sys.argv else ()
    if "--speed" in sys.argv:  # time per name against a baseline revision (default main)
        results = [r.as_dict() for r in speed_rows(against[0] if against else "main")]
    elif "--accuracy" in sys.argv:  # accuracy only (no import timings)
        results = [r.as_dict() for r in accuracy_rows(against)]
    else:
        results = [r.as_dict() for r in accuracy_rows(against) + _import(2_880) + _import(10_000)]
    if "--json" in sys.argv:
        print(json.dumps({"results": results}, ensure_ascii=False, indent=1))
    else:
        print(format_table(results))
