"""Shared rows for the negotiation zone's tests: an investor with its user, a project in
Zunyi, staff for Zunyi, staff for Guiyang, an organiser."""

from __future__ import annotations

from dataclasses import dataclass

from factories import make_edition, make_investor, make_project, make_user, region

from matchmaker.accounts.models import Role, User
from matchmaker.catalogue.models import Project
from matchmaker.extensions import db
from matchmaker.investors.models import Investor


@dataclass
class Cast:
    investor: Investor
    investor_user: User
    other_investor: Investor
    other_investor_user: User
    project: Project
    zunyi_staff: User
    guiyang_staff: User
    organiser: User


def cast() -> Cast:
    make_edition(2023, pinned=True)
    investor = make_investor("中国石化集团新能源有限公司", name_en="Sinopec New Energy")
    other = make_investor("另一家投资有限公司")
    investor_user = make_user(Role.INVESTOR, investor_id=investor.id, display_name="石化王经理")
    other_user = make_user(Role.INVESTOR, investor_id=other.id)
    project = make_project(name="遵义磷石膏综合利用项目", name_en="Zunyi phosphogypsum reuse",
                           region_code="520300")
    zunyi = make_user(Role.STAFF, display_name="遵义投促局")
    zunyi.scope_regions = [region("520300")]
    guiyang = make_user(Role.STAFF)
    guiyang.scope_regions = [region("520100")]
    organiser = make_user(Role.ORGANIZER)
    db.session.commit()
    return Cast(investor, investor_user, other, other_user, project, zunyi, guiyang, organiser)
