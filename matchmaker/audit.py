"""The audit trail: who changed what, when, with the values before and after."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, UTCDateTime, utcnow
from matchmaker.extensions import db


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    entity: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    entity_id: Mapped[int | None] = mapped_column(nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)

    user: Mapped["User | None"] = relationship()  # noqa: F821, UP037

    __table_args__ = (sa.Index("ix_audit_events_entity", "entity", "entity_id"),)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.entity}:{self.entity_id}>"


def jsonable(value: Any) -> Any:
    """Audit values as JSON: Decimal as exact strings, dates ISO, enums by value."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def record(
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    user=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        entity=entity,
        entity_id=entity_id,
        user_id=getattr(user, "id", None),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    db.session.add(event)
    return event


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in fields}
