"""Business actions of follow-through: record a stage, a payment of funds in place, a stall
or an end (or a resumption). Never commit; the user is passed in (None: the console);
every change is audited on the agreement, so its history reads as one story with the
signing desk's own entries.

Refused with a reason, nothing changed: progress on a voided agreement, a date before the
signing date or in the future, funds that take the total above the signed amount without
a reason, a staff account scoped to other prefectures, a stage on a terminated agreement.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from matchmaker import audit
from matchmaker.accounts.models import Role, User
from matchmaker.accounts.operations import covered_region_ids
from matchmaker.catalogue.models import Project
from matchmaker.errors import Conflict, DomainError, Forbidden
from matchmaker.extensions import db
from matchmaker.followup.models import (
    RECORDED_STAGES,
    EntryKind,
    Followup,
    FollowupState,
    ProgressEntry,
    Stage,
)
from matchmaker.i18n import N_
from matchmaker.money import format_yi
from matchmaker.reference.labels import parse_label
from matchmaker.reference.models import Region
from matchmaker.signing.models import Agreement, AgreementKind, SigningSession
from matchmaker.signing.operations import parse_signed_amount

log = logging.getLogger(__name__)

MAX_TEXT = 2000
FOLLOWUP_FIELDS = ["registered_on", "started_on", "in_production_on", "funds_yuan", "payments",
                   "state", "state_reason"]


@dataclass
class StageInput:
    stage: Stage | str
    occurred_on: date | None
    note: str = ""
    reason: str = ""  # required when it corrects a date already recorded


@dataclass
class FundsInput:
    amount: Decimal | str | None
    paid_on: date | None
    note: str = ""
    over_reason: str = ""  # required when the funds in place exceed the signed amount


@dataclass
class StateInput:
    state: FollowupState | str
    reason: str = ""
    occurred_on: date | None = None


# --- who may follow an agreement -------------------------------------------------------------


def agreement_region(agreement: Agreement) -> Region | None:
    """Where the agreement's project is: the catalogue project's region, else the region the
    desk gave an off-catalogue agreement."""
    if agreement.project is not None and agreement.project.region is not None:
        return agreement.project.region
    return agreement.region


def may_follow(user, agreement: Agreement) -> bool:
    """Organisers and province-level staff follow every agreement; scoped staff those in
    their prefectures or counties; investors none. None is the console (an administrator)."""
    if user is None:
        return True
    if not user.has_role(Role.STAFF, Role.ORGANIZER):
        return False
    return user.covers_region(agreement_region(agreement))


def require_follow(user, agreement: Agreement) -> None:
    if may_follow(user, agreement):
        return
    region = agreement_region(agreement)
    if region is None:
        raise Forbidden(N_("This agreement names no place: only province-level staff and "
                           "organisers can record its progress."))
    raise Forbidden(N_("This agreement's project is in %(region)s, outside the prefectures "
                       "your account covers: nothing was recorded."), region=region.name)


# --- checks ----------------------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def signing_date(agreement: Agreement) -> date:
    """The signing date in the venue's time zone (where the stages are dated)."""
    return agreement.signed_at.astimezone(local_zone()).date()


def local_today() -> date:
    return datetime.now(UTC).astimezone(local_zone()).date()


def _text(value: str | None, field: str, *, required: bool = False,
          message: str | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(message or N_("This field is required."), field=field)
    if len(text) > MAX_TEXT:
        raise DomainError(N_("At most %(max)d characters."), field=field, max=MAX_TEXT)
    return text


def _check_date(agreement: Agreement, value: date | None, field: str) -> date:
    if value is None:
        raise DomainError(N_("Give the date."), field=field)
    signed = signing_date(agreement)
    if value < signed:
        raise DomainError(
            N_("%(date)s is before the agreement was signed (%(signed)s): a step after the "
               "signing cannot come before it."),
            field=field, date=value.isoformat(), signed=signed.isoformat(),
        )
    if value > local_today():
        raise DomainError(N_("%(date)s is in the future: record a step once it has happened."),
                          field=field, date=value.isoformat())
    return value


def _writable(agreement: Agreement, user) -> None:
    require_follow(user, agreement)
    if agreement.voided:
        raise Conflict(N_("This agreement is voided: its progress cannot be recorded."))


def parse_stage(value: Stage | str) -> Stage:
    stage = value if isinstance(value, Stage) else parse_label(Stage, value)
    if stage not in RECORDED_STAGES:
        raise DomainError(N_("Choose the stage reached: company registered, construction "
                             "started or in production."), field="stage")
    return stage


def parse_state(value: FollowupState | str) -> FollowupState:
    state = value if isinstance(value, FollowupState) else parse_label(FollowupState, value)
    if state is None:
        raise DomainError(N_("Choose on track, stalled or terminated."), field="state")
    return state


# --- the position ----------------------------------------------------------------------------


def followup_of(agreement: Agreement) -> Followup | None:
    return db.session.get(Followup, agreement.id)


def _position(agreement: Agreement) -> Followup:
    """The agreement's follow-up row, created when missing, locked for this transaction
    (two people recording at once add up, neither overwrites the other)."""
    connection = db.session.connection()
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(Followup)
        .values(agreement_id=agreement.id, funds_yuan=Decimal("0"), payments=0,
                state=FollowupState.ON_TRACK.value, state_reason="",
                last_progress_at=datetime.now(UTC))
        .on_conflict_do_nothing(index_elements=["agreement_id"])
    )
    return db.session.get(Followup, agreement.id, with_for_update=True, populate_existing=True)


def _entry(agreement: Agreement, kind: EntryKind, occurred_on: date, *, user, **values) -> ProgressEntry:
    entry = ProgressEntry(agreement_id=agreement.id, kind=kind, occurred_on=occurred_on,
                          recorded_by_id=getattr(user, "id", None), **values)
    db.session.add(entry)
    return entry


def _audit(action: str, agreement: Agreement, before: dict, after: dict, *, user) -> None:
    audit.record(action, "agreement", agreement.id, user=user, before=before, after=after)


# --- actions ---------------------------------------------------------------------------------


def record_stage(agreement: Agreement, data: StageInput, *, user) -> ProgressEntry:
    """The agreement reached a stage on a date, with evidence. Recording a stage again
    with another date corrects it (a reason is required); the old date stays in history."""
    _writable(agreement, user)
    stage = parse_stage(data.stage)
    occurred_on = _check_date(agreement, data.occurred_on, "occurred_on")
    note = _text(data.note, "note", required=True,
                 message=N_("Give the evidence (licence, permit, inspection report…)."))
    reason = _text(data.reason, "reason")
    position = _position(agreement)
    if position.state == FollowupState.TERMINATED:
        raise Conflict(N_("This agreement is terminated: resume it (with a reason) before "
                          "recording a stage."))
    previous = position.stage_date(stage)
    if previous == occurred_on:
        raise DomainError(N_("Nothing changed: this stage is already recorded on %(date)s."),
                          field="occurred_on", date=occurred_on.isoformat())
    if previous is not None and not reason:
        raise DomainError(
            N_("This stage is already recorded on %(date)s: give the reason for the correction."),
            field="reason", date=previous.isoformat(),
        )
    if stage == Stage.IN_PRODUCTION:
        if position.started_on is None:
            raise DomainError(N_("Record the start of construction before production."),
                              field="stage")
        if occurred_on < position.started_on:
            raise DomainError(
                N_("Production cannot start (%(date)s) before construction did (%(started)s)."),
                field="occurred_on", date=occurred_on.isoformat(),
                started=position.started_on.isoformat())
    if (stage == Stage.STARTED and position.in_production_on is not None
            and occurred_on > position.in_production_on):
        raise DomainError(
            N_("Construction cannot start (%(date)s) after production did (%(production)s)."),
            field="occurred_on", date=occurred_on.isoformat(),
            production=position.in_production_on.isoformat())
    before = audit.snapshot(position, FOLLOWUP_FIELDS)
    setattr(position, f"{stage.value}_on", occurred_on)
    position.last_progress_at = datetime.now(UTC)
    entry = _entry(agreement, EntryKind.STAGE, occurred_on, user=user, stage=stage, note=note,
                   reason=reason)
    _audit("progress_stage", agreement, {"stage": stage, "date": previous},
           {"stage": stage, "date": occurred_on, "note": note, "reason": reason,
            "position": before}, user=user)
    db.session.flush()
    log.info("agreement %s: %s on %s", agreement.id, stage.value, occurred_on)
    return entry


def record_funds(agreement: Agreement, data: FundsInput, *, user) -> ProgressEntry:
    """A payment of funds in place (资金到位): an amount and the date it arrived. Funds in
    place above the signed amount need a reason (a reinvestment, a larger second phase)."""
    _writable(agreement, user)
    if isinstance(data.amount, Decimal):
        amount = data.amount
        if not amount.is_finite() or amount <= 0:
            raise DomainError(N_("The amount must be more than zero."), field="amount")
    else:
        amount = parse_signed_amount(data.amount, confirm_large=True).yuan
    paid_on = _check_date(agreement, data.paid_on, "paid_on")
    note = _text(data.note, "note", required=True,
                 message=N_("Give the evidence (bank slip, capital verification report…)."))
    over_reason = _text(data.over_reason, "over_reason")
    position = _position(agreement)
    if position.state == FollowupState.TERMINATED:
        raise Conflict(N_("This agreement is terminated: resume it (with a reason) before "
                          "recording funds."))
    total = position.funds_yuan + amount
    if total > agreement.amount_yuan and not over_reason:
        raise DomainError(
            N_("With this payment the funds in place (%(total)s亿元) would exceed the signed "
               "amount (%(signed)s亿元): give the reason, or check the amount."),
            field="over_reason", total=format_yi(total), signed=format_yi(agreement.amount_yuan),
        )
    if total <= agreement.amount_yuan:
        over_reason = ""  # a reason is only kept where one was needed
    before = audit.snapshot(position, FOLLOWUP_FIELDS)
    position.funds_yuan = total
    position.payments += 1
    if position.first_funds_on is None or paid_on < position.first_funds_on:
        position.first_funds_on = paid_on
    position.last_progress_at = datetime.now(UTC)
    entry = _entry(agreement, EntryKind.FUNDS, paid_on, user=user, amount_yuan=amount, note=note,
                   reason=over_reason)
    _audit("progress_funds", agreement, {"funds_yuan": before["funds_yuan"]},
           {"funds_yuan": total, "amount_yuan": amount, "date": paid_on, "note": note,
            "reason": over_reason, "signed_yuan": agreement.amount_yuan}, user=user)
    db.session.flush()
    log.info("agreement %s: funds %s on %s (total %s)", agreement.id, amount, paid_on, total)
    return entry


def change_state(agreement: Agreement, data: StateInput, *, user) -> ProgressEntry:
    """Stalled (停滞), terminated (终止) or back on track, always with a reason."""
    _writable(agreement, user)
    state = parse_state(data.state)
    reason = _text(data.reason, "reason", required=True,
                   message=N_("Give the reason for the change of state."))
    occurred_on = _check_date(agreement, data.occurred_on or local_today(), "occurred_on")
    position = _position(agreement)
    if position.state == state:
        raise DomainError(N_("Nothing changed: the agreement is already in this state."),
                          field="state")
    before_state = position.state
    position.state = state
    position.state_reason = reason if state != FollowupState.ON_TRACK else ""
    position.last_progress_at = datetime.now(UTC)
    entry = _entry(agreement, EntryKind.STATE, occurred_on, user=user, state=state, reason=reason)
    _audit("progress_state", agreement, {"state": before_state},
           {"state": state, "reason": reason, "date": occurred_on}, user=user)
    db.session.flush()
    log.info("agreement %s: %s (%s)", agreement.id, state.value, reason)
    return entry


# --- reading ---------------------------------------------------------------------------------


def entries_of(agreement: Agreement) -> list[ProgressEntry]:
    return list(db.session.scalars(
        sa.select(ProgressEntry).where(ProgressEntry.agreement_id == agreement.id)
        .order_by(ProgressEntry.occurred_on, ProgressEntry.id)
    ))


def payments_of(agreement: Agreement) -> list[ProgressEntry]:
    return [e for e in entries_of(agreement) if e.kind == EntryKind.FUNDS]


def agreement_events(agreement: Agreement) -> list[audit.AuditEvent]:
    """Every audit event of the agreement (the desk's and follow-through's), oldest first."""
    return list(db.session.scalars(
        sa.select(audit.AuditEvent)
        .where(audit.AuditEvent.entity == "agreement", audit.AuditEvent.entity_id == agreement.id)
        .order_by(audit.AuditEvent.at, audit.AuditEvent.id)
    ))


def scope_condition(user):
    """SQL: the agreements `user` follows (None: no restriction)."""
    covered = covered_region_ids(user)
    return place_column().in_(covered) if covered is not None else None


def place_column():
    """SQL: the region id an agreement is located in (its project's, else its own)."""
    return sa.func.coalesce(
        sa.select(Project.region_id).where(Project.id == Agreement.project_id)
        .scalar_subquery(),
        Agreement.region_id,
    )


def reminder_days() -> int:
    return int(current_app.config.get("FOLLOWUP_REMINDER_DAYS", 90))


def stale_condition(days: int):
    """SQL: no progress recorded for `days` days (since the signing when none yet), and
    still something to follow: not terminated, not in production with its funds in place."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    done = sa.and_(Followup.in_production_on.isnot(None),
                   Followup.funds_yuan >= Agreement.amount_yuan)
    return sa.and_(
        sa.func.coalesce(Followup.last_progress_at, Agreement.signed_at) < cutoff,
        sa.or_(Followup.state.is_(None), Followup.state != FollowupState.TERMINATED),
        sa.or_(Followup.agreement_id.is_(None), ~done),
    )


def agreements_to_follow(user, edition, *, limit: int | None = None,
                         stale_days: int | None = None) -> list[tuple[Agreement, Followup | None]]:
    """The counted agreements of the edition (not voided) that `user` follows, each with its
    follow-up position (None before any progress), the longest without progress first."""
    statement = (
        sa.select(Agreement, Followup)
        .join(SigningSession, SigningSession.id == Agreement.session_id)
        .outerjoin(Followup, Followup.agreement_id == Agreement.id)
        .where(Agreement.voided.is_(False), Agreement.kind != AgreementKind.INTENT)
        .options(selectinload(Agreement.investor), selectinload(Agreement.project),
                 selectinload(Agreement.session), selectinload(Agreement.region))
        .order_by(sa.func.coalesce(Followup.last_progress_at, Agreement.signed_at), Agreement.id)
    )
    if getattr(edition, "id", None) is not None:
        statement = statement.where(SigningSession.edition_id == edition.id)
    scope = scope_condition(user)
    if scope is not None:
        statement = statement.where(scope)
    if stale_days is not None:
        statement = statement.where(stale_condition(stale_days))
    if limit:
        statement = statement.limit(limit)
    return [(agreement, followup) for agreement, followup in db.session.execute(statement)]


def responsible_staff(agreement: Agreement, staff: list) -> list:
    """Who follows this agreement: the staff whose prefectures cover its place, else the
    province-level staff."""
    region = agreement_region(agreement)
    scoped = [u for u in staff if u.is_scoped and u.covers_region(region)]
    return scoped or [u for u in staff if not u.is_scoped]


def stale_by_staff(edition, days: int) -> dict[Any, list[Agreement]]:
    """The agreements without progress for `days` days, grouped by the staff to remind."""
    staff = list(db.session.scalars(
        sa.select(User).where(User.role == Role.STAFF, User.active.is_(True))
        .options(selectinload(User.scope_regions))))
    reminders: dict[Any, list[Agreement]] = {}
    for agreement, _followup in agreements_to_follow(None, edition, stale_days=days):
        for user in responsible_staff(agreement, staff):
            reminders.setdefault(user, []).append(agreement)
    return reminders
