"""Deltas, not rebuilds: a write logs the ids it changed with its generation; every worker
applies those rows to its cached value, and rebuilds only when the log cannot vouch for
every generation in between."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from decimal import Decimal

import sqlalchemy as sa
from factories import make_catalogue, make_project, sector
from queries import count_queries

from matchmaker import cache
from matchmaker.catalogue.models import CatalogueStatus, ProjectStatus
from matchmaker.extensions import db
from matchmaker.matching import operations
from matchmaker.signing.totals import listed_figures


def matrix_ids() -> list[int]:
    return list(operations.matching_context().matrix.ids)


def test_edits_publish_and_withdraw_are_applied_without_a_rebuild(app):
    catalogue = make_catalogue()
    first = make_project(catalogue, name="修文县分布式光伏发电项目")
    assert matrix_ids() == [first.id]
    builds, deltas = operations._contexts.builds, operations._contexts.deltas
    db.session.commit()

    second = make_project(catalogue, name="开阳县磷化工项目")
    assert matrix_ids() == [first.id, second.id]
    first.sectors = [sector("storage")]
    db.session.commit()
    assert operations.matching_context().matrix.projects[0].sectors == ("storage",)
    second.status = ProjectStatus.WITHDRAWN
    db.session.commit()
    assert matrix_ids() == [first.id]
    draft = make_catalogue(status=CatalogueStatus.DRAFT)
    third = make_project(draft, name="草稿项目")
    assert matrix_ids() == [first.id]
    draft.status = CatalogueStatus.PUBLISHED
    db.session.commit()
    assert matrix_ids() == [first.id, third.id]
    assert operations._contexts.builds == builds  # never rebuilt ...
    assert operations._contexts.deltas == deltas + 5  # ... each change applied
    assert operations.matching_context().matrix.ids == operations.build_context().matrix.ids


def test_a_gap_in_the_log_or_a_change_of_everything_rebuilds_with_a_log_line(app, caplog):
    catalogue = make_catalogue()
    make_project(catalogue)
    matrix_ids()
    builds = operations._contexts.builds
    make_project(catalogue)
    # the log lost that generation (trimmed, or written by a process that crashed)
    db.session.execute(sa.delete(cache.CacheChange).where(
        cache.CacheChange.generation == cache.generation(cache.MATCHING_PROJECTS)))
    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="matchmaker.cache"):
        assert len(matrix_ids()) == 2
    assert operations._contexts.builds == builds + 1
    assert "does not cover generations" in caplog.text
    operations.invalidate()
    db.session.commit()
    matrix_ids()
    assert operations._contexts.builds == builds + 2


def test_the_log_is_trimmed_and_a_worker_that_slept_through_it_rebuilds(app, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_GENERATIONS", 5)
    monkeypatch.setattr(cache, "TRIM_EVERY", 1)
    catalogue = make_catalogue()
    make_project(catalogue)
    matrix_ids()
    builds = operations._contexts.builds
    for _ in range(8):
        make_project(catalogue)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(cache.CacheChange)) <= 5
    assert len(matrix_ids()) == 9
    assert operations._contexts.builds == builds + 1


def _worker(url: str, requests, answers) -> None:  # pragma: no cover - runs in a child process
    os.environ["MATCHMAKER_DATABASE_URL"] = url
    from matchmaker.app import create_app
    from matchmaker.matching import operations as child

    app = create_app({"TESTING": True, "SECRET_KEY": "worker"})
    with app.app_context():
        for _ in iter(requests.get, None):
            ids = list(child.matching_context().matrix.ids)
            answers.put(json.dumps({"ids": ids, "builds": child._contexts.builds,
                                    "deltas": child._contexts.deltas}))
            db.session.remove()


def test_a_project_written_in_one_app_is_matched_in_another_without_a_rebuild(app):
    catalogue = make_catalogue()
    first = make_project(catalogue, name="修文县分布式光伏发电项目")
    context = multiprocessing.get_context("spawn")
    requests, answers = context.Queue(), context.Queue()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    worker = context.Process(target=_worker, args=(url, requests, answers))
    worker.start()
    try:
        def ask() -> dict:
            requests.put("match")
            return json.loads(answers.get(timeout=60))

        warm = ask()
        assert warm["ids"] == [first.id] and warm["builds"] == 1
        second = make_project(catalogue, name="开阳县磷化工项目")  # written and committed here
        after = ask()
        assert after["ids"] == [first.id, second.id]
        assert (after["builds"], after["deltas"]) == (1, warm["deltas"] + 1)
    finally:
        requests.put(None)
        worker.join(timeout=30)
        if worker.is_alive():
            worker.terminate()


def test_listed_projects_are_not_recounted_per_request_and_follow_every_write(app):
    first, second = make_catalogue(), make_catalogue()
    a = make_project(first, investment_sought_yuan=Decimal("100.00"))
    make_project(first, investment_sought_yuan=Decimal("0.50"))
    c = make_project(second, investment_sought_yuan=Decimal("7.00"))
    assert listed_figures(None) == (3, Decimal("107.50"))
    db.session.commit()
    with count_queries() as counted:
        assert listed_figures(None) == (3, Decimal("107.50"))
    assert not [s for s in counted.statements if "FROM projects" in s], str(counted)
    a.status = ProjectStatus.WITHDRAWN
    db.session.commit()
    assert listed_figures(None) == (2, Decimal("7.50"))
    second.status = CatalogueStatus.DRAFT
    db.session.commit()
    assert listed_figures(None) == (1, Decimal("0.50"))
    second.status = CatalogueStatus.PUBLISHED
    db.session.delete(c)
    db.session.commit()
    assert listed_figures(None) == (1, Decimal("0.50"))


def test_the_rebuild_command_makes_every_worker_rebuild_its_matrix(app, runner):
    make_project(make_catalogue())
    matrix_ids()
    builds = operations._contexts.builds
    result = runner.invoke(args=["search-index", "rebuild"])
    assert result.exit_code == 0, result.output
    db.session.commit()
    matrix_ids()
    assert operations._contexts.builds == builds + 1
