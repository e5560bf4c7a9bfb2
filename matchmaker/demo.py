"""The illustrative demo data: a 220-project catalogue, ~60 investors, two signing sessions.

Everything is read from data/demo/ (made by data/generate_demo.py) and loaded through the
same operations staff and organisers use. Loading is idempotent: what exists is kept.
Demo accounts get random passwords, printed once, unless MATCHMAKER_DEMO_PASSWORD is set.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from matchmaker.accounts.models import Role, User
from matchmaker.accounts.operations import create_user
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
from matchmaker.catalogue.operations import import_catalogue
from matchmaker.editions.operations import ensure_edition
from matchmaker.extensions import db
from matchmaker.investors.models import ClaimStatus, Investor, InvestorClaim
from matchmaker.investors.operations import import_investors
from matchmaker.matching.operations import ProfileInput, save_profile
from matchmaker.reference.loaders import regions_by_code, sectors_by_code
from matchmaker.signing.models import (
    Agreement,
    AgreementKind,
    SessionKind,
    SessionState,
    SigningSession,
)
from matchmaker.text import clean

CATALOGUE_NAME = "贵州省2023年绿色生态产业招商推介项目索引（示例）"
CATALOGUE_YEAR = 2023
DEMO_ACCOUNTS = (
    ("staff@demo.matchmaker.cn", Role.STAFF, "省投资促进局（示例）"),
    ("organizer@demo.matchmaker.cn", Role.ORGANIZER, "论坛组委会（示例）"),
    ("investor@demo.matchmaker.cn", Role.INVESTOR, "示例投资人"),
    ("admin@demo.matchmaker.cn", Role.ADMIN, "管理员（示例）"),
)


@dataclass
class DemoResult:
    catalogue_created: bool = False
    projects: int = 0
    investors_created: int = 0
    profiles_created: int = 0
    sessions_created: int = 0
    agreements_created: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, password
    accounts_skipped: bool = False


def demo_dir() -> Path:
    return Path(current_app.config["DATA_DIR"]) / "demo"


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(Project.id))) == 0 and (
        db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    )


def load_demo() -> DemoResult:
    """Load everything that is missing, in one transaction."""
    result = DemoResult()
    try:
        _load_investors(result)
        _load_catalogue(result)
        _load_signing(result)
        _load_profiles(result)
        _create_accounts(result)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result


def _load_investors(result: DemoResult) -> None:
    """Through the investor import: names are resolved, so a re-run updates nothing twice."""

    path = demo_dir() / "investors.csv"
    report = import_investors(path.read_bytes(), path.name, user=None)
    if report.rejected:
        raise RuntimeError(f"demo investors have rejected rows: {report.rejected[:3]}")
    result.investors_created += len(report.created)


# Illustrative exchange rates (yuan per unit) of the demo editions, so that English pages
# show the dollar equivalent and the desk takes dollar agreements; organisers set the real
# ones on the edition page. An edition that already states rates keeps them.
DEMO_RATES = {"USD": "7.10", "EUR": "7.80", "HKD": "0.91"}


def _demo_edition(year: int):
    edition = ensure_edition(year, user=None)
    if not edition.rates:
        edition.rates = dict(DEMO_RATES)
    return edition


def _load_catalogue(result: DemoResult) -> None:
    catalogue = db.session.scalar(
        sa.select(Catalogue).where(Catalogue.name == CATALOGUE_NAME, Catalogue.year == CATALOGUE_YEAR)
    )
    if catalogue is None:
        catalogue = Catalogue(name=CATALOGUE_NAME, year=CATALOGUE_YEAR, publisher="贵州省投资促进局（示例）",
                              edition=_demo_edition(CATALOGUE_YEAR))
        db.session.add(catalogue)
        db.session.flush()
        path = demo_dir() / "catalogue-2023.xlsx"
        report = import_catalogue(catalogue, path.read_bytes(), path.name, user=None)
        if report.rejected:
            raise RuntimeError(f"demo catalogue has rejected rows: {report.rejected[:3]}")
        catalogue.status = CatalogueStatus.PUBLISHED
        result.catalogue_created = True
    result.projects = db.session.scalar(
        sa.select(sa.func.count(Project.id)).where(Project.catalogue_id == catalogue.id)
    )


def _load_signing(result: DemoResult) -> None:
    data = json.loads((demo_dir() / "signing.json").read_text(encoding="utf-8"))
    sessions = {s.name: s for s in db.session.scalars(sa.select(SigningSession))}
    by_key: dict[str, SigningSession] = {}
    for item in data["sessions"]:
        session = sessions.get(item["name"])
        if session is None:
            held_on = date.fromisoformat(item["date"])
            session = SigningSession(
                edition=_demo_edition(held_on.year),
                name=item["name"],
                name_en=item.get("name_en", ""),
                kind=SessionKind(item["kind"]),
                held_on=held_on,
                venue=item.get("venue", ""),
                target_yuan=Decimal(item["target_yuan"]),
                state=SessionState.CLOSED,
            )
            db.session.add(session)
            result.sessions_created += 1
        by_key[item["key"]] = session
    db.session.flush()

    catalogue_id = db.session.scalar(
        sa.select(Catalogue.id).where(Catalogue.name == CATALOGUE_NAME, Catalogue.year == CATALOGUE_YEAR)
    )
    projects = {
        p.code: p for p in db.session.scalars(sa.select(Project).where(Project.catalogue_id == catalogue_id))
    }
    # Names are stored as written; compare them in one form (full-width folded).
    investors = {clean(i.name): i for i in db.session.scalars(sa.select(Investor))}
    existing_keys = set(
        db.session.scalars(sa.select(Agreement.idempotency_key).where(Agreement.idempotency_key.like("demo-%")))
    )
    sectors, regions = sectors_by_code(), regions_by_code()
    for index, item in enumerate(data["agreements"], start=1):
        key = f"demo-{index}"
        if key in existing_keys:
            continue
        project = projects.get(item["project_code"]) if item.get("project_code") else None
        if item.get("project_code") and project is None:
            raise RuntimeError(f"demo agreement {index}: no project with code {item['project_code']}")
        agreement = Agreement(
            session=by_key[item["session"]],
            investor=investors[clean(item["investor"])],
            project=project,
            project_name=item.get("project_name") or (project.name if project else ""),
            sector=sectors.get(item.get("sector") or ""),
            region=regions.get(item.get("region") or ""),
            amount_yuan=Decimal(item["amount_yuan"]),
            kind=AgreementKind(item["kind"]),
            signed_at=datetime.fromisoformat(item["signed_at"]),
            idempotency_key=key,
        )
        if project is not None and agreement.kind != AgreementKind.INTENT:
            project.status = ProjectStatus.SIGNED
        db.session.add(agreement)
        result.agreements_created += 1
    db.session.flush()


def _load_profiles(result: DemoResult) -> None:
    """A few investors describe what they look for, so matches show on the demo."""

    data = json.loads((demo_dir() / "profiles.json").read_text(encoding="utf-8"))
    # Names are stored as written; compare them in one form (full-width folded).
    investors = {clean(i.name): i for i in db.session.scalars(sa.select(Investor))}
    for item in data["items"]:
        investor = investors[clean(item["investor"])]
        if investor.profile is not None:
            continue
        save_profile(
            investor,
            ProfileInput(
                sectors=tuple(item["sectors"]),
                regions=tuple(item["regions"]),
                min_yuan=Decimal(item["min_yuan"]) if item.get("min_yuan") else None,
                max_yuan=Decimal(item["max_yuan"]) if item.get("max_yuan") else None,
                modes=tuple(item["modes"]),
                keywords=item.get("keywords", ""),
            ),
            user=None,
        )
        result.profiles_created += 1
    db.session.flush()


def _create_accounts(result: DemoResult) -> None:
    if current_app.config.get("ENV") == "production":
        result.accounts_skipped = True  # never an admin with a printed password in production
        return
    fixed = os.environ.get("MATCHMAKER_DEMO_PASSWORD")
    investor = db.session.scalar(sa.select(Investor).order_by(Investor.id).limit(1))
    for email, role, name in DEMO_ACCOUNTS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)):
            continue
        password = fixed or f"demo-{secrets.token_urlsafe(9)}"
        user = create_user(
            email,
            password,
            role,
            display_name=name,
            investor_id=investor.id if role == Role.INVESTOR and investor else None,
        )
        if user.investor_id:  # the demo investor speaks for its company (an approved claim)

            db.session.add(InvestorClaim(user_id=user.id, investor_id=user.investor_id,
                                         status=ClaimStatus.APPROVED, written_name=investor.name))
        result.accounts.append((email, role.value, password))


def echo_result(result: DemoResult) -> None:
    click.echo(
        f"Demo data (illustrative, not the official list): {result.projects} projects"
        f"{' (catalogue imported)' if result.catalogue_created else ''}, "
        f"{result.investors_created} investors ({result.profiles_created} profiles), "
        f"{result.sessions_created} signing sessions, "
        f"{result.agreements_created} agreements added."
    )
    if result.accounts_skipped:
        click.echo("No demo accounts in production: create users with `matchmaker create-user`.")
    if result.accounts:
        click.echo("Demo accounts (passwords are shown only now):")
        for email, role, password in result.accounts:
            click.echo(f"  {role:<10} {email:<32} {password}")
