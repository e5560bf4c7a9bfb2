"""The data model: exact money on both databases, constraints that refuse bad rows."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_agreement, make_catalogue, make_project, make_user

from matchmaker.catalogue.models import Project
from matchmaker.extensions import db


@pytest.mark.parametrize(
    "amount",
    ["0.01", "0.10", "1.00", "123456789.99", "1300000000000.00", "9999999999999999.99"],
)
def test_money_round_trips_exactly_to_the_fen(app, amount):
    project = make_project(investment_sought_yuan=Decimal(amount))
    db.session.expire_all()
    stored = db.session.get(Project, project.id).investment_sought_yuan
    assert isinstance(stored, Decimal)
    assert stored == Decimal(amount) and str(stored) == amount


def test_sums_in_sql_are_exact(app):
    catalogue = make_catalogue()
    for _ in range(3):
        make_project(catalogue, investment_sought_yuan=Decimal("10000000.00"))  # 0.1亿 each
    make_project(catalogue, investment_sought_yuan=Decimal("0.01"))
    total = db.session.scalar(sa.select(sa.func.sum(Project.investment_sought_yuan)))
    assert total == Decimal("30000000.01")


def test_money_never_takes_a_float(app):
    with pytest.raises(sa.exc.StatementError, match="float"):
        make_project(investment_sought_yuan=0.1)


def test_negative_amount_is_refused(app):
    with pytest.raises(sa.exc.IntegrityError):
        make_project(investment_sought_yuan=Decimal("-1.00"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0


def test_project_code_is_unique_within_a_catalogue(app):
    catalogue = make_catalogue()
    make_project(catalogue, code="17")
    make_project(make_catalogue(), code="17")  # another catalogue may reuse it
    with pytest.raises(sa.exc.IntegrityError):
        make_project(catalogue, code="17")


def test_emails_are_unique(app):
    make_user(email="a@example.org")
    with pytest.raises(sa.exc.IntegrityError):
        make_user(email="a@example.org")


def test_agreement_amount_must_be_positive_and_void_needs_reason(app):
    with pytest.raises(sa.exc.IntegrityError):
        make_agreement(amount_yuan=Decimal("0.00"))
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        make_agreement(voided=True, void_reason="")


def test_timestamps_are_utc_aware(app):
    project = make_project()
    db.session.expire_all()
    created = db.session.get(Project, project.id).created_at
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - created).total_seconds()) < 60
