"""The matrix brought forward by deltas equals the matrix built from scratch."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

from benchmarks.matching_eval import load_eval_set
from matchmaker.matching.scorer import ProjectMatrix, Weights

DATA = Path(__file__).resolve().parent.parent / "data" / "matching"


def assert_same_answers(delta: ProjectMatrix, fresh: ProjectMatrix, profiles) -> None:
    assert delta.ids == fresh.ids
    assert delta.projects == fresh.projects
    for profile in profiles:
        assert delta.score_array(profile, Weights()).tolist() == fresh.score_array(profile, Weights()).tolist()
        assert delta.score(profile, Weights(), top=20) == fresh.score(profile, Weights(), top=20)


def test_added_changed_and_removed_projects_score_as_in_a_fresh_build():
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
