"""The scheduler's invariants on random instances: nobody double-booked, no table used
twice in a slot, availability, caps and interpreters hold; never more than the bound; the
exact solver never places fewer than the greedy pass."""

import random

import pytest

from matchmaker.meetings import scheduler as s


@pytest.mark.parametrize("seed", range(12))
def test_greedy_schedules_keep_every_rule(seed):
    rng = random.Random(seed)
    problem = s.random_problem(
        rng, investors=rng.randint(3, 40), projects=rng.randint(3, 30),
        meetings=rng.randint(5, 300), slots=rng.randint(1, 12), tables=rng.randint(1, 10),
        interpreter_tables=rng.randint(0, 3), cap=rng.randint(1, 6),
        availability=rng.uniform(0.1, 0.9))
    result = s.greedy(problem)
    assert s.check(problem, result) == []
    assert len(result.placed) <= result.upper_bound
    assert set(result.placed) | set(result.unplaced) == {r.id for r in problem.requests}
    assert not set(result.placed) & set(result.unplaced)


@pytest.mark.parametrize("seed", range(4))
def test_the_exact_solver_keeps_the_rules_and_never_places_fewer(seed):
    pytest.importorskip("ortools", reason="the exact solver needs ortools (pip install -e .)")
    rng = random.Random(100 + seed)
    problem = s.random_problem(rng, investors=15, projects=10, meetings=80, slots=6, tables=4,
                               interpreter_tables=1, cap=4, availability=0.4)
    greedy = s.greedy(problem)
    exact = s.cpsat(problem, seconds=5, workers=1)
    assert s.check(problem, exact) == []
    assert len(greedy.placed) <= len(exact.placed) <= exact.upper_bound <= greedy.upper_bound


def test_fixed_meetings_stay_and_count_against_caps_and_tables():
    tables = (s.Table("t1", 1), s.Table("t2", 2, "en"))
    kept = s.Fixed(s.Request("old", "A", "P"), slot=0, table="t1")
    requests = (
        s.Request("a-q", "A", "Q"),  # A has one left under cap 2
        s.Request("a-r", "A", "R"),  # ... so one of these two waits
        s.Request("b-p", "B", "P", availability=frozenset({0})),  # P is busy in slot 0
        s.Request("c-s", "C", "S", interpreter="fr"),  # no French interpreter
        s.Request("d-s", "D", "S", availability=frozenset({7})),  # not a slot of the zone
    )
    problem = s.Problem(slots=2, tables=tables, requests=requests, investor_cap=2,
                        project_cap=2, fixed=(kept,))
    result = s.greedy(problem)
    assert s.check(problem, result) == []
    assert len([r for r in ("a-q", "a-r") if r in result.placed]) == 1
    assert result.unplaced["b-p"] == s.REASON_BUSY
    assert result.unplaced["c-s"] == s.REASON_INTERPRETER
    assert result.unplaced["d-s"] == s.REASON_NO_SLOT
    assert {result.unplaced.get("a-q"), result.unplaced.get("a-r")} - {None} == {s.REASON_INVESTOR_CAP}


def test_an_interpreter_meeting_gets_the_interpreters_table():
    tables = (s.Table(1, 1), s.Table(2, 2, "en"))
    requests = (s.Request(1, "A", "P"), s.Request(2, "B", "Q", interpreter="en"))
    problem = s.Problem(slots=1, tables=tables, requests=requests, investor_cap=1, project_cap=1)
    result = s.greedy(problem)
    assert result.placed == {1: (0, 1), 2: (0, 2)}
    # a plain meeting never takes the last interpreter table from one that needs it
    crowded = s.Problem(slots=1, tables=(s.Table(2, 2, "en"),),
                        requests=(s.Request(1, "A", "P"), s.Request(2, "B", "Q", interpreter="en")),
                        investor_cap=1, project_cap=1)
    assert list(s.greedy(crowded).placed) == [2]
