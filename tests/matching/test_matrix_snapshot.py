"""The matching matrix read back from its snapshot (flat arrays, no object per project)
answers as the matrix it was written from - scores, order, components and reasons - and a
delta on it gives what a fresh build gives; through the database a worker with no matrix
starts from the snapshot and applies the change log since; a damaged snapshot, another
version, another database, a snapshot ahead of the database or a gap in the log rebuild
from the rows, with a log line."""

from __future__ import annotations

import dataclasses
import logging
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from factories import make_catalogue, make_project
from flask import current_app

from benchmarks.matching_eval import load_eval_set
from matchmaker import cache, snapshot
from matchmaker.extensions import db
from matchmaker.matching import operations, storage
from matchmaker.matching.scorer import Profile, ProjectMatrix, Weights
from matchmaker.reference.glossary import Glossary
from matchmaker.reference.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "tests" / "data" / "matching"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return Glossary.load(ROOT / "data" / "glossary.csv", sectors=Taxonomy.load(ROOT / "data" / "sectors.json"))


def round_trip(matrix: ProjectMatrix, tmp_path, glossary) -> ProjectMatrix:
    arrays, meta = storage.to_arrays(matrix)
    snapshot.write(tmp_path / "m.snapshot", "matrix", storage.VERSION, arrays, meta)
    found = snapshot.read(tmp_path / "m.snapshot", "matrix", storage.VERSION)
    return storage.from_arrays(found.arrays, found.meta, matrix.sector_tree, matrix.region_names, glossary)


def same_answers(loaded: ProjectMatrix, built: ProjectMatrix, profiles) -> None:
    assert list(loaded.ids) == list(built.ids)
    assert list(loaded.projects) == list(built.projects)
    for profile in profiles:
        assert by_id(loaded, loaded.score_array(profile, Weights())) == by_id(built, built.score_array(profile, Weights()))
        for top in (5, 20, None):
            got, expected = loaded.score(profile, Weights(), top=top), built.score(profile, Weights(), top=top)
            assert [(m.project_id, m.score, m.components, [str(r) for r in m.reasons]) for m in got] == \
                [(m.project_id, m.score, m.components, [str(r) for r in m.reasons]) for m in expected]
    keywords = [p.keywords for p in profiles if p.keywords]
    for text in keywords:  # by id: a delta applied in place appends rows and leaves removed ones dead
        assert by_id(loaded, loaded.text_scores([text])[0]) == by_id(built, built.text_scores([text])[0])
    rows, built_rows = loaded.live_positions()[[0, 3, -1, 3]], built.live_positions()[[0, 3, -1, 3]]
    assert np.array_equal(loaded.text_scores(keywords, rows=rows), built.text_scores(keywords, rows=built_rows))


def by_id(matrix: ProjectMatrix, values: np.ndarray) -> dict:
    """Per-row values of a matrix by project id, for the rows in it."""
    return {matrix.id_at(i): int(values[i]) for i in matrix.live_positions()}


def test_a_matrix_from_its_snapshot_answers_as_the_one_built_from_rows(tmp_path, glossary):
    data = load_eval_set(DATA)
    built = ProjectMatrix.build(data.projects, data.sector_tree, region_names=data.region_names, glossary=glossary)
    loaded = round_trip(built, tmp_path, glossary)
    assert isinstance(loaded.projects, storage.ProjectRows)  # no list of project objects
    profiles = list(data.profiles.values()) + [
        Profile(keywords="hydrogen fuel cell"), Profile(keywords="光伏 储能 锂电池"),
        Profile(sectors=("new_energy",), min_yuan=Decimal("100000000"), max_yuan=Decimal("2000000000")),
    ]
    same_answers(loaded, built, profiles)


def test_a_delta_on_a_loaded_matrix_equals_a_fresh_build(tmp_path, glossary):
    data = load_eval_set(DATA)
    rng = random.Random(17)
    projects = sorted(data.projects, key=lambda p: p.id)
    start = [p for p in projects if rng.random() < 0.7]
    loaded = round_trip(ProjectMatrix.build(start, data.sector_tree, region_names=data.region_names,
                                            glossary=glossary), tmp_path, glossary)
    current = {p.id: p for p in start}
    added = [p for p in projects if p.id not in current][:5]
    changed = [dataclasses.replace(p, text=p.text + " 氢能 hydrogen", modes=("ppp",)) for p in start[:5]]
    removed = [p.id for p in start[5:8]]
    delta = loaded.with_changes(added + changed, removed=removed)
    current.update({p.id: p for p in added + changed})
    for i in removed:
        current.pop(i)
    fresh = ProjectMatrix.build(current.values(), data.sector_tree, region_names=data.region_names, glossary=glossary)
    same_answers(delta, fresh, list(data.profiles.values()))


def test_a_delta_in_place_on_a_loaded_matrix_writes_into_the_mapping_not_a_copy(tmp_path, glossary):
    """What a worker started from the snapshot does: the changed cells are written into its
    private copy-on-write mapping, new projects into the snapshot's spare rows - no column
    is copied - and it answers as a fresh build; the file itself is untouched."""
    data = load_eval_set(DATA)
    projects = sorted(data.projects, key=lambda p: p.id)
    start, later = projects[:-8], projects[-8:]
    built = ProjectMatrix.build(start, data.sector_tree, region_names=data.region_names, glossary=glossary)
    arrays, meta = storage.to_arrays(built)
    path = tmp_path / "m.snapshot"
    snapshot.write(path, "matrix", storage.VERSION, arrays, meta)
    before = path.read_bytes()
    found = snapshot.read(path, "matrix", storage.VERSION)
    loaded = storage.from_arrays(found.arrays, found.meta, built.sector_tree, built.region_names, glossary)
    changed = [dataclasses.replace(p, text=p.text + " 氢能 hydrogen", region_code=start[0].region_code,
                                   prefecture_code=start[0].prefecture_code) for p in start[3:6]]
    loaded.apply(later + changed, removed=[start[7].id])
    for name in ("region_idx", "log_sought", "sector_idx", "mode_idx"):
        assert np.shares_memory(getattr(loaded, name), found.arrays[name]), name  # no copy
    assert path.read_bytes() == before  # the pages written are this process's own
    # text scores still count on the snapshot's token CSR, the changed rows apart
    assert getattr(loaded.texts, "shared_counts", None) is not None
    current = {p.id: p for p in start}
    current.update({p.id: p for p in later + changed})
    current.pop(start[7].id)
    fresh = ProjectMatrix.build(current.values(), data.sector_tree, region_names=data.region_names, glossary=glossary)
    same_answers(loaded, fresh, list(data.profiles.values()))
    # past the spare rows the columns grow (copied once, into larger buffers), still exact
    extra = [dataclasses.replace(start[i % len(start)], id=100_000 + i) for i in range(storage.spare_rows(len(start)))]
    loaded.apply(extra)
    assert not np.shares_memory(loaded.region_idx, found.arrays["region_idx"])
    current.update({p.id: p for p in extra})
    same_answers(loaded, ProjectMatrix.build(current.values(), data.sector_tree, region_names=data.region_names,
                                             glossary=glossary), list(data.profiles.values())[:3])


def test_another_glossary_is_refused(tmp_path, glossary):
    data = load_eval_set(DATA)
    built = ProjectMatrix.build(data.projects[:20], data.sector_tree, region_names=data.region_names, glossary=glossary)
    arrays, meta = storage.to_arrays(built)
    with pytest.raises(ValueError, match="glossary"):
        storage.from_arrays(arrays, meta, built.sector_tree, built.region_names, None)


# --- through the database -------------------------------------------------------------

BODY = {"sectors": ["new_energy"], "keywords": "光伏 储能", "min_yuan": "1亿", "max_yuan": "10亿"}


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="matchmaker.cache")
    return caplog


def catalogue() -> list:
    cat = make_catalogue()
    rows = [("贵阳光伏电站项目", ("new_energy.solar",), "520113", "3.5", "建设光伏电站"),
            ("遵义储能电站项目", ("storage",), "520302", "2", "锂电池储能"),
            ("铜仁风电项目", ("new_energy.wind",), "520602", "8", "风力发电"),
            ("毕节茶园项目", ("eco_agriculture.tea",), "520502", "0.5", "生态茶园"),
            ("安顺锂电池隔膜项目", ("nev.battery_materials",), "520402", "20", "隔膜生产线 solar")]
    return [make_project(cat, name=name, sectors=sectors, region_code=region, construction_content=content,
                         investment_sought_yuan=Decimal(sought) * 100_000_000, cooperation_modes=["joint_venture"])
            for name, sectors, region, sought, content in rows]


def matches(client) -> list:
    response = client.post("/api/v1/match", json=BODY)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def from_rows(client) -> list:
    current_app.config["SNAPSHOTS"] = False
    operations._contexts.clear()
    try:
        return matches(client)
    finally:
        current_app.config["SNAPSHOTS"] = True
        operations._contexts.clear()


def test_a_worker_starts_from_the_snapshot_then_applies_the_log(app, client, logs, monkeypatch):
    projects = catalogue()
    expected = from_rows(client)
    assert [i["project"]["name"] for i in expected][0] == "贵阳光伏电站项目"
    matches(client)  # a full build writes the snapshot
    assert cache.snapshot_path(cache.MATCHING_PROJECTS).exists()
    operations._contexts.clear()  # "a new worker"
    builds, loads = operations._contexts.builds, operations._contexts.loads
    assert matches(client) == expected
    assert operations._contexts.builds == builds and operations._contexts.loads == loads + 1
    projects[2].construction_content = "风光储一体化 光伏 储能"
    make_project(projects[0].catalogue, name="六盘水光伏储能项目", sectors=("new_energy.solar",),
                 region_code="520201", investment_sought_yuan=Decimal("300000000"))
    db.session.delete(projects[3])
    db.session.commit()
    operations._contexts.clear()
    builds, deltas = operations._contexts.builds, operations._contexts.deltas
    copies = []
    copy = ProjectMatrix.copy
    monkeypatch.setattr(ProjectMatrix, "copy", lambda self: copies.append(1) or copy(self))
    got = matches(client)
    assert operations._contexts.builds == builds and operations._contexts.deltas == deltas + 1
    assert not copies  # the matrix just mapped is brought forward in place, not copied first
    assert got == from_rows(client)
    assert "六盘水光伏储能项目" in [i["project"]["name"] for i in got]


def _damage(path):
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x55
    path.write_bytes(bytes(data))


def _other_database(path):
    db.session.execute(sa.update(cache.CacheGeneration).where(cache.CacheGeneration.name == cache.IDENTITY)
                       .values(generation=cache.CacheGeneration.generation + 1))
    db.session.commit()


def _ahead(path):
    db.session.execute(sa.update(cache.CacheGeneration)
                       .where(cache.CacheGeneration.name == cache.MATCHING_PROJECTS)
                       .values(generation=cache.CacheGeneration.generation - 1))
    db.session.commit()


def _gap_in_the_log(path):
    project = db.session.scalars(sa.select(operations.Project).limit(1)).one()
    project.construction_content = "光伏 储能 一体化"
    db.session.commit()
    db.session.execute(sa.delete(cache.CacheChange).where(cache.CacheChange.name == cache.MATCHING_PROJECTS))
    db.session.commit()


def _other_version(path):
    operations._contexts.snapshot_version += 1


@pytest.mark.parametrize(("spoil", "reason"), [
    (_damage, "checksum"), (_other_database, "another database"), (_ahead, "ahead"),
    (_gap_in_the_log, "does not cover"), (_other_version, "version"),
])
def test_an_unusable_snapshot_or_log_rebuilds_from_the_rows(app, client, logs, spoil, reason):
    catalogue()
    matches(client)
    path = cache.snapshot_path(cache.MATCHING_PROJECTS)
    version = operations._contexts.snapshot_version
    try:
        spoil(path)
        operations._contexts.clear()
        builds = operations._contexts.builds
        logs.clear()
        got = matches(client)
        assert operations._contexts.builds == builds + 1
        assert reason in " ".join(r.getMessage() for r in logs.records if r.levelno >= logging.WARNING)
    finally:
        operations._contexts.snapshot_version = version
    assert got == from_rows(client)


def test_the_candidate_index_is_stored_with_the_matrix_and_read_back(tmp_path):
    data = load_eval_set(DATA)
    built = ProjectMatrix.build(data.projects, data.sector_tree, region_names=data.region_names)
    built.index()
    loaded = round_trip(built, tmp_path, None)
    assert loaded._index is not None  # not built again
    for name in ("sector", "token"):
        assert np.array_equal(getattr(loaded._index, name).rows, getattr(built._index, name).rows)
    for profile in data.profiles.values():
        assert loaded.score(profile, Weights(), top=10) == built.score(profile, Weights(), top=10)
    built.apply([dataclasses.replace(data.projects[0], text="光伏")])  # the index no longer covers it
    assert storage.to_arrays(built)[1]["index"] is None
