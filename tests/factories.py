"""Factories for tests: real rows through the models, sensible defaults, override anything."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from matchmaker.accounts.models import Role, User
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project
from matchmaker.editions.models import Edition, default_names
from matchmaker.extensions import db
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.reference.models import Region, Sector
from matchmaker.signing.models import (
    Agreement,
    AgreementKind,
    SessionKind,
    SessionState,
    SigningSession,
)

PASSWORD = "correct horse 1"
_seq = itertools.count(1)


def sector(code: str) -> Sector:
    return db.session.scalar(sa.select(Sector).where(Sector.code == code))


def region(code: str) -> Region:
    return db.session.scalar(sa.select(Region).where(Region.code == code))


def make_user(role: Role | str = Role.INVESTOR, *, email: str | None = None, password: str = PASSWORD, **fields) -> User:
    role = Role(role)
    user = User(email=email or f"{role.value}{next(_seq)}@example.org", role=role, **fields)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_staff(*region_codes: str, **fields) -> User:
    """A staff member, scoped to these regions (none: the whole province)."""
    user = make_user(Role.STAFF, **fields)
    if region_codes:
        user.scope_regions = [region(code) for code in region_codes]
        db.session.commit()
    return user


def make_edition(year: int = 2023, **fields) -> Edition:
    """The edition of `year` (created with the default names when missing)."""
    edition = db.session.scalar(sa.select(Edition).where(Edition.year == year))
    if edition is None:
        name, name_en = default_names(year)
        values = {"year": year, "name": name, "name_en": name_en, "rates": {}, "pinned": False,
                  "target_yuan": Decimal("0.00")}
        values.update(fields)
        edition = Edition(**values)
        db.session.add(edition)
        db.session.commit()
    elif fields:
        for key, value in fields.items():
            setattr(edition, key, value)
        db.session.commit()
    return edition


def _edition(value) -> Edition:
    return value if isinstance(value, Edition) else make_edition(int(value))


def make_catalogue(**fields) -> Catalogue:
    values = {"name": f"Catalogue {next(_seq)}", "year": 2023, "status": CatalogueStatus.PUBLISHED}
    values.update(fields)
    values["edition"] = _edition(values.get("edition") or values["year"])
    values["year"] = values["edition"].year
    catalogue = Catalogue(**values)
    db.session.add(catalogue)
    db.session.commit()
    return catalogue


def make_project(catalogue: Catalogue | None = None, *, sectors=("new_energy.solar",), region_code: str | None = "520100", **fields) -> Project:
    catalogue = catalogue or make_catalogue()
    number = next(_seq)
    values = {
        "code": str(number),
        "name": f"示例项目{number}",
        "investment_sought_yuan": Decimal("500000000.00"),
        "total_investment_yuan": Decimal("800000000.00"),
    }
    values.update(fields)
    values["sectors"] = [sector(code) for code in sectors]
    values["region"] = region(region_code) if region_code else None
    project = Project(catalogue=catalogue, **values)
    db.session.add(project)
    db.session.commit()
    return project


def make_investor(name: str | None = None, **fields) -> Investor:
    values = {"name": name or f"示例投资有限公司{next(_seq)}", "kind": InvestorKind.ENTERPRISE}
    values.update(fields)
    investor = Investor(**values)
    db.session.add(investor)
    db.session.commit()
    return investor


def make_session(**fields) -> SigningSession:
    values = {
        "edition": 2023,
        "name": f"签约仪式{next(_seq)}",
        "kind": SessionKind.GREEN_INDUSTRY,
        "target_yuan": Decimal("8000000000.00"),
        "state": SessionState.OPEN,
    }
    values.update(fields)
    values["edition"] = _edition(values["edition"])
    session = SigningSession(**values)
    db.session.add(session)
    db.session.commit()
    return session


def make_agreement(session: SigningSession | None = None, investor: Investor | None = None, **fields) -> Agreement:
    values = {
        "amount_yuan": Decimal("100000000.00"),
        "kind": AgreementKind.INVESTMENT_CONTRACT,
        "signed_at": datetime(2023, 7, 8, 2, 0, tzinfo=UTC),
        "project_name": "场外项目",
    }
    values.update(fields)
    agreement = Agreement(session=session or make_session(), investor=investor or make_investor(), **values)
    db.session.add(agreement)
    db.session.commit()
    return agreement
