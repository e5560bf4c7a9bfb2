"""The matrix brought forward by deltas (in place, or on a copy) equals the matrix built
from scratch, and no query sees half of a delta."""

from __future__ import annotations

import dataclasses
import random
import threading
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from benchmarks.bench_matching_core import synthetic_profiles, synthetic_projects
from benchmarks.matching_eval import load_eval_set
from matchmaker.matching.scorer import Profile, ProjectMatrix, Weights

DATA = Path(__file__).resolve().parent.parent / "data" / "matching"


def scores_by_id(matrix: ProjectMatrix, profile) -> dict:
    scores = matrix.score_array(profile, Weights())
    return {matrix.id_at(i): int(scores[i]) for i in np.flatnonzero(matrix.live)}


def assert_same_answers(delta: ProjectMatrix, fresh: ProjectMatrix, profiles) -> None:
    assert delta.ids == fresh.ids
    assert delta.projects == fresh.projects
    assert len(delta) == len(fresh)
    for profile in profiles:
        assert scores_by_id(delta, profile) == scores_by_id(fresh, profile)
        assert delta.score(profile, Weights(), top=20) == fresh.score(profile, Weights(), top=20)


@pytest.mark.parametrize("in_place", [True, False])
def test_added_changed_and_removed_projects_score_as_in_a_fresh_build(in_place):
    data = load_eval_set(DATA)
    rng = random.Random(17)
    projects = sorted(data.projects, key=lambda p: p.id)
    profiles = list(data.profiles.values())
    start = [p for p in projects if rng.random() < 0.6]
    matrix = ProjectMatrix.build(start, data.sector_tree, region_names=data.region_names)
    current = {p.id: p for p in start}
    for _round in range(6):
        added = [p for p in projects if p.id not in current and rng.random() < 0.3]
        changed = [
            dataclasses.replace(p, sectors=rng.choice(projects).sectors, modes=rng.choice(projects).modes,
                                text=rng.choice(projects).text, region_code=rng.choice(projects).region_code)
            for p in current.values() if rng.random() < 0.1
        ]
        removed = [i for i in current if rng.random() < 0.1]
        if in_place:  # new ids below the highest, ids removed and added again: all here
            matrix.apply(added + changed, removed=removed)
        else:
            matrix = matrix.with_changes(added + changed, removed=removed)
        for p in added + changed:
            current[p.id] = p
        for i in removed:
            if i not in {p.id for p in added + changed}:
                current.pop(i, None)
        fresh = ProjectMatrix.build(current.values(), data.sector_tree, region_names=data.region_names)
        assert_same_answers(matrix, fresh, profiles)


def test_a_delta_leaves_the_matrix_it_started_from_untouched():
    data = load_eval_set(DATA)
    matrix = ProjectMatrix.build(data.projects, data.sector_tree, region_names=data.region_names)
    profile = next(iter(data.profiles.values()))
    before = matrix.score_array(profile, Weights()).tolist()
    first = matrix.projects[0]
    wider = dataclasses.replace(first, sectors=(*first.sectors, *matrix.sector_vocab[:4]), modes=("ppp", "equity"))
    changed = matrix.with_changes([wider], removed=[matrix.ids[1]])
    assert len(changed) == len(matrix) - 1
    assert matrix.score_array(profile, Weights()).tolist() == before
    assert changed.projects[0] == wider


def test_the_index_survives_deltas_and_is_rebuilt_in_the_background_past_its_limit():
    projects, data = synthetic_projects(3000, seed=13)
    matrix = ProjectMatrix.build(projects[:2000], data.sector_tree, region_names=data.region_names)
    index = matrix.index()
    profiles = list(synthetic_profiles(12, data, seed=3).values())
    rng = random.Random(5)
    changed = [dataclasses.replace(p, sectors=rng.choice(projects).sectors, text=rng.choice(projects).text)
               for p in projects[:2000:40]]
    matrix.apply([*changed, *projects[2000:2100]], removed=[p.id for p in projects[1000:1050]])
    assert matrix.index() is index  # kept: changed and added rows are candidates until rebuilt
    current = {p.id: p for p in [*projects[:2100]] if not 1000 <= p.id - projects[0].id < 1050}
    current.update({p.id: p for p in changed})
    fresh = ProjectMatrix.build(current.values(), data.sector_tree, region_names=data.region_names)
    assert_same_answers(matrix, fresh, profiles[:6])
    matrix._REINDEX_MIN = 10  # past the limit: rebuilt from a copy, installed under the lock
    matrix.apply(projects[2100:3000])
    matrix._index_thread.join()
    assert matrix.index() is not index and matrix.index().size == 3000 and not len(matrix._stale)
    current.update({p.id: p for p in projects[2100:3000]})
    fresh = ProjectMatrix.build(current.values(), data.sector_tree, region_names=data.region_names)
    assert_same_answers(matrix, fresh, profiles[6:])


def test_a_reader_during_an_in_place_delta_sees_the_matrix_before_or_after_never_between():
    projects, data = synthetic_projects(4000, seed=21)
    yi = Decimal(100_000_000)
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    matrix.index()
    profile = Profile(sectors=("new_energy.hydrogen",), keywords="加氢站 氢能", min_yuan=5 * yi, max_yuan=20 * yi)
    # each delta turns 40 projects into perfect matches and the 40 before back: a reader that
    # saw half of one would find a top 20 mixing two batches, or a project at a stale score
    batches = [projects[i : i + 40] for i in range(0, 800, 40)]

    def perfect(batch):
        return [dataclasses.replace(p, sectors=("new_energy.hydrogen",), investment_sought_yuan=8 * yi,
                                    text=p.text + " 加氢站 氢能产业园", modes=()) for p in batch]

    answers = {}
    for number, batch in enumerate(batches):
        answers[number] = [(m.project_id, m.score, m.reasons) for m in
                           ProjectMatrix.build([*projects[: number * 40], *perfect(batch), *projects[number * 40 + 40:]],
                                               data.sector_tree, region_names=data.region_names).score(
                               profile, Weights(), top=20)]
    matrix.apply(perfect(batches[0]))
    seen, stop, errors = [], threading.Event(), []

    def reader():
        while not stop.is_set():
            try:
                seen.append([(m.project_id, m.score, m.reasons) for m in matrix.score(profile, Weights(), top=20)])
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for number in range(1, len(batches)):
        matrix.apply([*perfect(batches[number]), *batches[number - 1]])
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(seen) > 3
    valid = list(answers.values())
    assert all(answer in valid for answer in seen)
    final = [(m.project_id, m.score, m.reasons) for m in matrix.score(profile, Weights(), top=20)]
    assert final == answers[len(batches) - 1]
    assert len({str(answer) for answer in seen}) > 1  # the readers did overlap the deltas
