"""Placing accepted meetings into slot × table (pure: no Flask, no database).

The problem: each meeting needs one slot from its availability (None: any slot) and one
table; an investor and a project sit in at most one meeting per slot; a slot holds at most
as many meetings as there are tables, and as many needing an interpreter language L as there
are tables with an L interpreter (a meeting needing none may sit at any table); each
investor and each project has at most `cap` meetings. Maximise the meetings placed (ties:
higher match score first).

Tables within a slot are interchangeable except for interpreters, so a placement is chosen
per slot and tables are dealt out afterwards (`assign_tables`): interpreter meetings to
their language's tables, the rest to plain tables first.

Two solvers, measured in `benchmarks/bench_scheduler.py`:
- `greedy`: most constrained meetings first, each to its least busy feasible slot;
- `cpsat`: the exact 0/1 model in OR-Tools CP-SAT (optional dependency), started from the
  greedy placement, with a time limit; it reports its proven upper bound.
`upper_bound` is a quick combinatorial bound both are reported against.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

REASON_NO_SLOT = "no_slot"  # none of its times is a slot of the zone
REASON_INTERPRETER = "no_interpreter"  # no table has the interpreter it needs
REASON_INVESTOR_CAP = "investor_cap"
REASON_PROJECT_CAP = "project_cap"
REASON_BUSY = "busy"  # every slot it can do is taken (by its sides' other meetings or full)


@dataclass(frozen=True)
class Request:
    id: Hashable
    investor: Hashable
    project: Hashable
    availability: frozenset[int] | None = None  # None: any slot
    interpreter: str | None = None
    score: int = 0


@dataclass(frozen=True)
class Table:
    id: Hashable
    number: int
    interpreter: str | None = None


@dataclass(frozen=True)
class Fixed:
    """A meeting already at a table: kept where it is."""

    request: Request
    slot: int
    table: Hashable


@dataclass
class Schedule:
    placed: dict[Hashable, tuple[int, Hashable]] = field(default_factory=dict)  # id -> (slot, table)
    unplaced: dict[Hashable, str] = field(default_factory=dict)  # id -> reason
    upper_bound: int = 0  # for the requests to place (the fixed ones not counted)
    solver: str = "greedy"
    seconds: float = 0.0
    optimal: bool = False


@dataclass(frozen=True)
class Problem:
    slots: int
    tables: tuple[Table, ...]
    requests: tuple[Request, ...]
    investor_cap: int
    project_cap: int
    fixed: tuple[Fixed, ...] = ()

    def options(self, request: Request) -> list[int]:
        if request.interpreter and not any(t.interpreter == request.interpreter
                                           for t in self.tables):
            return []
        if request.availability is None:
            return list(range(self.slots))
        return sorted(s for s in request.availability if 0 <= s < self.slots)

    def capacity(self) -> tuple[int, Counter]:
        return len(self.tables), Counter(t.interpreter for t in self.tables if t.interpreter)


class _State:
    """Who sits when, and how full each slot is (fixed meetings included)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.total, self.by_language = problem.capacity()
        self.used = Counter()  # slot -> meetings
        self.used_language = Counter()  # (slot, language) -> meetings
        self.investor_busy: set[tuple[Hashable, int]] = set()
        self.project_busy: set[tuple[Hashable, int]] = set()
        self.investor_count = Counter()
        self.project_count = Counter()
        for fixed in problem.fixed:
            self.take(fixed.request, fixed.slot)

    def fits(self, request: Request, slot: int) -> bool:
        if self.used[slot] >= self.total:
            return False
        if (request.investor, slot) in self.investor_busy or (request.project, slot) in self.project_busy:
            return False
        if request.interpreter:
            return self.used_language[slot, request.interpreter] < self.by_language[request.interpreter]
        # a plain meeting must leave room for the interpreter meetings already placed
        interpreted = sum(self.used_language[slot, lang] for lang in self.by_language)
        plain_tables = self.total - sum(self.by_language.values())
        plain_used = self.used[slot] - interpreted
        spare_interpreter = sum(self.by_language.values()) - interpreted
        return plain_used < plain_tables + spare_interpreter

    def take(self, request: Request, slot: int) -> None:
        self.used[slot] += 1
        if request.interpreter:
            self.used_language[slot, request.interpreter] += 1
        self.investor_busy.add((request.investor, slot))
        self.project_busy.add((request.project, slot))
        self.investor_count[request.investor] += 1
        self.project_count[request.project] += 1


def upper_bound(problem: Problem) -> int:
    """At most: the free places of the zone; each investor's and each project's cap (less
    what they already have), its requests and the slots it can use; the requests that have
    a slot at all."""
    feasible = [r for r in problem.requests if problem.options(r)]
    free = problem.slots * len(problem.tables) - len(problem.fixed)
    fixed_investor = Counter(f.request.investor for f in problem.fixed)
    fixed_project = Counter(f.request.project for f in problem.fixed)

    def side_bound(key, cap, fixed_counts) -> int:
        requests, slots = Counter(), defaultdict(set)
        for r in feasible:
            requests[key(r)] += 1
            slots[key(r)].update(problem.options(r))
        return sum(max(0, min(cap - fixed_counts[k], n, len(slots[k]) - fixed_counts[k]))
                   for k, n in requests.items())

    return max(0, min(len(feasible), free,
                      side_bound(lambda r: r.investor, problem.investor_cap, fixed_investor),
                      side_bound(lambda r: r.project, problem.project_cap, fixed_project)))


def _why_not(problem: Problem, state: _State, request: Request) -> str:
    if request.interpreter and not state.by_language[request.interpreter]:
        return REASON_INTERPRETER
    if not problem.options(request):
        return REASON_NO_SLOT
    if state.investor_count[request.investor] >= problem.investor_cap:
        return REASON_INVESTOR_CAP
    if state.project_count[request.project] >= problem.project_cap:
        return REASON_PROJECT_CAP
    return REASON_BUSY


def greedy(problem: Problem) -> Schedule:
    """Most constrained first (fewest slots, interpreter needed, busiest sides), higher
    scores first among equals; each meeting to the feasible slot with the most room."""
    started = time.perf_counter()
    state = _State(problem)
    demand_investor = Counter(r.investor for r in problem.requests)
    demand_project = Counter(r.project for r in problem.requests)
    options = {r.id: problem.options(r) for r in problem.requests}
    order = sorted(problem.requests, key=lambda r: (
        len(options[r.id]), r.interpreter is None,
        -(demand_investor[r.investor] + demand_project[r.project]), -r.score, str(r.id)))
    result = Schedule(upper_bound=upper_bound(problem), solver="greedy")
    chosen: dict[Hashable, int] = {}
    for request in order:
        if (state.investor_count[request.investor] >= problem.investor_cap
                or state.project_count[request.project] >= problem.project_cap):
            result.unplaced[request.id] = _why_not(problem, state, request)
            continue
        best = None
        for slot in options[request.id]:
            if state.fits(request, slot) and (best is None or state.used[slot] < state.used[best]):
                best = slot
        if best is None:
            result.unplaced[request.id] = _why_not(problem, state, request)
            continue
        state.take(request, best)
        chosen[request.id] = best
    result.placed = assign_tables(problem, chosen)
    result.seconds = time.perf_counter() - started
    result.optimal = len(result.placed) == result.upper_bound
    return result


def assign_tables(problem: Problem, slots: Mapping[Hashable, int]) -> dict[Hashable, tuple[int, Hashable]]:
    """Deal out tables slot by slot: interpreter meetings to their language's tables, the
    others to plain tables first, then to spare interpreter tables."""
    requests = {r.id: r for r in problem.requests}
    taken: dict[int, set[Hashable]] = defaultdict(set)
    for fixed in problem.fixed:
        taken[fixed.slot].add(fixed.table)
    by_slot: dict[int, list[Request]] = defaultdict(list)
    for request_id, slot in slots.items():
        by_slot[slot].append(requests[request_id])
    ordered_tables = sorted(problem.tables, key=lambda t: t.number)
    placed: dict[Hashable, tuple[int, Hashable]] = {}
    for slot, members in by_slot.items():
        members.sort(key=lambda r: (r.interpreter is None, str(r.id)))
        for request in members:
            if request.interpreter:
                candidates = [t for t in ordered_tables if t.interpreter == request.interpreter]
            else:
                candidates = ([t for t in ordered_tables if not t.interpreter]
                              + [t for t in ordered_tables if t.interpreter])
            table = next((t for t in candidates if t.id not in taken[slot]), None)
            if table is None:  # cannot happen for a placement that respects the capacities
                raise ValueError(f"slot {slot} over capacity")
            taken[slot].add(table.id)
            placed[request.id] = (slot, table.id)
    return placed


def cpsat(problem: Problem, *, seconds: float = 10.0, workers: int = 2,
          hint: Schedule | None = None) -> Schedule:
    """The exact model in OR-Tools CP-SAT (stops at the time limit with the best found)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    hint = hint or greedy(problem)
    model = cp_model.CpModel()
    state = _State(problem)  # the fixed meetings' use of slots, sides and caps
    variables: dict[tuple[Hashable, int], object] = {}
    per_request: dict[Hashable, list] = defaultdict(list)
    per_investor_slot: dict[tuple, list] = defaultdict(list)
    per_project_slot: dict[tuple, list] = defaultdict(list)
    per_slot: dict[int, list] = defaultdict(list)
    per_slot_language: dict[tuple, list] = defaultdict(list)
    per_investor: dict[Hashable, list] = defaultdict(list)
    per_project: dict[Hashable, list] = defaultdict(list)
    for request in problem.requests:
        for slot in problem.options(request):
            if (request.investor, slot) in state.investor_busy or (request.project, slot) in state.project_busy:
                continue
            x = model.NewBoolVar("")
            variables[request.id, slot] = x
            per_request[request.id].append(x)
            per_investor_slot[request.investor, slot].append(x)
            per_project_slot[request.project, slot].append(x)
            per_slot[slot].append(x)
            if request.interpreter:
                per_slot_language[slot, request.interpreter].append(x)
            per_investor[request.investor].append(x)
            per_project[request.project].append(x)
    for xs in (*per_request.values(), *per_investor_slot.values(), *per_project_slot.values()):
        if len(xs) > 1:
            model.AddAtMostOne(xs)
    for slot, xs in per_slot.items():
        model.Add(sum(xs) <= state.total - state.used[slot])
    for (slot, language), xs in per_slot_language.items():
        model.Add(sum(xs) <= state.by_language[language] - state.used_language[slot, language])
    for investor, xs in per_investor.items():
        model.Add(sum(xs) <= max(0, problem.investor_cap - state.investor_count[investor]))
    for project, xs in per_project.items():
        model.Add(sum(xs) <= max(0, problem.project_cap - state.project_count[project]))
    # Every placement counts 1000; a better match score breaks ties.
    scores = {r.id: r.score for r in problem.requests}
    model.Maximize(sum((1000 + max(0, min(100, scores[rid]))) * x
                       for (rid, _slot), x in variables.items()))
    for (rid, slot), x in variables.items():
        model.AddHint(x, 1 if hint.placed.get(rid, (None,))[0] == slot else 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    status = solver.Solve(model)
    result = Schedule(upper_bound=upper_bound(problem), solver="cpsat")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        hint.solver = "greedy (CP-SAT found nothing in time)"
        return hint
    chosen = {rid: slot for (rid, slot), x in variables.items() if solver.Value(x)}
    result.placed = assign_tables(problem, chosen)
    result.optimal = status == cp_model.OPTIMAL
    # The solver's proven bound on placements (its objective bound / 1000, rounded down).
    result.upper_bound = min(result.upper_bound, int(solver.BestObjectiveBound() // 1000))
    after = _State(problem)
    requests = {r.id: r for r in problem.requests}
    for rid, (slot, _table) in result.placed.items():
        after.take(requests[rid], slot)
    for request in problem.requests:
        if request.id not in result.placed:
            result.unplaced[request.id] = _why_not(problem, after, request)
    result.seconds = time.perf_counter() - started
    return result


# Measured (benchmarks/bench_scheduler.py): on 5,000 requests CP-SAT gains at most a
# meeting or two over greedy in 30 s; on a few hundred to 1,500 it gains 2-5 % in 10-15 s.
AUTO_EXACT_MAX_REQUESTS = 2000


def solve(problem: Problem, *, method: str = "greedy", seconds: float = 10.0) -> Schedule:
    """`greedy`, `cpsat`, or `auto`: greedy, then CP-SAT (from greedy's placement) when
    greedy stops short of the bound on an instance small enough for the solver to gain
    within its time limit, and OR-Tools is installed."""
    if method == "greedy":
        return greedy(problem)
    if method == "cpsat":
        return cpsat(problem, seconds=seconds)
    first = greedy(problem)
    if len(first.placed) >= first.upper_bound or len(problem.requests) > AUTO_EXACT_MAX_REQUESTS:
        return first
    try:
        return cpsat(problem, seconds=seconds, hint=first)
    except ImportError:
        return first


def check(problem: Problem, schedule: Schedule) -> list[str]:
    """Every broken rule of a schedule (empty when it is valid): for tests and benchmarks."""
    problems: list[str] = []
    requests = {r.id: r for r in problem.requests}
    tables = {t.id: t for t in problem.tables}
    seen_table, seen_investor, seen_project = set(), set(), set()
    count_investor, count_project = Counter(), Counter()
    entries: Iterable[tuple[Request, int, Hashable]] = [
        *((f.request, f.slot, f.table) for f in problem.fixed),
        *((requests[rid], slot, table) for rid, (slot, table) in schedule.placed.items()),
    ]
    for request, slot, table in entries:
        if not 0 <= slot < problem.slots:
            problems.append(f"{request.id}: slot {slot} outside the zone")
        if request.availability is not None and slot not in request.availability:
            problems.append(f"{request.id}: slot {slot} not in its availability")
        if (table, slot) in seen_table:
            problems.append(f"table {table} double-booked in slot {slot}")
        if (request.investor, slot) in seen_investor:
            problems.append(f"investor {request.investor} double-booked in slot {slot}")
        if (request.project, slot) in seen_project:
            problems.append(f"project {request.project} double-booked in slot {slot}")
        if request.interpreter and tables[table].interpreter != request.interpreter:
            problems.append(f"{request.id}: no {request.interpreter} interpreter at table {table}")
        seen_table.add((table, slot))
        seen_investor.add((request.investor, slot))
        seen_project.add((request.project, slot))
        count_investor[request.investor] += 1
        count_project[request.project] += 1
    problems += [f"investor {k} over cap" for k, n in count_investor.items() if n > problem.investor_cap]
    problems += [f"project {k} over cap" for k, n in count_project.items() if n > problem.project_cap]
    return problems


def random_problem(rng, *, investors: int, projects: int, meetings: int, slots: int,
                   tables: int, interpreter_tables: int = 0, cap: int = 8,
                   availability: float = 0.6, interpreter_share: float = 0.1) -> Problem:
    """A random instance (benchmarks and property tests): distinct investor × project
    pairs, each investor able to do a random share of the slots."""
    table_list = tuple(Table(i + 1, i + 1, "en" if i < interpreter_tables else None)
                       for i in range(tables))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < min(meetings, investors * projects):
        pairs.add((rng.randrange(investors), rng.randrange(projects)))
    free = {i: frozenset(s for s in range(slots) if rng.random() < availability) or None
            for i in range(investors)}
    requests = tuple(
        Request(id=n, investor=f"i{inv}", project=f"p{proj}",
                availability=free[inv] if rng.random() < 0.8 else None,
                interpreter="en" if interpreter_tables and rng.random() < interpreter_share else None,
                score=rng.randrange(40, 100))
        for n, (inv, proj) in enumerate(sorted(pairs)))
    return Problem(slots=slots, tables=table_list, requests=requests, investor_cap=cap,
                   project_cap=cap)


def summary(schedule: Schedule) -> dict[str, object]:
    reasons = Counter(schedule.unplaced.values())
    return {"solver": schedule.solver, "placed": len(schedule.placed),
            "unplaced": len(schedule.unplaced), "upper_bound": schedule.upper_bound,
            "optimal": schedule.optimal, "seconds": round(schedule.seconds, 3),
            "reasons": dict(sorted(reasons.items()))}


__all__: Sequence[str] = ("Fixed", "Problem", "Request", "Schedule", "Table", "check", "cpsat",
                          "greedy", "random_problem", "solve", "summary", "upper_bound")
