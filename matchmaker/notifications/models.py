"""Notifications: what a user is told (in-app), the outbox of e-mails to deliver, and each
user's choices (language of e-mails, e-mail on/off, the daily digest)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.i18n import NP_
from matchmaker.reference.vocabulary import LabelledEnum


class DeliveryState(LabelledEnum):
    PENDING = "pending", NP_("delivery state", "Waiting")
    SENDING = "sending", NP_("delivery state", "Sending")
    SENT = "sent", NP_("delivery state", "Sent")
    FAILED = "failed", NP_("delivery state", "Failed (no more retries)")


class Notification(Base):
    """One thing a user is told. The text is rendered from `kind` and `params` when shown,
    in the reader's language (the list page) or the recipient's (the e-mail)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    link: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped["User"] = relationship()  # noqa: F821, UP037

    __table_args__ = (
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


class Delivery(Base):
    """The outbox: an e-mail to send, written in the same transaction as the notification
    (and the change it tells of); a worker sends it, retrying with growing waits."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="email")
    address: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    locale: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="zh")
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "delivery_state"), nullable=False, default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    notification: Mapped[Notification] = relationship()

    __table_args__ = (
        sa.Index("ix_notification_deliveries_due", "state", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.channel} {self.state} attempts={self.attempts}>"


class NotificationPreference(Base):
    """A user's choices; a user without a row has the defaults (the site's language,
    e-mail on, no digest)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="zh")
    email_enabled: Mapped[bool] = mapped_column(nullable=False, default=True)
    digest_enabled: Mapped[bool] = mapped_column(nullable=False, default=False)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    def __repr__(self) -> str:
        return f"<NotificationPreference user={self.user_id} {self.locale}>"
