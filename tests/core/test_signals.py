"""Writers announce what they wrote; the features that react subscribe in their init_app."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from factories import make_catalogue, make_investor, make_project

from matchmaker import signals
from matchmaker.catalogue.models import CatalogueStatus
from matchmaker.extensions import db
from matchmaker.investors.resolution import find_or_create_investor, resolve_investor


@contextmanager
def heard(signal, app):
    calls: list[list[int]] = []

    def receiver(sender, ids):
        assert sender is app
        calls.append(ids)

    signal.connect(receiver, sender=app)
    try:
        yield calls
    finally:
        signal.disconnect(receiver, sender=app)


def test_project_writes_are_announced_once_per_flush(app):
    catalogue = make_catalogue(status=CatalogueStatus.DRAFT)
    with heard(signals.projects_written, app) as calls:
        first = make_project(catalogue)
        second = make_project(catalogue)
        first.name = "改名的项目"
        db.session.commit()
        catalogue.status = CatalogueStatus.PUBLISHED  # publishing touches all its projects
        db.session.commit()
        db.session.delete(second)
        db.session.commit()
    assert calls == [[first.id], [second.id], [first.id], [first.id, second.id], [second.id]]


def test_an_unrelated_write_is_not_announced(app):
    with heard(signals.projects_written, app) as calls:
        make_investor("贵州磷化（集团）有限责任公司")
    assert calls == []


def test_a_failing_receiver_rolls_the_write_back(app):
    catalogue = make_catalogue()

    def refuse(sender, ids):
        raise RuntimeError("index unavailable")

    signals.projects_written.connect(refuse, sender=app)
    try:
        with pytest.raises(RuntimeError, match="index unavailable"):
            make_project(catalogue, name="不会保存的项目")
    finally:
        signals.projects_written.disconnect(refuse, sender=app)
    db.session.rollback()
    assert catalogue.projects == []


def test_a_created_investor_is_announced_and_resolvable_at_once(app):
    assert resolve_investor("黔源电力").match is None
    with heard(signals.investors_written, app) as calls:
        investor = find_or_create_investor("贵州黔源电力股份有限公司", create=True)
    assert calls == [[investor.id]]
    assert resolve_investor("贵州黔源电力股份有限公司").match.id == investor.id
