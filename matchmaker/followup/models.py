"""What happened to an agreement after it was signed: one entry per recorded fact (a stage
reached, a payment received, a stall or an end), and the agreement's current position
(`followups`, one row per agreement with progress, kept in the same transaction as the
entries so that rates are one scan, not a replay)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, Money, UTCDateTime, str_enum, utcnow
from matchmaker.i18n import NP_
from matchmaker.reference.vocabulary import LabelledEnum


class Stage(LabelledEnum):
    # 签约: the agreement itself (its signing date); never recorded as an entry
    SIGNED = "signed", NP_("follow-up stage", "Signed")
    # 注册: the project company is registered
    REGISTERED = "registered", NP_("follow-up stage", "Company registered")
    # 开工
    STARTED = "started", NP_("follow-up stage", "Construction started")
    # 投产
    IN_PRODUCTION = "in_production", NP_("follow-up stage", "In production")


RECORDED_STAGES = (Stage.REGISTERED, Stage.STARTED, Stage.IN_PRODUCTION)


class FollowupState(LabelledEnum):
    ON_TRACK = "on_track", NP_("follow-up state", "On track")
    STALLED = "stalled", NP_("follow-up state", "Stalled")
    TERMINATED = "terminated", NP_("follow-up state", "Terminated")


class EntryKind(LabelledEnum):
    STAGE = "stage", NP_("follow-up entry", "Stage reached")
    FUNDS = "funds", NP_("follow-up entry", "Funds in place")
    STATE = "state", NP_("follow-up entry", "State changed")


class ProgressEntry(Base):
    """One recorded fact, never edited: a correction is a new entry with a reason."""

    __tablename__ = "progress_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id"), nullable=False, index=True
    )
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "entry_kind"), nullable=False)
    stage: Mapped[Stage | None] = mapped_column(str_enum(Stage, "followup_stage"), nullable=True)
    state: Mapped[FollowupState | None] = mapped_column(
        str_enum(FollowupState, "followup_state"), nullable=True
    )
    occurred_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    amount_yuan: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    # The evidence: licence number, permit, bank slip, inspection report.
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Why: a correction of an earlier date, funds above the signed amount, a stall, an end.
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821, UP037

    __table_args__ = (
        sa.CheckConstraint("kind <> 'stage' OR stage IS NOT NULL", name="stage_named"),
        sa.CheckConstraint("kind <> 'state' OR (state IS NOT NULL AND reason <> '')",
                           name="state_with_reason"),
        sa.CheckConstraint("kind <> 'funds' OR amount_yuan > 0", name="funds_positive"),
    )

    def __repr__(self) -> str:
        return f"<ProgressEntry {self.id} {self.kind} agreement={self.agreement_id}>"


class Followup(Base):
    """Where an agreement stands now: the dates of its stages, the funds in place, its
    state, and when progress was last recorded (for reminders)."""

    __tablename__ = "followups"

    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), primary_key=True)
    registered_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    started_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    in_production_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    funds_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    payments: Mapped[int] = mapped_column(nullable=False, default=0)
    first_funds_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    state: Mapped[FollowupState] = mapped_column(
        str_enum(FollowupState, "followup_state"), nullable=False, default=FollowupState.ON_TRACK
    )
    state_reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    last_progress_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    agreement: Mapped["Agreement"] = relationship()  # noqa: F821, UP037

    __table_args__ = (
        sa.CheckConstraint("funds_yuan >= 0", name="funds_non_negative"),
        sa.Index("ix_followups_last_progress_at", "last_progress_at"),
    )

    @property
    def stage(self) -> Stage:
        """The furthest stage reached."""
        if self.in_production_on is not None:
            return Stage.IN_PRODUCTION
        if self.started_on is not None:
            return Stage.STARTED
        if self.registered_on is not None:
            return Stage.REGISTERED
        return Stage.SIGNED

    def stage_date(self, stage: Stage) -> date | None:
        return {Stage.REGISTERED: self.registered_on, Stage.STARTED: self.started_on,
                Stage.IN_PRODUCTION: self.in_production_on}.get(stage)

    def __repr__(self) -> str:
        return f"<Followup agreement={self.agreement_id} {self.stage} {self.funds_yuan}>"
