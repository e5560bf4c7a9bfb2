"""The candidate stage changes no answer: the top k it finds (scores, order, reasons) are
the top k of scoring every project, for many random profiles of every shape."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from factories import make_catalogue, make_project

from benchmarks import synthetic
from benchmarks.bench_matching_core import synthetic_profiles, synthetic_projects
from benchmarks.matching_eval import load_eval_set
from matchmaker.extensions import db
from matchmaker.matching import operations
from matchmaker.matching.scorer import Profile, ProjectMatrix, Weights
from matchmaker.reference.glossary import Glossary
from matchmaker.reference.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "matching"
YI = Decimal(100_000_000)


def shapes(profile: Profile, rng: random.Random) -> list[Profile]:
    """The profile as written and as people leave it half filled (one or two criteria)."""
    band = {"min_yuan": profile.min_yuan, "max_yuan": profile.max_yuan}
    return [
        profile,
        Profile(keywords=profile.keywords),
        Profile(sectors=profile.sectors),
        Profile(sectors=profile.sectors, keywords=profile.keywords),
        Profile(regions=profile.regions or ("520100",), **band),
        Profile(modes=profile.modes),
        Profile(min_yuan=profile.min_yuan),
        Profile(max_yuan=profile.max_yuan, modes=profile.modes),
        Profile(sectors=profile.sectors, regions=profile.regions, keywords=rng.choice(["光伏", "磷", "储能电站 数据中心"])),
    ]


@pytest.fixture(scope="module")
def catalogue():
    projects, data = synthetic_projects(4000, seed=23)
    rng = random.Random(4)
    # some projects state no amount, no mode, no sector or no region: the bounds must hold there
    projects = [
        dataclasses.replace(
            p,
            investment_sought_yuan=None if rng.random() < 0.05 else p.investment_sought_yuan,
            sectors=() if rng.random() < 0.03 else p.sectors,
            region_code=None if rng.random() < 0.03 else p.region_code,
        )
        for p in projects
    ]
    return projects, data


def assert_same(matrix: ProjectMatrix, profile: Profile, weights: Weights, top: int = 20,
                min_score: int = 1) -> dict:
    fast = matrix.score(profile, weights, top=top, min_score=min_score)
    full = matrix.score(profile, weights, top=top, min_score=min_score, exhaustive=True)
    assert fast == full, profile
    return matrix.top_candidates(profile, weights, top, min_score)[2]


def test_the_top_20_is_the_exhaustive_top_20_for_many_random_profiles(catalogue):
    projects, data = catalogue
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    rng = random.Random(9)
    stats = []
    for profile in synthetic_profiles(30, data, seed=31).values():
        for shape in shapes(profile, rng):
            stats.append(assert_same(matrix, shape, Weights()))
    narrowed = [s for s in stats if not s["exhaustive"]]
    assert len(narrowed) > 0.8 * len(stats)  # the index did the narrowing, mostly
    assert np.median([s["scored"] for s in narrowed]) < len(projects) / 10


@pytest.mark.parametrize("top,min_score", [(1, 1), (5, 1), (20, 0), (50, 60), (200, 1)])
def test_other_sizes_floors_and_weights_give_the_exhaustive_answer(catalogue, top, min_score):
    projects, data = catalogue
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    rng = random.Random(top)
    for weights in (Weights(), Weights(sector=10, text=60), Weights(amount=0, mode=40)):
        for profile in list(synthetic_profiles(4, data, seed=top + min_score).values()):
            for shape in shapes(profile, rng)[:5]:
                if any(getattr(weights, c) for c in ("sector", "region", "amount", "mode", "text")
                       if c in _active(shape)):
                    assert_same(matrix, shape, weights, top, min_score)


def _active(profile: Profile) -> tuple[str, ...]:
    from matchmaker.matching.scorer import active_components

    return active_components(profile)


def test_ties_go_to_the_lower_id_as_before():
    projects, data = synthetic_projects(3000, seed=2)
    matrix = ProjectMatrix.build(projects, data.sector_tree, region_names=data.region_names)
    profile = Profile(modes=("合资",))  # a third of the catalogue scores 100
    found = assert_same(matrix, profile, Weights())
    assert found["scored"] < 1000  # stopped once the rest could only tie, after the top 20
    ids = [m.project_id for m in matrix.score(profile, Weights(), top=20)]
    assert ids == sorted(ids)


def test_evaluation_profiles_and_english_keywords_with_the_glossary():
    data = load_eval_set(DATA)
    glossary = Glossary.load(ROOT / "data" / "glossary.csv", sectors=Taxonomy.load(ROOT / "data" / "sectors.json"))
    projects, _data = synthetic_projects(3000, seed=5)
    matrix = ProjectMatrix.build([*data.projects, *(dataclasses.replace(p, id=10_000 + p.id) for p in projects)],
                                 data.sector_tree, region_names=data.region_names, glossary=glossary)
    for profile in data.profiles.values():
        assert_same(matrix, profile, Weights())
    for keywords in ("lithium iron phosphate cathode", "energy storage station", "data centre 光伏"):
        assert_same(matrix, Profile(keywords=keywords), Weights())
        assert_same(matrix, Profile(sectors=("new_energy",), keywords=keywords), Weights())


def test_rows_replaced_after_the_index_was_built_are_still_found(catalogue):
    projects, data = catalogue
    matrix = ProjectMatrix.build(projects[:3000], data.sector_tree, region_names=data.region_names)
    matrix.index()
    profile = Profile(sectors=("new_energy.hydrogen",), keywords="加氢站 氢能", min_yuan=5 * YI, max_yuan=20 * YI)
    # the last projects become perfect matches: the index built before never saw them so
    replaced = [dataclasses.replace(p, sectors=("new_energy.hydrogen",), investment_sought_yuan=8 * YI,
                                    text=p.text + " 加氢站 氢能产业园") for p in projects[2980:3000]]
    changed = matrix.with_changes(replaced)
    assert changed._index is matrix._index  # kept: only the replaced rows are unindexed
    added = changed.with_changes([dataclasses.replace(replaced[0], id=99_999)])
    assert_same(added, profile, Weights())  # positions moved: every project scored meanwhile
    added.index()
    assert_same(added, profile, Weights())
    assert_same(changed, profile, Weights())
    assert {m.project_id for m in changed.score(profile, Weights(), top=20)} >= {p.id for p in replaced[:10]}


def test_matches_through_the_database_equal_the_exhaustive_scorer(app):
    """On the database under test (SQLite, or PostgreSQL with MATCHMAKER_DATABASE_URL)."""
    synthetic.bulk_load(synthetic.projects(4000, seed=3))
    operations.invalidate()  # the bulk path writes no generation: say the projects changed
    db.session.commit()
    context = operations.matching_context()
    rng = random.Random(8)
    sectors = sorted(synthetic.PRODUCTS)
    for _ in range(30):
        data = operations.ProfileInput(
            sectors=tuple(rng.sample(sectors, rng.choice((0, 1, 2)))),
            regions=tuple(rng.sample(synthetic.REGIONS, rng.choice((0, 1)))),
            min_yuan=Decimal(rng.choice((1, 3, 5))) * YI if rng.random() < 0.6 else None,
            max_yuan=Decimal(rng.choice((10, 20))) * YI if rng.random() < 0.5 else None,
            modes=tuple(rng.sample(synthetic.MODES, rng.choice((0, 1)))),
            keywords=rng.choice(["", "光伏", "磷酸铁锂 正极材料", "数据中心 智算", "茶叶"]),
        )
        if not any((data.sectors, data.regions, data.min_yuan, data.max_yuan, data.modes, data.keywords)):
            continue
        profile = operations.check_profile(data, context)
        found = operations.match_projects(data)
        full = context.matrix.score(profile, operations.weights(), top=20, exhaustive=True)
        assert [(m.project.id, m.score, m.reasons) for m in found] == [
            (m.project_id, m.score, operations.translated_reasons(m)) for m in full
        ]


def test_a_committed_write_is_applied_to_the_shared_matrix_in_place_an_uncommitted_one_is_not(app):
    catalogue = make_catalogue()
    first = make_project(catalogue, name="修文县分布式光伏发电项目")
    shared = operations.matching_context().matrix
    db.session.commit()
    first.name = "开阳县磷化工项目"
    db.session.flush()
    own_view = operations.matching_context().matrix  # this transaction's write, not yet committed
    assert own_view is not shared and own_view.project(first.id).name == "开阳县磷化工项目"
    assert shared.project(first.id).name == "修文县分布式光伏发电项目"
    db.session.rollback()
    assert operations.matching_context().matrix.project(first.id).name == "修文县分布式光伏发电项目"
    db.session.commit()
    again = make_project(catalogue, name="开阳县磷化工项目", sectors=("new_materials.chemical",))
    matrix = operations.matching_context().matrix
    assert matrix is shared and again.id in matrix.ids  # brought forward in place
    found = operations.match_projects(operations.ProfileInput(keywords="磷化工"))
    assert [m.project.id for m in found] == [again.id]
