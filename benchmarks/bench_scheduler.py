"""The negotiation zone's scheduler: 2,500 participants (1,500 investors, 1,000 projects),
5,000 requested meetings, 2 days × 12 slots × 60 tables (10 with an English interpreter),
caps of 8 meetings each; investors free in ~60 % of the slots.

Reports for each method the median time and placed / upper bound, against a naive
baseline in the same run (first fit in request order: the first free slot of each meeting).
A second instance with 250 tables (capacity no longer the limit, caps and availability are)
shows where greedy and the exact solver differ.

    python -m benchmarks.bench_scheduler [--cpsat-seconds 30] [--json]
    python -m benchmarks --only scheduler --sizes 5000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time

from benchmarks.harness import Row, time_runs
from matchmaker.meetings import scheduler as s

INSTANCES = {
    "forum (60 tables)": dict(investors=1500, projects=1000, meetings=5000, slots=24, tables=60,
                              interpreter_tables=10, cap=8, availability=0.6),
    "roomy (250 tables)": dict(investors=1500, projects=1000, meetings=5000, slots=24,
                               tables=250, interpreter_tables=40, cap=8, availability=0.3),
}


def naive(problem: s.Problem) -> s.Schedule:
    """First fit in request order: each meeting to the first slot that still fits."""
    started = time.perf_counter()
    state = s._State(problem)
    chosen = {}
    result = s.Schedule(upper_bound=s.upper_bound(problem), solver="naive first fit")
    for request in problem.requests:
        if (state.investor_count[request.investor] >= problem.investor_cap
                or state.project_count[request.project] >= problem.project_cap):
            result.unplaced[request.id] = s.REASON_INVESTOR_CAP
            continue
        slot = next((x for x in problem.options(request) if state.fits(request, x)), None)
        if slot is None:
            result.unplaced[request.id] = s.REASON_BUSY
            continue
        state.take(request, slot)
        chosen[request.id] = slot
    result.placed = s.assign_tables(problem, chosen)
    result.seconds = time.perf_counter() - started
    return result


def run(cpsat_seconds: float = 30.0, runs: int = 5) -> list[dict]:
    rows = []
    for name, params in INSTANCES.items():
        problem = s.random_problem(random.Random(2026), **params)
        base = naive(problem)
        base_timing = time_runs(lambda p=problem: naive(p), runs=runs)
        greedy = s.greedy(problem)
        greedy_timing = time_runs(lambda p=problem: s.greedy(p), runs=runs)
        assert s.check(problem, greedy) == [] and s.check(problem, base) == []
        row = {"instance": name, "requests": len(problem.requests),
               "places": problem.slots * len(problem.tables),
               "upper_bound": greedy.upper_bound,
               "naive": {"placed": len(base.placed), "median_ms": round(base_timing.median, 1)},
               "greedy": {"placed": len(greedy.placed), "median_ms": round(greedy_timing.median, 1),
                          "ratio_vs_naive_placed": round(len(greedy.placed) / max(1, len(base.placed)), 3)}}
        try:
            exact = s.cpsat(problem, seconds=cpsat_seconds, hint=greedy)
        except ImportError:
            row["cpsat"] = None
        else:
            assert s.check(problem, exact) == []
            row["cpsat"] = {"placed": len(exact.placed), "seconds": round(exact.seconds, 1),
                            "proven_bound": exact.upper_bound, "optimal": exact.optimal}
            row["upper_bound"] = min(row["upper_bound"], exact.upper_bound)
        rows.append(row)
    return rows


def register(registry) -> None:
    def case(size: int) -> list[Row]:
        problem = s.random_problem(random.Random(2026), **INSTANCES["forum (60 tables)"])
        greedy = time_runs(lambda: s.greedy(problem), runs=5)
        base = time_runs(lambda: naive(problem), runs=5)
        placed = len(s.greedy(problem).placed)
        return [Row.of("scheduler: greedy vs naive first fit", size, greedy, base,
                       "naive first fit", placed=placed, upper_bound=s.upper_bound(problem),
                       naive_placed=len(naive(problem).placed))]

    registry.add("scheduler", case, sizes=(5000,))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scheduler")
    parser.add_argument("--cpsat-seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.cpsat_seconds)
    if args.json:
        json.dump(rows, sys.stdout, indent=1)
        print()
        return 0
    for row in rows:
        print(f"{row['instance']}: {row['requests']} requests, {row['places']} places, "
              f"upper bound {row['upper_bound']}")
        print(f"  naive first fit: {row['naive']['placed']} placed, {row['naive']['median_ms']} ms")
        print(f"  greedy:          {row['greedy']['placed']} placed, {row['greedy']['median_ms']} ms")
        if row["cpsat"]:
            c = row["cpsat"]
            print(f"  CP-SAT:          {c['placed']} placed, {c['seconds']} s, bound {c['proven_bound']}"
                  f"{' (optimal)' if c['optimal'] else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
