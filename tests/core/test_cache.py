"""The one cache mechanism: in-process caches keyed by a generation row that writes bump in
their own transaction, so every worker sees a change on its next request."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest
import sqlalchemy as sa
from factories import make_catalogue, make_investor, make_project

from matchmaker import cache
from matchmaker.extensions import db
from matchmaker.investors import resolution


def test_a_write_elsewhere_is_seen_after_its_bump_and_only_then(app):
    make_investor("南京银行股份有限公司")
    assert resolution.resolve_investor("北京银行").match is None
    builds = resolution._resolvers.builds
    # Another worker inserts a company with Core (no ORM listener runs here) ...
    with db.engine.begin() as other_worker:
        other_worker.execute(sa.text(
            "INSERT INTO investors (name, aliases, kind, country, created_at, updated_at, "
            "needs_review, private) VALUES ('北京银行股份有限公司', '[]', 'enterprise', 'CN', "
            ":now, :now, false, false)"), {"now": "2026-12-01 00:00:00"})
    db.session.commit()  # a new request: a new transaction
    assert resolution.resolve_investor("北京银行").match is None  # not bumped: cache kept
    assert resolution._resolvers.builds == builds
    with db.engine.begin() as other_worker:  # ... and bumps the generation with its write
        other_worker.execute(sa.text(
            "UPDATE cache_generations SET generation = generation + 1 WHERE name = 'investor_names'"))
    db.session.commit()
    assert resolution.resolve_investor("北京银行").match.name == "北京银行股份有限公司"
    assert resolution._resolvers.builds == builds + 1


def test_orm_writes_bump_in_their_transaction_and_a_rollback_keeps_nothing(app):
    make_investor("珠海格力电器股份有限公司")
    assert resolution.resolve_investor("格力电器").match is not None
    before = cache.generation(cache.INVESTOR_NAMES)
    db.session.commit()
    db.session.add(resolution.Investor(name="北京银行股份有限公司"))
    db.session.flush()
    # inside the writing transaction the new name resolves (a value for it alone) ...
    assert resolution.resolve_investor("北京银行").match is not None
    db.session.rollback()
    # ... and after a rollback neither the row nor a cached resolver built from it remain
    assert cache.generation(cache.INVESTOR_NAMES) == before
    assert resolution.resolve_investor("北京银行").match is None


def test_one_generation_read_per_request_and_no_rebuild_without_a_change(app, client):
    make_investor("珠海格力电器股份有限公司")
    client.get("/api/v1/investors/resolve", query_string={"name": "格力电器"})
    builds = resolution._resolvers.builds
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            # (the test client shares one app context: end its transaction as a request does)
            db.session.remove()
            assert client.get("/api/v1/investors/resolve", query_string={"name": "格力电器"}).json["match"]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    reads = [s for s in statements if "cache_generations" in s]
    assert len(reads) == 3 and resolution._resolvers.builds == builds
    assert not [s for s in statements if "FROM investors" in s]


def test_the_matching_matrix_follows_publish_and_edits(app):
    from matchmaker.catalogue.models import CatalogueStatus
    from matchmaker.matching import operations

    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    make_project(catalogue, name="修文县分布式光伏发电项目")
    assert len(operations.matching_context().matrix) == 0
    catalogue.status = CatalogueStatus.PUBLISHED
    db.session.commit()
    assert len(operations.matching_context().matrix) == 1
    builds = operations._contexts.builds
    operations.matching_context()
    assert operations._contexts.builds == builds  # unchanged: no rebuild


def _worker(url: str, requests, answers) -> None:  # pragma: no cover - runs in a child process
    os.environ["MATCHMAKER_DATABASE_URL"] = url
    from matchmaker.app import create_app
    from matchmaker.investors import resolution as child_resolution

    app = create_app({"TESTING": True, "SECRET_KEY": "worker"})
    with app.app_context():
        for name in iter(requests.get, None):
            with app.test_request_context():
                match = child_resolution.resolve_investor(name).match
                answers.put(json.dumps({"match": match.name if match else None,
                                        "builds": child_resolution._resolvers.builds}))
            db.session.remove()


@pytest.mark.postgres
def test_two_app_instances_agree_right_after_an_import(app, runner, tmp_path):
    """Worker B (its own process and app) has a warm resolver; worker A imports a list; B's
    very next resolution sees the new company - and B rebuilt once, not per request."""
    make_investor("南京银行股份有限公司")
    context = multiprocessing.get_context("spawn")
    requests, answers = context.Queue(), context.Queue()
    worker = context.Process(target=_worker, args=(os.environ["MATCHMAKER_DATABASE_URL"], requests, answers))
    worker.start()
    try:
        def ask(name: str) -> dict:
            requests.put(name)
            return json.loads(answers.get(timeout=60))

        first = ask("北京银行")
        assert first["match"] is None
        assert ask("南京银行")["builds"] == first["builds"]  # warm: no rebuild
        path = tmp_path / "banks.csv"
        path.write_text("名称,英文名称\n北京银行股份有限公司,\"Bank of Beijing Co., Ltd.\"\n", encoding="utf-8")
        result = runner.invoke(args=["investors", "import", str(path), "--json"])
        assert json.loads(result.stdout)["created"] == 1
        after = ask("北京银行")
        assert after["match"] == "北京银行股份有限公司"
        assert after["builds"] == first["builds"] + 1
        assert ask("Bank of Beijing")["builds"] == after["builds"]
    finally:
        requests.put(None)
        worker.join(timeout=30)
        if worker.is_alive():
            worker.terminate()
