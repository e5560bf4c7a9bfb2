"""A process that starts from the search index's snapshot answers exactly as one that loaded
the index from the database rows; changes made after the snapshot are applied on top; a
snapshot that is damaged, of another version, of another database or of an older lineage
is refused with a log line and the index loaded from the rows instead."""

import logging
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_project
from flask import current_app
from search_catalogue import catalogue_projects_fixture  # noqa: F401 - the fixture

from matchmaker import cache
from matchmaker.catalogue.models import Project
from matchmaker.extensions import db
from matchmaker.search import index as search_index
from matchmaker.search.core import SearchRequest
from matchmaker.search.operations import reindex_projects, write_snapshots

QUERIES = ["光伏", "锂电", "锂电 遵义", "遵义光伏", "battery Zunyi", "lithium battery", "photovoltaic",
           "guian data center", "guìyáng", "数据中心", "磷酸铁锂", "photovoltic", "zunyl", "遵以 光伏",
           "池", "茶叶 遵义", "", "储能电站"]
FILTERS = [{}, {"sectors": ("new_energy",)}, {"regions": ("520300",)}, {"sort": "sought_desc"},
           {"statuses": ("signed", "withdrawn")}, {"bands": ("1-5",)}, {"sort": "newest", "per_page": 3}]


def answers(quick: bool = False) -> list:
    """Every probe's full answer (hits with scores and fields, total, facets) and the
    similar projects of every project, from this process's index."""
    out = []
    with search_index.current_index() as index:
        for q in QUERIES[:5] if quick else QUERIES:
            for filters in FILTERS[:2] if quick else FILTERS:
                result = index.search(SearchRequest(q=q, **filters))
                out.append((q, filters, result.total, [(h.project_id, h.score, h.fields) for h in result.hits],
                            result.facets, [str(m) for m in result.explanation]))
        ids = db.session.scalars(sa.select(Project.id).order_by(Project.id)).all()
        out.append([index.similar(i) for i in ids])
    db.session.commit()
    return out


def from_rows(quick: bool = False) -> list:
    """The answers of an index loaded from the rows (snapshots off)."""
    app = current_app
    app.config["SNAPSHOTS"] = False
    search_index.forget_indexes()
    try:
        return answers(quick)
    finally:
        app.config["SNAPSHOTS"] = True
        search_index.forget_indexes()


def snapshot_file():
    return cache.snapshot_path(search_index.SNAPSHOT)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO, logger="matchmaker.search.index")
    return caplog


def started_from_snapshot(logs) -> bool:
    return any("snapshot of generation" in r.getMessage() and "mapped" in r.getMessage() for r in logs.records)


def refused(logs) -> str:
    return " ".join(r.getMessage() for r in logs.records if "not used" in r.getMessage())


def test_a_new_process_starts_from_the_snapshot_and_answers_identically(app, catalogue_projects, logs):
    expected = from_rows()
    search_index.forget_indexes()
    answers()  # a full load writes the snapshot
    assert snapshot_file().exists()
    search_index.forget_indexes()  # "a new process"
    logs.clear()
    assert answers() == expected
    assert started_from_snapshot(logs) and not refused(logs)


def test_changes_after_the_snapshot_are_applied_on_top(app, catalogue_projects, logs):
    answers()
    edited = catalogue_projects[1]
    edited.name = "贵阳农光互补氢能示范项目"
    make_project(catalogue_projects[0].catalogue, name="遵义市新增光伏储能项目", sectors=("new_energy.solar",),
                 region_code="520302", investment_sought_yuan=Decimal("300000000"))
    deleted = db.session.scalars(sa.select(Project).where(Project.name.like("%茶园%"))).one()
    db.session.delete(deleted)
    db.session.commit()
    search_index.forget_indexes()
    logs.clear()
    got = answers()
    assert started_from_snapshot(logs) and not refused(logs)
    assert got == from_rows()
    with search_index.current_index() as index:
        names = {h.project_id for h in index.search(SearchRequest(q="氢能")).hits}
        assert edited.id in names
        assert index.search(SearchRequest(q="茶园")).total == 0
        assert index.search(SearchRequest(q="新增光伏储能")).total == 1


def _damage(path):
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x55
    path.write_bytes(bytes(data))


def _other_database(path):
    db.session.execute(sa.update(cache.CacheGeneration).where(cache.CacheGeneration.name == cache.IDENTITY)
                       .values(generation=cache.CacheGeneration.generation + 1))
    db.session.commit()


def _rebuilt_since(path):
    old = path.read_bytes()
    app = current_app
    app.config["SNAPSHOTS"] = False
    reindex_projects(None)  # a full rebuild: a new lineage
    db.session.commit()
    answers(quick=True)
    app.config["SNAPSHOTS"] = True
    path.write_bytes(old)


def _other_version(path, monkeypatch):
    monkeypatch.setattr(search_index, "SNAPSHOT_VERSION", search_index.SNAPSHOT_VERSION + 1)


@pytest.mark.parametrize(("spoil", "reason"), [
    (_damage, "checksum"), (_other_database, "another database"), (_rebuilt_since, "rebuilt since"),
    (_other_version, "version"),
])
def test_an_unusable_snapshot_falls_back_to_the_rows(app, catalogue_projects, logs, monkeypatch, spoil, reason):
    answers(quick=True)
    path = snapshot_file()
    assert path.exists()
    if spoil is _other_version:
        spoil(path, monkeypatch)
    else:
        spoil(path)
    search_index.forget_indexes()
    logs.clear()
    got = answers(quick=True)
    assert reason in refused(logs)
    assert not started_from_snapshot(logs)
    assert got == from_rows(quick=True)
    # the full load wrote a good snapshot again
    search_index.forget_indexes()
    logs.clear()
    assert answers(quick=True) == got and started_from_snapshot(logs)


def test_the_rebuild_command_writes_the_snapshots(app, runner, catalogue_projects):
    path = snapshot_file()
    if path.exists():
        path.unlink()
    result = runner.invoke(args=["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"Snapshot written: {path}" in result.output
    assert path.exists()


def test_a_database_loaded_in_bulk_gets_an_identity_and_its_snapshots(app, catalogue_projects):
    """A catalogue loaded with Core statements bumps no cache, so the database has no
    identity yet; writing the snapshots (the rebuild command, `matchmaker serve`'s warm-up)
    makes one instead of silently writing none."""
    table = cache.CacheGeneration.__table__
    db.session.execute(table.delete().where(table.c.name == cache.IDENTITY))
    db.session.commit()
    cache.clear_local()
    search_index.forget_indexes()
    assert cache.database_identity() is None
    paths = write_snapshots()
    db.session.commit()
    identity = cache.database_identity()
    assert identity is not None
    assert snapshot_file() in paths and all(path.exists() for path in paths)
    assert len(paths) == 2  # the search index and the matching matrix
    assert cache.identify_database() == identity  # made once, then kept


def test_the_server_warm_up_answers_a_search_and_a_match_before_the_fork(app, catalogue_projects, monkeypatch):
    from matchmaker import serve
    from matchmaker.matching import operations

    asked = []
    for module, name in ((serve, "search_projects"), (serve, "match_projects")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _n=name, **k: asked.append(_n) or _o(*a, **k))
    operations._contexts.clear()
    search_index.forget_indexes()
    serve.warm_caches(app)
    assert asked == ["search_projects", "match_projects"]
    with app.app_context():
        with search_index.current_index() as index:
            assert index.size  # inherited by the workers forked after it
